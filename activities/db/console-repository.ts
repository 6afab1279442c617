import type { Pool } from 'pg';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { formatReceiptNumber } from './submission-repository';
import { type Language, languageOf } from '../../texts/language';

/**
 * The console's read model: everything the coordinator's pages show comes from PostgreSQL in a handful of queries
 * per page (the workflows keep these tables current through their activities), never from per-kindergarten
 * Temporal queries.
 */
export interface RunSummary {
  runId: string;
  countyName: string;
  programme: string;
  schoolYear: number;
  createdAt: number;
  kindergartens: number;
  withdrawn: number;
  /** What needs attention: deliverables overdue, emails that did not get through, uploads refused. */
  overdue: number;
  failedEmails: number;
  refused: number;
  /** When the run's personal data was removed after its retention time (issue 16); null while it is kept. */
  purgedAt: number | null;
}

export interface MatrixRow {
  orgnr: string;
  name: string;
  municipalityId: string;
  municipalityName: string;
  regionId: string;
  groupId: string;
  withdrawn: boolean;
  cells: Record<string, { status: string; dueAt: number; lateUntil: number }>;
}

/** A kindergarten's deliverable as its recipient sees it, with the accepted version in force. */
export interface ReceivedRow {
  orgnr: string;
  name: string;
  municipality: string;
  regionId: string;
  deliverableId: string;
  status: string;
  dueAt: number;
  submission: { id: string; receiptNumber: string; version: number | null; late: boolean; receivedAt: number; files: { position: number; name: string; size: number }[] } | null;
  /** The authority's latest verdict on this kindergarten's deliverable (release 1.1.0), if any. */
  review: ReviewLine | null;
}

/** One verdict of the municipal authority on a submission, as the console shows it. */
export interface ReviewLine {
  submissionId: string;
  version: number;
  verdict: 'accepted' | 'returned';
  comment: string | null;
  by: string;
  at: number;
  dueAt: number | null;
}

export interface MatrixFilter {
  regionId?: string | undefined;
  municipalityId?: string | undefined;
  status?: string | undefined;
  deliverableId?: string | undefined;
}

export interface AttentionItem {
  kind: 'overdue' | 'email-failed' | 'refused';
  orgnr: string | null;
  name: string | null;
  what: string;
  at: number;
  detail: string | null;
}

export interface KindergartenDetail {
  orgnr: string;
  name: string;
  municipalityId: string;
  municipalityName: string;
  regionId: string;
  groupId: string;
  directorName: string;
  directorEmail: string;
  authorityName: string;
  authorityEmail: string;
  withdrawn: { at: number; reason: string } | null;
  deliverables: { deliverableId: string; status: string; dueAt: number; lateUntil: number; updatedAt: number }[];
  emails: { template: string; to: string; subject: string; state: string; requestedAt: number; sentAt: number | null; lastError: string | null }[];
  submissions: { id: string; receiptNumber: string; deliverableId: string; state: string; version: number | null; late: boolean | null; receivedAt: number; refusal: string | null; files: { position: number; name: string; size: number; sha256: string }[]; reviews: ReviewLine[] }[];
}

function filterSql(filter: MatrixFilter, first: number): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    parts.push(clause.replace('?', `$${first + values.length - 1}`));
  };
  if (filter.regionId) add('k.region_id = ?', filter.regionId);
  if (filter.municipalityId) add('k.municipality_id = ?', filter.municipalityId);
  if (filter.status) {
    if (filter.deliverableId) {
      values.push(filter.status, filter.deliverableId);
      parts.push(`EXISTS (SELECT 1 FROM deliverable_states f WHERE f.run_id = k.run_id AND f.orgnr = k.orgnr AND f.status = $${first + values.length - 2} AND f.deliverable_id = $${first + values.length - 1})`);
    } else add('EXISTS (SELECT 1 FROM deliverable_states f WHERE f.run_id = k.run_id AND f.orgnr = k.orgnr AND f.status = ?)', filter.status);
  }
  return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', values };
}

