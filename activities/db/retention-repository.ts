import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Plan } from '../../config/plan-schema';
import { formatReceiptNumber } from './submission-repository';
import { withTransaction } from './transaction';

/**
 * Personal data kept only as long as allowed (issue 16, part 3): which runs are past their retention time, the archive
 * of a run (read before it passes), the purge of a run's personal data (keeping counts and dates), and one person's
 * data across runs (listed, exported, erased). All of its SQL is here.
 */

/** What a purged or erased name becomes: no person, but a page that shows it still reads. */
export const ERASED_NAME = '(slettet)';
/** What a purged or erased email address becomes (an empty string: the column is NOT NULL). */
export const ERASED_EMAIL = '';

/**
 * Every column that can hold personal data, by migration, and what a purge does to it. The README's section
 * "Personal data and retention" lists the same; the fault test queries each of them after a purge.
 */
export const PERSONAL_DATA_COLUMNS: { table: string; columns: string[]; holds: string; purge: string }[] = [
  { table: 'runs', columns: ['plan'], holds: "the plan's contacts: the coordinator's and the research centre's name and email", purge: 'names (slettet), emails emptied' },
  { table: 'municipalities', columns: ['authority_name', 'authority_email'], holds: "the municipal authority's contact", purge: 'name (slettet), email emptied' },
  { table: 'kindergartens', columns: ['director_name', 'director_email', 'withdrawn_reason'], holds: "the director; the coordinator's reason for a withdrawal", purge: 'name (slettet), email emptied, reason removed' },
  { table: 'events', columns: ['data'], holds: 'SMTP errors that may quote an address', purge: 'person keys removed, addresses replaced' },
  { table: 'email_outbox', columns: ['recipient', 'recipient_id', 'key', 'subject', 'body_text', 'body_html', 'last_error', 'smtp_response'], holds: "the address, the participant's address in its id and key, the text with names and personal links", purge: 'emptied; a participant id keeps only the kindergarten; a key with an address is replaced' },
  { table: 'dev_mailbox', columns: ['rcpt_to', 'mail_from', 'subject', 'raw'], holds: 'every message of the run the development mailbox received', purge: 'rows deleted' },
  { table: 'upload_links', columns: ['version'], holds: "which of a director's personal upload links work (no person, but the links carry the director's access)", purge: 'version 0 for every deliverable: no link issued works any more' },
  { table: 'submissions', columns: ['comment', 'refusal', 'refusal_data'], holds: "the director's comment; a refusal quoting a file name", purge: 'removed' },
  { table: 'submission_files', columns: ['name', 'sha256', 'storage_key'], holds: 'the file names, and the files in UPLOAD_DIR', purge: 'files deleted from UPLOAD_DIR, rows deleted' },
  { table: 'access_keys', columns: ['label'], holds: 'who a key was made for', purge: '(slettet), revoked' },
  { table: 'users', columns: ['email', 'name', 'password_hash'], holds: "the run's recipient accounts (research centre, municipal authorities)", purge: 'anonymised and disabled' },
  { table: 'sessions', columns: ['*'], holds: "those accounts' sessions", purge: 'deleted' },
  { table: 'audit_log', columns: ['actor', 'details'], holds: 'who acted (an email address) and names, emails, reasons, subjects in the details; the sign-ins of the run\'s accounts', purge: 'an address as actor becomes (slettet); person keys removed from the details; the run\'s accounts\' sign-ins too' },
  { table: 'submission_reviews', columns: ['comment', 'reviewed_by'], holds: "the authority's comment and address", purge: 'removed, emptied' },
  { table: 'submission_guidance', columns: ['text', 'files', 'given_by'], holds: "the research centre's guidance text, its files and address", purge: 'text and address emptied, files deleted (UPLOAD_DIR too)' },
  { table: 'group_setups', columns: ['submitted_by', 'file_name'], holds: "who sent the group set-up and the spreadsheet's name", purge: 'emptied, removed' },
  { table: 'group_setup_participants', columns: ['name', 'email'], holds: "the competence package's participants", purge: 'name (slettet), email emptied (role and kindergarten kept)' },
];

/** Keys of an audit entry's or event's details that name or quote a person. */
const PERSON_KEYS = new Set(['name', 'email', 'fromName', 'fromEmail', 'toName', 'toEmail', 'reason', 'comment', 'text', 'subject', 'error', 'by', 'director', 'authority', 'contact', 'participants']);
const ADDRESS = /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g;

/**
 * A details object without what names a person: keys in PERSON_KEYS go (a number under such a key, a count, stays),
 * and any email address left in a string is replaced. Ids, titles, dates and counts stay.
 */
export function redactDetails(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ADDRESS, ERASED_NAME);
  if (Array.isArray(value)) return value.map(redactDetails);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (PERSON_KEYS.has(k) && typeof v !== 'number' && typeof v !== 'boolean' && v !== null) continue;
      out[k] = redactDetails(v);
    }
    return out;
  }
  return value;
}

