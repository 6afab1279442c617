import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import type { SendEmailInput } from '../domain/activity-contracts';
import { InputError, fromZodIssues } from '../config/errors';
import type { Plan } from '../config/plan-schema';
import { type NewKindergarten, type Roster, newKindergartenSchema } from '../config/roster-schema';
import type { InitialDeliverable, Store } from '../activities/store';
import { kindergartenWorkflowId, linkReissueWorkflowId, runWorkflowId } from '../domain/ids';
import { type MilestoneOverride, type Timeline, scheduleForKindergarten } from '../domain/timeline';
import { unknownDeliverable } from '../domain/refusals';
import { resolveExtension, resolveTimeline } from '../planning/resolve-timeline';
import { deliverEmailWorkflow } from '../workflows/email-workflow';
import { extendDeadlineUpdate, kindergartenStatusQuery, type KindergartenStatus, reviewSubmissionUpdate } from '../workflows/kindergarten-workflow';
import type { ReviewRecord } from '../domain/kindergarten-schedule';
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

/**
 * Re-resolves the plan with the new override (order checked here first) and asks the run to apply it. With
 * `basedOnRevision` (the plan version a preview showed), a plan changed by someone else since is refused.
 */
export async function rescheduleMilestone(deps: RunControlDeps, runId: string, override: MilestoneOverride, requestedBy: string, basedOnRevision?: number): Promise<RescheduleResult> {
  const { after: timeline, revision } = await previewReschedule(deps, runId, override);
  if (basedOnRevision !== undefined && basedOnRevision !== revision) throw refuse({ code: 'plan-changed-meanwhile', revision, basedOn: basedOnRevision });
  return asDomainErrors(() => deps.client.workflow.getHandle(runId).executeUpdate(rescheduleMilestoneUpdate, { args: [{ basedOnRevision: revision, override, timeline, requestedBy }] }));
}

/**
 * What an extension would do, without doing it: the deliverable's title, its deadline now, and the new deadline with
 * its reminders, escalation and late window resolved by the same rule the extension itself uses (console and CLI).
 */
export async function previewExtension(deps: RunControlDeps, runId: string, orgnr: string, deliverableId: string, dueLocal: string) {
  const { plan } = await runPlan(deps, runId);
  const status = await kindergartenStatus(deps, runId, orgnr);
  const current = status.deliverables.find((d) => d.id === deliverableId);
  if (!current) throw refuse(unknownDeliverable(deliverableId, status.deliverables));
  const request = resolveExtension(plan, deliverableId, dueLocal, current.opensAt);
  return { title: current.title, current: { dueAt: current.dueAt, lateUntil: current.lateUntil, status: current.status }, request };
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
  const { request } = await previewExtension(deps, runId, orgnr, deliverableId, dueLocal);
  const kindergarten = deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr));
  return asDomainErrors(() => kindergarten.executeUpdate(extendDeadlineUpdate, { args: [{ ...request, requestedBy }] }));
}

/**
 * The municipal authority's verdict on a kindergarten's latest submission of a deliverable addressed to it: accepted,
 * or returned for revision with a comment and a new local deadline (reminders, escalation and late window follow the
 * plan's rules, as for an extension). `reviewId` makes a form sent twice one review.
 */
export async function reviewSubmission(
  deps: RunControlDeps,
  runId: string,
  orgnr: string,
  review: { reviewId: string; deliverableId: string; submissionId: string; verdict: 'accepted' | 'returned'; comment: string | null; dueLocal: string | null },
  reviewedBy: string,
): Promise<ReviewRecord> {
  let window = null;
  if (review.verdict === 'returned') {
    if (!review.dueLocal) throw new InputError('Innleveringen ble ikke sendt tilbake', [{ path: 'frist', message: 'forventet en ny frist (dato og klokkeslett)' }]);
    const { plan } = await runPlan(deps, runId);
    const status = await kindergartenStatus(deps, runId, orgnr);
    const current = status.deliverables.find((d) => d.id === review.deliverableId);
    if (!current) throw refuse(unknownDeliverable(review.deliverableId, status.deliverables));
    const { deliverableId: _id, ...resolved } = resolveExtension(plan, review.deliverableId, review.dueLocal, current.opensAt);
    window = resolved;
  }
  const kindergarten = deps.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr));
  return asDomainErrors(() =>
    kindergarten.executeUpdate(reviewSubmissionUpdate, {
      args: [{ reviewId: review.reviewId, deliverableId: review.deliverableId, submissionId: review.submissionId, verdict: review.verdict, comment: review.comment, window, reviewedBy }],
    }),
  );
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
  const at = now();
  const version = await asDomainErrors(() => deps.store.reissueUploadLink({ runId, orgnr, deliverableId, deliverable: deliverable.title, actor: requestedBy, at }));
  const workflowId = await emailUploadLink(deps, runId, status, deliverable, version, at);
  return { version, workflowId, lateUntil: deliverable.lateUntil };
}

