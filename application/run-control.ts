import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { InputError, fromZodIssues } from '../config/errors';
import type { Plan } from '../config/plan-schema';
import { type NewKindergarten, type Roster, newKindergartenSchema } from '../config/roster-schema';
import type { InitialDeliverable, Store } from '../activities/store';
import { resolveExtension, resolveTimeline } from '../planning/resolve-timeline';
import { kindergartenWorkflowId, linkReissueWorkflowId, runWorkflowId } from '../domain/ids';
import { deliverEmailWorkflow } from '../workflows/email-workflow';
import { extendDeadlineUpdate, kindergartenStatusQuery, type KindergartenStatus } from '../workflows/kindergarten-workflow';
import {
  type RescheduleResult,
  type RunStatus,
  addKindergartenUpdate,
  cancelRunUpdate,
  pauseRunUpdate,
  rescheduleMilestoneUpdate,
  resumeRunUpdate,
  runPlanQuery,
  runStatusQuery,
  runWorkflow,
  withdrawKindergartenUpdate,
} from '../workflows/run-workflow';
import { type MilestoneOverride, type Timeline, scheduleForKindergarten } from '../domain/timeline';

/** The coordinator's actions, one code path for the CLI and the API. */
export interface RunControlDeps {
  client: Pick<Client, 'workflow'>;
  store: Store;
  taskQueue: string;
  /** The rate-limited email queue new runs send through; unset, emails use the main queue. */
  emailTaskQueue?: string;
}

/** A workflow refused the request (validator or handler); the message says why, for the coordinator. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

/** The run does not exist (or its workflow is gone). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The reason a workflow's Update validator or handler gave for refusing, as the caller should show it. */
export function updateRefusalReason(error: WorkflowUpdateFailedError): string {
  const cause = error.cause as { message?: string; cause?: { message?: string } } | undefined;
  return cause?.cause?.message ?? cause?.message ?? error.message;
}

async function refusalsAsErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new RefusedError(updateRefusalReason(error));
    if (error instanceof WorkflowNotFoundError) throw new NotFoundError(error.message);
    const message = (error as Error).message ?? '';
    if (/workflow execution already completed|not found/i.test(message)) throw new NotFoundError(message);
    throw error;
  }
}

/** Every kindergarten's deliverables with their deadlines, stored as 'not-open' when the run is created. */
export function initialDeliverables(timeline: Timeline, roster: Roster): InitialDeliverable[] {
  const byGroup = new Map<string, ReturnType<typeof scheduleForKindergarten>>();
  return roster.kindergartens.flatMap((k) => {
    const key = `${k.regionId}/${k.groupId}`;
    const schedule = byGroup.get(key) ?? scheduleForKindergarten(timeline, k.regionId, k.groupId);
    byGroup.set(key, schedule);
    return schedule.deliverables.map((d) => ({ orgnr: k.orgnr, deliverableId: d.id, dueAt: d.window.dueAt, lateUntil: d.window.lateUntil }));
  });
}

/** The plan's timeline, refused when its whole year is already over (a plan not rolled forward). */
export function startableTimeline(plan: Plan, now: number): Timeline {
  const timeline = resolveTimeline(plan);
  if (timeline.endsAt < now) {
    throw new RefusedError(
      `the plan's year ended on ${new Date(timeline.endsAt).toISOString()}; roll it forward first: arshjul plan new --from <plan> --year <school year>`,
    );
  }
  return timeline;
}

/** Validates, stores the roster and starts the run workflow; nothing starts when the plan or roster is refused. */
export async function startRun(
  deps: RunControlDeps,
  plan: Plan,
  roster: Roster,
  now: () => number = Date.now,
): Promise<{ runId: string; kindergartens: number; regions: number }> {
  const timeline = startableTimeline(plan, now());
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  try {
    await deps.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster));
  } catch (error) {
    if ((error as { type?: string }).type === 'Conflict') throw new RefusedError(`the run ${runId} already exists; cancel it or change schoolYear/county in the plan`);
    throw error;
  }
  try {
    await deps.client.workflow.start(runWorkflow, {
      workflowId: runId,
      taskQueue: deps.taskQueue,
      args: [{ runId, plan, timeline, ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}) }],
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new RefusedError(`the run ${runId} is already running`);
    throw error;
  }
  return { runId, kindergartens: roster.kindergartens.length, regions: timeline.regions.length };
}

export async function runStatus(deps: RunControlDeps, runId: string): Promise<{ run: RunStatus; deliverables: { deliverableId: string; status: string; count: number }[] }> {
  const run = await refusalsAsErrors(() => deps.client.workflow.getHandle(runId).query(runStatusQuery));
  return { run, deliverables: await deps.store.countDeliverableStatuses(runId) };
}

/** The plan, the coordinator's overrides and the current timeline of a running year (one Temporal query). */
export async function runPlan(deps: RunControlDeps, runId: string) {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).query(runPlanQuery));
}

/** The run workflow's own status (state, revision, milestones), without the read model's counts. */
export async function runWorkflowStatus(deps: RunControlDeps, runId: string): Promise<RunStatus> {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).query(runStatusQuery));
}

export async function kindergartenStatus(deps: RunControlDeps, runId: string, orgnr: string): Promise<KindergartenStatus> {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr)).query(kindergartenStatusQuery));
}