/** An actor that is an email address (a recipient or the console's coordinator) is a person; `cli:…` and `system` are not. */
export const redactActor = (actor: string): string => (actor.includes('@') ? ERASED_NAME : actor);

export interface RunRetention {
  runId: string;
  county: string;
  schoolYear: number;
  endedAt: number | null;
  months: number;
  /** When the personal data goes (the end plus the months), null while the run has not ended. */
  purgeAt: number | null;
  archivedAt: number | null;
  purgedAt: number | null;
  summary: PurgeSummary | null;
}

/** The counts a purge keeps (in `runs.purge_summary` and the audit entry). */
export interface PurgeSummary {
  kindergartens: number;
  withdrawn: number;
  municipalities: number;
  submissionsAccepted: number;
  submissionsOnTime: number;
  submissionsLate: number;
  submissionsRefused: number;
  files: number;
  fileBytes: number;
  reviews: number;
  guidance: number;
  guidanceFiles: number;
  groupSetups: number;
  participants: number;
  emailsSent: number;
  emailsFailed: number;
  accounts: number;
  devMailboxMessages: number;
}

export interface PurgeResult {
  runId: string;
  alreadyPurged: boolean;
  purgedAt: number;
  summary: PurgeSummary;
}

export interface ArchiveFile {
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  storageKey: string;
}

export interface ArchiveSubmission {
  id: string;
  receiptNumber: string;
  orgnr: string;
  kindergarten: string;
  municipality: string;
  regionId: string;
  deliverableId: string;
  version: number;
  late: boolean;
  receivedAt: number;
  comment: string | null;
  files: ArchiveFile[];
  reviews: { verdict: 'accepted' | 'returned'; comment: string | null; by: string; at: number; dueAt: number | null }[];
  guidance: { text: string; by: string; at: number; files: ArchiveFile[] }[];
}

export interface ArchiveGroupSetup {
  receiptNumber: string;
  municipality: string;
  deliverableId: string;
  version: number;
  late: boolean;
  receivedAt: number;
  by: string;
  source: 'form' | 'file';
  participants: { orgnr: string; kindergarten: string; name: string; email: string; role: string }[];
}

/** One place an email address appears, for `arshjul person show`. */
export interface PersonRole {
  runId: string;
  role: 'director' | 'municipal-authority' | 'participant' | 'coordinator-contact' | 'research-centre-contact' | 'account' | 'group-setup-sender' | 'reviewer' | 'guidance-giver';
  name: string | null;
  /** The kindergarten or municipality the role is about. */
  about: string | null;
  runActive: boolean;
  runPurged: boolean;
}

export interface PersonRecord {
  email: string;
  roles: PersonRole[];
  submissions: { runId: string; receiptNumber: string; orgnr: string; kindergarten: string; deliverableId: string; version: number | null; state: string; late: boolean | null; receivedAt: number; comment: string | null; files: string[] }[];
  emails: { runId: string; template: string; subject: string; state: string; requestedAt: number; sentAt: number | null; text: string }[];
  audit: { runId: string | null; at: number; action: string; actor: string; details: unknown }[];
  accounts: { id: number; role: string; runId: string | null; name: string; createdAt: number; disabledAt: number | null }[];
  drafts: { id: string; createdAt: number }[];
  devMailboxMessages: number;
}

export interface EraseResult {
  /** Rows changed per table. */
  changed: Record<string, number>;
  runs: string[];
}

type Q = Pick<PoolClient, 'query'>;
const ms = (d: Date | null): number | null => (d ? d.getTime() : null);

async function insertAudit(q: Q, entry: { key: string; at: number; actor: string; action: string; runId: string | null; details: Record<string, unknown> }): Promise<void> {
  await q.query('INSERT INTO audit_log (key, at, actor, action, run_id, details) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING', [
    entry.key,
    new Date(entry.at),
    entry.actor,
    entry.action,
    entry.runId,
    JSON.stringify(entry.details),
  ]);
}

/**
 * Redacts the actor and details of the audit entries `where` selects (the trigger allows it inside this transaction
 * only): by default every address as actor and every person key; `onlyAddress` for one person's erasure (the actor
 * only when it is that address, the details of an entry only when they name it).
 */
