import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { emailSender } from './email-sender';
import { type OccurrenceStep, milestoneOf, selectorFor } from '../domain/occurrence-steps';
import type { Timeline } from '../domain/timeline';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** What became of an owned step. */
export type OwnedStepOutcome = 'recorded' | 'sent' | 'stale' | 'failed' | 'held';

/**
 * Performs one due step of a run or region workflow: records the milestone, or sends the email to every recipient
 * in scope. While the run is paused emails are held (the milestone itself is still recorded); an email whose useful
 * time has passed is dropped and recorded as stale.
 */
export async function runOwnedStep(step: OccurrenceStep, runId: string, timeline: Timeline, paused: boolean, emailTaskQueue?: string): Promise<OwnedStepOutcome> {
  const now = Date.now();
  const { occurrence } = step.owned;
  if (step.kind === 'record') {
    await store.recordEvent({
      runId,
      type: 'milestone',
      at: occurrence.at,
      milestoneId: step.owned.milestoneId,
      regionId: occurrence.regionId,
      groupId: occurrence.groupId,
      data: { version: occurrence.version, recordedAt: now },
    });
    return 'recorded';
  }
  if (paused) return 'held';
  const { email } = step;
  if (now > email.latestUsefulAt) {
    await store.recordEvent({ runId, type: 'email-stale', at: now, milestoneId: step.owned.milestoneId, regionId: occurrence.regionId, data: { step: step.key } });
    return 'stale';
  }
  if (email.to === 'directors' || email.to === 'participants') return 'sent';
  const sender = emailSender(now, email.latestUsefulAt, { taskQueue: emailTaskQueue, fanOut: true });
  try {
    await sender.sendEmail({
      key: `${runId}/${step.key}`,
      runId,
      template: email.template,
      to: selectorFor(email.to, step.owned),
      milestone: milestoneOf(timeline, step.owned),
      scheduledFor: email.sendAt,
      requestedAt: now,
      latestUsefulAt: email.latestUsefulAt,
    });
    return 'sent';
  } catch (error) {
    log.warn('email not delivered', { key: step.key, error: String(error) });
    await store.recordEvent({ runId, type: 'email-failed', at: Date.now(), milestoneId: step.owned.milestoneId, data: { step: step.key, error: String(error) } });
    return 'failed';
  }
}

/**
 * Performs every owned step that is due (milestones always; emails unless paused) and notes each outcome in `done`;
 * returns whether anything ran, so the caller's loop looks again before it waits.
 */
export async function runDueOwnedSteps(
  steps: OccurrenceStep[],
  now: number,
  runId: string,
  state: { timeline: Timeline; paused: boolean; done: Record<string, string> },
  emailTaskQueue?: string,
): Promise<boolean> {
  const due = steps.filter((s) => s.at <= now && (s.kind === 'record' || !state.paused));
  for (const step of due) {
    const outcome = await runOwnedStep(step, runId, state.timeline, state.paused, emailTaskQueue);
    if (outcome !== 'held') state.done[step.key] = outcome;
  }
  return due.length > 0;
}