/** Re-resolves the plan with the new override (order checked here first) and asks the run to apply it. */
export async function rescheduleMilestone(
  deps: RunControlDeps,
  runId: string,
  override: MilestoneOverride,
  requestedBy: string,
): Promise<RescheduleResult> {
  const handle = deps.client.workflow.getHandle(runId);
  const { plan, overrides, revision } = await refusalsAsErrors(() => handle.query(runPlanQuery));
  const timeline = resolveTimeline(plan, [...overrides, override]);
  return refusalsAsErrors(() => handle.executeUpdate(rescheduleMilestoneUpdate, { args: [{ basedOnRevision: revision, override, timeline, requestedBy }] }));
}

/** Gives one kindergarten a later deadline for one deliverable; reminders and escalation follow the plan's rules. */
export async function extendDeadline(
  deps: RunControlDeps,
  runId: string,
  orgnr: string,
  deliverableId: string,
  dueLocal: string,
  requestedBy: string,
): Promise<{ dueAt: number; lateUntil: number }> {
  const { plan } = await refusalsAsErrors(() => deps.client.workflow.getHandle(runId).query(runPlanQuery));
  const kindergarten = deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr));
  const status = await refusalsAsErrors(() => kindergarten.query(kindergartenStatusQuery));
  const current = status.deliverables.find((d) => d.id === deliverableId);
  if (!current) throw new RefusedError(`"${deliverableId}" is not a deliverable of this run; expected one of ${status.deliverables.map((d) => d.id).join(', ')}`);
  const request = resolveExtension(plan, deliverableId, dueLocal, current.opensAt);
  const result = await refusalsAsErrors(() => kindergarten.executeUpdate(extendDeadlineUpdate, { args: [request] }));
  await deps.store.recordEvent({ runId, type: 'deadline-extended', at: Date.now(), orgnr, data: { requestedBy, deliverableId, dueAt: result.dueAt } });
  return result;
}

export async function addKindergarten(deps: RunControlDeps, runId: string, input: unknown, requestedBy: string) {
  const parsed = newKindergartenSchema.safeParse(input);
  if (!parsed.success) throw new InputError('The kindergarten was not added', fromZodIssues(parsed.error.issues));
  const kindergarten: NewKindergarten = parsed.data;
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(addKindergartenUpdate, { args: [{ kindergarten, requestedBy }] }));
}

export async function withdrawKindergarten(deps: RunControlDeps, runId: string, orgnr: string, reason: string, requestedBy: string) {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(withdrawKindergartenUpdate, { args: [{ orgnr, reason, requestedBy }] }));
}

export async function pauseRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(pauseRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

export async function resumeRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(resumeRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

export async function cancelRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return refusalsAsErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(cancelRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

/**
 * Re-issues a kindergarten's personal upload link for one deliverable: the link's version goes up (every older link
 * stops working at once) and the director is emailed the new one by a one-off workflow named after the version, so a
 * repeated request for the same version sends nothing twice.
 */
export async function reissueUploadLink(
  deps: RunControlDeps,
  runId: string,
  orgnr: string,
  deliverableId: string,
  requestedBy: string,
  now: () => number = Date.now,
): Promise<{ version: number; workflowId: string; lateUntil: number }> {
  const status = await kindergartenStatus(deps, runId, orgnr);
  const deliverable = status.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable) throw new RefusedError(`"${deliverableId}" is not a deliverable of this run; expected one of ${status.deliverables.map((d) => d.id).join(', ')}`);
  if (status.state === 'withdrawn' || status.state === 'cancelled') throw new RefusedError(`kindergarten ${orgnr} is ${status.state}; it takes no submissions`);
  if (now() > deliverable.lateUntil) throw new RefusedError(`late submissions of "${deliverableId}" closed at ${new Date(deliverable.lateUntil).toISOString()}; extend the deadline first`);
  const version = await deps.store.reissueUploadLink(runId, orgnr, deliverableId);
  const workflowId = linkReissueWorkflowId(runId, orgnr, deliverableId, version);
  const at = now();
  const { plan } = await refusalsAsErrors(() => deps.client.workflow.getHandle(runId).query(runPlanQuery));
  const planned = plan.deliverables.find((d) => d.id === deliverableId);
  await deps.client.workflow.start(deliverEmailWorkflow, {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [
      {
        email: {
          key: `${runId}/${orgnr}/upload-link/${deliverableId}/v${version}`,
          runId,
          template: 'upload-link-reissued',
          to: { kind: 'director', orgnr },
          about: { orgnr },
          where: { regionId: status.regionId, groupId: status.groupId },
          deliverable: { id: deliverableId, title: deliverable.title, recipient: planned?.recipient ?? 'coordinator', opensAt: deliverable.opensAt, dueAt: deliverable.dueAt, lateUntil: deliverable.lateUntil },
          scheduledFor: at,
          requestedAt: at,
          latestUsefulAt: deliverable.lateUntil,
        },
        ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}),
      },
    ],
  });
  await deps.store.recordEvent({ runId, type: 'upload-link-reissued', at, orgnr, data: { requestedBy, deliverableId, version } });
  return { version, workflowId, lateUntil: deliverable.lateUntil };
}
