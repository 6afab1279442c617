import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PurgeSummary } from '../activities/db/retention-repository';

export interface RetentionWorkflowInput {
  /** Months after a run's end when its plan has no `retention.months` (RETENTION_MONTHS when the Schedule was made). */
  defaultMonths: number;
  /** The instant to judge retention at (ISO); unset, the workflow's own time, i.e. when the Schedule fired. */
  asOf?: string;
}

export interface RetentionWorkflowResult {
  asOf: string;
  purged: { runId: string; alreadyPurged: boolean; directoriesRemoved: number; summary: PurgeSummary }[];
}

// A large run's files and rows take a while; the purge is idempotent, so a retry after a timeout is harmless.
const retention = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', nonRetryableErrorTypes: ['RetentionNotConfigured'] },
});

/**
 * Removes the personal data and files of every run whose retention time has passed, one run at a time, keeping its
 * counts and dates; started once a day by the retention Schedule (temporal/retention-schedule.ts). A run already purged
 * is not found again, so a second run of the workflow changes nothing.
 */
export async function retentionWorkflow(input: RetentionWorkflowInput): Promise<RetentionWorkflowResult> {
  const asOf = input.asOf ? Date.parse(input.asOf) : Date.now();
  const due = await retention.findRunsPastRetention({ asOf, defaultMonths: input.defaultMonths });
  const purged: RetentionWorkflowResult['purged'] = [];
  for (const run of due) {
    const result = await retention.purgeRunPersonalData({ runId: run.runId, at: Date.now() });
    log.info('purged a run past its retention', { runId: run.runId, endedAt: new Date(run.endedAt).toISOString(), months: run.months });
    purged.push({ runId: result.runId, alreadyPurged: result.alreadyPurged, directoriesRemoved: result.directoriesRemoved, summary: result.summary });
  }
  return { asOf: new Date(asOf).toISOString(), purged };
}
