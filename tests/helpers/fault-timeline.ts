import type { Timeline } from '../../domain/timeline';
import { scheduleForKindergarten } from '../../domain/timeline';

/**
 * The example year made short enough for a test on a real (not time-skipping) server, starting at `startAt`:
 * - every milestone and its emails, in their order, squeezed into the first `milestonesMs`;
 * - then each deliverable's window (opening, each reminder, deadline, escalation, end of late submissions), one step
 *   every `stepMs`, the deliverables `stepMs` apart, so a reminder has `stepMs` before the next one makes it stale.
 * Every milestone email stays worth sending until an hour after the year, so a test that stops the worker or the mail
 * server for a while sees each due email delivered late rather than dropped as stale. The authorities' daily digest is
 * left out: every escalation is its own email. So are the run's own steps of release 1.2.0 — the research centre's
 * guidance reminders and the deliverables the authorities submit — which would otherwise keep the run open until their
 * real dates: the year here is the kindergartens' (the directors' emails, prompts, reminders and escalations).
 */
export function faultTestTimeline(withDigest: Timeline, startAt: number, milestonesMs: number, stepMs: number): Timeline {
  // Each escalation is its own email here (the authorities' digest has its own fault test, authority-digest.test.ts).
  const { authorityDigest: _digest, ...timeline } = withDigest;
  const instants = timeline.milestones.flatMap((m) => m.occurrences.flatMap((o) => [o.at, ...o.emails.map((e) => e.sendAt)]));
  const first = Math.min(...instants);
  const last = Math.max(...instants);
  const t = (ms: number) => startAt + Math.round(((ms - first) / (last - first)) * milestonesMs);
  const deliverablesFrom = startAt + milestonesMs + stepMs;
  const deliverables = timeline.deliverables.filter((d) => d.submittedBy !== 'municipal-authorities').map((d, i) => ({
    ...d,
    windows: d.windows.map(({ guidance: _guidance, ...w }) => {
      const opensAt = deliverablesFrom + i * stepMs;
      const reminderAts = w.reminderAts.map((_, r) => opensAt + (r + 1) * stepMs);
      const dueAt = opensAt + (reminderAts.length + 1) * stepMs;
      return { ...w, opensAt, promptAt: opensAt, reminderAts, dueAt, escalationAt: dueAt + stepMs, lateUntil: dueAt + 2 * stepMs };
    }),
  }));
  const endsAt = Math.max(...deliverables.flatMap((d) => d.windows.map((w) => w.lateUntil))) + 1_000;
  const useful = endsAt + 3_600_000;
  return {
    ...timeline,
    endsAt,
    // Compressed like the rest: a late window's worth of grace, not a week.
    submissionGraceMs: 2 * stepMs,
    milestones: timeline.milestones.map((m) => ({
      ...m,
      occurrences: m.occurrences.map((o) => ({ ...o, at: t(o.at), emails: o.emails.map((e) => ({ ...e, sendAt: t(e.sendAt), latestUsefulAt: useful })) })),
    })),
    deliverables,
  };
}

/** How many steps (milestone emails, prompts, reminders, escalations) a kindergarten of this group has in the year. */
export function stepsOfKindergarten(timeline: Timeline, regionId: string, groupId: string): number {
  const schedule = scheduleForKindergarten(timeline, regionId, groupId);
  return schedule.emails.length + schedule.deliverables.reduce((n, d) => n + 2 + d.window.reminderAts.length, 0);
}
