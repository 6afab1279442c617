/**
 * Guidance (veiledning) on a submission (release 1.2.0): when it is due for one kindergarten and what state it is in.
 * Pure, so the console's matrix, the research centre's page and the reminders the run sends all say the same.
 */
import { type DeliverableWindow, type Timeline, type TimelineRegion, appliesTo } from './timeline';

const DAY_MS = 86_400_000;

/** Owed (not yet due), late (owed past its due instant) or given. */
export type GuidanceState = 'owed' | 'late' | 'given';

/**
 * The guidance due instant for one kindergarten: the plan's, or — when its first submission came so late that fewer
 * than `minimumDays` were left — that many days after the submission.
 */
export function guidanceDueAt(windowDueAt: number, firstSubmittedAt: number, minimumDays: number): number {
  return Math.max(windowDueAt, firstSubmittedAt + minimumDays * DAY_MS);
}

/** The state of a kindergarten's guidance; null while nothing is submitted (no guidance is owed yet). */
export function guidanceState(g: { firstSubmittedAt: number | null; givenAt: number | null; dueAt: number | null }, now: number): GuidanceState | null {
  if (g.givenAt !== null) return 'given';
  if (g.firstSubmittedAt === null || g.dueAt === null) return null;
  return now > g.dueAt ? 'late' : 'owed';
}

/** What guidance dues need of a timeline: the deliverables that ask for guidance and their windows' due instants. */
export interface GuidancePlan {
  regions: TimelineRegion[];
  deliverables: {
    id: string;
    title: string;
    review?: { by: 'research-centre'; minimumDays: number };
    windows: Pick<DeliverableWindow, 'scope' | 'regionId' | 'groupId' | 'guidance'>[];
  }[];
}

/** The part of a timeline guidance dues are computed from (the reminder email carries it). */
export function guidancePlanOf(timeline: Pick<Timeline, 'deliverables' | 'regions'>): GuidancePlan {
  return {
    regions: timeline.regions,
    deliverables: timeline.deliverables
      .filter((d) => d.review)
      .map((d) => ({
        id: d.id,
        title: d.title,
        ...(d.review ? { review: d.review } : {}),
        windows: d.windows.map((w) => ({ scope: w.scope, regionId: w.regionId, groupId: w.groupId, ...(w.guidance ? { guidance: w.guidance } : {}) })),
      })),
  };
}

/** The plan's guidance window for a kindergarten's region and group, with the deliverable's minimum days; null without review. */
export function guidanceWindowFor(timeline: GuidancePlan, deliverableId: string, regionId: string, groupId: string): { dueAt: number; minimumDays: number } | null {
  const deliverable = timeline.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable?.review) return null;
  const window = deliverable.windows.find((w) => appliesTo(w, regionId, groupId));
  if (!window?.guidance) return null;
  return { dueAt: window.guidance.dueAt, minimumDays: deliverable.review.minimumDays };
}

/** The ids of the deliverables that ask for guidance. */
export function reviewedDeliverables(timeline: GuidancePlan): string[] {
  return timeline.deliverables.filter((d) => d.review).map((d) => d.id);
}

/** A kindergarten's guidance due instant on a deliverable, from the plan's window and its first submission; null without review. */
export function guidanceDueFor(plan: GuidancePlan, deliverableId: string, regionId: string, groupId: string, firstSubmittedAt: number): number | null {
  const w = guidanceWindowFor(plan, deliverableId, regionId, groupId);
  return w ? guidanceDueAt(w.dueAt, firstSubmittedAt, w.minimumDays) : null;
}
