import { allHandlersFinished, condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AddedKindergarten, KindergartenStartCommon } from '../domain/activity-contracts';
import type { KindergartenBroadcast, RegionControl } from '../domain/controls';
import { nextStepAt, occurrenceSteps } from '../domain/occurrence-steps';
import { type KindergartenSchedule, type Timeline, ownedOccurrences, scheduleForKindergarten } from '../domain/timeline';
import { runDueOwnedSteps } from './owned-step-runner';

export interface RegionState {
  revision: number;
  timeline: Timeline;
  paused: boolean;
  cancelled: boolean;
  startDone: boolean;
  started: number;
  pendingAdds: AddedKindergarten[];
  broadcasts: KindergartenBroadcast[];
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
  /** The Årshjul release that started the run, put in the memo of every kindergarten workflow it starts. */
  release: string;
  /** Carried across continue-as-new. */
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

// Fan-out to thousands of kindergartens happens in heartbeating activities (they start and signal the kindergarten
// workflows by ID through the client), so this history stays small whatever the size of the region.
const fanOut = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

/**
 * One region of a yearly run, started by the run workflow: it starts a kindergarten workflow for every roster entry
 * and every mid-year addition, records its region and workshop-group milestones, emails its municipal authorities,
 * and passes the run's controls on to its kindergartens.
 */
export async function regionWorkflow(input: RegionWorkflowInput): Promise<RegionStatus> {
  const state: RegionState = input.state ?? {
    revision: input.revision,
    timeline: input.timeline,
    paused: input.paused,
    cancelled: false,
    startDone: false,
    started: 0,
    pendingAdds: [],
    broadcasts: [],
    done: {},
  };
  let changed = false;

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

  /** What every kindergarten workflow this region starts now shares: the current schedules and the run's state. */
  function startCommon(): KindergartenStartCommon {
    return {
      runId: input.runId,
      regionId: input.regionId,
      taskQueue: workflowInfo().taskQueue,
      revision: state.revision,
      paused: state.paused,
      schedulesByGroup: schedulesByGroup(),
      release: input.release,
      ...(input.emailTaskQueue ? { emailTaskQueue: input.emailTaskQueue } : {}),
    };
  }

  for (;;) {
    if (!state.startDone && !state.cancelled) {
      const result = await fanOut.startKindergartens(startCommon());
      state.started += result.started;
      state.startDone = true;
      continue;
    }
    const adds = state.pendingAdds.splice(0);
    if (adds.length > 0 && !state.cancelled) {
      const result = await fanOut.startAddedKindergartens({ ...startCommon(), kindergartens: adds });
      state.started += result.started;
      continue;
    }
    const broadcast = state.broadcasts.shift();
    if (broadcast) {
      await fanOut.signalKindergartens({ runId: input.runId, regionId: input.regionId, control: broadcast, schedulesByGroup: broadcast.type === 'schedule' ? schedulesByGroup() : {} });
      continue;
    }
    if (state.cancelled) break;

    const now = Date.now();
    const steps = occurrenceSteps(ownedOccurrences(state.timeline, { regionId: input.regionId }), state.done);
    if (await runDueOwnedSteps(steps, now, input.runId, state, input.emailTaskQueue)) continue;
    if (steps.length === 0 && now > state.timeline.endsAt) break;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof regionWorkflow>({ ...input, state });
    }
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
