/**
 * The steps a run or region workflow owns for its milestone occurrences: record the milestone when it happens, and
 * send the emails that are not for directors (municipal authorities, research centre, coordinator). Pure planning
 * here; the workflows perform the steps through activities.
 */
import type { RecipientSelector } from './activity-contracts';
import type { Audience, OwnedOccurrence, ScheduledEmail, Timeline } from './timeline';

export type OccurrenceStep =
  | { kind: 'record'; key: string; at: number; owned: OwnedOccurrence }
  | { kind: 'email'; key: string; at: number; owned: OwnedOccurrence; email: ScheduledEmail };

export function occurrenceSteps(owned: OwnedOccurrence[], done: Record<string, unknown>): OccurrenceStep[] {
  const steps: OccurrenceStep[] = [];
  for (const o of owned) {
    const version = `@v${o.occurrence.version}`;
    steps.push({ kind: 'record', key: `${o.key}${version}`, at: o.occurrence.at, owned: o });
    for (const email of o.occurrence.emails) {
      // Emails to directors and participants are each kindergarten's own.
      if (email.to === 'directors' || email.to === 'participants') continue;
      steps.push({ kind: 'email', key: `${o.key}/${email.id}${version}`, at: email.sendAt, owned: o, email });
    }
  }
  return steps.filter((s) => !(s.key in done)).sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/** The recipients of a non-director email about an occurrence. */
export function selectorFor(audience: Exclude<Audience, 'directors' | 'participants'>, owned: OwnedOccurrence): RecipientSelector {
  if (audience === 'research-centre') return { kind: 'research-centre' };
  if (audience === 'coordinator') return { kind: 'coordinator' };
  return { kind: 'municipal-authorities', regionId: owned.occurrence.regionId, groupId: owned.occurrence.groupId };
}

export function milestoneOf(timeline: Timeline, owned: OwnedOccurrence) {
  const m = timeline.milestones.find((x) => x.id === owned.milestoneId);
  return {
    id: owned.milestoneId,
    title: m?.title ?? owned.milestoneId,
    kind: m?.kind ?? 'information',
    location: m?.location ?? null,
    at: owned.occurrence.at,
    occurrenceKey: owned.key,
    version: owned.occurrence.version,
    durationMinutes: m?.durationMinutes ?? null,
  };
}

/** Time to wake for the next step, or undefined when every owned step is done. */
export function nextStepAt(steps: OccurrenceStep[], now: number): number | undefined {
  const future = steps.map((s) => s.at).filter((at) => at > now);
  return future.length ? Math.min(...future) : undefined;
}
