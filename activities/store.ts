import type { Language } from '../texts/language';
import type { Plan } from '../config/plan-schema';
import type { AuditEntry } from '../domain/audit';
import type { Refusal } from '../domain/refusals';
import type { Roster } from '../config/roster-schema';
import type { RecipientRole } from './email/templates';
import type {
  AddKindergartenInput,
  AddKindergartenResult,
  ClaimDigestsInput,
  DeliverableStatus,
  QueueDigestItemInput,
  RecordReviewInput,
  RecipientSelector,
  RecordDeliverableStatusInput,
  RecordEventInput,
  RosterEntry,
  RosterPageInput,
} from '../domain/activity-contracts';

/** What an email needs to know about its run. */
export interface RunContext {
  runId: string;
  programme: string;
  countyName: string;
  schoolYear: number;
  timezone: string;
  contacts: Plan['contacts'];
}

export interface Recipient {
  /** Stable identity of the recipient within the run (orgnr, municipality id or role); part of the email key. */
  id: string;
  name: string;
  email: string;
  role: RecipientRole;
  kindergarten?: { orgnr: string; name: string; municipalityName: string };
  /** The municipality the recipient belongs to, with its written standard (absent: bokmål). */
  municipality?: { name: string; language?: Language };
}

export interface OutboxEntry {
  key: string;
  runId: string;
  template: string;
  recipientId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  scheduledFor: number;
  requestedAt: number;
  meta: EmailMeta;
}

/** What an email is about, for the email log and rehearsals. */
export interface EmailMeta {
  milestoneId: string | null;
  deliverableId: string | null;
  regionId: string | null;
  groupId: string | null;
  orgnr: string | null;
}

export interface EmailLogEntry {
  key: string;
  template: string;
  to: string;
  subject: string;
  /** `sending` from the claim until the SMTP server's answer is recorded. */
  state: 'queued' | 'sending' | 'sent' | 'failed';
  requestedAt: number;
  sentAt: number | null;
  lastError: string | null;
  meta: EmailMeta;
}

/** A coordinator's change of a contact person, with the open links to re-issue (directors only). */
export interface ContactChange {
  runId: string;
  target: { kind: 'director'; orgnr: string } | { kind: 'authority'; municipalityId: string };
  name: string;
  email: string;
  reissue: { deliverableId: string; deliverable: string }[];
  actor: string;
  at: number;
}

/** A kindergarten's deliverable as it stands when the run is created. */
export interface InitialDeliverable {
  orgnr: string;
  deliverableId: string;
  dueAt: number;
  lateUntil: number;
}

/** One line of an authority's daily digest: a deliverable of one of its kindergartens that is due or overdue. */
export interface DigestLine {
  orgnr: string;
  kindergarten: string;
  deliverableId: string;
  deliverable: string;
  status: DeliverableStatus;
  dueAt: number;
  lateUntil: number;
  /** Escalated since the authority's previous digest (this day's news), rather than still outstanding. */
  isNew: boolean;
}

/** What an authority's digest of one day says, read when it is sent. */
export interface AuthorityDigest {
  municipality: string;
  lines: DigestLine[];
}

/** How far ahead an authority's digest lists deadlines still to come. */
export const DIGEST_DUE_SOON_MS = 7 * 86_400_000;

/** A file the research centre attached to its guidance, stored like a submission's files. */
export interface GuidanceFile {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  storageKey: string;
}

/** The research centre's guidance on one submission (table submission_guidance), release 1.2.0. */
export interface GuidanceRecord {
  guidanceId: string;
  runId: string;
  orgnr: string;
  deliverableId: string;
  submissionId: string;
  version: number;
  text: string;
  files: GuidanceFile[];
  by: string;
  at: number;
}

/** A kindergarten's submission of a deliverable that asks for guidance, with no guidance given yet. */
export interface OwedGuidance {
  orgnr: string;
  kindergarten: string;
  municipality: string;
  regionId: string;
  groupId: string;
  deliverableId: string;
  firstSubmittedAt: number;
}

