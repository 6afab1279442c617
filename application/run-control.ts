import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { InputError, fromZodIssues } from '../config/errors';
import type { Plan } from '../config/plan-schema';
import { type NewKindergarten, type Roster, newKindergartenSchema } from '../config/roster-schema';
import type { InitialDeliverable, Store } from '../activities/store';
import { kindergartenWorkflowId, linkReissueWorkflowId, runWorkflowId } from '../domain/ids';
import { type MilestoneOverride, type Timeline, scheduleForKindergarten } from '../domain/timeline';
import { unknownDeliverable } from '../domain/refusals';
import { resolveExtension, resolveTimeline } from '../planning/resolve-timeline';
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
import { asDomainErrors, refuse } from './errors';
import { ARSHJUL_RELEASE } from './release';

/**
 * The coordinator's actions: one code path for the console, the CLI and the JSON API. Every failure leaves here in the
 * taxonomy of domain/errors.ts (application/errors.ts), with refusals in bokmål. Actions that change a running year
 * go to its workflows as Updates, which write the audit entry themselves.
 */
export interface RunControlDeps {
  client: Pick<Client, 'workflow'>;
  store: Store;
  taskQueue: string;
  /** The rate-limited email queue new runs send through; unset, emails use the main queue. */
  emailTaskQueue?: string;
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
  if (timeline.endsAt < now) throw refuse({ code: 'plan-year-over', endedAt: timeline.endsAt });
  return timeline;
}

/**
 * Validates, stores the roster and starts the run workflow, which writes "run started" to the audit log as its first
 * step; nothing starts when the plan or roster is refused.
 */
export async function startRun(
  deps: RunControlDeps,
  plan: Plan,
  roster: Roster,
  startedBy: string,
  now: () => number = Date.now,
): Promise<{ runId: string; kindergartens: number; regions: number }> {
  const timeline = startableTimeline(plan, now());
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  await asDomainErrors(async () => {
    try {
      await deps.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    } catch (error) {
      if ((error as { type?: string }).type === 'Conflict') throw refuse({ code: 'run-exists', runId });
      throw error;
    }
    try {
      await deps.client.workflow.start(runWorkflow, {
        workflowId: runId,
        taskQueue: deps.taskQueue,
        args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy, kindergartens: roster.kindergartens.length, ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}) }],
        memo: { release: ARSHJUL_RELEASE },
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw refuse({ code: 'run-exists', runId });
      throw error;
    }
  });
  return { runId, kindergartens: roster.kindergartens.length, regions: timeline.regions.length };
}

export async function runStatus(deps: RunControlDeps, runId: string): Promise<{ run: RunStatus; deliverables: { deliverableId: string; status: string; count: number }[] }> {
  const run = await runWorkflowStatus(deps, runId);
  return { run, deliverables: await asDomainErrors(() => deps.store.countDeliverableStatuses(runId)) };
}

/** The plan, the coordinator's overrides and the current timeline of a running year (one Temporal query). */
export async function runPlan(deps: RunControlDeps, runId: string) {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).query(runPlanQuery));
}

/** The run workflow's own status (state, revision, milestones), without the read model's counts. */
export async function runWorkflowStatus(deps: RunControlDeps, runId: string): Promise<RunStatus> {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).query(runStatusQuery));
}

export async function kindergartenStatus(deps: RunControlDeps, runId: string, orgnr: string): Promise<KindergartenStatus> {
  return asDomainErrors(() => deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr)).query(kindergartenStatusQuery));
}

/** What a move would do, without doing it: the timeline before and after, resolved by the same code the move uses. */
export async function previewReschedule(deps: RunControlDeps, runId: string, override: MilestoneOverride): Promise<{ before: Timeline; after: Timeline; revision: number }> {
  const { plan, overrides, revision, timeline } = await runPlan(deps, runId);
  return { before: timeline, after: resolveTimeline(plan, [...overrides, override]), revision };
}

/** Re-resolves the plan with the new override (order checked here first) and asks the run to apply it. */
export async function rescheduleMilestone(deps: RunControlDeps, runId: string, override: MilestoneOverride, requestedBy: string): Promise<RescheduleResult> {
  const { after: timeline, revision } = await previewReschedule(deps, runId, override);
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(rescheduleMilestoneUpdate, { args: [{ basedOnRevision: revision, override, timeline, requestedBy }] }));
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
  const { plan } = await runPlan(deps, runId);
  const status = await kindergartenStatus(deps, runId, orgnr);
  const current = status.deliverables.find((d) => d.id === deliverableId);
  if (!current) throw refuse(unknownDeliverable(deliverableId, status.deliverables));
  const request = resolveExtension(plan, deliverableId, dueLocal, current.opensAt);
  const kindergarten = deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr));
  return asDomainErrors(() => kindergarten.executeUpdate(extendDeadlineUpdate, { args: [{ ...request, requestedBy }] }));
}

export async function addKindergarten(deps: RunControlDeps, runId: string, input: unknown, requestedBy: string) {
  const parsed = newKindergartenSchema.safeParse(input);
  if (!parsed.success) throw new InputError('Barnehagen ble ikke lagt til', fromZodIssues(parsed.error.issues));
  const kindergarten: NewKindergarten = parsed.data;
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(addKindergartenUpdate, { args: [{ kindergarten, requestedBy }] }));
}

export async function withdrawKindergarten(deps: RunControlDeps, runId: string, orgnr: string, reason: string, requestedBy: string) {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(withdrawKindergartenUpdate, { args: [{ orgnr, reason, requestedBy }] }));
}

export async function pauseRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(pauseRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

export async function resumeRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(resumeRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

export async function cancelRun(deps: RunControlDeps, runId: string, requestedBy: string, reason?: string) {
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(cancelRunUpdate, { args: [{ requestedBy, ...(reason ? { reason } : {}) }] }));
}

/**
 * Re-issues a kindergarten's personal upload link for one deliverable: the link's version goes up (every older link
 * stops working at once) in the same transaction as its audit entry, and the director is emailed the new one by a
 * one-off workflow named after the version, so a repeated request for the same version sends nothing twice.
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
  if (!deliverable) throw refuse(unknownDeliverable(deliverableId, status.deliverables));
  if (status.state === 'withdrawn' || status.state === 'cancelled') throw refuse({ code: 'no-submissions-taken', kindergarten: orgnr, state: status.state });
  if (now() > deliverable.lateUntil) throw refuse({ code: 'link-window-closed', deliverable: deliverable.title, lateUntil: deliverable.lateUntil });
  const { plan } = await runPlan(deps, runId);
  const at = now();
  const version = await asDomainErrors(() => deps.store.reissueUploadLink({ runId, orgnr, deliverableId, deliverable: deliverable.title, actor: requestedBy, at }));
  const workflowId = linkReissueWorkflowId(runId, orgnr, deliverableId, version);
  const planned = plan.deliverables.find((d) => d.id === deliverableId);
  await asDomainErrors(() =>
    deps.client.workflow.start(deliverEmailWorkflow, {
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
      memo: { release: ARSHJUL_RELEASE },
    }),
  );
  return { version, workflowId, lateUntil: deliverable.lateUntil };
}

