import type { Client } from '@temporalio/client';
import { NotFoundError, RefusedError } from '../domain/errors';
import { toDomainError } from './errors';
import type { LinkTarget, StoredFile, Submission, SubmissionRepository } from '../activities/db/submission-repository';
import { readUploadToken, type UploadTokenClaims } from '../security/upload-tokens';
import { kindergartenWorkflowId } from '../domain/ids';
import { submitDeliverableUpdate } from '../workflows/kindergarten-workflow';
import { DOCUMENT_MEDIA_TYPES, detectDocumentType } from '../activities/files/document-type';
import type { FileStore, ReceivedFile } from '../activities/files/file-store';
import { type DirectorRefusal, directorRefusalText, isDirectorRefusal } from '../texts/refusals';

/**
 * The director's upload, from personal link to receipt: the link is checked (signature, revocation, the deliverable's
 * current late window), the files are checked by content and stored with their SHA-256, and only then is the
 * kindergarten workflow asked to accept the submission through its Update. Its answer is recorded either way, so a
 * refused upload is kept and marked, and an unanswered one is retried with the same id (the Update's id), never lost.
 */
export interface UploadDeps {
  client: Pick<Client, 'workflow'>;
  submissions: SubmissionRepository;
  files: FileStore;
  /** Signs and verifies the personal links. */
  secret: string;
  limits: UploadLimits;
  now?: () => number;
  /** Where unexpected failures are reported (the request logger). */
  onError?: (error: unknown, context: string) => void;
}

export interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
  /** Upload attempts (form posts) one personal link may make a minute; unset, DEFAULT_UPLOAD_ATTEMPTS_PER_MINUTE. */
  attemptsPerMinute?: number;
}

/** A leaked or shared link cannot be hammered: a few attempts a minute are more than a director needs. */
export const DEFAULT_UPLOAD_ATTEMPTS_PER_MINUTE = 20;

export type LinkRefusal = 'malformed' | 'forged' | 'unknown' | 'revoked' | 'expired';

export type ResolvedLink =
  | { ok: true; claims: UploadTokenClaims; target: LinkTarget }
  | { ok: false; reason: LinkRefusal; target: LinkTarget | null };

/** A file as received from the form, its name already cleaned. */
export interface IncomingFile {
  name: string;
  received: ReceivedFile;
  /** Set when the stream was cut at the size limit. */
  truncated: boolean;
}

export type FileProblem = { file: string; problem: 'empty' | 'too-large' | 'wrong-type' | 'suspicious-archive' };

export type SubmitOutcome =
  | { kind: 'accepted'; submission: Submission; repeated: boolean }
  /** `reason` is the stored bokmål text; `refusal` the data to word in the reader's standard (null on older rows). */
  | { kind: 'refused'; submission: Submission; reason: string; refusal: DirectorRefusal | null }
  | { kind: 'pending'; submission: Submission }
  | { kind: 'invalid'; problems: FileProblem[]; message: string | null };

/** Checks a personal link; `allowExpired` serves the receipt page, which stays readable after the window closes. */
export async function resolveLink(deps: UploadDeps, token: string, options: { allowExpired?: boolean } = {}): Promise<ResolvedLink> {
  const read = readUploadToken(token, deps.secret);
  if (!read.ok) return { ok: false, reason: read.reason, target: null };
  const { claims } = read;
  const target = await deps.submissions.linkTarget(claims.runId, claims.orgnr, claims.deliverableId);
  if (!target) return { ok: false, reason: 'unknown', target: null };
  if (claims.version !== target.linkVersion) return { ok: false, reason: 'revoked', target };
  // The link expires with the late window it was issued for, unless the coordinator has since extended the deadline.
  const now = (deps.now ?? Date.now)();
  if (!options.allowExpired && now > Math.max(claims.expiresAt, target.lateUntil)) return { ok: false, reason: 'expired', target };
  return { ok: true, claims, target };
}

/** Cleans a file name from a form: no path parts, no control or bidi-override characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/\s/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  if (!cleaned) return 'fil';
  if (cleaned.length <= 200) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 200 - extension.length) + extension;
}

/** Checks each file by size and content; returns the problems (empty: all fine) and each file's media type. */
async function checkFiles(deps: UploadDeps, files: IncomingFile[]): Promise<{ problems: FileProblem[]; types: string[] }> {
  const problems: FileProblem[] = [];
  const types: string[] = [];
  for (const f of files) {
    if (f.truncated || f.received.size > deps.limits.maxFileBytes) {
      problems.push({ file: f.name, problem: 'too-large' });
    } else if (f.received.size === 0) {
      problems.push({ file: f.name, problem: 'empty' });
    } else {
      const check = await detectDocumentType(f.received.tempPath, f.received.head, f.received.size);
      if (check.ok) types.push(DOCUMENT_MEDIA_TYPES[check.type]);
      else problems.push({ file: f.name, problem: check.reason === 'suspicious-archive' ? 'suspicious-archive' : 'wrong-type' });
    }
  }
  return { problems, types };
}

/**
 * Stores a submission and asks the kindergarten workflow to accept it. A repeated submission id (a re-sent form,
 * or the retry button after Temporal was unreachable) never stores twice: it returns or completes what was stored.
 */
