/**
 * Pure decisions of the kindergarten workflow: which steps are pending, whether a due step is sent, suppressed or
 * stale, what a deliverable's status is, and whether a submission or extension is acceptable. No Temporal imports,
 * so every rule is unit-testable with plain numbers.
 */
import type { DeliverableStatus } from './activity-contracts';
import { type Refusal, unknownDeliverable } from './refusals';
import type { DeliverableWindow, KindergartenDeliverable, KindergartenEmailStep, KindergartenSchedule } from './timeline';

/** `in-digest`: an escalation handed to the authority's daily digest instead of its own email. */
export type StepStatus = 'sent' | 'in-digest' | 'stale' | 'suppressed' | 'not-applicable' | 'failed';

export interface StepOutcome {
  status: StepStatus;
  at: number;
  recipients?: string[];
  error?: string;
}

export interface SubmittedFile {
  name: string;
  size: number;
  sha256: string;
}

export interface SubmissionRecord {
  submissionId: string;
  /** When the API had received and stored it: what on time, late and refused are judged by. */
  at: number;
  late: boolean;
  version: number;
  files: SubmittedFile[];
  comment: string | null;
}

export interface DeliverableState {
  submissions: SubmissionRecord[];
  extension: DeliverableWindow | null;
  recordedStatus: DeliverableStatus | null;
  /** The deadline and late window last written to the read model (release 1.1.0; absent: not known). */
  recordedWindow?: { dueAt: number; lateUntil: number };
  /** The municipal authority's verdicts on this deliverable's submissions, oldest first (release 1.1.0). */
  reviews?: ReviewRecord[];
  /**
   * Set when the authority returned a submission for revision: submissions up to this version no longer count, so
   * the deliverable is open again (with the return's deadline) and its reminders resume.
   */
  returnedVersion?: number;
}

/** The municipal authority's verdict on a submitted deliverable: accepted, or returned for revision with a comment. */
export interface ReviewRecord {
  reviewId: string;
  submissionId: string;
  version: number;
  verdict: 'accepted' | 'returned';
  comment: string | null;
  at: number;
  by: string;
  /** For a return: the new deadline and late window. */
  dueAt: number | null;
  lateUntil: number | null;
}

/** The submissions that count: after a return for revision, only the versions sent since. */
export function currentSubmissions(ds: DeliverableState): SubmissionRecord[] {
  const returned = ds.returnedVersion;
  return returned === undefined ? ds.submissions : ds.submissions.filter((s) => s.version > returned);
}

/**
 * True when the read model's deadline of a deliverable is known and no longer the one in force (a move shifted it
 * without changing the status): the workflow writes it again.
 */
export function recordedWindowStale(ds: DeliverableState, window: DeliverableWindow): boolean {
  const recorded = ds.recordedWindow;
  return recorded !== undefined && (recorded.dueAt !== window.dueAt || recorded.lateUntil !== window.lateUntil);
}

export interface KindergartenState {
  revision: number;
  schedule: KindergartenSchedule;
  paused: boolean;
  cancelled: boolean;
  withdrawn: { at: number; reason: string } | null;
  joinedAt: number;
  outcomes: Record<string, StepOutcome>;
  deliverables: Record<string, DeliverableState>;
  /** Accepted submissions whose receipt (to the director) and notice (to the recipient) are still to be emailed. */
  receiptsDue: ReceiptDue[];
  /** The authority's verdicts still to be emailed to the director (release 1.1.0). */
  reviewsDue?: { deliverableId: string; reviewId: string }[];
}

/** A receipt to email: what the director and the deliverable's recipient are told about an accepted submission. */
export interface ReceiptDue {
  deliverableId: string;
  submissionId: string;
  receiptNumber: string | null;
  at: number;
  version: number;
  late: boolean;
  files: SubmittedFile[];
  comment: string | null;
}

export type Action =
  | { kind: 'milestone-email'; key: string; at: number; step: KindergartenEmailStep }
  | { kind: 'prompt' | 'reminder' | 'escalation'; key: string; at: number; deliverable: KindergartenDeliverable; window: DeliverableWindow };

export function deliverableState(state: KindergartenState, id: string): DeliverableState {
  return state.deliverables[id] ?? { submissions: [], extension: null, recordedStatus: null };
}

export function effectiveWindow(state: KindergartenState, deliverable: KindergartenDeliverable): DeliverableWindow {
  return deliverableState(state, deliverable.id).extension ?? deliverable.window;
}

