import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliverableStatus } from '../domain/activity-contracts';
import type { KindergartenControl } from '../domain/controls';
import { digestWantedSignal } from './digest-signal';
import { emailSender } from './email-sender';
import { refuseIf, refused } from './refusal';
import {
  type Action,
  type ExtensionRequest,
  type KindergartenState,
  type ReceiptDue,
  type ReviewRecord,
  type ReviewRequest,
  type StepOutcome,
  type SubmittedFile,
  type UpcomingEmail,
  decide,
  deliverableState,
  deliverableStatus,
  effectiveWindow,
  extendedWindow,
  extensionRefusal,
  closesAt,
  currentSubmissions,
  goesIntoDigest,
  reviewRefusal,
  recordedWindowStale,
  isFinished,
  latestUsefulAt,
  nextWakeAt,
  invitationsToCancel,
  pendingActions,
  submissionRefusal,
  upcomingEmails,
} from '../domain/kindergarten-schedule';
import { INVITATION_TEMPLATES } from '../domain/email-templates';
import { RECEIPT_USEFUL_MS, actionEmail, cancellationEmail, receiptEmails, reviewEmail } from '../domain/kindergarten-emails';
import type { KindergartenDeliverable, KindergartenEmailStep, KindergartenSchedule } from '../domain/timeline';
import { unknownDeliverable } from '../domain/refusals';
import { AUTHORITY_DIGEST_PATCH, READ_MODEL_DEADLINE_PATCH } from '../domain/patches';
import { RECOVERY_DETAIL } from '../domain/recovery-records';


export interface KindergartenWorkflowInput {
  runId: string;
  orgnr: string;
  regionId: string;
  groupId: string;
  municipalityId: string;
  schedule: KindergartenSchedule;
  revision: number;
  paused: boolean;
  /** Set when the kindergarten joins mid-year: steps before it are not applicable. */
  joinedAt?: number;
  /** True when the run's creation stored this kindergarten's deliverables as 'not-open' (roster starts, not additions). */
  statusesStored?: boolean;
  /** The rate-limited task queue for sendEmail; unset, emails go on the workflow's own queue. */
  emailTaskQueue?: string;
  /** Carried across continue-as-new. */
  state?: KindergartenState;
}

export interface SubmitDeliverableInput {
  /** Chosen by the uploader (the API): a retried request with the same ID gets the same receipt. */
  submissionId: string;
  deliverableId: string;
  files: SubmittedFile[];
  comment?: string | null;
  /** The receipt number the upload service gave the stored submission; quoted in the receipt emails. */
  receiptNumber: string | null;
  /**
   * When the API had received and stored the submission (its row's time, epoch ms): on time, late and refused are
   * judged by it, so neither a slow upload nor a Temporal outage makes a punctual director late.
   */
  receivedAt: number;
}

export interface SubmissionReceipt {
  submissionId: string;
  deliverableId: string;
  version: number;
  receivedAt: number;
  late: boolean;
  dueAt: number;
}

export interface ExtendDeadlineInput extends ExtensionRequest {
  /** Who asked (the coordinator's email, or `cli:<user>`), for the audit log. */
  requestedBy: string;
}

export interface ReviewSubmissionInput extends ReviewRequest {
  /** Who gave the verdict (the authority's email), for the audit log and the submission's history. */
  reviewedBy: string;
}

export interface KindergartenStatus {
  orgnr: string;
  regionId: string;
  groupId: string;
  municipalityId: string;
  revision: number;
  state: 'active' | 'paused' | 'withdrawn' | 'cancelled';
  withdrawn: { at: number; reason: string } | null;
  deliverables: {
    id: string;
    title: string;
    status: DeliverableStatus;
    opensAt: number;
    dueAt: number;
    lateUntil: number;
    extended: boolean;
    submissions: number;
    lastSubmissionAt: number | null;
  }[];
  steps: { key: string; status: StepOutcome['status']; at: number }[];
  next: { key: string; at: number } | null;
  /** The emails still to go, by the rules the loop applies (`upcomingEmails`): what the console's "Neste e-post" shows. */
  upcoming: UpcomingEmail[];
}

