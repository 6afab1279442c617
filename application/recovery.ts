import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { RecoveryKindergarten, RecoverySource } from '../activities/db/recovery-repository';
import { NotFoundError, RefusedError } from '../domain/errors';
import type { RecoverySummary } from '../domain/recovery-records';
import { kindergartenWorkflowId, regionWorkflowId } from '../domain/ids';
import { type KindergartenState, type ReceiptDue, type ReviewRecord, type StepOutcome, pendingActions } from '../domain/kindergarten-schedule';
import { occurrenceSteps } from '../domain/occurrence-steps';
import { type Timeline, authorityDeliverableSteps, digestWakeDays, guidanceReminderInstants, ownedOccurrences, scheduleForKindergarten } from '../domain/timeline';
import { resolveTimeline } from '../planning/resolve-timeline';
import { RECOVERY_TEXT } from '../texts/recovery';
import { type KindergartenWorkflowInput, kindergartenWorkflow } from '../workflows/kindergarten-workflow';
import { type RegionWorkflowInput, regionWorkflow } from '../workflows/region-workflow';
import { type RunState, type RunWorkflowInput, runWorkflow } from '../workflows/run-workflow';
import { asDomainErrors } from './errors';
import { ARSHJUL_RELEASE } from './release';

/**
 * A year recovered without Temporal's store (issue 16, point 2): the run's workflows started afresh on an empty
 * Temporal from what PostgreSQL keeps — the timeline with every move (recovery_timelines), each kindergarten's own
 * windows (recovery_windows), the roster with additions and withdrawals, pauses (audit log), accepted submissions and
 * the authorities' verdicts, the milestones recorded and emails dropped (events), and the outbox's keys. Each
 * workflow gets the state it would have had: the steps already done are done (so it computes the same keys and sends
 * none twice), the steps still due are still due.
 */
export interface RecoveryDeps {
  client: Pick<Client, 'workflow'>;
  taskQueue: string;
  emailTaskQueue?: string;
  load: (runId: string) => Promise<RecoverySource | null>;
  now?: () => number;
}

export type { RecoverySummary };

/** What a recovery starts, and what it says it recovered. */
export interface RecoveryPlan {
  run: RunWorkflowInput;
  regions: RegionWorkflowInput[];
  kindergartens: KindergartenWorkflowInput[];
  summary: RecoverySummary;
}


type Outcome = 'recorded' | 'sent' | 'stale' | 'failed';

/** The run's and regions' own steps already done, by the workflows' step keys: from the events and the outbox. */
function ownedStepsDone(source: RecoverySource, timeline: Timeline, owner: { regionId: string } | 'run'): Record<string, Outcome> {
  const { runId } = source.run;
  const done: Record<string, Outcome> = {};
  const recorded = new Set(
    source.events.filter((e) => e.type === 'milestone').map((e) => `${e.milestoneId}|${e.regionId ?? ''}|${e.groupId ?? ''}|${String(e.data.version)}`),
  );
  const dropped = droppedSteps(source, null);
  for (const step of occurrenceSteps(ownedOccurrences(timeline, owner), {})) {
    const o = step.owned.occurrence;
    if (step.kind === 'record') {
      if (recorded.has(`${step.owned.milestoneId}|${o.regionId ?? ''}|${o.groupId ?? ''}|${o.version}`)) done[step.key] = 'recorded';
      continue;
    }
    if (source.outbox.get(`${runId}/${step.key}`) === 'sent') done[step.key] = 'sent';
    else if (dropped.get(step.key)) done[step.key] = dropped.get(step.key) as Outcome;
  }
  return done;
}

/** Steps whose email was dropped as stale or failed for good, by step key, for one kindergarten or (null) the run's own. */
function droppedSteps(source: RecoverySource, orgnr: string | null): Map<string, 'stale' | 'failed'> {
  const map = new Map<string, 'stale' | 'failed'>();
  for (const e of source.events) {
    if ((e.type !== 'email-stale' && e.type !== 'email-failed') || (e.orgnr ?? null) !== orgnr) continue;
    const step = e.data.step;
    if (typeof step === 'string') map.set(step, e.type === 'email-stale' ? 'stale' : 'failed');
  }
  return map;
}

