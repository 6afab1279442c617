/**
 * The emails of one kindergarten's year, as the kindergarten workflow asks the email activity for them: pure
 * functions from a due step, a withdrawn invitation or an accepted submission to `SendEmailInput`, with the business
 * key that makes each send happen once. Addresses are not here: the activity looks them up at send time.
 */
import type { SendEmailInput } from './activity-contracts';
import { CANCELLATION_TEMPLATE } from './email-templates';
import type { Action, ReceiptDue, ReviewRecord } from './kindergarten-schedule';
import type { DeliverableWindow, KindergartenDeliverable, KindergartenEmailStep } from './timeline';

/** Who the emails are for and about. */
export interface KindergartenIds {
  runId: string;
  orgnr: string;
  regionId: string;
  groupId: string;
}

/** A receipt is worth sending for a week; after that the director has seen the status page or asked. */
export const RECEIPT_USEFUL_MS = 7 * 24 * 3_600_000;

/** Who a deliverable goes to, as an email selector. */
export function recipientOf(recipient: KindergartenDeliverable['recipient'], orgnr: string): SendEmailInput['to'] {
  if (recipient === 'municipal-authority') return { kind: 'authority-of', orgnr };
  if (recipient === 'research-centre') return { kind: 'research-centre' };
  return { kind: 'coordinator' };
}

/** What an email about a milestone step says of the milestone (with the calendar event's identity and version). */
function milestoneOfStep(step: KindergartenEmailStep): NonNullable<SendEmailInput['milestone']> {
  return {
    id: step.milestoneId,
    title: step.title,
    kind: step.kind,
    location: step.location,
    at: step.occurrenceAt,
    version: step.version,
    occurrenceKey: step.occurrenceKey,
    durationMinutes: step.durationMinutes,
  };
}

function deliverableOf(deliverable: KindergartenDeliverable, window: DeliverableWindow): NonNullable<SendEmailInput['deliverable']> {
  return { id: deliverable.id, title: deliverable.title, recipient: deliverable.recipient, opensAt: window.opensAt, dueAt: window.dueAt, lateUntil: window.lateUntil };
}

/** The email of a due step: a milestone's email to the director, or a deliverable's prompt, reminder or escalation. */
export function actionEmail(ids: KindergartenIds, action: Action, now: number, latestUsefulAt: number): SendEmailInput {
  return {
    key: `${ids.runId}/${ids.orgnr}/${action.key}`,
    runId: ids.runId,
    template: action.kind === 'milestone-email' ? action.step.template : action.deliverable.templates[action.kind],
    to: action.kind === 'escalation' ? { kind: 'authority-of', orgnr: ids.orgnr } : action.kind === 'milestone-email' && action.step.to === 'participants' ? { kind: 'participants', orgnr: ids.orgnr } : { kind: 'director', orgnr: ids.orgnr },
    about: { orgnr: ids.orgnr },
    where: { regionId: ids.regionId, groupId: ids.groupId },
    scheduledFor: action.at,
    requestedAt: now,
    latestUsefulAt,
    ...(action.kind === 'milestone-email' ? { milestone: milestoneOfStep(action.step) } : { deliverable: deliverableOf(action.deliverable, action.window) }),
  };
}

/** The cancellation of an invitation already sent (same event UID, METHOD:CANCEL), for a withdrawn kindergarten. */
export function cancellationEmail(ids: KindergartenIds, key: string, step: KindergartenEmailStep, now: number): SendEmailInput {
  return {
    key: `${ids.runId}/${ids.orgnr}/${key}`,
    runId: ids.runId,
    template: CANCELLATION_TEMPLATE,
    to: step.to === 'participants' ? { kind: 'participants', orgnr: ids.orgnr } : { kind: 'director', orgnr: ids.orgnr },
    milestone: milestoneOfStep(step),
    about: { orgnr: ids.orgnr },
    where: { regionId: ids.regionId, groupId: ids.groupId },
    scheduledFor: now,
    requestedAt: now,
    latestUsefulAt: step.occurrenceAt,
  };
}

/** An accepted submission's two emails: the receipt to the director and the notice to the deliverable's recipient. */
export function receiptEmails(ids: KindergartenIds, due: ReceiptDue, deliverable: KindergartenDeliverable, window: DeliverableWindow, now: number): SendEmailInput[] {
  const common = {
    runId: ids.runId,
    about: { orgnr: ids.orgnr },
    where: { regionId: ids.regionId, groupId: ids.groupId },
    deliverable: deliverableOf(deliverable, window),
    submission: { id: due.submissionId, receiptNumber: due.receiptNumber, at: due.at, version: due.version, late: due.late, files: due.files, comment: due.comment },
    scheduledFor: due.at,
    requestedAt: now,
    latestUsefulAt: now + RECEIPT_USEFUL_MS,
  };
  return [
    { ...common, key: `${ids.runId}/${ids.orgnr}/receipt/${due.submissionId}`, template: 'submission-receipt', to: { kind: 'director', orgnr: ids.orgnr } },
    { ...common, key: `${ids.runId}/${ids.orgnr}/received/${due.submissionId}`, template: 'submission-received', to: recipientOf(deliverable.recipient, ids.orgnr) },
  ];
}

/**
 * The director's email about the municipal authority's verdict on a submission: accepted, or returned for revision
 * with the authority's comment, the new deadline and the upload link.
 */
export function reviewEmail(ids: KindergartenIds, review: ReviewRecord, deliverable: KindergartenDeliverable, window: DeliverableWindow, now: number): SendEmailInput {
  return {
    key: `${ids.runId}/${ids.orgnr}/review/${review.reviewId}`,
    runId: ids.runId,
    template: review.verdict === 'returned' ? 'submission-returned' : 'submission-accepted',
    to: { kind: 'director', orgnr: ids.orgnr },
    about: { orgnr: ids.orgnr },
    where: { regionId: ids.regionId, groupId: ids.groupId },
    deliverable: deliverableOf(deliverable, window),
    review: { verdict: review.verdict, comment: review.comment, version: review.version, at: review.at },
    scheduledFor: review.at,
    requestedAt: now,
    latestUsefulAt: Math.max(now + RECEIPT_USEFUL_MS, window.lateUntil),
  };
}