/** Control messages from the region (schedule changes, pause, resume, cancel); a signal so it is durable without a worker. */
export const kindergartenControlSignal = defineSignal<[KindergartenControl]>('control');
/** Withdrawal sent by the run on the coordinator's request. */
export const withdrawKindergartenSignal = defineSignal<[{ reason: string; at: number }]>('withdraw');
/** A director's submission; an Update so the uploader learns at once whether it was accepted, and why not. */
export const submitDeliverableUpdate = defineUpdate<SubmissionReceipt, [SubmitDeliverableInput]>('submitDeliverable');
/** The coordinator's extension of one deliverable's deadline for this kindergarten; written to the audit log. */
export const extendDeadlineUpdate = defineUpdate<{ dueAt: number; lateUntil: number }, [ExtendDeadlineInput]>('extendDeadline');
export const kindergartenStatusQuery = defineQuery<KindergartenStatus>('status');
/**
 * The municipal authority's verdict on the latest submission of a deliverable addressed to it: accepted, or returned
 * for revision with a comment and a new deadline (the deliverable opens again and its reminders resume). Release 1.1.0.
 */
export const reviewSubmissionUpdate = defineUpdate<ReviewRecord, [ReviewSubmissionInput]>('reviewSubmission');

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The read model's status writes as local activities: one small idempotent upsert, run by the worker that holds the
 * workflow task, with no round trip through the server's task queue. A write that keeps failing past the local retry
 * window is scheduled again by the SDK with a timer, like any local activity.
 */
const localStore = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One kindergarten's year, started by its region workflow: it emails the director about each milestone, prompts when
 * a deliverable opens, reminds before the deadline only while nothing is submitted, escalates to the municipal
 * authority when overdue, and takes submissions through an Update whose validator refuses early, late or withdrawn
 * ones with a reason.
 */