/** The run's state: paused by the last pause or resume, its own steps, the digest's and guidance reminders' progress. */
function runState(source: RecoverySource, recorded: NonNullable<RecoverySource['timeline']>, paused: boolean): RunState {
  const { runId } = source.run;
  const { timeline } = recorded;
  const orgnrs = (action: string) => source.audit.filter((a) => a.action === action).map((a) => String(a.details.orgnr));
  const state: RunState = {
    revision: recorded.revision,
    timeline,
    overrides: recorded.overrides,
    paused,
    cancelled: false,
    regionsStarted: true,
    done: ownedStepsDone(source, timeline, 'run'),
    added: orgnrs('kindergarten-added'),
    withdrawn: orgnrs('kindergarten-withdrawn'),
  };
  if (timeline.authorityDigest) {
    // Escalations outside the plan's instants (extensions, returns) and resumes each want a digest day after them.
    const wanted = [...source.windows.map((w) => w.window.escalationAt), ...source.audit.filter((a) => a.action === 'run-resumed').map((a) => a.at)];
    state.digestWanted = wanted;
    const days = digestWakeDays(timeline, wanted);
    const claimed = new Set(source.digestItems.map((i) => i.digestDay).filter((d): d is string => d !== null));
    const sentDays = new Set([...source.outbox.keys()].map((k) => /\/authority-digest\/([^/]+)\//.exec(k)?.[1]).filter((d): d is string => Boolean(d)));
    const last = days.filter((d) => claimed.has(d.day) || sentDays.has(d.day)).at(-1);
    if (last) {
      // A day whose escalations were claimed but whose digest reached no outbox row was cut short: it is done again
      // (the claim gives the same authorities for the same day).
      const cutShort = claimed.has(last.day) && !sentDays.has(last.day);
      const before = days.filter((d) => d.at < last.at).at(-1);
      state.digestThrough = cutShort ? before?.at ?? 0 : last.at;
    }
  }
  const guidanceSent = guidanceReminderInstants(timeline).filter((at) => source.outbox.get(`${runId}/guidance-reminder/${at}`) === 'sent');
  if (guidanceSent.length > 0) state.guidanceThrough = guidanceSent.at(-1);
  const authoritySteps: Record<string, 'sent' | 'stale'> = {};
  const keys = [...source.outbox.entries()].filter(([, s]) => s === 'sent').map(([k]) => k);
  for (const step of authorityDeliverableSteps(timeline)) {
    const prefix = `${runId}/${step.key}`;
    if (keys.some((k) => k === prefix || k.startsWith(`${prefix}/`))) authoritySteps[step.key] = 'sent';
  }
  if (Object.keys(authoritySteps).length > 0) state.authorityStepsDone = authoritySteps;
  return state;
}

/**
 * One kindergarten's state: its group's schedule in the current timeline, the windows the coordinator or its authority
 * gave it, its accepted submissions and verdicts, the read model's last status, and the outcome of every step that
 * left a trace (sent, queued for the digest, dropped as stale or failed). A prompt with no trace that came after a
 * submission was suppressed. Receipts and verdicts not yet emailed are still due.
 */
function kindergartenState(source: RecoverySource, k: RecoveryKindergarten, timeline: Timeline, revision: number, paused: boolean, joinedAt: number): KindergartenState {
  const { runId } = source.run;
  const schedule = scheduleForKindergarten(timeline, k.regionId, k.groupId);
  const mine = <T extends { orgnr: string }>(rows: T[]) => rows.filter((r) => r.orgnr === k.orgnr);
  const submissions = mine(source.submissions);
  const reviews = mine(source.reviews);
  const windows = mine(source.windows);
  const states = mine(source.deliverableStates);
  const state: KindergartenState = { revision, schedule, paused, cancelled: false, withdrawn: null, joinedAt, outcomes: {}, deliverables: {}, receiptsDue: [] };
  for (const d of schedule.deliverables) {
    const subs = submissions.filter((s) => s.deliverableId === d.id).sort((a, b) => a.version - b.version);
    const recs: ReviewRecord[] = reviews
      .filter((r) => r.deliverableId === d.id)
      .map((r) => ({ reviewId: r.reviewId, submissionId: r.submissionId, version: r.version, verdict: r.verdict, comment: r.comment, at: r.at, by: r.by, dueAt: r.dueAt, lateUntil: r.lateUntil }));
    const extension = windows.filter((w) => w.deliverableId === d.id).sort((a, b) => a.window.version - b.window.version).at(-1)?.window ?? null;
    const read = states.find((s) => s.deliverableId === d.id);
    const returned = recs.filter((r) => r.verdict === 'returned').map((r) => r.version);
    state.deliverables[d.id] = {
      submissions: subs.map((s) => ({ submissionId: s.submissionId, at: s.receivedAt, late: s.late, version: s.version, files: s.files, comment: s.comment })),
      extension,
      recordedStatus: read?.status ?? null,
      ...(read ? { recordedWindow: { dueAt: read.dueAt, lateUntil: read.lateUntil } } : {}),
      ...(recs.length > 0 ? { reviews: recs } : {}),
      ...(returned.length > 0 ? { returnedVersion: Math.max(...returned) } : {}),
    };
    for (const s of subs) {
      const sent = (what: string) => source.outbox.get(`${runId}/${k.orgnr}/${what}/${s.submissionId}`) === 'sent';
      if (!sent('receipt') || !sent('received')) {
        const due: ReceiptDue = { deliverableId: d.id, submissionId: s.submissionId, receiptNumber: s.receiptNumber, at: s.receivedAt, version: s.version, late: s.late, files: s.files, comment: s.comment };
        state.receiptsDue.push(due);
      }
    }
    const reviewsDue = recs.filter((r) => source.outbox.get(`${runId}/${k.orgnr}/review/${r.reviewId}`) !== 'sent').map((r) => ({ deliverableId: d.id, reviewId: r.reviewId }));
    if (reviewsDue.length > 0) state.reviewsDue = [...(state.reviewsDue ?? []), ...reviewsDue];
  }
  state.receiptsDue.sort((a, b) => a.at - b.at);
  const inDigest = new Set(source.digestItems.map((i) => i.key));
  const dropped = droppedSteps(source, k.orgnr);
  const outcomes: Record<string, StepOutcome> = {};
  for (const action of pendingActions(state)) {
    const key = `${runId}/${k.orgnr}/${action.key}`;
    if (source.outbox.get(key) === 'sent') outcomes[action.key] = { status: 'sent', at: action.at };
    else if (inDigest.has(key)) outcomes[action.key] = { status: 'in-digest', at: action.at };
    else if (dropped.has(action.key)) outcomes[action.key] = { status: dropped.get(action.key) as 'stale' | 'failed', at: action.at };
    else if (action.kind === 'prompt' && (state.deliverables[action.deliverable.id]?.submissions ?? []).some((s) => s.at <= action.at)) {
      // Submitted before its prompt came: the prompt was suppressed then, and stays so after a return for revision.
      outcomes[action.key] = { status: 'suppressed', at: action.at };
    }
  }
  state.outcomes = outcomes;
  return state;
}

/**
 * The workflows a recovery starts, from what PostgreSQL holds of the run; refused (in bokmål) when the run is over,
 * cancelled, or was started before its timeline was kept (release 1.2.0 and older, with no recovery_timelines row) and
 * moved since (unmoved, its timeline is its plan's, resolved again).
 */
export function recoveryPlan(source: RecoverySource, options: { taskQueue: string; emailTaskQueue?: string }): RecoveryPlan {
  const { runId, plan } = source.run;
  if (source.events.some((e) => e.type === 'run-completed')) throw new RefusedError(RECOVERY_TEXT.completed(runId));
  if (source.events.some((e) => e.type === 'run-cancelled') || source.audit.some((a) => a.action === 'run-cancelled')) throw new RefusedError(RECOVERY_TEXT.cancelled(runId));
  const moves = source.audit.filter((a) => a.action === 'milestone-moved').length;
  // A run started before its timeline was kept (release 1.2.0 and older) and never moved has its plan's timeline.
  const recorded = source.timeline ?? (moves === 0 ? { revision: 1, timeline: resolveTimeline(plan), overrides: [] } : null);
  if (!recorded) throw new RefusedError(RECOVERY_TEXT.noTimeline(runId, source.run.release));
  const { timeline, revision } = recorded;
  const pauses = source.audit.filter((a) => a.action === 'run-paused' || a.action === 'run-resumed');
  const paused = pauses.at(-1)?.action === 'run-paused';
  const started = source.audit.find((a) => a.action === 'run-started');
  const startedAt = started?.at ?? source.run.createdAt;
  const emailQueue = options.emailTaskQueue ? { emailTaskQueue: options.emailTaskQueue } : {};
  const release = source.run.release ?? ARSHJUL_RELEASE;

  const active = source.kindergartens.filter((k) => k.withdrawn === null && timeline.regions.some((r) => r.id === k.regionId));
  const kindergartens: KindergartenWorkflowInput[] = active.map((k) => {
    const joinedAt = k.addedAt ?? startedAt;
    return {
      runId,
      orgnr: k.orgnr,
      regionId: k.regionId,
      groupId: k.groupId,
      municipalityId: k.municipalityId,
      schedule: scheduleForKindergarten(timeline, k.regionId, k.groupId),
      revision,
      paused,
      joinedAt,
      ...emailQueue,
      state: kindergartenState(source, k, timeline, revision, paused, joinedAt),
    };
  });
  const regions: RegionWorkflowInput[] = timeline.regions.map((r) => ({
    runId,
    regionId: r.id,
    timeline,
    revision,
    paused,
    release,
    ...emailQueue,
    state: {
      revision,
      timeline,
      paused,
      cancelled: false,
      startDone: true,
      started: active.filter((k) => k.regionId === r.id).length,
      pendingAdds: [],
      broadcasts: [],
      done: ownedStepsDone(source, timeline, { regionId: r.id }),
    },
  }));
  const state = runState(source, recorded, paused);
  const run: RunWorkflowInput = {
    runId,
    plan,
    timeline,
    ...emailQueue,
    release,
    startedBy: started?.actor ?? 'ukjent',
    kindergartens: Number(started?.details.kindergartens ?? source.kindergartens.filter((k) => k.addedAt === null).length),
    state,
  };
  const nameOf = (orgnr: string) => source.kindergartens.find((k) => k.orgnr === orgnr)?.name ?? orgnr;
  const stepsDone =
    Object.keys(state.done).length + regions.reduce((n, r) => n + Object.keys(r.state?.done ?? {}).length, 0) + kindergartens.reduce((n, k) => n + Object.keys(k.state?.outcomes ?? {}).length, 0);
  const summary: RecoverySummary = {
    runId,
    title: `${plan.programme} ${plan.schoolYear}/${plan.schoolYear + 1}, ${plan.countyName}`,
    revision,
    paused,
    regions: timeline.regions.map((r) => r.name),
    kindergartens: kindergartens.length,
    added: state.added.filter((o) => active.some((k) => k.orgnr === o)).map(nameOf),
    withdrawn: source.kindergartens.filter((k) => k.withdrawn !== null).map((k) => k.name),
    moves,
    extensions: source.windows.length,
    submissions: source.submissions.filter((s) => active.some((k) => k.orgnr === s.orgnr)).length,
    reviews: source.reviews.length,
    emailsSent: source.emailsSent,
    stepsDone,
    emailsOwed: kindergartens.reduce((n, k) => n + (k.state?.receiptsDue.length ?? 0) + (k.state?.reviewsDue?.length ?? 0), 0),
  };
  return { run, regions, kindergartens, summary };
}

/** How many of the run's workflows this Temporal has (open or closed): the run's and regions' by ID, the rest by a visibility count. */
async function existingWorkflows(client: Pick<Client, 'workflow'>, runId: string, regionIds: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of [runId, ...regionIds.map((r) => regionWorkflowId(runId, r))]) {
    try {
      await client.workflow.getHandle(id).describe();
      found.push(id);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  if (found.length > 0) return found;
  try {
    const { count } = await client.workflow.count(`WorkflowId STARTS_WITH '${runId}-'`);
    if (count > 0) found.push(`${kindergartenWorkflowId(runId, '…')} (${count})`);
  } catch {
    // A Temporal without advanced visibility cannot count by ID prefix; the run's and regions' own IDs were checked.
  }
  return found;
}

const START_CONCURRENCY = 32;

/**
 * `arshjul run recover`: refuses when the run's workflows still exist on this Temporal (or the run is unknown, over or
 * cancelled), otherwise starts its kindergartens, regions and run workflow (in that order, so a control passed on
 * finds everyone) with the state PostgreSQL holds, and says what it recovered and how long it took.
 */
export async function recoverRun(deps: RecoveryDeps, runId: string): Promise<RecoverySummary & { ms: number }> {
  const now = deps.now ?? Date.now;
  const began = now();
  const source = await asDomainErrors(() => deps.load(runId));
  if (!source) throw new NotFoundError(RECOVERY_TEXT.unknownRun(runId));
  const plan = recoveryPlan(source, { taskQueue: deps.taskQueue, ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}) });
  const existing = await asDomainErrors(() => existingWorkflows(deps.client, runId, plan.regions.map((r) => r.regionId)));
  if (existing.length > 0) throw new RefusedError(RECOVERY_TEXT.stillThere(runId, existing));
  const memo = { release: ARSHJUL_RELEASE, recovered: true };
  await asDomainErrors(async () => {
    for (let i = 0; i < plan.kindergartens.length; i += START_CONCURRENCY) {
      await Promise.all(
        plan.kindergartens.slice(i, i + START_CONCURRENCY).map((input) =>
          deps.client.workflow.start(kindergartenWorkflow, { workflowId: kindergartenWorkflowId(runId, input.orgnr), taskQueue: deps.taskQueue, args: [input], memo }),
        ),
      );
    }
    await Promise.all(plan.regions.map((input) => deps.client.workflow.start(regionWorkflow, { workflowId: regionWorkflowId(runId, input.regionId), taskQueue: deps.taskQueue, args: [input], memo })));
    await deps.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: deps.taskQueue, args: [plan.run], memo });
  });
  return { ...plan.summary, ms: now() - began };
}
