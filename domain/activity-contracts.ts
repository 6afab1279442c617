/**
 * The data that crosses between workflows and activities. Instants are epoch milliseconds.
 */
import type { KindergartenBroadcast } from './controls';
import type { GuidancePlan } from './guidance';
import type { KindergartenSchedule } from './timeline';

/** Who an email goes to; the activity looks the addresses up at send time, so a changed address is used. */
export type RecipientSelector =
  | { kind: 'director'; orgnr: string }
  /**
   * A kindergarten's participants in its authority's latest group set-up (release 1.2.0), its director left out (the
   * director has the director's emails); none before there is a set-up.
   */
  | { kind: 'participants'; orgnr: string }
  /** The participants a group set-up version removed (or added) for a kindergarten, compared with the version before. */
  | { kind: 'removed-participants' | 'added-participants'; orgnr: string; setupId: string }
  | { kind: 'authority-of'; orgnr: string }
  | { kind: 'authority'; municipalityId: string }
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
  /** The coordinator's own words (a message to those who have not submitted): a subject line and paragraphs. */
  message?: { subject: string; text: string };
  /** The municipal authority's verdict on a submission, for the director's email about it. */
  review?: { verdict: 'accepted' | 'returned'; comment: string | null; version: number; at: number };
  /** The authorities' daily digest: the day it is for (`YYYY-MM-DD`, Oslo); its content is read when it is sent. */
  digest?: { day: string };
  /** The research centre's guidance on a submission (template guidance-given): read, with its files, when it is sent. */
  guidance?: { guidanceId: string };
  /**
   * A reminder to the research centre of guidance still owed (template guidance-reminder): what was owed at `asOf`,
   * each kindergarten's due instant from `plan` (the run's timeline when it was sent). Release 1.2.0.
   */
  guidanceReminder?: { asOf: number; plan: GuidancePlan };
  /**
   * A municipal authority's group set-up (release 1.2.0): the version a receipt is for, or — for the coordinator's
   * escalation — the instant at which the municipalities that had not sent it are listed. Read when it is sent.
   */
  groupSetup?: { setupId?: string; asOf?: number; minimumParticipants?: number };
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

/** A kindergarten the coordinator added mid-year, as the run tells its region. */
export interface AddedKindergarten {
  orgnr: string;
  groupId: string;
  municipalityId: string;
  joinedAt: number;
}

export interface SignalKindergartensInput {
  runId: string;
  regionId: string;
  control: KindergartenBroadcast;
  /** Each workshop group's schedule, for a `schedule` control. */
  schedulesByGroup: Record<string, KindergartenSchedule>;
}

export interface SignalKindergartensResult {
  signalled: number;
  notRunning: number;
}

/** What every kindergarten workflow a region starts shares. */
export interface KindergartenStartCommon {
  runId: string;
  regionId: string;
  /** The task queue the kindergarten workflows run on (the region's own). */
  taskQueue: string;
  revision: number;
  paused: boolean;
  /** Each workshop group's schedule, the kindergarten workflow's input. */
  schedulesByGroup: Record<string, KindergartenSchedule>;
  emailTaskQueue?: string;
  /** The Årshjul release that started the run, kept in each workflow's memo (`arshjul release runs`). */
  release: string;
}

/** Starts every kindergarten of the region's roster (the run's start). */
export type StartKindergartensInput = KindergartenStartCommon;

/** Starts kindergartens added mid-year; each joins at its `joinedAt`. */
export interface StartAddedKindergartensInput extends KindergartenStartCommon {
  kindergartens: AddedKindergarten[];
}

export interface StartKindergartensResult {
  started: number;
  alreadyRunning: number;
}

/** An escalation handed to the municipal authority's daily digest by a kindergarten workflow. */
export interface QueueDigestItemInput {
  /** `<run>/<orgnr>/<step key>`: a retried queueing adds nothing. */
  key: string;
  runId: string;
  orgnr: string;
  deliverableId: string;
  dueAt: number;
  lateUntil: number;
  /** When the escalation was due (workflow time). */
  at: number;
}

/** The run workflow's claim of a digest day: every queued escalation not yet in a digest goes into this day's. */
export interface ClaimDigestsInput {
  runId: string;
  day: string;
  /** Items queued up to this instant are taken. */
  at: number;
}

/** The municipal authority's verdict on a submission, as the kindergarten workflow records it (table submission_reviews). */
export interface RecordReviewInput {
  reviewId: string;
  runId: string;
  orgnr: string;
  deliverableId: string;
  submissionId: string;
  version: number;
  verdict: 'accepted' | 'returned';
  comment: string | null;
  by: string;
  at: number;
  dueAt: number | null;
  lateUntil: number | null;
}

/** Whom a step of a deliverable the authorities submit is for (release 1.2.0): municipality ids, read at `asOf`. */
export interface AuthorityTargetsInput {
  runId: string;
  deliverableId: string;
  kind: 'prompt' | 'reminder' | 'escalation';
  asOf: number;
}
