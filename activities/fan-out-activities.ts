import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { kindergartenWorkflowId } from '../domain/ids';
import type { Store } from './store';
import type { RosterEntry, SignalKindergartensInput, SignalKindergartensResult, StartKindergartensInput, StartKindergartensResult } from '../domain/activity-contracts';

export interface FanOutDeps {
  store: Store;
  temporal: Pick<Client, 'workflow'>;
}

const PAGE = 500;
const CONCURRENCY = 32;

/**
 * Visits every roster entry of a region in pages, `CONCURRENCY` at a time, heartbeating the cursor and the counts after
 * each page; a retried activity resumes after the last page it reported.
 */
async function eachRosterEntry<R extends Record<string, number>>(
  store: Store,
  where: { runId: string; regionId: string },
  empty: R,
  visit: (entry: RosterEntry, result: R) => Promise<void>,
): Promise<R> {
  const ctx = Context.current();
  const resumed = ctx.info.heartbeatDetails as ({ after: string | null } & R) | undefined;
  let after = resumed?.after ?? null;
  const result = { ...empty };
  if (resumed) for (const key of Object.keys(empty) as (keyof R)[]) result[key] = resumed[key];
  for (;;) {
    const page = await store.listRosterPage({ runId: where.runId, regionId: where.regionId, afterOrgnr: after, limit: PAGE });
    for (let i = 0; i < page.length; i += CONCURRENCY) await Promise.all(page.slice(i, i + CONCURRENCY).map((entry) => visit(entry, result)));
    after = page.at(-1)?.orgnr ?? after;
    ctx.heartbeat({ after, ...result });
    if (page.length < PAGE) return result;
  }
}

export function createFanOutActivities({ store, temporal }: FanOutDeps) {
  return {
    /**
     * Starts the kindergarten workflow of every roster entry of a region that is not withdrawn, called by the region
     * workflow: started by the client (like any workflow), not as children, so the region's history and the server's
     * work per kindergarten stay small. Resumes from its last heartbeat after a retry; a workflow already running is
     * left alone (its ID is its kindergarten's).
     */
    async startKindergartens(input: StartKindergartensInput): Promise<StartKindergartensResult> {
      return eachRosterEntry(store, input, { started: 0, alreadyRunning: 0 }, async (k, result) => {
        if (k.withdrawn) return;
        try {
          await temporal.workflow.start('kindergartenWorkflow', {
            workflowId: kindergartenWorkflowId(input.runId, k.orgnr),
            taskQueue: input.taskQueue,
            args: [
              {
                runId: input.runId,
                orgnr: k.orgnr,
                regionId: input.regionId,
                groupId: k.groupId,
                municipalityId: k.municipalityId,
                schedule: input.schedulesByGroup[k.groupId],
                revision: input.revision,
                paused: input.paused,
                statusesStored: true,
                ...(input.emailTaskQueue ? { emailTaskQueue: input.emailTaskQueue } : {}),
              },
            ],
          });
          result.started += 1;
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          result.alreadyRunning += 1;
        }
      });
    },

    /**
     * Passes a control message (pause, resume, cancel, new schedule) to every kindergarten workflow of a region,
     * called by the region workflow: one activity instead of thousands of signal events in the region's history.
     * Resumes from its last heartbeat after a retry; signalling twice is harmless (the workflows ignore old revisions).
     */
    async signalKindergartens(input: SignalKindergartensInput): Promise<SignalKindergartensResult> {
      return eachRosterEntry(store, input, { signalled: 0, notRunning: 0 }, async (k, result) => {
        const control =
          input.control.type === 'schedule' ? { type: 'schedule', revision: input.control.revision, schedule: input.schedulesByGroup?.[k.groupId] } : input.control;
        try {
          await temporal.workflow.getHandle(kindergartenWorkflowId(input.runId, k.orgnr)).signal('control', control);
          result.signalled += 1;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          result.notRunning += 1;
        }
      });
    },
  };
}