export class ConsoleRepository {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async listRuns(runId: string | null = null): Promise<RunSummary[]> {
    const { rows } = await this.pool.query<{ run_id: string; county_name: string; programme: string; school_year: number; created_at: Date; kindergartens: string; withdrawn: string; overdue: string; failed: string; refused: string; purged_at: Date | null }>(
      `SELECT r.run_id, r.plan->>'countyName' AS county_name, r.plan->>'programme' AS programme, r.school_year, r.created_at, r.purged_at,
              (SELECT count(*) FROM kindergartens k WHERE k.run_id = r.run_id) AS kindergartens,
              (SELECT count(*) FROM kindergartens k WHERE k.run_id = r.run_id AND k.withdrawn_at IS NOT NULL) AS withdrawn,
              (SELECT count(*) FROM deliverable_states d JOIN kindergartens k ON k.run_id = d.run_id AND k.orgnr = d.orgnr
                WHERE d.run_id = r.run_id AND d.status = 'overdue' AND k.withdrawn_at IS NULL) AS overdue,
              (SELECT count(*) FROM email_outbox e WHERE e.run_id = r.run_id AND e.state = 'failed') AS failed,
              (SELECT count(*) FROM submissions s WHERE s.run_id = r.run_id AND s.state = 'refused') AS refused
       FROM runs r WHERE ($1::text IS NULL OR r.run_id = $1) ORDER BY r.school_year DESC, r.run_id`,
      [runId],
    );
    return rows.map((r) => ({ runId: r.run_id, countyName: r.county_name, programme: r.programme, schoolYear: r.school_year, createdAt: r.created_at.getTime(), kindergartens: Number(r.kindergartens), withdrawn: Number(r.withdrawn), overdue: Number(r.overdue), failedEmails: Number(r.failed), refused: Number(r.refused), purgedAt: r.purged_at ? r.purged_at.getTime() : null }));
  }

  async plan(runId: string): Promise<Plan | null> {
    const { rows } = await this.pool.query<{ plan: Plan }>('SELECT plan FROM runs WHERE run_id = $1', [runId]);
    return rows[0]?.plan ?? null;
  }

  /** The run's municipalities, each with its written standard (nynorsk, issue 15: an authority's pages are in it). */
  async municipalities(runId: string): Promise<{ id: string; name: string; regionId: string; language: Language }[]> {
    const { rows } = await this.pool.query<{ municipality_id: string; name: string; region_id: string; language: string }>('SELECT municipality_id, name, region_id, language FROM municipalities WHERE run_id = $1 ORDER BY name', [runId]);
    return rows.map((r) => ({ id: r.municipality_id, name: r.name, regionId: r.region_id, language: languageOf(r.language) }));
  }