/** Emails the director the upload link of `version` by a one-off workflow named after it (so it is sent once). */
async function emailUploadLink(deps: RunControlDeps, runId: string, status: KindergartenStatus, deliverable: KindergartenStatus['deliverables'][number], version: number, at: number): Promise<string> {
  const { plan } = await runPlan(deps, runId);
  const orgnr = status.orgnr;
  const workflowId = linkReissueWorkflowId(runId, orgnr, deliverable.id, version);
  const planned = plan.deliverables.find((d) => d.id === deliverable.id);
  await startOnce(deps, workflowId, {
    key: `${runId}/${orgnr}/upload-link/${deliverable.id}/v${version}`,
    runId,
    template: 'upload-link-reissued',
    to: { kind: 'director', orgnr },
    about: { orgnr },
    where: { regionId: status.regionId, groupId: status.groupId },
    deliverable: { id: deliverable.id, title: deliverable.title, recipient: planned?.recipient ?? 'coordinator', opensAt: deliverable.opensAt, dueAt: deliverable.dueAt, lateUntil: deliverable.lateUntil },
    scheduledFor: at,
    requestedAt: at,
    latestUsefulAt: deliverable.lateUntil,
  });
  return workflowId;
}

/** Starts the one-off email workflow `workflowId`; one already started (a repeated request) is left as it is. */
export async function startOnce(deps: RunControlDeps, workflowId: string, email: SendEmailInput): Promise<void> {
  await asDomainErrors(async () => {
    try {
      await deps.client.workflow.start(deliverEmailWorkflow, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ email, ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}) }],
        memo: { release: ARSHJUL_RELEASE },
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  });
}

/** Whose contact a coordinator changes: a kindergarten's director or a municipality's kindergarten authority. */
export type ContactTarget = { kind: 'director'; orgnr: string } | { kind: 'authority'; municipalityId: string };

const contactSchema = z.object({ name: z.string().trim().min(1).max(200), email: z.string().trim().pipe(z.email()) });

/** The director's links that are open now (opened, late window not closed): these are re-issued to a new director. */
function openLinks(status: KindergartenStatus, now: number) {
  return status.deliverables.filter((d) => d.opensAt <= now && now <= d.lateUntil);
}

/** What a contact change will do: the links a new director gets (the same rule the change applies). */
export async function previewContactChange(deps: RunControlDeps, runId: string, target: ContactTarget, now: () => number = Date.now): Promise<{ links: { id: string; title: string; lateUntil: number }[] }> {
  if (target.kind === 'authority') return { links: [] };
  const status = await kindergartenStatus(deps, runId, target.orgnr);
  if (status.state === 'withdrawn' || status.state === 'cancelled') throw refuse({ code: 'no-submissions-taken', kindergarten: target.orgnr, state: status.state });
  return { links: openLinks(status, now()).map((d) => ({ id: d.id, title: d.title, lateUntil: d.lateUntil })) };
}

/**
 * Changes a director's or an authority's name and email: later emails go to the new address (addresses are looked up
 * at send time, never kept in a workflow), a director's open upload links are re-issued (older ones revoked, in the
 * same transaction as the change and its audit entry) and the new director is emailed each, once.
 */