export async function submitUpload(
  deps: UploadDeps,
  link: { claims: UploadTokenClaims },
  input: { submissionId: string; comment: string | null; files: IncomingFile[] },
): Promise<SubmitOutcome> {
  const { claims } = link;
  const discardAll = () => Promise.all(input.files.map((f) => deps.files.discard(f.received.tempPath)));
  const existing = await deps.submissions.get(input.submissionId);
  if (existing) {
    await discardAll();
    if (existing.runId !== claims.runId || existing.orgnr !== claims.orgnr || existing.deliverableId !== claims.deliverableId) {
      return { kind: 'invalid', problems: [], message: 'submission-id-taken' };
    }
    if (existing.state === 'accepted') return { kind: 'accepted', submission: existing, repeated: true };
    if (existing.state === 'refused') return refusedOutcome(existing);
    return askWorkflow(deps, existing);
  }
  if (input.files.length === 0) return { kind: 'invalid', problems: [], message: 'no-files' };
  if (input.files.length > deps.limits.maxFiles) {
    await discardAll();
    return { kind: 'invalid', problems: [], message: 'too-many-files' };
  }
  const { problems, types } = await checkFiles(deps, input.files);
  if (problems.length > 0) {
    await discardAll();
    return { kind: 'invalid', problems, message: null };
  }
  const files: StoredFile[] = [];
  for (const [i, f] of input.files.entries()) {
    const storageKey = `${input.submissionId}/${i + 1}`;
    await deps.files.commit(f.received.tempPath, storageKey);
    files.push({ position: i + 1, name: f.name, size: f.received.size, sha256: f.received.sha256, contentType: types[i] as string, storageKey });
  }
  const stored = await deps.submissions.createStored({
    id: input.submissionId,
    runId: claims.runId,
    orgnr: claims.orgnr,
    deliverableId: claims.deliverableId,
    linkVersion: claims.version,
    comment: input.comment,
    files,
  });
  return askWorkflow(deps, stored);
}

/** The Update, with the submission id as its update id: Temporal deduplicates a repeat, the workflow answers it once. */
async function askWorkflow(deps: UploadDeps, submission: Submission): Promise<SubmitOutcome> {
  const handle = deps.client.workflow.getHandle(kindergartenWorkflowId(submission.runId, submission.orgnr));
  const now = (deps.now ?? Date.now)();
  try {
    const receipt = await handle.executeUpdate(submitDeliverableUpdate, {
      updateId: submission.id,
      args: [
        {
          submissionId: submission.id,
          deliverableId: submission.deliverableId,
          files: submission.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256 })),
          comment: submission.comment,
          receiptNumber: submission.receiptNumber,
          // The stored row's time: the workflow judges on time, late and refused by it, however long this took.
          receivedAt: submission.receivedAt,
        },
      ],
    });
    await deps.submissions.markAccepted(submission.id, { version: receipt.version, late: receipt.late, at: now });
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === null) {
      deps.onError?.(error, `submission ${submission.id} stored, the workflow did not answer`);
      return { kind: 'pending', submission };
    }
    await deps.submissions.markRefused(submission.id, refusal.text, now, refusal.data);
  }
  const decided = (await deps.submissions.get(submission.id)) as Submission;
  if (decided.state === 'accepted') return { kind: 'accepted', submission: decided, repeated: false };
  return refusedOutcome(decided);
}

function refusedOutcome(submission: Submission): SubmitOutcome {
  return { kind: 'refused', submission, reason: submission.refusal ?? '', refusal: submission.refusalData };
}

/**
 * Why the submission was refused: the bokmål text kept for the coordinator, and the refusal as data for the director's
 * pages (the workflow's, or ours when its workflow has closed); null when the failure says nothing about the
 * submission (retry later).
 */
function refusalOf(error: unknown): { text: string; data: DirectorRefusal | null } | null {
  const e = toDomainError(error);
  if (e instanceof RefusedError) {
    if (!e.refusal) return ownRefusal({ code: 'refused-unexplained' });
    return { text: e.message, data: isDirectorRefusal(e.refusal) ? e.refusal : null };
  }
  if (e instanceof NotFoundError) return ownRefusal({ code: 'kindergarten-closed' });
  return null;
}

function ownRefusal(data: DirectorRefusal): { text: string; data: DirectorRefusal } {
  return { text: directorRefusalText(data, 'nb'), data };
}

/**
 * Asks the workflows again about submissions stored while Temporal was unreachable; run periodically by the API
 * process. Returns how many got an answer.
 */
export async function retryUndecided(deps: UploadDeps, olderThanMs = 60_000): Promise<number> {
  let answered = 0;
  for (const submission of await deps.submissions.listUndecided(olderThanMs)) {
    const outcome = await askWorkflow(deps, submission);
    if (outcome.kind !== 'pending') answered += 1;
  }
  return answered;
}

/** Files without a committed submission are kept this long (an upload may still be committing), then swept. */
export const ORPHAN_AGE_MS = 3_600_000;

/**
 * Sweeps the storage directory of files no submission row names (a crash between storing the files and committing the
 * row) and of partial uploads, once they are an hour old; run periodically by the API process.
 */
export async function sweepOrphanedFiles(deps: Pick<UploadDeps, 'files' | 'submissions'>, olderThanMs = ORPHAN_AGE_MS): Promise<{ partial: number; orphaned: string[] }> {
  return deps.files.sweep(olderThanMs, (ids) => deps.submissions.existingIds(ids));
}
