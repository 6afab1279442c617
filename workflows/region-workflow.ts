import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { RosterEntry } from '../domain/activity-contracts';
import { kindergartenWorkflowId } from '../domain/ids';
import { type KindergartenWorkflowInput, kindergartenWorkflow } from './kindergarten-workflow';
import { nextStepAt, occurrenceSteps } from '../domain/occurrence-steps';
import { runDueOwnedSteps } from './owned-step-runner';
import { type KindergartenSchedule, type Timeline, ownedOccurrences, scheduleForKindergarten } from '../domain/timeline';

/** Children started per page of the roster, and at most this many pending children before continue-as-new. */
export const ROSTER_PAGE_SIZE = 200;
export const MAX_CHILDREN_PER_RUN = 400;

export type RegionControl =
  | { type: 'timeline'; revision: number; timeline: Timeline }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' };

type Broadcast = { type: 'pause' } | { type: 'resume' } | { type: 'cancel' } | { type: 'schedule'; revision: number };

export interface AddedKindergarten {
  orgnr: string;
  groupId: string;
  municipalityId: string;
  joinedAt: number;
}

export interface RegionState {
  revision: number;
  timeline: Timeline;
  paused: boolean;
  cancelled: boolean;
  startCursor: string | null;
  startDone: boolean;
  started: number;
  pendingAdds: AddedKindergarten[];
  broadcasts: Broadcast[];
  done: Record<string, string>;
}

export interface RegionWorkflowInput {
  runId: string;
  regionId: string;
  timeline: Timeline;
  revision: number;
  paused: boolean;
  /** The rate-limited task queue for sendEmail, passed on to the kindergartens. */
  emailTaskQueue?: string;
  state?: RegionState;
}

export interface RegionStatus {
  regionId: string;
  revision: number;
  state: 'starting' | 'active' | 'paused' | 'cancelled';
  kindergartensStarted: number;
  startComplete: boolean;
  steps: { key: string; outcome: string }[];
  next: { key: string; at: number } | null;
}

/** Timeline changes, pause, resume and cancel from the run workflow; signals, so they are durable without a worker. */
export const regionControlSignal = defineSignal<[RegionControl]>('control');
/** A kindergarten the coordinator added mid-year; the region starts its workflow at the current phase. */
export const kindergartenAddedSignal = defineSignal<[AddedKindergarten]>('kindergartenAdded');
export const regionStatusQuery = defineQuery<RegionStatus>('status');

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Fan-out to thousands of kindergartens happens in one heartbeating activity, so this history stays small.
const fanOut = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

/**
 * One region of a yearly run, started by the run workflow: it starts a kindergarten workflow per roster entry in
 * pages (continuing-as-new so it never holds more than MAX_CHILDREN_PER_RUN pending children), records its region and
 * workshop-group milestones, emails its municipal authorities, and passes the run's controls on to its kindergartens.
 */