/** A participant of the competence package, as a municipal authority's group set-up names them (release 1.2.0). */
export interface GroupSetupParticipant {
  orgnr: string;
  name: string;
  email: string;
  role: string;
}

/** A group set-up to store: one version from one municipal authority. */
export interface NewGroupSetup {
  /** Chosen by the form when it is shown: the same form sent twice stores one version. */
  setupId: string;
  runId: string;
  municipalityId: string;
  deliverableId: string;
  deliverable: string;
  late: boolean;
  receivedAt: number;
  by: string;
  source: 'form' | 'file';
  fileName: string | null;
  participants: GroupSetupParticipant[];
}

/** A stored version of a group set-up, with its receipt number (`GS-000042`). */
export interface GroupSetupRecord extends Omit<NewGroupSetup, 'deliverable'> {
  version: number;
  receiptNumber: string;
}

/** Where a municipality stands with a group set-up: its latest version, if any. */
export interface GroupSetupSummary {
  municipalityId: string;
  municipality: string;
  regionId: string;
  /** Kindergartens still in the run. */
  kindergartens: number;
  latest: { setupId: string; version: number; receiptNumber: string; late: boolean; receivedAt: number; by: string; participants: number } | null;
}

export interface RunEvent extends RecordEventInput {
  id: number;
}

export type StoreErrorType = 'NotFound' | 'Conflict' | 'InvalidInput';

/**
 * A refusal by the store (unknown run, duplicate kindergarten): permanent, not worth retrying. `refusal` says which
 * rule, as data, for the coordinator (texts/refusals.ts).
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly type: StoreErrorType,
    message: string,
    readonly refusal: Refusal | null = null,
  ) {
    super(message);
  }
}

/**
 * Everything Årshjul keeps outside Temporal: runs, roster, deliverable state, events and the email outbox.
 * `PgStore` is the real one; `MemoryStore` serves rehearsals and workflow tests.
 */
