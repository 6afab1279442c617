import type { Plan } from '../config/plan-schema';
import type { TimelineRegion } from './timeline';

/** The regions of a plan with their workshop groups; a region without named groups is one group of its own id. */
export function timelineRegions(plan: Plan): TimelineRegion[] {
  return plan.regions.map((r) => ({
    id: r.id,
    name: r.name,
    groups: r.groups.length ? r.groups.map((g) => ({ ...g })) : [{ id: r.id, name: r.name }],
  }));
}

/**
 * The workshop group a kindergarten joins in a region: the one asked for, or the region's only group. Returns an
 * error message naming the choices when the group is missing in a region with several, or unknown.
 */
export function placeInGroup(plan: Plan, regionId: string, groupId: string | undefined): { groupId: string } | { error: string; groups: string[] } {
  const groups = timelineRegions(plan).find((r) => r.id === regionId)?.groups.map((g) => g.id) ?? [regionId];
  const chosen = groupId ?? (groups.length === 1 ? groups[0] : undefined);
  if (chosen === undefined || !groups.includes(chosen)) {
    return { error: `groupId: region "${regionId}" meets in workshop groups; expected one of ${groups.join(', ')}`, groups };
  }
  return { groupId: chosen };
}