export async function kindergartenWorkflow(input: KindergartenWorkflowInput): Promise<KindergartenStatus> {
  const state: KindergartenState = input.state ?? {
    revision: input.revision,
    schedule: input.schedule,
    paused: input.paused,
    cancelled: false,
    withdrawn: null,
    joinedAt: input.joinedAt ?? Date.now(),
    outcomes: {},
    deliverables: input.statusesStored
      ? Object.fromEntries(
          input.schedule.deliverables.map((d) => [d.id, { submissions: [], extension: null, recordedStatus: 'not-open' as const, recordedWindow: { dueAt: d.window.dueAt, lateUntil: d.window.lateUntil } }]),
        )
      : {},
    receiptsDue: [],
  };
  let changed = false;

  setHandler(kindergartenControlSignal, (control) => {
    if (control.type === 'schedule') {
      if (control.revision <= state.revision) return;
      state.revision = control.revision;
      state.schedule = control.schedule;
    } else if (control.type === 'pause') state.paused = true;
    else if (control.type === 'resume') state.paused = false;
    else state.cancelled = true;
    changed = true;
  });

  setHandler(withdrawKindergartenSignal, ({ reason, at }) => {
    if (state.withdrawn) return;
    state.withdrawn = { reason, at };
    changed = true;
  });

  setHandler(
    submitDeliverableUpdate,
    async ({ submissionId, deliverableId, files, comment, receiptNumber, receivedAt }) => {
      const deliverable = deliverableOf(deliverableId);
      const ds = deliverableState(state, deliverableId);
      const window = effectiveWindow(state, deliverable);
      const earlier = ds.submissions.find((s) => s.submissionId === submissionId);
      if (earlier) return receipt(deliverableId, earlier, window.dueAt);
      const record = { submissionId, at: receivedAt, late: receivedAt > window.dueAt, version: ds.submissions.length + 1, files, comment: comment ?? null };
      state.deliverables[deliverableId] = { ...ds, submissions: [...ds.submissions, record] };
      // The receipt to the director and the notice to the recipient go out from the main loop, so the uploader's
      // answer does not wait for SMTP.
      state.receiptsDue.push({ deliverableId, submissionId, receiptNumber, at: receivedAt, version: record.version, late: record.late, files, comment: record.comment });
      changed = true;
      await recordStatus(deliverableId, submissionId);
      return receipt(deliverableId, record, window.dueAt);
    },
    {
      validator: ({ submissionId, deliverableId, files, receivedAt }) => {
        if (!submissionId) throw refused({ code: 'submission-incomplete', missing: 'submission-id' });
        if (!Array.isArray(files) || files.length === 0) throw refused({ code: 'submission-incomplete', missing: 'files' });
        const alreadyAccepted = deliverableState(state, deliverableId).submissions.some((s) => s.submissionId === submissionId);
        if (alreadyAccepted) return;
        refuseIf(submissionRefusal(state, deliverableId, receivedAt, Date.now()));
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async ({ requestedBy, ...request }) => {
      const deliverable = deliverableOf(request.deliverableId);
      const before = effectiveWindow(state, deliverable);
      const window = extendedWindow(before, request, Date.now());
      state.deliverables[deliverable.id] = { ...deliverableState(state, deliverable.id), extension: window };
      changed = true;
      // Release 1.1.0: the extension's escalation is outside the plan's instants; the run wakes for its digest day.
      await wantDigestAfter(window.escalationAt);
      await Promise.all([
        recordStatus(deliverable.id, null),
        store.recordAudit({
          key: `${input.runId}/deadline-extended/${input.orgnr}/${deliverable.id}/v${window.version}`,
          runId: input.runId,
          actor: requestedBy,
          action: 'deadline-extended',
          at: Date.now(),
          details: {
            orgnr: input.orgnr,
            deliverableId: deliverable.id,
            deliverable: deliverable.title,
            from: before.dueAt,
            to: window.dueAt,
            lateUntil: window.lateUntil,
            // The whole window (reminders, escalation, version), kept by the store for `arshjul run recover`.
            [RECOVERY_DETAIL]: { kind: 'window', orgnr: input.orgnr, deliverableId: deliverable.id, window },
          },
        }),
      ]);
      return { dueAt: window.dueAt, lateUntil: window.lateUntil };
    },
    { validator: (request) => refuseIf(extensionRefusal(state, request, Date.now())) },
  );

  setHandler(
    reviewSubmissionUpdate,
    async ({ reviewedBy, ...request }) => {
      const deliverable = deliverableOf(request.deliverableId);
      const ds = deliverableState(state, deliverable.id);
      const earlier = (ds.reviews ?? []).find((r) => r.reviewId === request.reviewId);
      if (earlier) return earlier;
      const now = Date.now();
      const latest = currentSubmissions(ds).at(-1) as { submissionId: string; version: number };
      const before = effectiveWindow(state, deliverable);
      const window = request.verdict === 'returned' && request.window ? extendedWindow(before, { deliverableId: deliverable.id, ...request.window }, now) : null;
      const record: ReviewRecord = {
        reviewId: request.reviewId,
        submissionId: latest.submissionId,
        version: latest.version,
        verdict: request.verdict,
        comment: request.comment?.trim() || null,
        at: now,
        by: reviewedBy,
        dueAt: window?.dueAt ?? null,
        lateUntil: window?.lateUntil ?? null,
      };
      state.deliverables[deliverable.id] = { ...ds, reviews: [...(ds.reviews ?? []), record], ...(window ? { extension: window, returnedVersion: latest.version } : {}) };
      state.reviewsDue = [...(state.reviewsDue ?? []), { deliverableId: deliverable.id, reviewId: record.reviewId }];
      changed = true;
      await Promise.all([
        recordStatus(deliverable.id, null),
        store.recordReview({ ...record, runId: input.runId, orgnr: input.orgnr, deliverableId: deliverable.id }),
        store.recordAudit({
          key: `${input.runId}/submission-${record.verdict}/${input.orgnr}/${deliverable.id}/${record.reviewId}`,
          runId: input.runId,
          actor: reviewedBy,
          action: record.verdict === 'returned' ? 'submission-returned' : 'submission-accepted',
          at: now,
          details: {
            orgnr: input.orgnr,
            deliverableId: deliverable.id,
            deliverable: deliverable.title,
            version: record.version,
            comment: record.comment,
            from: before.dueAt,
            to: record.dueAt,
            lateUntil: record.lateUntil,
            ...(window ? { [RECOVERY_DETAIL]: { kind: 'window', orgnr: input.orgnr, deliverableId: deliverable.id, window } } : {}),
          },
        }),
      ]);
      // The return's escalation is outside the plan's instants: the run wakes for its digest day.
      if (window) await wantDigestAfter(window.escalationAt);
      return record;
    },
    {
      validator: (request) => {
        if ((deliverableState(state, request.deliverableId).reviews ?? []).some((r) => r.reviewId === request.reviewId)) return;
        refuseIf(reviewRefusal(state, request, Date.now()));
      },
    },
  );

  setHandler(kindergartenStatusQuery, () => status(input, state));

  /**
   * Release 1.1.0: an escalation outside the plan's instants (an extension's, a return's) is told to the run, which
   * then wakes for the digest day after it. A run that is gone (the year over for it) has no digest to wake for.
   */
  async function wantDigestAfter(at: number): Promise<void> {
    if (!state.schedule.authorityDigest || !patched(AUTHORITY_DIGEST_PATCH)) return;
    await getExternalWorkflowHandle(input.runId)
      .signal(digestWantedSignal, { at })
      .catch((error: unknown) => log.warn('run not told of an escalation outside the plan', { error: String(error) }));
  }

  /** The deliverable of the schedule; the validators have refused unknown ids before a handler runs. */
  function deliverableOf(id: string): KindergartenDeliverable {
    const deliverable = state.schedule.deliverables.find((d) => d.id === id);
    if (!deliverable) throw refused(unknownDeliverable(id, state.schedule.deliverables));
    return deliverable;
  }

  /** Writes the deliverable's status to the read model; called on every change, and on each submission or extension. */
  async function recordStatus(deliverableId: string, submissionId: string | null): Promise<void> {
    const deliverable = state.schedule.deliverables.find((d) => d.id === deliverableId);
    if (!deliverable) return;
    const now = Date.now();
    const current = deliverableStatus(state, deliverable, now);
    const window = effectiveWindow(state, deliverable);
    await localStore.recordDeliverableStatus({
      runId: input.runId,
      orgnr: input.orgnr,
      deliverableId,
      status: current,
      dueAt: window.dueAt,
      lateUntil: window.lateUntil,
      at: now,
      submissionId,
    });
    state.deliverables[deliverableId] = { ...deliverableState(state, deliverableId), recordedStatus: current, recordedWindow: { dueAt: window.dueAt, lateUntil: window.lateUntil } };
  }

  async function recordStatusChanges(): Promise<void> {
    const now = Date.now();
    for (const deliverable of state.schedule.deliverables) {
      const ds = deliverableState(state, deliverable.id);
      if (deliverableStatus(state, deliverable, now) !== ds.recordedStatus) {
        await recordStatus(deliverable.id, null);
      } else if (recordedWindowStale(ds, effectiveWindow(state, deliverable)) && patched(READ_MODEL_DEADLINE_PATCH)) {
        // Release 1.1.0: a move shifted the deadline, the status stayed; the kindergarten's page and the authorities'
        // digest read the deadline from the read model.
        await recordStatus(deliverable.id, null);
      }
    }
  }

  async function perform(action: Action): Promise<void> {
    const now = Date.now();
    const decision = decide(action, state, now);
    if (decision !== 'send') {
      state.outcomes[action.key] = { status: decision, at: now };
      if (decision === 'stale') {
        await store.recordEvent({ runId: input.runId, type: 'email-stale', at: now, orgnr: input.orgnr, data: { step: action.key } });
      }
      return;
    }
    // Release 1.1.0: in a run with the authorities' daily digest, the escalation is queued for the authority's next
    // digest (one email a day for all its kindergartens) instead of being sent on its own.
    if (goesIntoDigest(action, state) && patched(AUTHORITY_DIGEST_PATCH) && action.kind === 'escalation') {
      const window = action.window;
      await store.queueDigestItem({
        key: `${input.runId}/${input.orgnr}/${action.key}`,
        runId: input.runId,
        orgnr: input.orgnr,
        deliverableId: action.deliverable.id,
        dueAt: window.dueAt,
        lateUntil: window.lateUntil,
        at: now,
      });
      state.outcomes[action.key] = { status: 'in-digest', at: now };
      return;
    }
    const useful = latestUsefulAt(action);
    const email = actionEmail(input, action, now, useful);
    const sender = emailSender(now, useful, { taskQueue: input.emailTaskQueue });
    try {
      const result = await sender.sendEmail(email);
      state.outcomes[action.key] = { status: 'sent', at: now, recipients: result.recipients };
    } catch (error) {
      log.warn('email not delivered', { key: email.key, error: String(error) });
      state.outcomes[action.key] = { status: 'failed', at: Date.now(), error: String(error) };
      await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), orgnr: input.orgnr, data: { step: action.key, error: String(error) } });
    }
  }

  /** The due steps one after another, in their order (each decides on the state the previous one left). */
  async function performInOrder(due: Action[]): Promise<void> {
    for (const action of due) await perform(action);
  }

  /** Withdraws an invitation already sent: same event UID, METHOD:CANCEL. */
  async function cancelInvitation(key: string, step: KindergartenEmailStep): Promise<void> {
    const now = Date.now();
    try {
      await emailSender(now, step.occurrenceAt, { taskQueue: input.emailTaskQueue }).sendEmail(cancellationEmail(input, key, step, now));
      state.outcomes[key] = { status: 'sent', at: now };
    } catch (error) {
      state.outcomes[key] = { status: 'failed', at: Date.now(), error: String(error) };
    }
  }

  /** Emails the receipts of accepted submissions: one to the director, one notice to the deliverable's recipient, together. */
  async function sendReceipts(): Promise<void> {
    while (state.receiptsDue.length > 0) {
      const due = state.receiptsDue[0] as ReceiptDue;
      const deliverable = state.schedule.deliverables.find((d) => d.id === due.deliverableId);
      if (deliverable) {
        const now = Date.now();
        const emails = receiptEmails(input, due, deliverable, effectiveWindow(state, deliverable), now);
        const sender = emailSender(now, now + RECEIPT_USEFUL_MS, { taskQueue: input.emailTaskQueue });
        await Promise.all(
          emails.map(async (email) => {
            try {
              await sender.sendEmail(email);
            } catch (error) {
              log.warn('receipt not delivered', { key: email.key, error: String(error) });
              await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), orgnr: input.orgnr, data: { step: email.key, error: String(error) } });
            }
          }),
        );
      }
      state.receiptsDue = state.receiptsDue.slice(1);
    }
  }

  /** Emails the authority's verdicts to the director: why it was returned and by when, or that it was accepted. */
  async function sendReviews(): Promise<void> {
    while ((state.reviewsDue ?? []).length > 0) {
      const due = (state.reviewsDue as { deliverableId: string; reviewId: string }[])[0] as { deliverableId: string; reviewId: string };
      const deliverable = state.schedule.deliverables.find((d) => d.id === due.deliverableId);
      const review = deliverableState(state, due.deliverableId).reviews?.find((r) => r.reviewId === due.reviewId);
      if (deliverable && review) {
        const now = Date.now();
        const window = effectiveWindow(state, deliverable);
        const email = reviewEmail(input, review, deliverable, window, now);
        try {
          await emailSender(now, email.latestUsefulAt, { taskQueue: input.emailTaskQueue }).sendEmail(email);
        } catch (error) {
          log.warn('review not delivered', { key: email.key, error: String(error) });
          await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), orgnr: input.orgnr, data: { step: email.key, error: String(error) } });
        }
      }
      state.reviewsDue = (state.reviewsDue ?? []).slice(1);
    }
  }

  for (;;) {
    await sendReceipts();
    if ((state.reviewsDue ?? []).length > 0) await sendReviews();
    const now = Date.now();
    if (isFinished(state, now)) break;
    // A withdrawn kindergarten's pending invitations are cancelled in the director's calendar.
    if (state.withdrawn) {
      const cancellations = invitationsToCancel(state, now, INVITATION_TEMPLATES);
      if (cancellations.length > 0) {
        for (const { key, step } of cancellations) await cancelInvitation(key, step);
        continue;
      }
    }
    if (!state.paused && !state.withdrawn) {
      const due = pendingActions(state).filter((a) => a.at <= now);
      if (due.length > 0) {
        // A status that changes at this instant (a window opening) is written while the instant's emails go out: one
        // workflow task fewer per change. A status never depends on an email.
        await Promise.all([recordStatusChanges(), performInOrder(due)]);
        continue;
      }
    }
    await recordStatusChanges();
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof kindergartenWorkflow>({ ...input, state });
    }
    changed = false;
    // Paused: wait for the resume. Otherwise wake for the next step or status change, or to finish after the grace
    // period (submissions stored in time may still arrive then).
    const until = state.paused ? undefined : (state.withdrawn ? undefined : nextWakeAt(state, now)) ?? closesAt(state) + 1;
    if (until === undefined) await condition(() => changed);
    else await condition(() => changed, Math.max(until - Date.now(), 1));
  }
  await recordStatusChanges();
  await condition(allHandlersFinished);
  await sendReceipts();
  if ((state.reviewsDue ?? []).length > 0) await sendReviews();
  return status(input, state);
}

