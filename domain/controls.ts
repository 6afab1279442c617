import type { KindergartenSchedule, Timeline } from './timeline';

/**
 * The coordinator's controls as they travel run → region → kindergarten: one union, refined per level only where the
 * payload differs (the run sends regions the new timeline, a region sends each kindergarten its group's schedule).
 */
export type RunControl = { type: 'pause' } | { type: 'resume' } | { type: 'cancel' };

/** What the run signals to a region. */
export type RegionControl = RunControl | { type: 'timeline'; revision: number; timeline: Timeline };

/** What a region signals to each kindergarten. */
export type KindergartenControl = RunControl | { type: 'schedule'; revision: number; schedule: KindergartenSchedule };

/** A control a region passes on to all its kindergartens; the fan-out activity adds each group's schedule. */
export type KindergartenBroadcast = RunControl | { type: 'schedule'; revision: number };
