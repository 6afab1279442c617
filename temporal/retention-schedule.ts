import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { RetentionWorkflowInput, retentionWorkflow } from '../workflows/retention-workflow';

/** The retention Schedule's id; the workflows it starts are named after it (with the time they were started). */
export const RETENTION_SCHEDULE_ID = 'arshjul-retention';

export interface RetentionScheduleOptions {
  taskQueue: string;
  /** RETENTION_MONTHS: the months after a run's end when its plan does not say. */
  defaultMonths: number;
  /** The schedule's own id; a test uses one of its own so parallel files do not share it. */
  scheduleId?: string;
}

function action(options: RetentionScheduleOptions): ScheduleOptionsStartWorkflowAction<typeof retentionWorkflow> {
  const input: RetentionWorkflowInput = { defaultMonths: options.defaultMonths };
  return { type: 'startWorkflow', workflowType: 'retentionWorkflow', workflowId: options.scheduleId ?? RETENTION_SCHEDULE_ID, taskQueue: options.taskQueue, args: [input] };
}

// Once a day at 03:15 Oslo time, when nobody is uploading; a day missed (no worker, server down) is caught up
// within a day, and a purge still running when the next one is due is not doubled.
const SPEC = { calendars: [{ hour: 3, minute: 15 }], timezone: 'Europe/Oslo' };
const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;

/**
 * Makes sure the daily retention Schedule exists with this task queue and default (worker start; idempotent): it is
 * created the first time, and afterwards updated only when RETENTION_MONTHS or the task queue changed. Returns what it did.
 */
export async function ensureRetentionSchedule(client: Pick<Client, 'schedule'>, options: RetentionScheduleOptions): Promise<'created' | 'updated' | 'unchanged'> {
  const scheduleId = options.scheduleId ?? RETENTION_SCHEDULE_ID;
  try {
    await client.schedule.create({ scheduleId, spec: SPEC, action: action(options), policies: POLICIES, state: { note: 'Årshjul: personopplysninger slettes når oppbevaringstiden er ute' } });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const args = current.action.type === 'startWorkflow' ? (current.action.args as RetentionWorkflowInput[] | undefined) : undefined;
  if (current.action.type === 'startWorkflow' && current.action.taskQueue === options.taskQueue && args?.[0]?.defaultMonths === options.defaultMonths) return 'unchanged';
  await handle.update((previous) => ({ spec: SPEC, action: action(options), policies: POLICIES, state: { paused: previous.state.paused, note: previous.state.note ?? '' } }));
  return 'updated';
}

/**
 * At worker start: ensures the Schedule, and when that fails (a namespace without permission to manage schedules, say)
 * says so on standard error and lets the worker run on, so the year's emails are never held up by it; the purge can
 * then be run by hand (`arshjul retention run`).
 */
export async function ensureRetentionScheduleAtStart(client: Pick<Client, 'schedule'>, options: RetentionScheduleOptions, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  try {
    await ensureRetentionSchedule(client, options);
  } catch (error) {
    write(
      `[arshjul] kunne ikke lage eller oppdatere den daglige Schedule for sletting av personopplysninger (${options.scheduleId ?? RETENTION_SCHEDULE_ID}): ` +
        `${(error as Error).message}. Arbeideren kjører videre; kjør «arshjul retention run» til den er på plass.`,
    );
  }
}
