import { type Language, languageOf } from '../../texts/language';
import { type DirectorRefusal, isDirectorRefusal } from '../../texts/refusals';
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from './transaction';

/** One file of a submission, as stored. */
export interface StoredFile {
  position: number;
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  storageKey: string;
}

export type SubmissionState = 'stored' | 'accepted' | 'refused';

export interface Submission {
  id: string;
  receiptNumber: string;
  runId: string;
  orgnr: string;
  deliverableId: string;
  linkVersion: number;
  state: SubmissionState;
  comment: string | null;
  /** Why it was refused, in bokmål as worded when it was refused (the coordinator's console, the API, older rows). */
  refusal: string | null;
  /**
   * The refusal as data, when it is one a director can meet (issue 15): the director's pages word it in the page's
   * written standard. Null for rows refused before it was kept.
   */
  refusalData: DirectorRefusal | null;
  version: number | null;
  late: boolean | null;
  /**
   * When the API had received the files and stored the submission (the row's time): on time and late are judged by
   * it, and the receipt shows it.
   */
  receivedAt: number;
  decidedAt: number | null;
  files: StoredFile[];
  /** The municipal authority's verdicts on this version, oldest first (release 1.1.0). */
  reviews: { verdict: 'accepted' | 'returned'; comment: string | null; at: number; dueAt: number | null }[];
}

/** What the upload page shows about a kindergarten's deliverable (from the read model, not from Temporal). */
export interface LinkTarget {
  kindergartenName: string;
  municipalityName: string;
  withdrawn: boolean;
  linkVersion: number;
  deliverable: { id: string; title: string; recipient: string };
  status: string;
  dueAt: number;
  lateUntil: number;
  coordinator: { name: string; email: string };
  programme: string;
  /** The written standard of the kindergarten's municipality (nynorsk, issue 15). */
  language: Language;
}

/** Who holds an access key: the run and the part of it they may read. */
export interface AccessScope {
  keyId: number;
  runId: string;
  role: 'research-centre' | 'municipal-authority' | 'coordinator';
  municipalityId: string | null;
  label: string;
}

export type NewSubmission = Omit<Submission, 'receiptNumber' | 'state' | 'refusal' | 'refusalData' | 'version' | 'late' | 'receivedAt' | 'decidedAt' | 'reviews'>;

/** Receipt numbers are the submission's serial, zero-padded: short enough to read over the phone. */
export function formatReceiptNumber(serial: number | string): string {
  return `AH-${String(serial).padStart(6, '0')}`;
}

interface SubmissionRow {
  id: string;
  receipt_number: string;
  run_id: string;
  orgnr: string;
  deliverable_id: string;
  link_version: number;
  state: SubmissionState;
  comment: string | null;
  refusal: string | null;
  refusal_data: unknown;
  version: number | null;
  late: boolean | null;
  created_at: Date;
  decided_at: Date | null;
  files: { position: number; name: string; size: string | number; sha256: string; content_type: string; storage_key: string }[] | null;
  reviews: { verdict: 'accepted' | 'returned'; comment: string | null; reviewed_at: string; due_at: string | null }[] | null;
}

const SELECT_SUBMISSION = `
  SELECT s.*, (SELECT json_agg(f ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files,
    (SELECT json_agg(json_build_object('verdict', r.verdict, 'comment', r.comment, 'reviewed_at', r.reviewed_at, 'due_at', r.due_at) ORDER BY r.reviewed_at)
       FROM submission_reviews r WHERE r.run_id = s.run_id AND r.submission_id = s.id::text) AS reviews
  FROM submissions s`;