export function isSubmitted(state: KindergartenState, deliverableId: string): boolean {
  return currentSubmissions(deliverableState(state, deliverableId)).length > 0;
}

/** Every step that has no outcome yet, earliest first. */
export function pendingActions(state: KindergartenState): Action[] {
  const actions: Action[] = [];
  for (const step of state.schedule.emails) {
    const key = `${step.stepId}@v${step.version}`;
    if (!state.outcomes[key]) actions.push({ kind: 'milestone-email', key, at: step.sendAt, step });
  }
  for (const deliverable of state.schedule.deliverables) {
    const window = effectiveWindow(state, deliverable);
    const keyed: Action[] = [
      { kind: 'prompt', key: `${deliverable.id}/prompt`, at: window.promptAt, deliverable, window },
      ...window.reminderAts.map(
        (at, i): Action => ({ kind: 'reminder', key: `${deliverable.id}/reminder-${i + 1}@v${window.version}`, at, deliverable, window }),
      ),
      { kind: 'escalation', key: `${deliverable.id}/escalation@v${window.version}`, at: window.escalationAt, deliverable, window },
    ];
    actions.push(...keyed.filter((a) => !state.outcomes[a.key]));
  }
  return actions.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/**
 * True when a due escalation goes into the municipal authority's daily digest rather than its own email: the run has
 * the digest and a digest is still to come after the escalation's time.
 */
export function goesIntoDigest(action: Action, state: KindergartenState): boolean {
  const digest = state.schedule.authorityDigest;
  return action.kind === 'escalation' && digest !== undefined && action.at <= digest.lastAt;
}

/** The template name of the authorities' daily digest (activities/email/templates.ts). */
export const DIGEST_TEMPLATE = 'authority-digest';

/** An email the kindergarten's workflow will still send, as far as its state says now. */
export interface UpcomingEmail {
  key: string;
  kind: Action['kind'];
  /** When it goes: its planned time, or now for a step already due (held by a pause). */
  at: number;
  /** The milestone's or the deliverable's title. */
  title: string;
  template: string;
  /** Who gets it: the director, the kindergarten's participants (release 1.2.0), or (an escalation) the municipal authority. */
  to: 'director' | 'participants' | 'municipal-authority';
  /** Held while the run is paused; sent on resume if it is still useful then. */
  held: boolean;
  /** For an email about a milestone: when the milestone is. */
  occurrenceAt: number | null;
}

/**
 * The emails still to go, earliest first, decided by the rules the workflow applies when each one's time comes
 * (`pendingActions` and `decide` on the same state): none for a withdrawn or ended kindergarten, no reminder or
 * escalation for a deliverable already submitted, an extension's new reminders instead of the old ones, and a step
 * that would be stale when due is left out. While paused, the list is what would go on a resume now.
 */
export function upcomingEmails(state: KindergartenState, now: number): UpcomingEmail[] {
  if (state.cancelled || state.withdrawn) return [];
  return pendingActions(state)
    .map((action) => ({ action, at: Math.max(action.at, now) }))
    .filter(({ action, at }) => decide(action, state, at) === 'send')
    .map(({ action, at }) => ({
      key: action.key,
      kind: action.kind,
      at,
      title: action.kind === 'milestone-email' ? action.step.title : action.deliverable.title,
      template: action.kind === 'milestone-email' ? action.step.template : goesIntoDigest(action, state) ? DIGEST_TEMPLATE : action.deliverable.templates[action.kind],
      to: action.kind === 'escalation' ? ('municipal-authority' as const) : action.kind === 'milestone-email' && action.step.to === 'participants' ? ('participants' as const) : ('director' as const),
      held: state.paused,
      occurrenceAt: action.kind === 'milestone-email' ? action.step.occurrenceAt : null,
    }));
}

/**
 * Invitations a withdrawn kindergarten was sent for events still ahead, not yet cancelled: each gets a cancellation
 * (keyed `<invitation key>/cancel`), so the event leaves the director's calendar.
 */
export function invitationsToCancel(state: KindergartenState, now: number, invitationTemplates: ReadonlySet<string>): { key: string; step: KindergartenEmailStep }[] {
  return state.schedule.emails
    .filter((step) => invitationTemplates.has(step.template) && step.occurrenceAt > now)
    .map((step) => ({ key: `${step.stepId}@v${step.version}`, step }))
    .filter(({ key }) => state.outcomes[key]?.status === 'sent' && !state.outcomes[`${key}/cancel`])
    .map(({ key, step }) => ({ key: `${key}/cancel`, step }));
}

/** The instant after which a due step is no longer worth sending. */
export function latestUsefulAt(action: Action): number {
  if (action.kind === 'milestone-email') return action.step.latestUsefulAt;
  const { window } = action;
  if (action.kind === 'reminder') {
    const next = window.reminderAts.find((at) => at > action.at);
    return Math.min(next ?? window.dueAt, window.dueAt);
  }
  return window.lateUntil;
}

/** What to do with a step whose time has come: send it, or record why not. */
export function decide(action: Action, state: KindergartenState, now: number): 'send' | Exclude<StepStatus, 'sent' | 'failed'> {
  if (action.kind !== 'milestone-email' && isSubmitted(state, action.deliverable.id)) return 'suppressed';
  const useful = latestUsefulAt(action);
  if (useful < state.joinedAt) return 'not-applicable';
  if ((action.kind === 'reminder' || action.kind === 'escalation') && action.at < state.joinedAt) return 'not-applicable';
  if (now > useful) return 'stale';
  return 'send';
}

export function deliverableStatus(state: KindergartenState, deliverable: KindergartenDeliverable, now: number): DeliverableStatus {
  if (state.withdrawn) return 'withdrawn';
  const window = effectiveWindow(state, deliverable);
  const last = currentSubmissions(deliverableState(state, deliverable.id)).at(-1);
  if (last) return last.late ? 'submitted-late' : 'submitted';
  if (now < window.opensAt) return 'not-open';
  if (now <= window.dueAt) return 'open';
  if (now <= window.lateUntil) return 'overdue';
  return 'missed';
}

/**
 * The next instant something happens: a pending step or a status change (opening, deadline, late window). A deliverable
 * already submitted adds no wake: its status stays submitted whatever the time.
 */
export function nextWakeAt(state: KindergartenState, now: number): number | undefined {
  const times = pendingActions(state).map((a) => a.at);
  for (const deliverable of state.schedule.deliverables) {
    if (currentSubmissions(deliverableState(state, deliverable.id)).length > 0) continue;
    const w = effectiveWindow(state, deliverable);
    times.push(w.opensAt, w.dueAt + 1, w.lateUntil + 1);
  }
  const future = times.filter((t) => t > now);
  return future.length ? Math.min(...future) : undefined;
}

/** The last instant a submission can have arrived in time: the latest late window, or the end of the year. */
export function lastWindowEnd(state: KindergartenState): number {
  return Math.max(state.schedule.endsAt, ...state.schedule.deliverables.map((d) => effectiveWindow(state, d).lateUntil));
}

/**
 * When the workflow may close: after the last late window and the plan's grace period (a submission received in time
 * but handed over late, with Temporal unreachable, is still judged by when it arrived); without deliverables, at the end.
 */
export function closesAt(state: KindergartenState): number {
  return lastWindowEnd(state) + (state.schedule.deliverables.length > 0 ? state.schedule.submissionGraceMs : 0);
}

/** The workflow is finished when nothing is pending and it is past `closesAt`. */
export function isFinished(state: KindergartenState, now: number): boolean {
  if (state.cancelled) return true;
  if (now <= closesAt(state)) return false;
  return state.withdrawn !== null || pendingActions(state).length === 0;
}

/** How far ahead of workflow time the API's clock may be when it says when a submission arrived. */
export const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * Why a submission is refused, or null when it is accepted; judged by when the API received it (`receivedAt`), not
 * by when the workflow hears of it. Runs in the Update validator, before history.
 */
export function submissionRefusal(state: KindergartenState, deliverableId: string, receivedAt: number, now: number): Refusal | null {
  const deliverable = state.schedule.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable) return unknownDeliverable(deliverableId, state.schedule.deliverables);
  if (!Number.isSafeInteger(receivedAt) || receivedAt > now + CLOCK_SKEW_MS) return { code: 'received-in-future', receivedAt, now };
  if (receivedAt < state.joinedAt - CLOCK_SKEW_MS) return { code: 'received-before-joining', receivedAt, joinedAt: state.joinedAt };
  if (state.cancelled) return { code: 'run-cancelled' };
  if (state.withdrawn && state.withdrawn.at <= receivedAt) return { code: 'kindergarten-withdrawn', at: state.withdrawn.at, reason: state.withdrawn.reason };
  const window = effectiveWindow(state, deliverable);
  if (receivedAt < window.opensAt) return { code: 'not-open-yet', deliverable: deliverable.title, opensAt: window.opensAt };
  if (receivedAt > window.lateUntil) return { code: 'late-window-closed', deliverable: deliverable.title, dueAt: window.dueAt, lateUntil: window.lateUntil };
  return null;
}