async function redactAudit(q: Q, where: string, params: unknown[], onlyAddress?: string): Promise<number> {
  await q.query("SET LOCAL arshjul.redacting = 'on'");
  const { rows } = await q.query<{ id: string; actor: string; details: unknown }>(`SELECT id, actor, details FROM audit_log WHERE ${where}`, params);
  let changed = 0;
  for (const r of rows) {
    const actor = onlyAddress === undefined ? redactActor(r.actor) : r.actor.toLowerCase() === onlyAddress ? ERASED_NAME : r.actor;
    const names = onlyAddress === undefined || JSON.stringify(r.details).toLowerCase().includes(onlyAddress);
    const details = names ? redactDetails(r.details) : r.details;
    if (actor === r.actor && JSON.stringify(details) === JSON.stringify(r.details)) continue;
    await q.query('UPDATE audit_log SET actor = $2, details = $3 WHERE id = $1', [r.id, actor, JSON.stringify(details)]);
    changed += 1;
  }
  await q.query("SET LOCAL arshjul.redacting = 'off'");
  return changed;
}

const RETENTION_COLUMNS = `run_id, county, school_year, ended_at, archived_at, purged_at, purge_summary,
  coalesce((plan->'retention'->>'months')::int, $1::int) AS months`;
interface RetentionRow {
  run_id: string;
  county: string;
  school_year: number;
  ended_at: Date | null;
  archived_at: Date | null;
  purged_at: Date | null;
  purge_summary: PurgeSummary | null;
  months: number;
}

