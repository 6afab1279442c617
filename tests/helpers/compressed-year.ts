import type { Timeline } from '../../workflows/timeline';
import { scheduleForKindergarten } from '../../workflows/timeline';

/**
 * The example year squeezed into `spanMs` of real time starting at `startAt`, every instant in the same order, for
 * tests on a real (not time-skipping) server. Every email stays worth sending until an hour after the squeezed year,
 * so a test that stops the worker or the mail server sees every due email delivered rather than dropped as stale.
 */
export function compressTimeline(timeline: Timeline, startAt: number, spanMs: number): Timeline {
  const instants = [
    ...timeline.milestones.flatMap((m) => m.occurrences.flatMap((o) => [o.at, ...o.emails.map((e) => e.sendAt)])),
    ...timeline.deliverables.flatMap((d) => d.windows.flatMap((w) => [w.opensAt, w.promptAt])),
  ];
  const first = Math.min(...instants);
  const scale = spanMs / (timeline.endsAt - first);
  const t = (ms: number) => startAt + Math.round((ms - first) * scale);
  const endsAt = t(timeline.endsAt);
  const useful = endsAt + 3_600_000;
  return {
    ...timeline,
    endsAt,
    milestones: timeline.milestones.map((m) => ({
      ...m,
      occurrences: m.occurrences.map((o) => ({ ...o, at: t(o.at), emails: o.emails.map((e) => ({ ...e, sendAt: t(e.sendAt), latestUsefulAt: useful })) })),
    })),
    deliverables: timeline.deliverables.map((d) => ({
      ...d,
      windows: d.windows.map((w) => ({
        ...w,
        opensAt: t(w.opensAt),
        promptAt: t(w.promptAt),
        dueAt: t(w.dueAt),
        reminderAts: w.reminderAts.map(t),
        escalationAt: t(w.escalationAt),
        lateUntil: t(w.lateUntil),
      })),
    })),
  };
}

/** How many steps (milestone emails, prompts, reminders, escalations) a kindergarten of this group has in the year. */
export function stepsOfKindergarten(timeline: Timeline, regionId: string, groupId: string): number {
  const schedule = scheduleForKindergarten(timeline, regionId, groupId);
  return schedule.emails.length + schedule.deliverables.reduce((n, d) => n + 2 + d.window.reminderAts.length, 0);
}