  /** Counts per deliverable and status over the filtered kindergartens. */
  async counts(runId: string, filter: MatrixFilter = {}): Promise<{ deliverableId: string; status: string; count: number }[]> {
    const f = filterSql({ ...filter, status: undefined }, 2);
    const { rows } = await this.pool.query<{ deliverable_id: string; status: string; n: string }>(
      `SELECT d.deliverable_id, CASE WHEN k.withdrawn_at IS NOT NULL THEN 'withdrawn' ELSE d.status END AS status, count(*) AS n
       FROM deliverable_states d JOIN kindergartens k ON k.run_id = d.run_id AND k.orgnr = d.orgnr
       WHERE d.run_id = $1${f.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
      [runId, ...f.values],
    );
    return rows.map((r) => ({ deliverableId: r.deliverable_id, status: r.status, count: Number(r.n) }));
  }

  /** One page of the kindergartens × deliverables matrix, with the total matching the filter. */
  async matrix(runId: string, filter: MatrixFilter, page: { offset: number; limit: number }): Promise<{ total: number; rows: MatrixRow[] }> {
    const f = filterSql(filter, 2);
    const { rows } = await this.pool.query<{
      orgnr: string; name: string; municipality_id: string; municipality_name: string; region_id: string; group_id: string; withdrawn_at: Date | null;
      cells: { d: string; s: string; due: string; late: string }[] | null; total: string;
    }>(
      `SELECT k.orgnr, k.name, k.municipality_id, m.name AS municipality_name, k.region_id, k.group_id, k.withdrawn_at,
              (SELECT json_agg(json_build_object('d', d.deliverable_id, 's', d.status, 'due', d.due_at, 'late', d.late_until))
                 FROM deliverable_states d WHERE d.run_id = k.run_id AND d.orgnr = k.orgnr) AS cells,
              count(*) OVER () AS total
       FROM kindergartens k JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
       WHERE k.run_id = $1${f.sql}
       ORDER BY k.region_id, m.name, k.name, k.orgnr
       OFFSET $${f.values.length + 2} LIMIT $${f.values.length + 3}`,
      [runId, ...f.values, page.offset, page.limit],
    );
    const total = rows[0] ? Number(rows[0].total) : page.offset > 0 ? (await this.matrix(runId, filter, { offset: 0, limit: 1 })).total : 0;
    return {
      total,
      rows: rows.map((r) => ({
        orgnr: r.orgnr,
        name: r.name,
        municipalityId: r.municipality_id,
        municipalityName: r.municipality_name,
        regionId: r.region_id,
        groupId: r.group_id,
        withdrawn: r.withdrawn_at !== null,
        cells: Object.fromEntries((r.cells ?? []).map((c) => [c.d, { status: r.withdrawn_at ? 'withdrawn' : c.s, dueAt: Date.parse(c.due), lateUntil: Date.parse(c.late) }])),
      })),
    };
  }

  /** What needs the coordinator: overdue deliverables, failed emails, refused submissions (newest first, capped). */
  async attention(runId: string, limit = 50): Promise<AttentionItem[]> {
    const { rows } = await this.pool.query<{ kind: AttentionItem['kind']; orgnr: string | null; name: string | null; what: string; at: Date; detail: string | null }>(
      `(SELECT 'overdue' AS kind, d.orgnr, k.name, d.deliverable_id AS what, d.due_at AS at, d.status AS detail
          FROM deliverable_states d JOIN kindergartens k ON k.run_id = d.run_id AND k.orgnr = d.orgnr
         WHERE d.run_id = $1 AND d.status IN ('overdue', 'missed') AND k.withdrawn_at IS NULL ORDER BY d.due_at DESC LIMIT $2)
       UNION ALL
       (SELECT 'email-failed', e.meta->>'orgnr', k.name, e.template, coalesce(e.sent_at, e.requested_at), e.last_error
          FROM email_outbox e LEFT JOIN kindergartens k ON k.run_id = e.run_id AND k.orgnr = e.meta->>'orgnr'
         WHERE e.run_id = $1 AND e.state = 'failed' ORDER BY e.requested_at DESC LIMIT $2)
       UNION ALL
       (SELECT 'refused', s.orgnr, k.name, s.deliverable_id, coalesce(s.decided_at, s.created_at), s.refusal
          FROM submissions s JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
         WHERE s.run_id = $1 AND s.state = 'refused' ORDER BY s.created_at DESC LIMIT $2)`,
      [runId, limit],
    );
    return rows.map((r) => ({ kind: r.kind, orgnr: r.orgnr, name: r.name, what: r.what, at: r.at.getTime(), detail: r.detail }));
  }

  async kindergarten(runId: string, orgnr: string): Promise<KindergartenDetail | null> {
    const { rows } = await this.pool.query<{
      orgnr: string; name: string; municipality_id: string; municipality_name: string; region_id: string; group_id: string;
      director_name: string; director_email: string; authority_name: string; authority_email: string; withdrawn_at: Date | null; withdrawn_reason: string | null;
    }>(
      `SELECT k.orgnr, k.name, k.municipality_id, m.name AS municipality_name, k.region_id, k.group_id, k.director_name, k.director_email, m.authority_name, m.authority_email, k.withdrawn_at, k.withdrawn_reason
       FROM kindergartens k JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id WHERE k.run_id = $1 AND k.orgnr = $2`,
      [runId, orgnr],
    );
    const k = rows[0];
    if (!k) return null;
    const [deliverables, emails, submissions] = await Promise.all([
      this.pool.query<{ deliverable_id: string; status: string; due_at: Date; late_until: Date; updated_at: Date }>(
        'SELECT deliverable_id, status, due_at, late_until, updated_at FROM deliverable_states WHERE run_id = $1 AND orgnr = $2 ORDER BY due_at',
        [runId, orgnr],
      ),
      this.pool.query<{ template: string; recipient: string; subject: string; state: string; requested_at: Date; sent_at: Date | null; last_error: string | null }>(
        `SELECT template, recipient, subject, state, requested_at, sent_at, last_error FROM email_outbox WHERE run_id = $1 AND meta->>'orgnr' = $2 ORDER BY requested_at, key`,
        [runId, orgnr],
      ),
      this.pool.query<{
        id: string; receipt_number: string; deliverable_id: string; state: string; version: number | null; late: boolean | null; created_at: Date; refusal: string | null;
        files: { position: number; name: string; size: string; sha256: string }[] | null;
        reviews: { submission_id: string; version: number; verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: string; due_at: string | null }[] | null;
      }>(
        `SELECT s.id, s.receipt_number, s.deliverable_id, s.state, s.version, s.late, s.created_at, s.refusal,
                (SELECT json_agg(json_build_object('position', f.position, 'name', f.name, 'size', f.size, 'sha256', f.sha256) ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files,
                (SELECT json_agg(json_build_object('submission_id', r.submission_id, 'version', r.version, 'verdict', r.verdict, 'comment', r.comment, 'reviewed_by', r.reviewed_by, 'reviewed_at', r.reviewed_at, 'due_at', r.due_at) ORDER BY r.reviewed_at)
                   FROM submission_reviews r WHERE r.run_id = s.run_id AND r.submission_id = s.id::text) AS reviews
         FROM submissions s WHERE s.run_id = $1 AND s.orgnr = $2 ORDER BY s.created_at`,
        [runId, orgnr],
      ),
    ]);
    return {
      orgnr: k.orgnr,
      name: k.name,
      municipalityId: k.municipality_id,
      municipalityName: k.municipality_name,
      regionId: k.region_id,
      groupId: k.group_id,
      directorName: k.director_name,
      directorEmail: k.director_email,
      authorityName: k.authority_name,
      authorityEmail: k.authority_email,
      withdrawn: k.withdrawn_at ? { at: k.withdrawn_at.getTime(), reason: k.withdrawn_reason ?? '' } : null,
      deliverables: deliverables.rows.map((d) => ({ deliverableId: d.deliverable_id, status: d.status, dueAt: d.due_at.getTime(), lateUntil: d.late_until.getTime(), updatedAt: d.updated_at.getTime() })),
      emails: emails.rows.map((e) => ({ template: e.template, to: e.recipient, subject: e.subject, state: e.state, requestedAt: e.requested_at.getTime(), sentAt: e.sent_at?.getTime() ?? null, lastError: e.last_error })),
      submissions: submissions.rows.map((s) => ({
        id: s.id,
        receiptNumber: formatReceiptNumber(s.receipt_number),
        deliverableId: s.deliverable_id,
        state: s.state,
        version: s.version,
        late: s.late,
        receivedAt: s.created_at.getTime(),
        refusal: s.refusal,
        files: (s.files ?? []).map((f) => ({ position: f.position, name: f.name, size: Number(f.size), sha256: f.sha256 })),
        reviews: (s.reviews ?? []).map(reviewLine),
      })),
    };
  }

  /**
   * Every kindergarten's deliverable states in one ordered query, as text fields for the CSV export: orgnr, name,
   * municipality name and id, region id, group id, deliverable id, status code, due and late-until in Oslo time and in UTC.
   */
  async statusRows(runId: string, municipalityId: string | null = null): Promise<string[][]> {
    // Plain text columns in array mode: no per-row objects and no array-literal parsing for 18,000 rows.
    const { rows } = await this.pool.query<string[]>({
      text: `SELECT k.orgnr, k.name, m.name, k.municipality_id, k.region_id, k.group_id, d.deliverable_id,
                    CASE WHEN k.withdrawn_at IS NOT NULL THEN 'withdrawn' ELSE d.status END,
                    to_char(d.due_at AT TIME ZONE 'Europe/Oslo', 'DD.MM.YYYY HH24:MI'),
                    to_char(d.late_until AT TIME ZONE 'Europe/Oslo', 'DD.MM.YYYY HH24:MI'),
                    to_char(d.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    to_char(d.late_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
             FROM kindergartens k JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
             JOIN deliverable_states d ON d.run_id = k.run_id AND d.orgnr = k.orgnr
             WHERE k.run_id = $1 AND ($2::text IS NULL OR k.municipality_id = $2)
             ORDER BY k.orgnr, d.due_at, d.deliverable_id`,
      values: [runId, municipalityId],
      rowMode: 'array',
    });
    return rows;
  }

  /**
   * The run's roster as it stands now (contacts as changed, kindergartens added, the withdrawn left out): what next
   * year's run starts from.
   */
  async roster(runId: string): Promise<Roster | null> {
    const [municipalities, kindergartens] = await Promise.all([
      this.pool.query<{ municipality_id: string; name: string; region_id: string; authority_name: string; authority_email: string; language: string }>(
        'SELECT municipality_id, name, region_id, authority_name, authority_email, language FROM municipalities WHERE run_id = $1 ORDER BY municipality_id',
        [runId],
      ),
      this.pool.query<{ orgnr: string; name: string; municipality_id: string; region_id: string; group_id: string; director_name: string; director_email: string; participants: number | null }>(
        'SELECT orgnr, name, municipality_id, region_id, group_id, director_name, director_email, participants FROM kindergartens WHERE run_id = $1 AND withdrawn_at IS NULL ORDER BY region_id, municipality_id, orgnr',
        [runId],
      ),
    ]);
    if (municipalities.rows.length === 0) return null;
    const used = new Set(kindergartens.rows.map((k) => k.municipality_id));
    return {
      municipalities: municipalities.rows.filter((m) => used.has(m.municipality_id)).map((m) => ({ id: m.municipality_id, name: m.name, regionId: m.region_id, authority: { name: m.authority_name, email: m.authority_email }, ...(m.language === 'nn' ? { language: 'nn' as const } : {}) })),
      kindergartens: kindergartens.rows.map((k) => ({ orgnr: k.orgnr, name: k.name, municipalityId: k.municipality_id, regionId: k.region_id, groupId: k.group_id, director: { name: k.director_name, email: k.director_email }, participants: k.participants })),
    };
  }

  /**
   * What is addressed to a recipient: each kindergarten's state for the given deliverables (a municipal authority:
   * only its own kindergartens), with the version in force of an accepted submission and its files.
   */
  async received(runId: string, deliverableIds: string[], municipalityId: string | null): Promise<ReceivedRow[]> {
    const { rows } = await this.pool.query<{
      orgnr: string; name: string; municipality: string; region_id: string; deliverable_id: string; status: string; due_at: Date;
      submission_id: string | null; receipt_number: string | null; version: number | null; late: boolean | null; received_at: Date | null;
      files: { position: number; name: string; size: string }[] | null;
      review: { submission_id: string; version: number; verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: string; due_at: string | null } | null;
    }>(
      `SELECT k.orgnr, k.name, m.name AS municipality, k.region_id, d.deliverable_id,
              CASE WHEN k.withdrawn_at IS NOT NULL THEN 'withdrawn' ELSE d.status END AS status, d.due_at,
              s.id AS submission_id, s.receipt_number, s.version, s.late, s.created_at AS received_at,
              (SELECT json_agg(json_build_object('position', f.position, 'name', f.name, 'size', f.size) ORDER BY f.position) FROM submission_files f WHERE f.submission_id = s.id) AS files,
              (SELECT row_to_json(r) FROM (SELECT submission_id, version, verdict, comment, reviewed_by, reviewed_at, due_at FROM submission_reviews v
                  WHERE v.run_id = k.run_id AND v.orgnr = k.orgnr AND v.deliverable_id = d.deliverable_id ORDER BY v.reviewed_at DESC LIMIT 1) r) AS review
         FROM kindergartens k JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
         JOIN deliverable_states d ON d.run_id = k.run_id AND d.orgnr = k.orgnr
         LEFT JOIN LATERAL (SELECT * FROM submissions x WHERE x.run_id = k.run_id AND x.orgnr = k.orgnr AND x.deliverable_id = d.deliverable_id AND x.state = 'accepted'
                            ORDER BY x.version DESC NULLS LAST, x.created_at DESC LIMIT 1) s ON true
        WHERE k.run_id = $1 AND d.deliverable_id = ANY($2::text[]) AND ($3::text IS NULL OR k.municipality_id = $3)
        ORDER BY d.deliverable_id, k.region_id, m.name, k.name`,
      [runId, deliverableIds, municipalityId],
    );
    return rows.map((r) => ({
      orgnr: r.orgnr,
      name: r.name,
      municipality: r.municipality,
      regionId: r.region_id,
      deliverableId: r.deliverable_id,
      status: r.status,
      dueAt: r.due_at.getTime(),
      submission: r.submission_id
        ? { id: r.submission_id, receiptNumber: formatReceiptNumber(r.receipt_number ?? '0'), version: r.version, late: r.late ?? false, receivedAt: r.received_at?.getTime() ?? 0, files: (r.files ?? []).map((f) => ({ position: f.position, name: f.name, size: Number(f.size) })) }
        : null,
      review: r.review ? reviewLine(r.review) : null,
    }));
  }

  /** Every verdict of the authority on a kindergarten's deliverable, oldest first. */
  async reviews(runId: string, orgnr: string, deliverableId: string): Promise<ReviewLine[]> {
    const { rows } = await this.pool.query<{ submission_id: string; version: number; verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: string; due_at: string | null }>(
      `SELECT submission_id, version, verdict, comment, reviewed_by, reviewed_at, due_at FROM submission_reviews
        WHERE run_id = $1 AND orgnr = $2 AND deliverable_id = $3 ORDER BY reviewed_at`,
      [runId, orgnr, deliverableId],
    );
    return rows.map(reviewLine);
  }

  /** Which kindergartens' deliverables have an extension (`orgnr/deliverableId`), from the entries the extension Update writes. */
  async extensions(runId: string): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ k: string }>(
      "SELECT DISTINCT (details->>'orgnr') || '/' || (details->>'deliverableId') AS k FROM audit_log WHERE run_id = $1 AND action = 'deadline-extended'",
      [runId],
    );
    return new Set(rows.map((r) => r.k));
  }

  /** One stored file of a submission in the run (any state: a refused upload is opened as well), for the console. */
  async submissionFile(runId: string, submissionId: string, position: number): Promise<{ orgnr: string; municipalityId: string; name: string; size: number; sha256: string; contentType: string; storageKey: string } | null> {
    const { rows } = await this.pool.query<{ orgnr: string; municipality_id: string; name: string; size: string; sha256: string; content_type: string; storage_key: string }>(
      `SELECT s.orgnr, k.municipality_id, f.name, f.size, f.sha256, f.content_type, f.storage_key
         FROM submission_files f JOIN submissions s ON s.id = f.submission_id JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
        WHERE s.run_id = $1 AND s.id = $2 AND f.position = $3`,
      [runId, submissionId, position],
    );
    const r = rows[0];
    return r ? { orgnr: r.orgnr, municipalityId: r.municipality_id, name: r.name, size: Number(r.size), sha256: r.sha256, contentType: r.content_type, storageKey: r.storage_key } : null;
  }

  /** Every accepted submission's files in a region, for the region's zip export. */
  /** A recipient's scope narrows it: only the deliverables addressed to it, only its municipality's kindergartens. */
  async regionFiles(runId: string, regionId: string, scope: { deliverableIds?: string[]; municipalityId?: string | null } = {}): Promise<{ municipality: string; orgnr: string; kindergarten: string; deliverableId: string; version: number; receiptNumber: string; name: string; size: number; storageKey: string; at: number }[]> {
    const { rows } = await this.pool.query<{ municipality: string; orgnr: string; kindergarten: string; deliverable_id: string; version: number; receipt_number: string; name: string; size: string; storage_key: string; at: Date }>(
      `SELECT m.name AS municipality, k.orgnr, k.name AS kindergarten, s.deliverable_id, s.version, s.receipt_number, f.name, f.size, f.storage_key, s.created_at AS at
       FROM submissions s JOIN submission_files f ON f.submission_id = s.id
       JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
       JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
       WHERE s.run_id = $1 AND k.region_id = $2 AND s.state = 'accepted'
         AND ($3::text[] IS NULL OR s.deliverable_id = ANY($3::text[])) AND ($4::text IS NULL OR k.municipality_id = $4)
       ORDER BY m.name, k.name, s.deliverable_id, s.version, f.position`,
      [runId, regionId, scope.deliverableIds ?? null, scope.municipalityId ?? null],
    );
    return rows.map((r) => ({ municipality: r.municipality, orgnr: r.orgnr, kindergarten: r.kindergarten, deliverableId: r.deliverable_id, version: r.version, receiptNumber: formatReceiptNumber(r.receipt_number), name: r.name, size: Number(r.size), storageKey: r.storage_key, at: r.at.getTime() }));
  }
}

function reviewLine(r: { submission_id: string; version: number; verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: string | Date; due_at: string | Date | null }): ReviewLine {
  return {
    submissionId: r.submission_id,
    version: r.version,
    verdict: r.verdict,
    comment: r.comment,
    by: r.reviewed_by,
    at: new Date(r.reviewed_at).getTime(),
    dueAt: r.due_at === null ? null : new Date(r.due_at).getTime(),
  };
}