function receipt(deliverableId: string, record: { submissionId: string; at: number; late: boolean; version: number }, dueAt: number): SubmissionReceipt {
  return { submissionId: record.submissionId, deliverableId, version: record.version, receivedAt: record.at, late: record.late, dueAt };
}

function status(input: KindergartenWorkflowInput, state: KindergartenState): KindergartenStatus {
  const now = Date.now();
  const next = state.paused || state.withdrawn || state.cancelled ? undefined : pendingActions(state)[0];
  return {
    orgnr: input.orgnr,
    regionId: input.regionId,
    groupId: input.groupId,
    municipalityId: input.municipalityId,
    revision: state.revision,
    state: state.cancelled ? 'cancelled' : state.withdrawn ? 'withdrawn' : state.paused ? 'paused' : 'active',
    withdrawn: state.withdrawn,
    deliverables: state.schedule.deliverables.map((d) => {
      const ds = deliverableState(state, d.id);
      const w = effectiveWindow(state, d);
      return {
        id: d.id,
        title: d.title,
        status: deliverableStatus(state, d, now),
        opensAt: w.opensAt,
        dueAt: w.dueAt,
        lateUntil: w.lateUntil,
        extended: ds.extension !== null,
        submissions: ds.submissions.length,
        lastSubmissionAt: ds.submissions.at(-1)?.at ?? null,
      };
    }),
    steps: Object.entries(state.outcomes).map(([key, o]) => ({ key, status: o.status, at: o.at })),
    next: next ? { key: next.key, at: next.at } : null,
    upcoming: upcomingEmails(state, now),
  };
}