export interface ExtensionRequest {
  deliverableId: string;
  dueAt: number;
  reminderAts: number[];
  escalationAt: number;
  lateUntil: number;
}

/** Why an extension is refused, or null when it is acceptable. */
export function extensionRefusal(state: KindergartenState, request: ExtensionRequest, now: number): Refusal | null {
  const deliverable = state.schedule.deliverables.find((d) => d.id === request.deliverableId);
  if (!deliverable) return unknownDeliverable(request.deliverableId, state.schedule.deliverables);
  if (state.cancelled) return { code: 'run-cancelled' };
  if (state.withdrawn) return { code: 'kindergarten-withdrawn', at: state.withdrawn.at, reason: state.withdrawn.reason };
  const current = effectiveWindow(state, deliverable);
  if (request.dueAt <= now) return { code: 'deadline-in-past', dueAt: request.dueAt };
  if (request.dueAt <= current.dueAt) return { code: 'extension-not-later', deliverable: deliverable.title, currentDueAt: current.dueAt };
  const outOfOrder = request.escalationAt < request.dueAt || request.lateUntil < request.dueAt || request.reminderAts.some((at) => at >= request.dueAt);
  if (outOfOrder) return { code: 'extension-out-of-order', deliverable: deliverable.title };
  return null;
}

