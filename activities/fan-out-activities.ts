import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { KindergartenControl } from '../domain/controls';
import { kindergartenWorkflowId } from '../domain/ids';
import { type KindergartenWorkflowInput, type kindergartenWorkflow, kindergartenControlSignal } from '../workflows/kindergarten-workflow';
import type { Store } from './store';
import type {
  KindergartenStartCommon,
  RosterEntry,
  SignalKindergartensInput,
  SignalKindergartensResult,
  StartAddedKindergartensInput,
  StartKindergartensInput,
  StartKindergartensResult,
} from '../domain/activity-contracts';

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

/** One kindergarten's workflow input: its group's schedule and the run's state; `joinedAt` for a mid-year addition. */
function kindergartenInput(common: KindergartenStartCommon, entry: Pick<RosterEntry, 'orgnr' | 'groupId' | 'municipalityId'>, joinedAt?: number): KindergartenWorkflowInput {
  const schedule = scheduleOf(common, entry.groupId);
  return {
    runId: common.runId,
    orgnr: entry.orgnr,
    regionId: common.regionId,
    groupId: entry.groupId,
    municipalityId: entry.municipalityId,
    schedule,
    revision: common.revision,
    paused: common.paused,
    ...(joinedAt === undefined ? { statusesStored: true } : { joinedAt }),
    ...(common.emailTaskQueue ? { emailTaskQueue: common.emailTaskQueue } : {}),
  };
}

export function createFanOutActivities({ store, temporal }: FanOutDeps) {
  /** Starts one kindergarten's workflow by its ID; false when it is running already (a retried activity). */
  async function start(common: KindergartenStartCommon, input: KindergartenWorkflowInput): Promise<boolean> {
    try {
      await temporal.workflow.start<typeof kindergartenWorkflow>('kindergartenWorkflow', {
        workflowId: kindergartenWorkflowId(input.runId, input.orgnr),
        taskQueue: common.taskQueue,
        args: [input],
        memo: { release: common.release },
      });
      return true;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      return false;
    }
  }

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
        if (await start(input, kindergartenInput(input, k))) result.started += 1;
        else result.alreadyRunning += 1;
      });
    },

    /** Starts the workflows of kindergartens added mid-year (region workflow); each joins at the current phase. */
    async startAddedKindergartens(input: StartAddedKindergartensInput): Promise<StartKindergartensResult> {
      const result = { started: 0, alreadyRunning: 0 };
      for (const k of input.kindergartens) {
        if (await start(input, kindergartenInput(input, k, k.joinedAt))) result.started += 1;
        else result.alreadyRunning += 1;
      }
      return result;
    },

    /**
     * Passes a control message (pause, resume, cancel, new schedule) to every kindergarten workflow of a region,
     * called by the region workflow: one activity instead of thousands of signal events in the region's history.
     * Resumes from its last heartbeat after a retry; signalling twice is harmless (the workflows ignore old revisions).
     */
    async signalKindergartens(input: SignalKindergartensInput): Promise<SignalKindergartensResult> {
      return eachRosterEntry(store, input, { signalled: 0, notRunning: 0 }, async (k, result) => {
        const control: KindergartenControl = input.control.type === 'schedule' ? { ...input.control, schedule: scheduleOf(input, k.groupId) } : input.control;
        try {
          await temporal.workflow.getHandle(kindergartenWorkflowId(input.runId, k.orgnr)).signal(kindergartenControlSignal, control);
          result.signalled += 1;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          result.notRunning += 1;
        }
      });
    },
  };
}

/** The schedule of a workshop group of the region (the region workflow passes one for each of its groups). */
function scheduleOf(input: Pick<SignalKindergartensInput, 'schedulesByGroup' | 'regionId'>, groupId: string) {
  const schedule = input.schedulesByGroup[groupId];
  if (!schedule) throw new Error(`no schedule for workshop group ${groupId} in region ${input.regionId}`);
  return schedule;
}