export interface Store {
  /**
   * Saves a run's plan, roster and every kindergarten's deliverables as 'not-open' in one transaction: either all rows
   * are stored or none. The kindergarten workflows then record only changes. `release` is the Årshjul release starting it.
   */
  createRun(runId: string, plan: Plan, roster: Roster, deliverables: InitialDeliverable[], release: string): Promise<void>;
  getRunContext(runId: string): Promise<RunContext>;
  listRosterPage(input: RosterPageInput): Promise<RosterEntry[]>;
  findRecipients(runId: string, selector: RecipientSelector): Promise<Recipient[]>;
  /** Creates the outbox row for a key, or finds it; 'already-sent' means nothing is to be sent again. */
  claimEmail(entry: OutboxEntry): Promise<'claimed' | 'already-sent'>;
  markEmailSent(key: string, info: { response: string; at: number }): Promise<void>;
  markEmailFailed(key: string, error: string): Promise<void>;
  recordEvent(event: RecordEventInput): Promise<void>;
  /** Appends to the audit log unless an entry with the same key is there already. */
  recordAudit(entry: AuditEntry): Promise<void>;
  recordDeliverableStatus(input: RecordDeliverableStatusInput): Promise<void>;
  addKindergarten(input: AddKindergartenInput): Promise<AddKindergartenResult>;
  withdrawKindergarten(input: { runId: string; orgnr: string; reason: string; at: number }): Promise<void>;
  /** The current version of a kindergarten's upload link for a deliverable (1 until re-issued). */
  uploadLinkVersion(runId: string, orgnr: string, deliverableId: string): Promise<number>;
  /**
   * Re-issues the link: the version goes up by one, revoking every older link, and the audit entry is written in the
   * same transaction. Returns the new version.
   */
  reissueUploadLink(input: { runId: string; orgnr: string; deliverableId: string; deliverable: string; actor: string; at: number }): Promise<number>;
  /**
   * Changes a director's or a municipal authority's name and email (later emails are addressed to them, since
   * addresses are looked up at send time), re-issues the director's open upload links (each older link revoked) and
   * writes the audit entries, all in one transaction. Returns who it was and the new link versions.
   */
  changeContact(input: ContactChange): Promise<{ before: { name: string; email: string }; links: { deliverableId: string; version: number }[] }>;
  /**
   * The kindergartens still in the run that can but have not yet submitted a deliverable (open or overdue), with
   * their names, where they are and their deadline in force.
   */
  nonSubmitters(runId: string, deliverableId: string): Promise<{ orgnr: string; name: string; municipality: string; regionId: string; groupId: string; dueAt: number; lateUntil: number }[]>;
  /** Records the municipal authority's verdict on a submission (the submission's history); idempotent by review id. */
  recordReview(input: RecordReviewInput): Promise<void>;
  /** Queues an escalation for its municipal authority's next digest; a retried queueing adds nothing. */
  queueDigestItem(input: QueueDigestItemInput): Promise<void>;
  /**
   * Puts every queued escalation not yet in a digest into this day's, and returns the municipalities whose digest of
   * the day has something new that is still not delivered; asked again for the same day, the same answer.
   */
  claimAuthorityDigests(input: ClaimDigestsInput): Promise<string[]>;
  /**
   * An authority's digest for a day: the escalations put into it that are still outstanding, every other overdue
   * deliverable of its kindergartens, and deadlines within DIGEST_DUE_SOON_MS of `at`.
   */
  authorityDigest(runId: string, municipalityId: string, day: string, at: number): Promise<AuthorityDigest>;
  /** The latest accepted submission of a kindergarten's deliverable (what guidance is given on); null before any. */
  latestSubmission(runId: string, orgnr: string, deliverableId: string): Promise<{ submissionId: string; version: number; at: number } | null>;
  /** Records the research centre's guidance; idempotent by guidance id. */
  recordGuidance(record: GuidanceRecord): Promise<void>;
  /** One guidance record (for the director's email), or null. */
  guidance(runId: string, guidanceId: string): Promise<GuidanceRecord | null>;
  /** The guidance given in a run, oldest first: for one kindergarten, or all. */
  listGuidance(runId: string, filter?: { orgnr?: string }): Promise<GuidanceRecord[]>;
  /**
   * The kindergartens still in the run that had submitted one of these deliverables by `asOf` and had been given no
   * guidance on it by then: what the research centre still owed at that instant.
   */
  owedGuidance(runId: string, deliverableIds: string[], asOf: number): Promise<OwedGuidance[]>;
  /**
   * Stores a version of a municipality's group set-up with its participants and its audit entry in one transaction;
   * the version is the next for the municipality and deliverable. Asked again with the same set-up id: the same record.
   */
  recordGroupSetup(input: NewGroupSetup): Promise<GroupSetupRecord>;
  /** One stored version, with its participants; null if there is none. */
  groupSetup(runId: string, setupId: string): Promise<GroupSetupRecord | null>;
  /** A municipality's latest version of a group set-up, with its participants; null before the first. */
  latestGroupSetup(runId: string, municipalityId: string, deliverableId: string): Promise<GroupSetupRecord | null>;
  /** Every municipality that still has a kindergarten in the run, with its latest version (or none). */
  groupSetups(runId: string, deliverableId: string): Promise<GroupSetupSummary[]>;
  /** A municipality's kindergartens still in the run, with their directors, by name (what its group set-up covers). */
  municipalityKindergartens(runId: string, municipalityId: string): Promise<{ orgnr: string; name: string; regionId: string; groupId: string; director: { name: string; email: string } }[]>;
  /** The municipalities that still have a kindergarten in the run and had sent no version by `asOf`. */
  municipalitiesWithoutGroupSetup(runId: string, deliverableId: string, asOf: number): Promise<string[]>;
  listEvents(runId: string): Promise<RunEvent[]>;
  listEmails(runId: string, filter?: { orgnr?: string }): Promise<EmailLogEntry[]>;
  countDeliverableStatuses(runId: string): Promise<{ deliverableId: string; status: string; count: number }[]>;
}