/** Adds whole calendar months in UTC, as PostgreSQL's `+ make_interval(months => n)` does. */
export function addMonths(at: number, months: number): number {
  const d = new Date(at);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

function retentionOf(r: RetentionRow): RunRetention {
  const endedAt = ms(r.ended_at);
  return {
    runId: r.run_id,
    county: r.county,
    schoolYear: r.school_year,
    endedAt,
    months: r.months,
    purgeAt: endedAt === null ? null : addMonths(endedAt, r.months),
    archivedAt: ms(r.archived_at),
    purgedAt: ms(r.purged_at),
    summary: r.purge_summary,
  };
}

export class RetentionRepository {
  constructor(private readonly pool: Pick<Pool, 'query' | 'connect'>) {}

  /** A run's retention: when it ended, how many months, when its data goes; null for an unknown run. */
  async retention(runId: string, defaultMonths: number): Promise<RunRetention | null> {
    const { rows } = await this.pool.query<RetentionRow>(`SELECT ${RETENTION_COLUMNS} FROM runs WHERE run_id = $2`, [defaultMonths, runId]);
    return rows[0] ? retentionOf(rows[0]) : null;
  }

  /** The runs that ended, are not purged, and whose retention has passed at `asOf`, oldest end first. */
  async runsPastRetention(asOf: number, defaultMonths: number): Promise<RunRetention[]> {
    const { rows } = await this.pool.query<RetentionRow>(
      `SELECT ${RETENTION_COLUMNS} FROM runs
        WHERE purged_at IS NULL AND ended_at IS NOT NULL
          AND ended_at + make_interval(months => coalesce((plan->'retention'->>'months')::int, $1::int)) <= $2
        ORDER BY ended_at, run_id`,
      [defaultMonths, new Date(asOf)],
    );
    return rows.map(retentionOf);
  }

  /** The storage directories (`objects/<id>`) of a run: one per submission and one per guidance given. */
  async storedObjectIds(runId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id::text AS id FROM submissions WHERE run_id = $1
       UNION SELECT guidance_id::text FROM submission_guidance WHERE run_id = $1
       ORDER BY 1`,
      [runId],
    );
    return rows.map((r) => r.id);
  }

  /** The counts a purge keeps, as they stand now. */
  async counts(runId: string, q: Q = this.pool): Promise<PurgeSummary> {
    const { rows } = await q.query<Record<keyof PurgeSummary, string>>(
      `SELECT
         (SELECT count(*) FROM kindergartens WHERE run_id = $1) AS kindergartens,
         (SELECT count(*) FROM kindergartens WHERE run_id = $1 AND withdrawn_at IS NOT NULL) AS withdrawn,
         (SELECT count(*) FROM municipalities WHERE run_id = $1) AS municipalities,
         (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted') AS "submissionsAccepted",
         (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted' AND late IS NOT TRUE) AS "submissionsOnTime",
         (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted' AND late) AS "submissionsLate",
         (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'refused') AS "submissionsRefused",
         (SELECT count(*) FROM submission_files f JOIN submissions s ON s.id = f.submission_id WHERE s.run_id = $1) AS files,
         (SELECT coalesce(sum(f.size), 0) FROM submission_files f JOIN submissions s ON s.id = f.submission_id WHERE s.run_id = $1) AS "fileBytes",
         (SELECT count(*) FROM submission_reviews WHERE run_id = $1) AS reviews,
         (SELECT count(*) FROM submission_guidance WHERE run_id = $1) AS guidance,
         (SELECT coalesce(sum(jsonb_array_length(files)), 0) FROM submission_guidance WHERE run_id = $1) AS "guidanceFiles",
         (SELECT count(*) FROM group_setups WHERE run_id = $1) AS "groupSetups",
         (SELECT count(*) FROM group_setup_participants p JOIN group_setups g ON g.setup_id = p.setup_id WHERE g.run_id = $1) AS participants,
         (SELECT count(*) FROM email_outbox WHERE run_id = $1 AND state = 'sent') AS "emailsSent",
         (SELECT count(*) FROM email_outbox WHERE run_id = $1 AND state = 'failed') AS "emailsFailed",
         (SELECT count(*) FROM users WHERE run_id = $1) AS accounts,
         (SELECT count(*) FROM dev_mailbox d WHERE d.message_id IN (SELECT message_id FROM email_outbox WHERE run_id = $1)) AS "devMailboxMessages"`,
      [runId],
    );
    const r = rows[0] as Record<keyof PurgeSummary, string>;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as PurgeSummary;
  }

  /**
   * Removes a run's personal data (PERSONAL_DATA_COLUMNS) in one transaction, keeping every row that counts
   * (kindergartens, submissions, reviews, guidance, emails, events) with its dates, stamps `purged_at` and the counts,
   * and writes the audit entry. A run already purged is left as it is (`alreadyPurged`). The files in UPLOAD_DIR are
   * the caller's, before this (see activities/retention-activities.ts).
   */
  async purgeRun(runId: string, input: { at: number; actor: string }): Promise<PurgeResult> {
    return withTransaction(this.pool, async (q) => {
      const { rows } = await q.query<{ purged_at: Date | null; purge_summary: PurgeSummary | null }>('SELECT purged_at, purge_summary FROM runs WHERE run_id = $1 FOR UPDATE', [runId]);
      const run = rows[0];
      if (!run) throw new Error(`no run ${runId}`);
      if (run.purged_at) return { runId, alreadyPurged: true, purgedAt: run.purged_at.getTime(), summary: run.purge_summary as PurgeSummary };
      const summary = await this.counts(runId, q);
      const at = new Date(input.at);
      await q.query(
        `UPDATE runs SET plan = jsonb_set(jsonb_set(plan, '{contacts,coordinator}', jsonb_build_object('name', $2::text, 'email', $3::text)),
                                          '{contacts,researchCentre}', jsonb_build_object('name', $2::text, 'email', $3::text))
          WHERE run_id = $1 AND plan ? 'contacts'`,
        [runId, ERASED_NAME, ERASED_EMAIL],
      );
      await q.query('UPDATE municipalities SET authority_name = $2, authority_email = $3 WHERE run_id = $1', [runId, ERASED_NAME, ERASED_EMAIL]);
      await q.query('UPDATE kindergartens SET director_name = $2, director_email = $3, withdrawn_reason = NULL WHERE run_id = $1', [runId, ERASED_NAME, ERASED_EMAIL]);
      await q.query('DELETE FROM dev_mailbox WHERE message_id IN (SELECT message_id FROM email_outbox WHERE run_id = $1)', [runId]);
      await q.query(
        `UPDATE email_outbox SET recipient = $2, subject = '', body_text = '', body_html = '', last_error = NULL, smtp_response = NULL,
                recipient_id = regexp_replace(recipient_id, '^(participant-[^-]+)-.*$', '\\1'),
                key = CASE WHEN key LIKE '%@%' THEN run_id || '/slettet/' || gen_random_uuid()::text ELSE key END
          WHERE run_id = $1`,
        [runId, ERASED_EMAIL],
      );
      const { rows: events } = await q.query<{ id: string; data: unknown }>("SELECT id, data FROM events WHERE run_id = $1 AND data <> '{}'::jsonb", [runId]);
      for (const e of events) {
        const data = redactDetails(e.data);
        if (JSON.stringify(data) !== JSON.stringify(e.data)) await q.query('UPDATE events SET data = $2 WHERE id = $1', [e.id, JSON.stringify(data)]);
      }
      // Every personal upload link stops working: version 0 is never issued (a link carries 1 or more), and a missing
      // row would count as version 1 again, so every deliverable of every kindergarten gets a row at 0.
      await q.query(
        `INSERT INTO upload_links (run_id, orgnr, deliverable_id, version, issued_at)
         SELECT run_id, orgnr, deliverable_id, 0, $2 FROM deliverable_states WHERE run_id = $1
         ON CONFLICT (run_id, orgnr, deliverable_id) DO UPDATE SET version = 0, issued_at = EXCLUDED.issued_at`,
        [runId, at],
      );
      await q.query("UPDATE submissions SET comment = NULL, refusal = CASE WHEN refusal IS NULL THEN NULL ELSE $2 END, refusal_data = NULL WHERE run_id = $1", [runId, ERASED_NAME]);
      await q.query('DELETE FROM submission_files WHERE submission_id IN (SELECT id FROM submissions WHERE run_id = $1)', [runId]);
      await q.query('UPDATE access_keys SET label = $2, revoked_at = coalesce(revoked_at, $3) WHERE run_id = $1', [runId, ERASED_NAME, at]);
      // A run's recipient account signs in with a password outside any run (its entries have no run): they are its own.
      await redactAudit(q, 'run_id IS NULL AND lower(actor) IN (SELECT lower(email) FROM users WHERE run_id = $1)', [runId]);
      await q.query('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE run_id = $1)', [runId]);
      await q.query(
        `UPDATE users SET email = 'slettet-' || id || '@slettet.invalid', name = $2, password_hash = '!', disabled_at = coalesce(disabled_at, $3) WHERE run_id = $1`,
        [runId, ERASED_NAME, at],
      );
      await q.query('UPDATE submission_reviews SET comment = NULL, reviewed_by = $2 WHERE run_id = $1', [runId, ERASED_EMAIL]);
      await q.query("UPDATE submission_guidance SET text = '', files = '[]'::jsonb, given_by = $2 WHERE run_id = $1", [runId, ERASED_EMAIL]);
      await q.query('UPDATE group_setups SET submitted_by = $2, file_name = NULL WHERE run_id = $1', [runId, ERASED_EMAIL]);
      await q.query(
        'UPDATE group_setup_participants SET name = $2, email = $3 WHERE setup_id IN (SELECT setup_id FROM group_setups WHERE run_id = $1)',
        [runId, ERASED_NAME, ERASED_EMAIL],
      );
      await redactAudit(q, 'run_id = $1', [runId]);
      await q.query('UPDATE runs SET purged_at = $2, purge_summary = $3 WHERE run_id = $1', [runId, at, JSON.stringify(summary)]);
      await insertAudit(q, { key: `${runId}/run-purged`, at: input.at, actor: input.actor, action: 'run-purged', runId, details: { ...summary } });
      return { runId, alreadyPurged: false, purgedAt: input.at, summary };
    });
  }

  /** Notes an archive export (the run's `archived_at` and an audit entry with its counts). */
  async recordArchive(runId: string, input: { at: number; actor: string; submissions: number; files: number; guidance: number; groupSetups: number; bytes: number }): Promise<void> {
    await withTransaction(this.pool, async (q) => {
      await q.query('UPDATE runs SET archived_at = $2 WHERE run_id = $1', [runId, new Date(input.at)]);
      const { actor, at, ...details } = input;
      await insertAudit(q, { key: `${runId}/run-archived/${at}/${randomUUID()}`, at, actor, action: 'run-archived', runId, details });
    });
  }

  /** The run's plan, as stored (titles of deliverables and regions for the archive). */
  async plan(runId: string): Promise<Plan | null> {
    const { rows } = await this.pool.query<{ plan: Plan }>('SELECT plan FROM runs WHERE run_id = $1', [runId]);
    return rows[0]?.plan ?? null;
  }

  /** Every accepted submission of a run with its files, verdicts and guidance, by municipality, kindergarten, deliverable and version. */
  async archiveSubmissions(runId: string): Promise<ArchiveSubmission[]> {
    type FileRow = { name: string; size: number | string; sha256: string; content_type?: string; contentType?: string; storage_key?: string; storageKey?: string };
    const { rows } = await this.pool.query<{
      id: string; receipt_number: string; orgnr: string; kindergarten: string; municipality: string; region_id: string; deliverable_id: string;
      version: number; late: boolean | null; created_at: Date; comment: string | null; files: FileRow[] | null;
      reviews: { verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: string; due_at: string | null }[] | null;
      guidance: { text: string; given_by: string; given_at: string; files: FileRow[] }[] | null;
    }>(
      `SELECT s.id, s.receipt_number, s.orgnr, k.name AS kindergarten, m.name AS municipality, k.region_id, s.deliverable_id, s.version, s.late, s.created_at, s.comment,
              (SELECT json_agg(f ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files,
              (SELECT json_agg(r ORDER BY r.reviewed_at) FROM submission_reviews r WHERE r.run_id = s.run_id AND r.submission_id = s.id::text) AS reviews,
              (SELECT json_agg(g ORDER BY g.given_at) FROM submission_guidance g WHERE g.run_id = s.run_id AND g.submission_id = s.id::text) AS guidance
         FROM submissions s
         JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
         JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
        WHERE s.run_id = $1 AND s.state = 'accepted'
        ORDER BY m.name, k.name, k.orgnr, s.deliverable_id, s.version`,
      [runId],
    );
    const file = (f: FileRow): ArchiveFile => ({ name: f.name, size: Number(f.size), sha256: f.sha256, contentType: f.content_type ?? f.contentType ?? 'application/octet-stream', storageKey: f.storage_key ?? f.storageKey ?? '' });
    return rows.map((r) => ({
      id: r.id,
      receiptNumber: formatReceiptNumber(r.receipt_number),
      orgnr: r.orgnr,
      kindergarten: r.kindergarten,
      municipality: r.municipality,
      regionId: r.region_id,
      deliverableId: r.deliverable_id,
      version: r.version,
      late: Boolean(r.late),
      receivedAt: r.created_at.getTime(),
      comment: r.comment,
      files: (r.files ?? []).map(file),
      reviews: (r.reviews ?? []).map((v) => ({ verdict: v.verdict, comment: v.comment, by: v.reviewed_by, at: Date.parse(v.reviewed_at), dueAt: v.due_at ? Date.parse(v.due_at) : null })),
      guidance: (r.guidance ?? []).map((g) => ({ text: g.text, by: g.given_by, at: Date.parse(g.given_at), files: (g.files ?? []).map(file) })),
    }));
  }

  /** Every version of every municipality's group set-up, with its participants. */
  async archiveGroupSetups(runId: string): Promise<ArchiveGroupSetup[]> {
    const { rows } = await this.pool.query<{
      receipt_number: string; municipality: string; deliverable_id: string; version: number; late: boolean; received_at: Date; submitted_by: string; source: 'form' | 'file';
      participants: { orgnr: string; kindergarten: string | null; name: string; email: string; role: string }[] | null;
    }>(
      `SELECT g.receipt_number, m.name AS municipality, g.deliverable_id, g.version, g.late, g.received_at, g.submitted_by, g.source,
              (SELECT json_agg(json_build_object('orgnr', p.orgnr, 'kindergarten', k.name, 'name', p.name, 'email', p.email, 'role', p.role) ORDER BY p.position)
                 FROM group_setup_participants p LEFT JOIN kindergartens k ON k.run_id = g.run_id AND k.orgnr = p.orgnr
                WHERE p.setup_id = g.setup_id) AS participants
         FROM group_setups g JOIN municipalities m ON m.run_id = g.run_id AND m.municipality_id = g.municipality_id
        WHERE g.run_id = $1
        ORDER BY m.name, g.deliverable_id, g.version`,
      [runId],
    );
    return rows.map((r) => ({
      receiptNumber: `GS-${String(r.receipt_number).padStart(6, '0')}`,
      municipality: r.municipality,
      deliverableId: r.deliverable_id,
      version: r.version,
      late: r.late,
      receivedAt: r.received_at.getTime(),
      by: r.submitted_by,
      source: r.source,
      participants: (r.participants ?? []).map((p) => ({ ...p, kindergarten: p.kindergarten ?? p.orgnr })),
    }));
  }

  /** Everything held about one email address, across every run (case-insensitive). */
  async person(email: string): Promise<PersonRecord> {
    const address = email.trim().toLowerCase();
    const { rows: roles } = await this.pool.query<{ run_id: string; role: PersonRole['role']; name: string | null; about: string | null; active: boolean; purged: boolean }>(
      `WITH found AS (
         SELECT run_id, 'director' AS role, director_name AS name, name || ' (' || orgnr || ')' AS about FROM kindergartens WHERE lower(director_email) = $1
         UNION ALL SELECT run_id, 'municipal-authority', authority_name, name FROM municipalities WHERE lower(authority_email) = $1
         UNION ALL SELECT DISTINCT g.run_id, 'participant', p.name, coalesce(k.name || ' (' || p.orgnr || ')', p.orgnr)
                     FROM group_setup_participants p JOIN group_setups g ON g.setup_id = p.setup_id
                     LEFT JOIN kindergartens k ON k.run_id = g.run_id AND k.orgnr = p.orgnr WHERE lower(p.email) = $1
         UNION ALL SELECT run_id, 'coordinator-contact', plan->'contacts'->'coordinator'->>'name', NULL FROM runs WHERE lower(plan->'contacts'->'coordinator'->>'email') = $1
         UNION ALL SELECT run_id, 'research-centre-contact', plan->'contacts'->'researchCentre'->>'name', NULL FROM runs WHERE lower(plan->'contacts'->'researchCentre'->>'email') = $1
         UNION ALL SELECT DISTINCT g.run_id, 'group-setup-sender', NULL, m.name FROM group_setups g JOIN municipalities m USING (run_id, municipality_id) WHERE lower(g.submitted_by) = $1
         UNION ALL SELECT DISTINCT run_id, 'reviewer', NULL, NULL FROM submission_reviews WHERE lower(reviewed_by) = $1
         UNION ALL SELECT DISTINCT run_id, 'guidance-giver', NULL, NULL FROM submission_guidance WHERE lower(given_by) = $1
       )
       SELECT f.run_id, f.role, f.name, f.about, r.ended_at IS NULL AS active, r.purged_at IS NOT NULL AS purged
         FROM found f JOIN runs r USING (run_id)
        ORDER BY f.run_id, f.role, f.about`,
      [address],
    );
    const { rows: submissions } = await this.pool.query<{ run_id: string; receipt_number: string; orgnr: string; kindergarten: string; deliverable_id: string; version: number | null; state: string; late: boolean | null; created_at: Date; comment: string | null; files: string[] | null }>(
      `SELECT s.run_id, s.receipt_number, s.orgnr, k.name AS kindergarten, s.deliverable_id, s.version, s.state, s.late, s.created_at, s.comment,
              (SELECT array_agg(f.name ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files
         FROM submissions s JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
        WHERE lower(k.director_email) = $1
        ORDER BY s.run_id, s.created_at`,
      [address],
    );
    const { rows: emails } = await this.pool.query<{ run_id: string; template: string; subject: string; state: string; requested_at: Date; sent_at: Date | null; body_text: string }>(
      'SELECT run_id, template, subject, state, requested_at, sent_at, body_text FROM email_outbox WHERE lower(recipient) = $1 ORDER BY requested_at, key',
      [address],
    );
    const { rows: audit } = await this.pool.query<{ run_id: string | null; at: Date; action: string; actor: string; details: unknown }>(
      `SELECT run_id, at, action, actor, details FROM audit_log WHERE lower(actor) = $1 OR position($1 IN lower(details::text)) > 0 ORDER BY at, id`,
      [address],
    );
    const { rows: accounts } = await this.pool.query<{ id: string; role: string; run_id: string | null; name: string; created_at: Date; disabled_at: Date | null }>(
      'SELECT id, role, run_id, name, created_at, disabled_at FROM users WHERE lower(email) = $1 ORDER BY id',
      [address],
    );
    const { rows: drafts } = await this.pool.query<{ id: string; created_at: Date }>(
      'SELECT id, created_at FROM run_drafts WHERE lower(created_by) = $1 OR position($1 IN lower(roster::text)) > 0 OR position($1 IN lower(plan::text)) > 0 ORDER BY created_at',
      [address],
    );
    const { rows: mailbox } = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM dev_mailbox WHERE $1 = ANY (SELECT lower(x) FROM unnest(rcpt_to) x)", [address]);
    return {
      email: address,
      roles: roles.map((r) => ({ runId: r.run_id, role: r.role, name: r.name, about: r.about, runActive: r.active, runPurged: r.purged })),
      submissions: submissions.map((s) => ({ runId: s.run_id, receiptNumber: formatReceiptNumber(s.receipt_number), orgnr: s.orgnr, kindergarten: s.kindergarten, deliverableId: s.deliverable_id, version: s.version, state: s.state, late: s.late, receivedAt: s.created_at.getTime(), comment: s.comment, files: s.files ?? [] })),
      emails: emails.map((e) => ({ runId: e.run_id, template: e.template, subject: e.subject, state: e.state, requestedAt: e.requested_at.getTime(), sentAt: ms(e.sent_at), text: e.body_text })),
      audit: audit.map((a) => ({ runId: a.run_id, at: a.at.getTime(), action: a.action, actor: a.actor, details: a.details })),
      accounts: accounts.map((a) => ({ id: Number(a.id), role: a.role, runId: a.run_id, name: a.name, createdAt: a.created_at.getTime(), disabledAt: ms(a.disabled_at) })),
      drafts: drafts.map((d) => ({ id: d.id, createdAt: d.created_at.getTime() })),
      devMailboxMessages: Number(mailbox[0]?.n ?? 0),
    };
  }

  /** The runs still going (not ended) in which the address has a role: while one does, the address is needed. */
  async activeRunsOf(email: string): Promise<{ runId: string; roles: PersonRole['role'][] }[]> {
    const record = await this.person(email);
    const byRun = new Map<string, Set<PersonRole['role']>>();
    for (const r of record.roles) if (r.runActive) byRun.set(r.runId, (byRun.get(r.runId) ?? new Set()).add(r.role));
    return [...byRun].map(([runId, roles]) => ({ runId, roles: [...roles] }));
  }

  /**
   * Erases one address wherever it is held, in one transaction: names and the address in the roster, the plans'
   * contacts, group set-ups, verdicts, guidance, the outbox (the emails' text too), the development mailbox, console
   * accounts (anonymised, disabled, signed out), drafts that name it, and the audit log's actor and details. The
   * erasure's own entry names no one. The caller checks first that no active run needs the address.
   */
  async erasePerson(email: string, input: { at: number; actor: string }): Promise<EraseResult> {
    const address = email.trim().toLowerCase();
    return withTransaction(this.pool, async (q) => {
      const changed: Record<string, number> = {};
      const run = async (label: string, sql: string, params: unknown[]) => {
        const r = await q.query(sql, params);
        changed[label] = (changed[label] ?? 0) + (r.rowCount ?? 0);
      };
      const { rows: runRows } = await q.query<{ run_id: string }>(
        `SELECT run_id FROM kindergartens WHERE lower(director_email) = $1 UNION SELECT run_id FROM municipalities WHERE lower(authority_email) = $1
         UNION SELECT g.run_id FROM group_setup_participants p JOIN group_setups g USING (setup_id) WHERE lower(p.email) = $1
         UNION SELECT run_id FROM email_outbox WHERE lower(recipient) = $1 ORDER BY 1`,
        [address],
      );
      await run('kindergartens', 'UPDATE kindergartens SET director_name = $2, director_email = $3 WHERE lower(director_email) = $1', [address, ERASED_NAME, ERASED_EMAIL]);
      await run('municipalities', 'UPDATE municipalities SET authority_name = $2, authority_email = $3 WHERE lower(authority_email) = $1', [address, ERASED_NAME, ERASED_EMAIL]);
      for (const who of ['coordinator', 'researchCentre']) {
        await run('runs', `UPDATE runs SET plan = jsonb_set(plan, '{contacts,${who}}', jsonb_build_object('name', $2::text, 'email', $3::text)) WHERE lower(plan->'contacts'->'${who}'->>'email') = $1`, [address, ERASED_NAME, ERASED_EMAIL]);
      }
      await run('group_setup_participants', 'UPDATE group_setup_participants SET name = $2, email = $3 WHERE lower(email) = $1', [address, ERASED_NAME, ERASED_EMAIL]);
      await run('group_setups', 'UPDATE group_setups SET submitted_by = $2 WHERE lower(submitted_by) = $1', [address, ERASED_EMAIL]);
      await run('submission_reviews', 'UPDATE submission_reviews SET reviewed_by = $2 WHERE lower(reviewed_by) = $1', [address, ERASED_EMAIL]);
      await run('submission_guidance', 'UPDATE submission_guidance SET given_by = $2 WHERE lower(given_by) = $1', [address, ERASED_EMAIL]);
      // The development mailbox: messages to the address, and the messages of every outbox row that names it (a group
      // set-up's receipt to the authority lists its participants), matched by Message-ID before the outbox is blanked.
      await run(
        'dev_mailbox',
        `DELETE FROM dev_mailbox WHERE $1 = ANY (SELECT lower(x) FROM unnest(rcpt_to) x)
            OR message_id IN (SELECT message_id FROM email_outbox WHERE lower(recipient) = $1 OR position($1 IN lower(body_text)) > 0 OR position($1 IN lower(key)) > 0)`,
        [address],
      );
      await run(
        'email_outbox',
        `UPDATE email_outbox SET recipient = CASE WHEN lower(recipient) = $1 THEN $2 ELSE recipient END,
                subject = '', body_text = '', body_html = '', last_error = NULL, smtp_response = NULL,
                recipient_id = CASE WHEN lower(recipient) = $1 THEN regexp_replace(recipient_id, '^(participant-[^-]+)-.*$', '\\1') ELSE recipient_id END,
                key = CASE WHEN position($1 IN lower(key)) > 0 THEN run_id || '/slettet/' || gen_random_uuid()::text ELSE key END
          WHERE lower(recipient) = $1 OR position($1 IN lower(body_text)) > 0 OR position($1 IN lower(key)) > 0`,
        [address, ERASED_EMAIL],
      );
      await run('sessions', 'DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE lower(email) = $1)', [address]);
      await run('users', `UPDATE users SET email = 'slettet-' || id || '@slettet.invalid', name = $2, password_hash = '!', disabled_at = coalesce(disabled_at, $3) WHERE lower(email) = $1`, [address, ERASED_NAME, new Date(input.at)]);
      await run('run_drafts', 'DELETE FROM run_drafts WHERE lower(created_by) = $1 OR position($1 IN lower(roster::text)) > 0 OR position($1 IN lower(plan::text)) > 0', [address]);
      const { rows: events } = await q.query<{ id: string; data: unknown }>('SELECT id, data FROM events WHERE position($1 IN lower(data::text)) > 0', [address]);
      for (const e of events) await q.query('UPDATE events SET data = $2 WHERE id = $1', [e.id, JSON.stringify(redactDetails(e.data))]);
      changed.events = events.length;
      changed.audit_log = await redactAudit(q, 'lower(actor) = $1 OR position($1 IN lower(details::text)) > 0', [address], address);
      const runs = runRows.map((r) => r.run_id);
      // The entry says what was done and where, without the address it erased.
      await insertAudit(q, { key: `person-erased/${input.at}/${randomUUID()}`, at: input.at, actor: input.actor, action: 'person-erased', runId: null, details: { runs, changed } });
      return { changed, runs };
    });
  }

  /** Notes that one person's data was exported (an audit entry without the address). */
  async recordPersonExport(input: { at: number; actor: string; runs: string[]; format: 'json' | 'zip' }): Promise<void> {
    await insertAudit(this.pool, { key: `person-exported/${input.at}/${randomUUID()}`, at: input.at, actor: input.actor, action: 'person-exported', runId: null, details: { runs: input.runs, format: input.format } });
  }
}