export async function changeContact(deps: RunControlDeps, runId: string, target: ContactTarget, contact: { name: string; email: string }, requestedBy: string, now: () => number = Date.now) {
  const parsed = contactSchema.safeParse(contact);
  if (!parsed.success) throw new InputError('Kontaktpersonen ble ikke endret', fromZodIssues(parsed.error.issues));
  const at = now();
  const status = target.kind === 'director' ? await kindergartenStatus(deps, runId, target.orgnr) : null;
  if (status && (status.state === 'withdrawn' || status.state === 'cancelled')) throw refuse({ code: 'no-submissions-taken', kindergarten: status.orgnr, state: status.state });
  const open = status ? openLinks(status, at) : [];
  const changed = await asDomainErrors(() => deps.store.changeContact({ runId, target, ...parsed.data, reissue: open.map((d) => ({ deliverableId: d.id, deliverable: d.title })), actor: requestedBy, at }));
  if (status) {
    for (const link of changed.links) {
      const deliverable = open.find((d) => d.id === link.deliverableId);
      if (deliverable) await emailUploadLink(deps, runId, status, deliverable, link.version, at);
    }
  }
  return { before: changed.before, after: parsed.data, linksReissued: changed.links.length };
}

const messageSchema = z.object({ subject: z.string().trim().min(1).max(150), text: z.string().trim().min(1).max(5000) });

/** Who a message about a deliverable goes to: every kindergarten still in the run that can but has not submitted it. */
export async function messageRecipients(deps: RunControlDeps, runId: string, deliverableId: string, now: () => number = Date.now) {
  const { plan, timeline } = await runPlan(deps, runId);
  const deliverable = timeline.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable) throw refuse(unknownDeliverable(deliverableId, timeline.deliverables));
  const recipients = await asDomainErrors(() => deps.store.nonSubmitters(runId, deliverableId));
  if (recipients.length === 0) {
    const firstOpening = Math.min(...deliverable.windows.map((w) => w.opensAt));
    throw refuse(firstOpening > now() ? { code: 'deliverable-not-open', deliverable: deliverable.title, opensAt: firstOpening } : { code: 'nobody-to-message', deliverable: deliverable.title });
  }
  return { deliverable, recipient: plan.deliverables.find((d) => d.id === deliverableId)?.recipient ?? 'coordinator', recipients };
}

/**
 * Sends the coordinator's own message about a deliverable to every director who has not yet submitted it, with their
 * personal link and deadline, through the outbox: one one-off workflow per kindergarten named after the message, so
 * sending the same form again (the same `messageId`) sends nothing twice. The audit entry follows the sends.
 */
export async function messageNonSubmitters(deps: RunControlDeps, runId: string, input: { deliverableId: string; subject: string; text: string; messageId: string }, requestedBy: string, now: () => number = Date.now) {
  const parsed = messageSchema.safeParse(input);
  const idOk = /^[a-z0-9-]{8,64}$/.test(input.messageId);
  if (!parsed.success || !idOk) {
    throw new InputError('Meldingen ble ikke sendt', [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...(idOk ? [] : [{ path: 'messageId', message: 'forventet en id av små bokstaver, sifre og bindestrek' }])]);
  }
  const { deliverable, recipient, recipients } = await messageRecipients(deps, runId, input.deliverableId, now);
  const at = now();
  for (let i = 0; i < recipients.length; i += 20) {
    await Promise.all(
      recipients.slice(i, i + 20).map((k) => {
        const window = deliverable.windows.find((w) => w.scope === 'run' || (w.regionId === k.regionId && (w.groupId === null || w.groupId === k.groupId)));
        return startOnce(deps, `${kindergartenWorkflowId(runId, k.orgnr)}-melding-${input.messageId}`, {
          key: `${runId}/${k.orgnr}/message/${input.messageId}`,
          runId,
          template: 'coordinator-message',
          to: { kind: 'director', orgnr: k.orgnr },
          about: { orgnr: k.orgnr },
          where: { regionId: k.regionId, groupId: k.groupId },
          deliverable: { id: deliverable.id, title: deliverable.title, recipient, opensAt: window?.opensAt ?? at, dueAt: k.dueAt, lateUntil: k.lateUntil },
          message: parsed.data,
          scheduledFor: at,
          requestedAt: at,
          latestUsefulAt: k.lateUntil,
        });
      }),
    );
  }
  await asDomainErrors(() =>
    deps.store.recordAudit({
      key: `${runId}/message-sent/${input.messageId}`,
      runId,
      actor: requestedBy,
      action: 'message-sent',
      at,
      details: { deliverableId: deliverable.id, deliverable: deliverable.title, subject: parsed.data.subject, recipients: recipients.length, messageId: input.messageId },
    }),
  );
  return { recipients: recipients.length };
}