export async function regionWorkflow(input: RegionWorkflowInput): Promise<RegionStatus> {
  const state: RegionState = input.state ?? {
    revision: input.revision,
    timeline: input.timeline,
    paused: input.paused,
    cancelled: false,
    startCursor: null,
    startDone: false,
    started: 0,
    pendingAdds: [],
    broadcasts: [],
    done: {},
  };
  let changed = false;
  let startedThisRun = 0;

  setHandler(regionControlSignal, (control) => {
    if (control.type === 'timeline') {
      if (control.revision <= state.revision) return;
      state.revision = control.revision;
      state.timeline = control.timeline;
      state.broadcasts.push({ type: 'schedule', revision: control.revision });
    } else {
      if (control.type === 'pause') state.paused = true;
      if (control.type === 'resume') state.paused = false;
      if (control.type === 'cancel') state.cancelled = true;
      state.broadcasts.push(control);
    }
    changed = true;
  });
  setHandler(kindergartenAddedSignal, (added) => {
    state.pendingAdds.push(added);
    changed = true;
  });
  setHandler(regionStatusQuery, () => status());

  function schedulesByGroup(): Record<string, KindergartenSchedule> {
    const region = state.timeline.regions.find((r) => r.id === input.regionId);
    return Object.fromEntries((region?.groups ?? []).map((g) => [g.id, scheduleForKindergarten(state.timeline, input.regionId, g.id)]));
  }

  async function startKindergarten(entry: Pick<RosterEntry, 'orgnr' | 'groupId' | 'municipalityId'>, joinedAt?: number): Promise<void> {
    const child: KindergartenWorkflowInput = {
      runId: input.runId,
      orgnr: entry.orgnr,
      regionId: input.regionId,
      groupId: entry.groupId,
      municipalityId: entry.municipalityId,
      schedule: scheduleForKindergarten(state.timeline, input.regionId, entry.groupId),
      revision: state.revision,
      paused: state.paused,
      ...(joinedAt !== undefined ? { joinedAt } : { statusesStored: true }),
      ...(input.emailTaskQueue ? { emailTaskQueue: input.emailTaskQueue } : {}),
    };
    try {
      await startChild(kindergartenWorkflow, {
        workflowId: kindergartenWorkflowId(input.runId, entry.orgnr),
        args: [child],
        // The kindergarten outlives this run of the region (continue-as-new) and reaches it by ID, never by handle.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      state.started += 1;
      startedThisRun += 1;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  async function continueIfNeeded(): Promise<void> {
    const tooManyChildren = startedThisRun >= MAX_CHILDREN_PER_RUN;
    if (!tooManyChildren && !workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof regionWorkflow>({ ...input, state });
  }

  for (;;) {
    if (!state.startDone && !state.cancelled) {
      // Added after v3: the kindergartens are started by one heartbeating activity through the client instead of as
      // children, which halves the server's work per kindergarten at the start of a run (bench B1).
      if (patched('start-kindergartens-by-activity')) {
        const result = await fanOut.startKindergartens({
          runId: input.runId,
          regionId: input.regionId,
          taskQueue: workflowInfo().taskQueue,
          revision: state.revision,
          paused: state.paused,
          schedulesByGroup: schedulesByGroup(),
          ...(input.emailTaskQueue ? { emailTaskQueue: input.emailTaskQueue } : {}),
        });
        state.started += result.started;
        state.startDone = true;
        continue;
      }
      const page = await store.listRosterPage({ runId: input.runId, regionId: input.regionId, afterOrgnr: state.startCursor, limit: ROSTER_PAGE_SIZE });
      await Promise.all(page.filter((k) => !k.withdrawn).map((k) => startKindergarten(k)));
      state.startCursor = page.at(-1)?.orgnr ?? state.startCursor;
      state.startDone = page.length < ROSTER_PAGE_SIZE;
      await continueIfNeeded();
      continue;
    }
    const adds = state.pendingAdds.splice(0);
    if (adds.length > 0 && !state.cancelled) {
      await Promise.all(adds.map((a) => startKindergarten(a, a.joinedAt)));
      await continueIfNeeded();
      continue;
    }
    const broadcast = state.broadcasts.shift();
    if (broadcast) {
      await fanOut.signalKindergartens({
        runId: input.runId,
        regionId: input.regionId,
        control: broadcast,
        ...(broadcast.type === 'schedule' ? { schedulesByGroup: schedulesByGroup() } : {}),
      });
      continue;
    }
    if (state.cancelled) break;

    const now = Date.now();
    const steps = occurrenceSteps(ownedOccurrences(state.timeline, { regionId: input.regionId }), state.done);
    if (await runDueOwnedSteps(steps, now, input.runId, state, input.emailTaskQueue)) continue;
    if (steps.length === 0 && now > state.timeline.endsAt) break;
    await continueIfNeeded();
    changed = false;
    const wake = nextStepAt(steps, now) ?? state.timeline.endsAt + 1;
    await condition(() => changed, Math.max(wake - Date.now(), 1));
  }
  await condition(allHandlersFinished);
  return status();

  function status(): RegionStatus {
    const steps = occurrenceSteps(ownedOccurrences(state.timeline, { regionId: input.regionId }), state.done);
    const next = steps[0];
    return {
      regionId: input.regionId,
      revision: state.revision,
      state: state.cancelled ? 'cancelled' : !state.startDone ? 'starting' : state.paused ? 'paused' : 'active',
      kindergartensStarted: state.started,
      startComplete: state.startDone,
      steps: Object.entries(state.done).map(([key, outcome]) => ({ key, outcome })),
      next: next ? { key: next.key, at: next.at } : null,
    };
  }
}
