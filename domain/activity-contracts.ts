/**
 * The data that crosses between workflows and activities. Workflows import these as types only.
 * Instants are epoch milliseconds.
 */

/** Who an email goes to; the activity looks the addresses up at send time, so a changed address is used. */
export type RecipientSelector =
  | { kind: 'director'; orgnr: string }
  | { kind: 'authority-of'; orgnr: string }
  | { kind: 'municipal-authorities'; regionId: string | null; groupId: string | null }
  | { kind: 'research-centre' }
  | { kind: 'coordinator' };

export interface SendEmailInput {
  /** Business idempotency key; the recipient is appended, so one key never yields two emails to one person. */
  key: string;
  runId: string;
  template: string;
  to: RecipientSelector;
  milestone?: {
    id: string;
    title: string;
    kind: string;
    location: string | null;
    at: number;
    /** For calendar invitations: the event's identity, its date version (SEQUENCE) and length. */
    occurrenceKey?: string;
    version?: number;
    durationMinutes?: number | null;
  };
  deliverable?: { id: string; title: string; recipient: string; opensAt: number; dueAt: number; lateUntil: number };
  /** An accepted submission, for its receipt and the recipient's notice. */
  submission?: {
    id: string;
    receiptNumber: string | null;
    at: number;
    version: number;
    late: boolean;
    files: { name: string; size: number; sha256: string }[];
    comment: string | null;
  };
  /** The kindergarten an email is about (escalations to its authority). */
  about?: { orgnr: string };
  /** The region and workshop group the email belongs to, for the email log. */
  where?: { regionId: string | null; groupId: string | null };
  /** Workflow time when the send was due and when it was asked for. */
  scheduledFor: number;
  requestedAt: number;
  latestUsefulAt: number;
}

export interface SendEmailResult {
  sent: number;
  alreadySent: number;
  recipients: string[];
}

export interface RecordEventInput {
  runId: string;
  type: string;
  at: number;
  milestoneId?: string | null;
  regionId?: string | null;
  groupId?: string | null;
  orgnr?: string | null;
  data?: Record<string, unknown>;
}

export type DeliverableStatus = 'not-open' | 'open' | 'submitted' | 'submitted-late' | 'overdue' | 'missed' | 'withdrawn';

export interface RecordDeliverableStatusInput {
  runId: string;
  orgnr: string;
  deliverableId: string;
  status: DeliverableStatus;
  dueAt: number;
  lateUntil: number;
  at: number;
  submissionId?: string | null;
}

export interface RosterPageInput {
  runId: string;
  regionId: string;
  afterOrgnr: string | null;
  limit: number;
}

export interface RosterEntry {
  orgnr: string;
  municipalityId: string;
  groupId: string;
  withdrawn: boolean;
}

export interface AddKindergartenInput {
  runId: string;
  kindergarten: {
    orgnr: string;
    name: string;
    municipalityId: string;
    groupId?: string | undefined;
    director: { name: string; email: string };
    participants?: number | undefined;
  };
  at: number;
}

export interface AddKindergartenResult {
  regionId: string;
  groupId: string;
  municipalityId: string;
}

export interface SignalKindergartensInput {
  runId: string;
  regionId: string;
  /** The control message for each workflow; `schedulesByGroup` (if given) supplies the per-group schedule. */
  control: { type: 'pause' } | { type: 'resume' } | { type: 'cancel' } | { type: 'schedule'; revision: number };
  schedulesByGroup?: Record<string, unknown>;
}

export interface SignalKindergartensResult {
  signalled: number;
  notRunning: number;
}

export interface StartKindergartensInput {
  runId: string;
  regionId: string;
  /** The task queue the kindergarten workflows run on (the region's own). */
  taskQueue: string;
  revision: number;
  paused: boolean;
  /** Each workshop group's schedule, the kindergarten workflow's input. */
  schedulesByGroup: Record<string, unknown>;
  emailTaskQueue?: string;
}

export interface StartKindergartensResult {
  started: number;
  alreadyRunning: number;
}