/** The window after an extension: same opening, new deadline, version bumped so reminders get new keys. */
export function extendedWindow(current: DeliverableWindow, request: ExtensionRequest, now: number): DeliverableWindow {
  return {
    ...current,
    dueAt: request.dueAt,
    reminderAts: request.reminderAts.filter((at) => at > now),
    escalationAt: request.escalationAt,
    lateUntil: request.lateUntil,
    version: current.version + 1,
  };
}

/** What the municipal authority asks of a submission it received: accept it, or return it with a new deadline. */
export interface ReviewRequest {
  /** Chosen by the caller: the same review sent twice is done once. */
  reviewId: string;
  deliverableId: string;
  submissionId: string;
  verdict: 'accepted' | 'returned';
  comment: string | null;
  /** For a return: the new window, resolved by the plan's rules like an extension. */
  window: Omit<ExtensionRequest, 'deliverableId'> | null;
}

/**
 * Why a review is refused, or null: only a deliverable addressed to the municipal authority is reviewed, only its
 * latest submission, once (a second verdict on the same version is refused); a return needs a comment (the director
 * is told why) and a new deadline in the future, in order.
 */
export function reviewRefusal(state: KindergartenState, request: ReviewRequest, now: number): Refusal | null {
  const deliverable = state.schedule.deliverables.find((d) => d.id === request.deliverableId);
  if (!deliverable) return unknownDeliverable(request.deliverableId, state.schedule.deliverables);
  if (state.cancelled) return { code: 'run-cancelled' };
  if (state.withdrawn) return { code: 'kindergarten-withdrawn', at: state.withdrawn.at, reason: state.withdrawn.reason };
  if (deliverable.recipient !== 'municipal-authority') return { code: 'review-not-authority', deliverable: deliverable.title };
  const ds = deliverableState(state, deliverable.id);
  const latest = currentSubmissions(ds).at(-1);
  if (!latest || latest.submissionId !== request.submissionId) return { code: 'review-not-latest', deliverable: deliverable.title };
  if ((ds.reviews ?? []).some((r) => r.version === latest.version)) return { code: 'review-already-given', deliverable: deliverable.title, version: latest.version };
  if (request.verdict === 'returned') {
    if (!request.comment?.trim()) return { code: 'review-comment-missing', deliverable: deliverable.title };
    const w = request.window;
    if (!w || w.dueAt <= now) return { code: 'deadline-in-past', dueAt: w?.dueAt ?? now };
    if (w.escalationAt < w.dueAt || w.lateUntil < w.dueAt || w.reminderAts.some((at) => at >= w.dueAt)) return { code: 'extension-out-of-order', deliverable: deliverable.title };
  }
  return null;
}
