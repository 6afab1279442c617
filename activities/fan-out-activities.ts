import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { kindergartenWorkflowId } from '../workflows/ids';
import type { Store } from './store';
import type { SignalKindergartensInput, SignalKindergartensResult, StartKindergartensInput, StartKindergartensResult } from './types';

export interface FanOutDeps {
  store: Store;
  temporal: Pick<Client, 'workflow'>;
}

const PAGE = 500;
const CONCURRENCY = 32;

export function createFanOutActivities({ store, temporal }: FanOutDeps) {
  return {
    /**
     * Starts the kindergarten workflow of every roster entry of a region that is not withdrawn, called by the region
     * workflow: started by the client (like any workflow), not as children, so the region's history and the server's
     * work per kindergarten stay small. Resumes from its last heartbeat after a retry; a workflow already running is
     * left alone (its ID is its kindergarten's).
     */
    async startKindergartens(input: StartKindergartensInput): Promise<StartKindergartensResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { after: string | null; started: number; alreadyRunning: number } | undefined;
      let after = resumed?.after ?? null;
      const result = { started: resumed?.started ?? 0, alreadyRunning: resumed?.alreadyRunning ?? 0 };
      for (;;) {
        const page = await store.listRosterPage({ runId: input.runId, regionId: input.regionId, afterOrgnr: after, limit: PAGE });
        const entries = page.filter((k) => !k.withdrawn);
        for (let i = 0; i < entries.length; i += CONCURRENCY) {
          await Promise.all(
            entries.slice(i, i + CONCURRENCY).map(async (k) => {
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
            }),
          );
        }
        after = page.at(-1)?.orgnr ?? after;
        ctx.heartbeat({ after, ...result });
        if (page.length < PAGE) return result;
      }
    },

    /**
     * Passes a control message (pause, resume, cancel, new schedule) to every kindergarten workflow of a region,
     * called by the region workflow: one activity instead of thousands of signal events in the region's history.
     * Resumes from its last heartbeat after a retry; signalling twice is harmless (the workflows ignore old revisions).
     */
    async signalKindergartens(input: SignalKindergartensInput): Promise<SignalKindergartensResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { after: string | null; signalled: number; notRunning: number } | undefined;
      let after = resumed?.after ?? null;
      const result = { signalled: resumed?.signalled ?? 0, notRunning: resumed?.notRunning ?? 0 };
      for (;;) {
        const page = await store.listRosterPage({ runId: input.runId, regionId: input.regionId, afterOrgnr: after, limit: PAGE });
        for (let i = 0; i < page.length; i += CONCURRENCY) {
          await Promise.all(
            page.slice(i, i + CONCURRENCY).map(async (k) => {
              const control =
                input.control.type === 'schedule'
                  ? { type: 'schedule', revision: input.control.revision, schedule: input.schedulesByGroup?.[k.groupId] }
                  : input.control;
              try {
                await temporal.workflow.getHandle(kindergartenWorkflowId(input.runId, k.orgnr)).signal('control', control);
                result.signalled += 1;
              } catch (error) {
                if (!(error instanceof WorkflowNotFoundError)) throw error;
                result.notRunning += 1;
              }
            }),
          );
        }
        after = page.at(-1)?.orgnr ?? after;
        ctx.heartbeat({ after, ...result });
        if (page.length < PAGE) return result;
      }
    },
  };
}