function toSubmission(r: SubmissionRow): Submission {
  return {
    id: r.id,
    receiptNumber: formatReceiptNumber(r.receipt_number),
    runId: r.run_id,
    orgnr: r.orgnr,
    deliverableId: r.deliverable_id,
    linkVersion: r.link_version,
    state: r.state,
    comment: r.comment,
    refusal: r.refusal,
    refusalData: isDirectorRefusal(r.refusal_data) ? r.refusal_data : null,
    version: r.version,
    late: r.late,
    receivedAt: r.created_at.getTime(),
    decidedAt: r.decided_at?.getTime() ?? null,
    files: (r.files ?? []).map((f) => ({ position: f.position, name: f.name, size: Number(f.size), sha256: f.sha256, contentType: f.content_type, storageKey: f.storage_key })),
    reviews: (r.reviews ?? []).map((v) => ({ verdict: v.verdict, comment: v.comment, at: new Date(v.reviewed_at).getTime(), dueAt: v.due_at === null ? null : new Date(v.due_at).getTime() })),
  };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Submissions, their files and the recipients' access keys: the upload side's SQL. */
export class SubmissionRepository {
  constructor(private readonly pool: Pick<Pool, 'query' | 'connect'>) {}

  /** The kindergarten and deliverable a link points at, or null when the run, kindergarten or deliverable is unknown. */
  async linkTarget(runId: string, orgnr: string, deliverableId: string): Promise<LinkTarget | null> {
    const { rows } = await this.pool.query<{
      kindergarten_name: string;
      municipality_name: string;
      withdrawn_at: Date | null;
      link_version: number | null;
      deliverable: { id: string; title: string; recipient: string } | null;
      status: string | null;
      due_at: Date | null;
      late_until: Date | null;
      coordinator: { name: string; email: string };
      programme: string;
      language: string;
    }>(
      `SELECT k.name AS kindergarten_name, m.name AS municipality_name, m.language, k.withdrawn_at,
              (SELECT version FROM upload_links l WHERE l.run_id = k.run_id AND l.orgnr = k.orgnr AND l.deliverable_id = $3) AS link_version,
              (SELECT d FROM jsonb_array_elements(r.plan->'deliverables') d WHERE d->>'id' = $3) AS deliverable,
              ds.status, ds.due_at, ds.late_until, r.plan->'contacts'->'coordinator' AS coordinator, r.plan->>'programme' AS programme
       FROM kindergartens k
       JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
       JOIN runs r ON r.run_id = k.run_id
       LEFT JOIN deliverable_states ds ON ds.run_id = k.run_id AND ds.orgnr = k.orgnr AND ds.deliverable_id = $3
       WHERE k.run_id = $1 AND k.orgnr = $2`,
      [runId, orgnr, deliverableId],
    );
    const r = rows[0];
    if (!r || !r.deliverable || !r.due_at || !r.late_until) return null;
    return {
      kindergartenName: r.kindergarten_name,
      municipalityName: r.municipality_name,
      withdrawn: r.withdrawn_at !== null,
      linkVersion: r.link_version ?? 1,
      deliverable: { id: r.deliverable.id, title: r.deliverable.title, recipient: r.deliverable.recipient },
      status: r.status ?? 'not-open',
      dueAt: r.due_at.getTime(),
      lateUntil: r.late_until.getTime(),
      coordinator: r.coordinator,
      programme: r.programme,
      language: languageOf(r.language),
    };
  }

  /**
   * Stores a submission and its files in one transaction, in state 'stored'. Storing the same id again is a no-op that
   * returns what was stored first (a retried form post).
   */
  async createStored(s: NewSubmission): Promise<Submission> {
    await withTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO submissions (id, run_id, orgnr, deliverable_id, link_version, state, comment)
         VALUES ($1, $2, $3, $4, $5, 'stored', $6) ON CONFLICT (id) DO NOTHING`,
        [s.id, s.runId, s.orgnr, s.deliverableId, s.linkVersion, s.comment],
      );
      if (inserted.rowCount) {
        for (const f of s.files) {
          await client.query(
            'INSERT INTO submission_files (submission_id, position, name, size, sha256, content_type, storage_key) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [s.id, f.position, f.name, f.size, f.sha256, f.contentType, f.storageKey],
          );
        }
      }
    });
    const stored = await this.get(s.id);
    if (!stored) throw new Error(`submission ${s.id} vanished after it was stored`);
    return stored;
  }

  async get(id: string): Promise<Submission | null> {
    const { rows } = await this.pool.query<SubmissionRow>(`${SELECT_SUBMISSION} WHERE s.id = $1`, [id]);
    return rows[0] ? toSubmission(rows[0]) : null;
  }

  async markAccepted(id: string, result: { version: number; late: boolean; at: number }): Promise<void> {
    await this.pool.query(
      `UPDATE submissions SET state = 'accepted', version = $2, late = $3, decided_at = $4, refusal = NULL, refusal_data = NULL WHERE id = $1`,
      [id, result.version, result.late, new Date(result.at)],
    );
  }

  /**
   * Marks a stored submission refused; the files stay, so the coordinator can see what was sent and why it was refused.
   * `reason` is the bokmål text; `data` the refusal itself, which the director's pages word in their standard.
   */
  async markRefused(id: string, reason: string, at: number, data: DirectorRefusal | null = null): Promise<void> {
    await this.pool.query(
      `UPDATE submissions SET state = 'refused', refusal = $2, decided_at = $3, refusal_data = $4::jsonb WHERE id = $1 AND state <> 'accepted'`,
      [id, reason, new Date(at), data === null ? null : JSON.stringify(data)],
    );
  }

  /** Every submission of one kindergarten's deliverable, oldest first. */
  async listFor(runId: string, orgnr: string, deliverableId: string): Promise<Submission[]> {
    const { rows } = await this.pool.query<SubmissionRow>(
      `${SELECT_SUBMISSION} WHERE s.run_id = $1 AND s.orgnr = $2 AND s.deliverable_id = $3 ORDER BY s.created_at, s.receipt_number`,
      [runId, orgnr, deliverableId],
    );
    return rows.map(toSubmission);
  }

  /** The research centre's guidance on one kindergarten's deliverable, oldest first (release 1.2.0), for the director's page. */
  async guidanceFor(runId: string, orgnr: string, deliverableId: string): Promise<{ guidanceId: string; version: number; text: string; at: number; files: { name: string; size: number; contentType: string; storageKey: string }[] }[]> {
    const { rows } = await this.pool.query<{ guidance_id: string; version: number; text: string; given_at: Date; files: { name: string; size: number; contentType: string; storageKey: string }[] }>(
      'SELECT guidance_id, version, text, given_at, files FROM submission_guidance WHERE run_id = $1 AND orgnr = $2 AND deliverable_id = $3 ORDER BY given_at, guidance_id',
      [runId, orgnr, deliverableId],
    );
    return rows.map((r) => ({ guidanceId: r.guidance_id, version: r.version, text: r.text, at: r.given_at.getTime(), files: r.files }));
  }

  /** Which of these submission or guidance ids have a row (the rest are files nobody was ever given a receipt for). */
  async existingIds(ids: string[]): Promise<Set<string>> {
    // The research centre's guidance files are stored the same way, under the guidance id (release 1.2.0).
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id::text AS id FROM submissions WHERE id = ANY($1::uuid[]) UNION SELECT guidance_id::text FROM submission_guidance WHERE guidance_id = ANY($1::uuid[])',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Submissions still waiting for the workflow's answer (Temporal was unreachable when they were stored). */
  async listUndecided(olderThanMs: number, limit = 100): Promise<Submission[]> {
    const { rows } = await this.pool.query<SubmissionRow>(
      `${SELECT_SUBMISSION} WHERE s.state = 'stored' AND s.created_at < now() - make_interval(secs => $1) ORDER BY s.created_at LIMIT $2`,
      [olderThanMs / 1000, limit],
    );
    return rows.map(toSubmission);
  }

  /** Creates an access key for a recipient; the key is returned once and only its hash is kept. */
  async createAccessKey(input: { runId: string; role: AccessScope['role']; municipalityId: string | null; label: string }): Promise<{ key: string; id: number }> {
    const key = `ak_${randomBytes(24).toString('base64url')}`;
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO access_keys (key_sha256, run_id, role, municipality_id, label) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [sha256(key), input.runId, input.role, input.municipalityId, input.label],
    );
    return { key, id: Number(rows[0]?.id) };
  }

  async findAccess(key: string): Promise<AccessScope | null> {
    const { rows } = await this.pool.query<{ id: string; run_id: string; role: AccessScope['role']; municipality_id: string | null; label: string }>(
      'SELECT id, run_id, role, municipality_id, label FROM access_keys WHERE key_sha256 = $1 AND revoked_at IS NULL',
      [sha256(key)],
    );
    const r = rows[0];
    return r ? { keyId: Number(r.id), runId: r.run_id, role: r.role, municipalityId: r.municipality_id, label: r.label } : null;
  }

  /**
   * Accepted submissions the scope may read: the coordinator all of its run, the research centre the deliverables
   * addressed to it, a municipal authority the deliverables addressed to authorities from its own kindergartens.
   */
  async listVisible(scope: AccessScope, filter: { id?: string; deliverableId?: string; orgnr?: string } = {}): Promise<(Submission & { kindergartenName: string })[]> {
    const { rows } = await this.pool.query<SubmissionRow & { kindergarten_name: string }>(
      `SELECT s.*, k.name AS kindergarten_name,
              (SELECT json_agg(f ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files
       FROM submissions s
       JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
       JOIN runs r ON r.run_id = s.run_id
       WHERE s.run_id = $1 AND s.state = 'accepted'
         AND ($2::uuid IS NULL OR s.id = $2::uuid)
         AND ($3::text IS NULL OR s.deliverable_id = $3)
         AND ($4::text IS NULL OR s.orgnr = $4)
         AND ($5 = 'coordinator'
              OR ($5 = 'research-centre' AND (SELECT d->>'recipient' FROM jsonb_array_elements(r.plan->'deliverables') d WHERE d->>'id' = s.deliverable_id) = 'research-centre')
              OR ($5 = 'municipal-authority' AND k.municipality_id = $6
                  AND (SELECT d->>'recipient' FROM jsonb_array_elements(r.plan->'deliverables') d WHERE d->>'id' = s.deliverable_id) = 'municipal-authority'))
       ORDER BY s.receipt_number`,
      [scope.runId, filter.id ?? null, filter.deliverableId ?? null, filter.orgnr ?? null, scope.role, scope.municipalityId],
    );
    return rows.map((r) => ({ ...toSubmission(r), kindergartenName: r.kindergarten_name }));
  }
}
