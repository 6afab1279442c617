import { type Timeline, occurrenceKey } from './timeline';

/**
 * What a change of the timeline (a coordinator's move) changes: pure, so the run workflow that applies a move and the
 * console that previews it compute the same thing.
 */
export interface MovedOccurrence {
  milestoneId: string;
  regionId: string | null;
  groupId: string | null;
  from: number;
  to: number;
}

/** Every occurrence whose instant differs between two timelines. */
export function movedOccurrences(before: Timeline, after: Timeline): MovedOccurrence[] {
  const moved: MovedOccurrence[] = [];
  const old = new Map<string, number>();
  for (const m of before.milestones) for (const o of m.occurrences) old.set(occurrenceKey(m.id, o), o.at);
  for (const m of after.milestones) {
    for (const o of m.occurrences) {
      const previous = old.get(occurrenceKey(m.id, o)) ?? findCovering(before, m.id, o.regionId, o.groupId);
      if (previous !== undefined && previous !== o.at) moved.push({ milestoneId: m.id, regionId: o.regionId, groupId: o.groupId, from: previous, to: o.at });
    }
  }
  return moved;
}

/** The instant a milestone had for a region or group when the old timeline held it at a coarser scope. */
function findCovering(timeline: Timeline, milestoneId: string, regionId: string | null, groupId: string | null): number | undefined {
  const m = timeline.milestones.find((x) => x.id === milestoneId);
  const o = m?.occurrences.find((x) => x.scope === 'run' || (x.regionId === regionId && (x.groupId === null || x.groupId === groupId)));
  return o?.at;
}

/** Regions whose deliverable windows differ between two timelines (a moved milestone can move a deadline). */
export function windowsChangedIn(after: Timeline, before: Timeline): string[] {
  const regions = new Set<string>();
  const all = after.regions.map((r) => r.id);
  for (const d of after.deliverables) {
    const old = before.deliverables.find((x) => x.id === d.id);
    for (const w of d.windows) {
      const same = old?.windows.some((x) => x.regionId === w.regionId && x.groupId === w.groupId && x.dueAt === w.dueAt && x.opensAt === w.opensAt);
      if (!same) (w.regionId === null ? all : [w.regionId]).forEach((r) => regions.add(r));
    }
  }
  return [...regions];
}
