import { languageOf } from '../../texts/language';
import type { Pool, PoolClient } from 'pg';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { type AuditEntry, contactChangedEntry, uploadLinkReissuedEntry } from '../../domain/audit';
import { type AuthorityDigest, type ContactChange, DIGEST_DUE_SOON_MS, type EmailLogEntry, type EmailMeta, type GroupSetupRecord, type GroupSetupSummary, type GuidanceFile, type GuidanceRecord, type NewGroupSetup, type InitialDeliverable, type OwedGuidance, type OutboxEntry, type Recipient, type RunContext, type RunEvent, type Store } from '../store';
import { withTransaction } from './transaction';
import { type RecoveryRecord, splitRecoveryDetail } from '../../domain/recovery-records';
import { StoreError } from '../store';
import { placeInGroup } from '../../domain/regions';
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
} from '../../domain/activity-contracts';

export type PgStoreDeps = { pool: Pick<Pool, 'query' | 'connect'> };

const ts = (ms: number) => new Date(ms);

/** The PostgreSQL store: all of Årshjul's SQL lives here. */

/** Writes an audit entry once: a retried write with the same key adds nothing. On the pool, or on a transaction's client. */
async function insertAudit(q: Pick<PoolClient, 'query'>, entry: AuditEntry): Promise<void> {
  await q.query('INSERT INTO audit_log (key, at, actor, action, run_id, details) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING', [
    entry.key,
    ts(entry.at),
    entry.actor,
    entry.action,
    entry.runId,
    JSON.stringify(entry.details),
  ]);
}

/** Keeps what `arshjul run recover` needs (activities/db/recovery-repository.ts); a retried write changes nothing. */
async function insertRecoveryRecord(q: Pick<PoolClient, 'query'>, record: RecoveryRecord, runId: string, at: number): Promise<void> {
  if (record.kind === 'timeline') {
    await q.query(
      `INSERT INTO recovery_timelines (run_id, revision, timeline, overrides, recorded_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id) DO UPDATE SET revision = EXCLUDED.revision, timeline = EXCLUDED.timeline, overrides = EXCLUDED.overrides, recorded_at = EXCLUDED.recorded_at
       WHERE recovery_timelines.revision < EXCLUDED.revision`,
      [runId, record.revision, JSON.stringify(record.timeline), JSON.stringify(record.overrides), ts(at)],
    );
    return;
  }
  await q.query(
    `INSERT INTO recovery_windows (run_id, orgnr, deliverable_id, version, "window", recorded_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [runId, record.orgnr, record.deliverableId, record.window.version, JSON.stringify(record.window), ts(at)],
  );
}

export class PgStore implements Store {
  private readonly contexts = new Map<string, RunContext>();

  constructor(private readonly deps: PgStoreDeps) {}

  private get pool() {
    return this.deps.pool;
  }

  async createRun(runId: string, plan: Plan, roster: Roster, deliverables: InitialDeliverable[], release: string): Promise<void> {
    try {
      await withTransaction(this.pool, async (client) => {
        const existing = await client.query('SELECT 1 FROM runs WHERE run_id = $1', [runId]);
        if (existing.rowCount) throw new StoreError('Conflict', `a run with id ${runId} already exists`);
        await client.query('INSERT INTO runs (run_id, school_year, county, plan, release) VALUES ($1, $2, $3, $4, $5)', [runId, plan.schoolYear, plan.county, JSON.stringify(plan), release]);
        await insertBatches(client, 'municipalities', ['run_id', 'municipality_id', 'name', 'region_id', 'authority_name', 'authority_email', 'language'],
          roster.municipalities.map((m) => [runId, m.id, m.name, m.regionId, m.authority.name, m.authority.email, m.language ?? 'nb']));
        await insertBatches(client, 'kindergartens', ['run_id', 'orgnr', 'name', 'municipality_id', 'region_id', 'group_id', 'director_name', 'director_email', 'participants'],
          roster.kindergartens.map((k) => [runId, k.orgnr, k.name, k.municipalityId, k.regionId, k.groupId, k.director.name, k.director.email, k.participants]));
        const createdAt = new Date(0);
        await insertBatches(client, 'deliverable_states', ['run_id', 'orgnr', 'deliverable_id', 'status', 'due_at', 'late_until', 'updated_at'],
          deliverables.map((d) => [runId, d.orgnr, d.deliverableId, 'not-open', ts(d.dueAt), ts(d.lateUntil), createdAt]));
      });
    } catch (error) {
      // Two starts at once: the loser hits the primary key rather than the check above.
      if ((error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'runs_pkey') {
        throw new StoreError('Conflict', `a run with id ${runId} already exists`);
      }
      throw error;
    }
  }

  async getRunContext(runId: string): Promise<RunContext> {
    const cached = this.contexts.get(runId);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ plan: Plan }>('SELECT plan FROM runs WHERE run_id = $1', [runId]);
    const plan = rows[0]?.plan;
    if (!plan) throw new StoreError('NotFound', `no run ${runId}`);
    const context: RunContext = { runId, programme: plan.programme, countyName: plan.countyName, schoolYear: plan.schoolYear, timezone: plan.timezone, contacts: plan.contacts };
    this.contexts.set(runId, context);
    return context;
  }

  async listRosterPage({ runId, regionId, afterOrgnr, limit }: RosterPageInput): Promise<RosterEntry[]> {
    const { rows } = await this.pool.query<{ orgnr: string; municipality_id: string; group_id: string; withdrawn: boolean }>(
      `SELECT orgnr, municipality_id, group_id, withdrawn_at IS NOT NULL AS withdrawn FROM kindergartens
        WHERE run_id = $1 AND region_id = $2 AND orgnr > $3 ORDER BY orgnr LIMIT $4`,
      [runId, regionId, afterOrgnr ?? '', limit],
    );
    return rows.map((r) => ({ orgnr: r.orgnr, municipalityId: r.municipality_id, groupId: r.group_id, withdrawn: r.withdrawn }));
  }

  async findRecipients(runId: string, selector: RecipientSelector): Promise<Recipient[]> {
    if (selector.kind === 'research-centre' || selector.kind === 'coordinator') {
      const { contacts } = await this.getRunContext(runId);
      const contact = selector.kind === 'research-centre' ? contacts.researchCentre : contacts.coordinator;
      return [{ id: selector.kind, name: contact.name, email: contact.email, role: selector.kind }];
    }
    if (selector.kind === 'authority') {
      const { rows } = await this.pool.query<{ name: string; authority_name: string; authority_email: string; language: string }>(
        'SELECT name, authority_name, authority_email, language FROM municipalities WHERE run_id = $1 AND municipality_id = $2',
        [runId, selector.municipalityId],
      );
      const m = rows[0];
      if (!m) throw new StoreError('NotFound', `no municipality ${selector.municipalityId} in run ${runId}`);
      return [{ id: `authority-${selector.municipalityId}`, name: m.authority_name, email: m.authority_email, role: 'municipal-authority', municipality: { name: m.name, language: languageOf(m.language) } }];
    }
    if (selector.kind === 'municipal-authorities') {
      const { rows } = await this.pool.query<{ municipality_id: string; name: string; authority_name: string; authority_email: string; language: string }>(
        `SELECT m.municipality_id, m.name, m.authority_name, m.authority_email, m.language FROM municipalities m
          WHERE m.run_id = $1 AND EXISTS (
            SELECT 1 FROM kindergartens k WHERE k.run_id = m.run_id AND k.municipality_id = m.municipality_id
              AND k.withdrawn_at IS NULL AND ($2::text IS NULL OR k.region_id = $2) AND ($3::text IS NULL OR k.group_id = $3))
          ORDER BY m.municipality_id`,
        [runId, selector.regionId, selector.groupId],
      );
      return rows.map((r) => ({ id: `authority-${r.municipality_id}`, name: r.authority_name, email: r.authority_email, role: 'municipal-authority', municipality: { name: r.name, language: languageOf(r.language) } }));
    }
    if (selector.kind === 'participants' || selector.kind === 'removed-participants' || selector.kind === 'added-participants') return this.participantsOf(runId, selector);
    const { rows } = await this.pool.query<{
      orgnr: string; name: string; director_name: string; director_email: string; municipality_id: string;
      municipality_name: string; authority_name: string; authority_email: string; language: string;
    }>({
      name: 'find-kindergarten-recipients-v2',
      text: `SELECT k.orgnr, k.name, k.director_name, k.director_email, m.municipality_id, m.name AS municipality_name, m.authority_name, m.authority_email, m.language
         FROM kindergartens k JOIN municipalities m USING (run_id, municipality_id) WHERE k.run_id = $1 AND k.orgnr = $2`,
      values: [runId, selector.orgnr],
    });
    const k = rows[0];
    if (!k) throw new StoreError('NotFound', `no kindergarten ${selector.orgnr} in run ${runId}`);
    const kindergarten = { orgnr: k.orgnr, name: k.name, municipalityName: k.municipality_name };
    if (selector.kind === 'director') {
      return [{ id: `director-${k.orgnr}`, name: k.director_name, email: k.director_email, role: 'director', kindergarten, municipality: { name: k.municipality_name, language: languageOf(k.language) } }];
    }
    return [{ id: `authority-${k.municipality_id}`, name: k.authority_name, email: k.authority_email, role: 'municipal-authority', kindergarten, municipality: { name: k.municipality_name, language: languageOf(k.language) } }];
  }

  /**
   * A kindergarten's participants: in its authority's latest group set-up, or those one version removed or added
   * compared with the version before it (release 1.2.0), the director left out (the director has its own emails).
   * Withdrawn kindergartens keep theirs, for cancellations.
   */
  private async participantsOf(runId: string, selector: Extract<RecipientSelector, { kind: 'participants' | 'removed-participants' | 'added-participants' }>): Promise<Recipient[]> {
    const { rows: ks } = await this.pool.query<{ orgnr: string; name: string; director_email: string; municipality_id: string; municipality_name: string; language: string }>(
      'SELECT k.orgnr, k.name, k.director_email, m.municipality_id, m.name AS municipality_name, m.language FROM kindergartens k JOIN municipalities m USING (run_id, municipality_id) WHERE k.run_id = $1 AND k.orgnr = $2',
      [runId, selector.orgnr],
    );
    const k = ks[0];
    if (!k) throw new StoreError('NotFound', `no kindergarten ${selector.orgnr} in run ${runId}`);
    const people = async (setupId: string | null) => {
      if (!setupId) return [] as { name: string; email: string }[];
      const { rows } = await this.pool.query<{ name: string; email: string }>('SELECT name, email FROM group_setup_participants WHERE setup_id = $1 AND orgnr = $2 ORDER BY position', [setupId, k.orgnr]);
      return rows;
    };
    let chosen: { name: string; email: string }[];
    if (selector.kind === 'participants') {
      const { rows } = await this.pool.query<{ setup_id: string }>('SELECT setup_id FROM group_setups WHERE run_id = $1 AND municipality_id = $2 ORDER BY received_at DESC, version DESC LIMIT 1', [runId, k.municipality_id]);
      chosen = await people(rows[0]?.setup_id ?? null);
    } else {
      const { rows } = await this.pool.query<{ setup_id: string; previous: string | null }>(
        `SELECT g.setup_id, (SELECT p.setup_id FROM group_setups p WHERE p.run_id = g.run_id AND p.municipality_id = g.municipality_id AND p.deliverable_id = g.deliverable_id AND p.version = g.version - 1) AS previous
           FROM group_setups g WHERE g.run_id = $1 AND g.setup_id = $2`,
        [runId, selector.setupId],
      );
      const [now, before] = await Promise.all([people(rows[0]?.setup_id ?? null), people(rows[0]?.previous ?? null)]);
      const emails = (list: { email: string }[]) => new Set(list.map((p) => p.email));
      chosen = selector.kind === 'removed-participants' ? before.filter((p) => !emails(now).has(p.email)) : now.filter((p) => !emails(before).has(p.email));
    }
    const kindergarten = { orgnr: k.orgnr, name: k.name, municipalityName: k.municipality_name };
    // The director gets the director's own copy of every email: never a second one as a participant.
    return chosen.filter((p) => p.email.toLowerCase() !== k.director_email.toLowerCase()).map((p) => ({ id: `participant-${k.orgnr}-${p.email}`, name: p.name, email: p.email, role: 'participant' as const, kindergarten, municipality: { name: k.municipality_name, language: languageOf(k.language) } }));
  }

  async claimEmail(e: OutboxEntry): Promise<'claimed' | 'already-sent'> {
    // Named (prepared) statements on the sending path: parsed and planned once per connection.
    const { rows } = await this.pool.query<{ state: string }>({
      name: 'claim-email',
      text: `INSERT INTO email_outbox (key, run_id, template, recipient_id, recipient, subject, body_text, body_html, message_id, state, attempts, scheduled_for, requested_at, meta)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sending', 1, $10, $11, $12)
       ON CONFLICT (key) DO UPDATE SET attempts = email_outbox.attempts + 1,
         state = CASE WHEN email_outbox.state = 'sent' THEN 'sent' ELSE 'sending' END
       RETURNING state`,
      values: [e.key, e.runId, e.template, e.recipientId, e.to, e.subject, e.text, e.html, e.messageId, ts(e.scheduledFor), ts(e.requestedAt), JSON.stringify(e.meta)],
    });
    return rows[0]?.state === 'sent' ? 'already-sent' : 'claimed';
  }

  async markEmailSent(key: string, info: { response: string; at: number }): Promise<void> {
    await this.pool.query({
      name: 'mark-email-sent',
      text: `UPDATE email_outbox SET state = 'sent', smtp_response = $2, sent_at = $3, last_error = NULL WHERE key = $1`,
      values: [key, info.response, ts(info.at)],
    });
  }

  async markEmailFailed(key: string, error: string): Promise<void> {
    await this.pool.query(`UPDATE email_outbox SET state = 'failed', last_error = $2 WHERE key = $1 AND state <> 'sent'`, [key, error]);
  }

  async recordEvent(e: RecordEventInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO events (run_id, type, at, milestone_id, region_id, group_id, orgnr, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      [e.runId, e.type, ts(e.at), e.milestoneId ?? null, e.regionId ?? null, e.groupId ?? null, e.orgnr ?? null, JSON.stringify(e.data ?? {})],
    );
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    // A recovery record (the run's timeline, a kindergarten's window) goes to its own table in the same transaction.
    const { details, recovery } = splitRecoveryDetail(entry.details);
    if (!recovery) return insertAudit(this.pool, entry);
    await withTransaction(this.pool, async (client) => {
      await insertAudit(client, { ...entry, details });
      await insertRecoveryRecord(client, recovery, entry.runId ?? '', entry.at);
    });
  }

  async recordDeliverableStatus(s: RecordDeliverableStatusInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO deliverable_states (run_id, orgnr, deliverable_id, status, due_at, late_until, last_submission_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (run_id, orgnr, deliverable_id) DO UPDATE SET status = EXCLUDED.status, due_at = EXCLUDED.due_at,
         late_until = EXCLUDED.late_until, last_submission_id = coalesce(EXCLUDED.last_submission_id, deliverable_states.last_submission_id),
         updated_at = EXCLUDED.updated_at
       WHERE deliverable_states.updated_at <= EXCLUDED.updated_at`,
      [s.runId, s.orgnr, s.deliverableId, s.status, ts(s.dueAt), ts(s.lateUntil), s.submissionId ?? null, ts(s.at)],
    );
  }

  async addKindergarten({ runId, kindergarten: k, at }: AddKindergartenInput): Promise<AddKindergartenResult> {
    const { rows: municipalities } = await this.pool.query<{ region_id: string; plan: Plan }>(
      'SELECT m.region_id, r.plan FROM municipalities m JOIN runs r USING (run_id) WHERE m.run_id = $1 AND m.municipality_id = $2',
      [runId, k.municipalityId],
    );
    const municipality = municipalities[0];
    if (!municipality) throw new StoreError('NotFound', `municipality "${k.municipalityId}" is not in the roster of run ${runId}`, { code: 'unknown-municipality', municipalityId: k.municipalityId });
    const placed = placeInGroup(municipality.plan, municipality.region_id, k.groupId);
    if ('error' in placed) throw new StoreError('InvalidInput', placed.error, { code: 'group-needed', regionId: municipality.region_id, groups: placed.groups });
    const { groupId } = placed;
    const inserted = await this.pool.query(
      `INSERT INTO kindergartens (run_id, orgnr, name, municipality_id, region_id, group_id, director_name, director_email, participants, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
      [runId, k.orgnr, k.name, k.municipalityId, municipality.region_id, groupId, k.director.name, k.director.email, k.participants ?? null, ts(at)],
    );
    if (inserted.rowCount === 0) {
      const { rows } = await this.pool.query<{ added_at: Date | null }>('SELECT added_at FROM kindergartens WHERE run_id = $1 AND orgnr = $2', [runId, k.orgnr]);
      // A retried activity finds its own row (same instant); anything else is a real duplicate.
      if (rows[0]?.added_at?.getTime() !== at) throw new StoreError('Conflict', `kindergarten ${k.orgnr} is already in run ${runId}`, { code: 'kindergarten-in-run', kindergarten: k.orgnr });
    }
    return { regionId: municipality.region_id, groupId, municipalityId: k.municipalityId };
  }

  async withdrawKindergarten({ runId, orgnr, reason, at }: { runId: string; orgnr: string; reason: string; at: number }): Promise<void> {
    const { rowCount } = await this.pool.query(
      'UPDATE kindergartens SET withdrawn_at = coalesce(withdrawn_at, $3), withdrawn_reason = coalesce(withdrawn_reason, $4) WHERE run_id = $1 AND orgnr = $2',
      [runId, orgnr, ts(at), reason],
    );
    if (!rowCount) throw new StoreError('NotFound', `kindergarten ${orgnr} is not in run ${runId}`, { code: 'not-in-run', kindergarten: orgnr });
  }

  async uploadLinkVersion(runId: string, orgnr: string, deliverableId: string): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>({
      name: 'upload-link-version',
      text: `INSERT INTO upload_links (run_id, orgnr, deliverable_id) VALUES ($1, $2, $3)
             ON CONFLICT (run_id, orgnr, deliverable_id) DO UPDATE SET version = upload_links.version RETURNING version`,
      values: [runId, orgnr, deliverableId],
    });
    return rows[0]?.version ?? 1;
  }

  async reissueUploadLink(input: { runId: string; orgnr: string; deliverableId: string; deliverable: string; actor: string; at: number }): Promise<number> {
    const { runId, orgnr, deliverableId } = input;
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ version: number }>(
        `INSERT INTO upload_links (run_id, orgnr, deliverable_id, version) VALUES ($1, $2, $3, 2)
         ON CONFLICT (run_id, orgnr, deliverable_id) DO UPDATE SET version = upload_links.version + 1, issued_at = now() RETURNING version`,
        [runId, orgnr, deliverableId],
      );
      const version = rows[0]?.version ?? 2;
      await insertAudit(client, uploadLinkReissuedEntry(input, version));
      return version;
    });
  }

  async changeContact(input: ContactChange): Promise<{ before: { name: string; email: string }; links: { deliverableId: string; version: number }[] }> {
    const { runId, target } = input;
    return withTransaction(this.pool, async (client) => {
      // The row is locked, so two changes of one contact are applied one after the other, each with its "before".
      const found =
        target.kind === 'director'
          ? await client.query<{ name: string; email: string; label: string; withdrawn_at: Date | null; withdrawn_reason: string | null }>(
              'SELECT director_name AS name, director_email AS email, name AS label, withdrawn_at, withdrawn_reason FROM kindergartens WHERE run_id = $1 AND orgnr = $2 FOR UPDATE',
              [runId, target.orgnr],
            )
          : await client.query<{ name: string; email: string; label: string; withdrawn_at: null; withdrawn_reason: null }>(
              'SELECT authority_name AS name, authority_email AS email, name AS label, NULL AS withdrawn_at, NULL AS withdrawn_reason FROM municipalities WHERE run_id = $1 AND municipality_id = $2 FOR UPDATE',
              [runId, target.municipalityId],
            );
      const row = found.rows[0];
      if (!row) {
        throw target.kind === 'director'
          ? new StoreError('NotFound', `kindergarten ${target.orgnr} is not in run ${runId}`, { code: 'not-in-run', kindergarten: target.orgnr })
          : new StoreError('NotFound', `municipality ${target.municipalityId} is not in run ${runId}`, { code: 'unknown-municipality', municipalityId: target.municipalityId });
      }
      if (row.withdrawn_at) throw new StoreError('Conflict', `kindergarten ${row.label} is withdrawn`, { code: 'kindergarten-withdrawn', at: row.withdrawn_at.getTime(), reason: row.withdrawn_reason ?? '' });
      if (row.name === input.name && row.email === input.email) throw new StoreError('Conflict', 'nothing changes', { code: 'contact-unchanged', who: target.kind === 'director' ? `Styreren i ${row.label}` : `Barnehagemyndigheten i ${row.label}` });
      if (target.kind === 'director') {
        await client.query('UPDATE kindergartens SET director_name = $3, director_email = $4 WHERE run_id = $1 AND orgnr = $2', [runId, target.orgnr, input.name, input.email]);
      } else {
        await client.query('UPDATE municipalities SET authority_name = $3, authority_email = $4 WHERE run_id = $1 AND municipality_id = $2', [runId, target.municipalityId, input.name, input.email]);
      }
      const links: { deliverableId: string; version: number }[] = [];
      if (target.kind === 'director') {
        for (const r of input.reissue) {
          const { rows } = await client.query<{ version: number }>(
            `INSERT INTO upload_links (run_id, orgnr, deliverable_id, version) VALUES ($1, $2, $3, 2)
             ON CONFLICT (run_id, orgnr, deliverable_id) DO UPDATE SET version = upload_links.version + 1, issued_at = now() RETURNING version`,
            [runId, target.orgnr, r.deliverableId],
          );
          const version = rows[0]?.version ?? 2;
          links.push({ deliverableId: r.deliverableId, version });
          await insertAudit(client, uploadLinkReissuedEntry({ runId, orgnr: target.orgnr, deliverableId: r.deliverableId, deliverable: r.deliverable, actor: input.actor, at: input.at }, version));
        }
      }
      const before = { name: row.name, email: row.email };
      await insertAudit(client, contactChangedEntry(input, before, target.kind === 'director' ? { kindergarten: row.label } : { municipality: row.label }, links.length));
      return { before, links };
    });
  }

  async nonSubmitters(runId: string, deliverableId: string): Promise<{ orgnr: string; name: string; municipality: string; regionId: string; groupId: string; dueAt: number; lateUntil: number }[]> {
    const { rows } = await this.pool.query<{ orgnr: string; name: string; municipality: string; region_id: string; group_id: string; due_at: Date; late_until: Date }>(
      `SELECT k.orgnr, k.name, m.name AS municipality, k.region_id, k.group_id, d.due_at, d.late_until
         FROM deliverable_states d JOIN kindergartens k ON k.run_id = d.run_id AND k.orgnr = d.orgnr
         JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
        WHERE d.run_id = $1 AND d.deliverable_id = $2 AND d.status IN ('open', 'overdue') AND k.withdrawn_at IS NULL
        ORDER BY k.orgnr`,
      [runId, deliverableId],
    );
    return rows.map((r) => ({ orgnr: r.orgnr, name: r.name, municipality: r.municipality, regionId: r.region_id, groupId: r.group_id, dueAt: r.due_at.getTime(), lateUntil: r.late_until.getTime() }));
  }

  async recordReview(r: RecordReviewInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO submission_reviews (review_id, run_id, orgnr, deliverable_id, submission_id, version, verdict, comment, reviewed_by, reviewed_at, due_at, late_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (review_id) DO NOTHING`,
      [r.reviewId, r.runId, r.orgnr, r.deliverableId, r.submissionId, r.version, r.verdict, r.comment, r.by, ts(r.at), r.dueAt === null ? null : ts(r.dueAt), r.lateUntil === null ? null : ts(r.lateUntil)],
    );
  }

  async queueDigestItem(i: QueueDigestItemInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO authority_digest_items (key, run_id, orgnr, municipality_id, deliverable_id, due_at, late_until, queued_at)
       SELECT $1, k.run_id, k.orgnr, k.municipality_id, $4, $5, $6, $7 FROM kindergartens k WHERE k.run_id = $2 AND k.orgnr = $3
       ON CONFLICT (key) DO NOTHING`,
      [i.key, i.runId, i.orgnr, i.deliverableId, ts(i.dueAt), ts(i.lateUntil), ts(i.at)],
    );
  }

  async claimAuthorityDigests({ runId, day, at }: ClaimDigestsInput): Promise<string[]> {
    await this.pool.query('UPDATE authority_digest_items SET digest_day = $2 WHERE run_id = $1 AND digest_day IS NULL AND queued_at <= $3', [runId, day, ts(at)]);
    // Only what is still outstanding when the digest goes: a kindergarten that delivered or was withdrawn since its
    // escalation is no news.
    const { rows } = await this.pool.query<{ municipality_id: string }>(
      `SELECT DISTINCT i.municipality_id FROM authority_digest_items i
         JOIN deliverable_states d ON d.run_id = i.run_id AND d.orgnr = i.orgnr AND d.deliverable_id = i.deliverable_id
         JOIN kindergartens k ON k.run_id = i.run_id AND k.orgnr = i.orgnr
        WHERE i.run_id = $1 AND i.digest_day = $2 AND d.status IN ('overdue', 'missed') AND k.withdrawn_at IS NULL
        ORDER BY i.municipality_id`,
      [runId, day],
    );
    return rows.map((r) => r.municipality_id);
  }

  async authorityDigest(runId: string, municipalityId: string, day: string, at: number): Promise<AuthorityDigest> {
    const { rows: runs } = await this.pool.query<{ plan: Plan; municipality: string }>(
      'SELECT r.plan, m.name AS municipality FROM runs r JOIN municipalities m ON m.run_id = r.run_id WHERE r.run_id = $1 AND m.municipality_id = $2',
      [runId, municipalityId],
    );
    const run = runs[0];
    if (!run) throw new StoreError('NotFound', `no municipality ${municipalityId} in run ${runId}`);
    const titles = new Map(run.plan.deliverables.map((d) => [d.id, d.title]));
    const { rows } = await this.pool.query<{ orgnr: string; name: string; deliverable_id: string; status: DeliverableStatus; due_at: Date; late_until: Date; is_new: boolean }>(
      `SELECT k.orgnr, k.name, d.deliverable_id, d.status, d.due_at, d.late_until,
              EXISTS (SELECT 1 FROM authority_digest_items i WHERE i.run_id = d.run_id AND i.orgnr = d.orgnr AND i.deliverable_id = d.deliverable_id AND i.digest_day = $3) AS is_new
         FROM deliverable_states d JOIN kindergartens k ON k.run_id = d.run_id AND k.orgnr = d.orgnr
        WHERE d.run_id = $1 AND k.municipality_id = $2 AND k.withdrawn_at IS NULL
          AND (d.status = 'overdue'
               OR (d.status = 'missed' AND EXISTS (SELECT 1 FROM authority_digest_items i WHERE i.run_id = d.run_id AND i.orgnr = d.orgnr AND i.deliverable_id = d.deliverable_id AND i.digest_day = $3))
               OR (d.status = 'open' AND d.due_at <= $4))
        ORDER BY d.due_at, k.name, d.deliverable_id`,
      [runId, municipalityId, day, ts(at + DIGEST_DUE_SOON_MS)],
    );
    return {
      municipality: run.municipality,
      lines: rows.map((r) => ({
        orgnr: r.orgnr,
        kindergarten: r.name,
        deliverableId: r.deliverable_id,
        deliverable: titles.get(r.deliverable_id) ?? r.deliverable_id,
        status: r.status,
        dueAt: r.due_at.getTime(),
        lateUntil: r.late_until.getTime(),
        isNew: r.is_new,
      })),
    };
  }

  async latestSubmission(runId: string, orgnr: string, deliverableId: string): Promise<{ submissionId: string; version: number; at: number } | null> {
    const { rows } = await this.pool.query<{ id: string; version: number; created_at: Date }>(
      `SELECT id, version, created_at FROM submissions
        WHERE run_id = $1 AND orgnr = $2 AND deliverable_id = $3 AND state = 'accepted'
        ORDER BY version DESC, created_at DESC LIMIT 1`,
      [runId, orgnr, deliverableId],
    );
    const row = rows[0];
    return row ? { submissionId: row.id, version: row.version, at: row.created_at.getTime() } : null;
  }

  async recordGuidance(g: GuidanceRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO submission_guidance (guidance_id, run_id, orgnr, deliverable_id, submission_id, version, text, files, given_by, given_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (guidance_id) DO NOTHING`,
      [g.guidanceId, g.runId, g.orgnr, g.deliverableId, g.submissionId, g.version, g.text, JSON.stringify(g.files), g.by, ts(g.at)],
    );
  }

  async guidance(runId: string, guidanceId: string): Promise<GuidanceRecord | null> {
    const { rows } = await this.pool.query<GuidanceRow>('SELECT * FROM submission_guidance WHERE run_id = $1 AND guidance_id = $2', [runId, guidanceId]);
    return rows[0] ? guidanceOf(rows[0]) : null;
  }

  async listGuidance(runId: string, filter: { orgnr?: string } = {}): Promise<GuidanceRecord[]> {
    const { rows } = await this.pool.query<GuidanceRow>(
      'SELECT * FROM submission_guidance WHERE run_id = $1 AND ($2::text IS NULL OR orgnr = $2) ORDER BY given_at, guidance_id',
      [runId, filter.orgnr ?? null],
    );
    return rows.map(guidanceOf);
  }

  async owedGuidance(runId: string, deliverableIds: string[], asOf: number): Promise<OwedGuidance[]> {
    if (deliverableIds.length === 0) return [];
    const { rows } = await this.pool.query<{ orgnr: string; name: string; municipality: string; region_id: string; group_id: string; deliverable_id: string; first_at: Date }>(
      `SELECT k.orgnr, k.name, m.name AS municipality, k.region_id, k.group_id, s.deliverable_id, min(s.created_at) AS first_at
         FROM submissions s JOIN kindergartens k ON k.run_id = s.run_id AND k.orgnr = s.orgnr
         JOIN municipalities m ON m.run_id = k.run_id AND m.municipality_id = k.municipality_id
        WHERE s.run_id = $1 AND s.deliverable_id = ANY($2) AND s.state = 'accepted' AND s.created_at <= $3 AND k.withdrawn_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM submission_guidance g
                           WHERE g.run_id = s.run_id AND g.orgnr = s.orgnr AND g.deliverable_id = s.deliverable_id AND g.given_at <= $3)
        GROUP BY k.orgnr, k.name, m.name, k.region_id, k.group_id, s.deliverable_id
        ORDER BY first_at, k.name`,
      [runId, deliverableIds, ts(asOf)],
    );
    return rows.map((r) => ({ orgnr: r.orgnr, kindergarten: r.name, municipality: r.municipality, regionId: r.region_id, groupId: r.group_id, deliverableId: r.deliverable_id, firstSubmittedAt: r.first_at.getTime() }));
  }

  async recordGroupSetup(input: NewGroupSetup): Promise<GroupSetupRecord> {
    const earlier = await this.groupSetup(input.runId, input.setupId);
    if (earlier) return earlier;
    await withTransaction(this.pool, async (client) => {
      // One writer per municipality and deliverable at a time, so two versions never get the same number.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${input.runId}/${input.municipalityId}/${input.deliverableId}`]);
      const { rows } = await client.query<{ version: number }>(
        `INSERT INTO group_setups (setup_id, run_id, municipality_id, deliverable_id, version, late, received_at, submitted_by, source, file_name)
         SELECT $1, $2, $3, $4, coalesce(max(version), 0) + 1, $5, $6, $7, $8, $9 FROM group_setups WHERE run_id = $2 AND municipality_id = $3 AND deliverable_id = $4
         ON CONFLICT (setup_id) DO NOTHING RETURNING version`,
        [input.setupId, input.runId, input.municipalityId, input.deliverableId, input.late, ts(input.receivedAt), input.by, input.source, input.fileName],
      );
      const version = rows[0]?.version;
      if (version === undefined) return;
      for (const [i, p] of input.participants.entries()) {
        await client.query('INSERT INTO group_setup_participants (setup_id, position, orgnr, name, email, role) VALUES ($1, $2, $3, $4, $5, $6)', [input.setupId, i + 1, p.orgnr, p.name, p.email, p.role]);
      }
      await insertAudit(client, {
        key: `${input.runId}/group-setup-received/${input.setupId}`,
        runId: input.runId,
        actor: input.by,
        action: 'group-setup-received',
        at: input.receivedAt,
        details: { municipalityId: input.municipalityId, deliverableId: input.deliverableId, deliverable: input.deliverable, version, participants: input.participants.length, late: input.late },
      });
    });
    return (await this.groupSetup(input.runId, input.setupId)) as GroupSetupRecord;
  }

  async groupSetup(runId: string, setupId: string): Promise<GroupSetupRecord | null> {
    const { rows } = await this.pool.query<GroupSetupRow>(`${SELECT_GROUP_SETUP} WHERE g.run_id = $1 AND g.setup_id = $2`, [runId, setupId]);
    return rows[0] ? groupSetupOf(rows[0]) : null;
  }

  async latestGroupSetup(runId: string, municipalityId: string, deliverableId: string): Promise<GroupSetupRecord | null> {
    const { rows } = await this.pool.query<GroupSetupRow>(
      `${SELECT_GROUP_SETUP} WHERE g.run_id = $1 AND g.municipality_id = $2 AND g.deliverable_id = $3 ORDER BY g.version DESC LIMIT 1`,
      [runId, municipalityId, deliverableId],
    );
    return rows[0] ? groupSetupOf(rows[0]) : null;
  }

  async groupSetups(runId: string, deliverableId: string): Promise<GroupSetupSummary[]> {
    const { rows } = await this.pool.query<{ municipality_id: string; name: string; region_id: string; kindergartens: string; setup_id: string | null; version: number | null; receipt_number: string | null; late: boolean | null; received_at: Date | null; submitted_by: string | null; participants: string | null }>(
      `SELECT m.municipality_id, m.name, m.region_id, count(k.orgnr) AS kindergartens,
              g.setup_id, g.version, g.receipt_number, g.late, g.received_at, g.submitted_by,
              (SELECT count(*) FROM group_setup_participants p WHERE p.setup_id = g.setup_id) AS participants
         FROM municipalities m
         JOIN kindergartens k ON k.run_id = m.run_id AND k.municipality_id = m.municipality_id AND k.withdrawn_at IS NULL
         LEFT JOIN LATERAL (SELECT * FROM group_setups s WHERE s.run_id = m.run_id AND s.municipality_id = m.municipality_id AND s.deliverable_id = $2 ORDER BY s.version DESC LIMIT 1) g ON true
        WHERE m.run_id = $1
        GROUP BY m.municipality_id, m.name, m.region_id, g.setup_id, g.version, g.receipt_number, g.late, g.received_at, g.submitted_by
        ORDER BY m.name`,
      [runId, deliverableId],
    );
    return rows.map((r) => ({
      municipalityId: r.municipality_id,
      municipality: r.name,
      regionId: r.region_id,
      kindergartens: Number(r.kindergartens),
      latest: r.setup_id
        ? { setupId: r.setup_id, version: r.version as number, receiptNumber: receiptOf(r.receipt_number as string), late: r.late as boolean, receivedAt: (r.received_at as Date).getTime(), by: r.submitted_by as string, participants: Number(r.participants) }
        : null,
    }));
  }

  async municipalityKindergartens(runId: string, municipalityId: string): Promise<{ orgnr: string; name: string; regionId: string; groupId: string; director: { name: string; email: string } }[]> {
    const { rows } = await this.pool.query<{ orgnr: string; name: string; region_id: string; group_id: string; director_name: string; director_email: string }>(
      'SELECT orgnr, name, region_id, group_id, director_name, director_email FROM kindergartens WHERE run_id = $1 AND municipality_id = $2 AND withdrawn_at IS NULL ORDER BY name, orgnr',
      [runId, municipalityId],
    );
    return rows.map((r) => ({ orgnr: r.orgnr, name: r.name, regionId: r.region_id, groupId: r.group_id, director: { name: r.director_name, email: r.director_email } }));
  }

  async municipalitiesWithoutGroupSetup(runId: string, deliverableId: string, asOf: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ municipality_id: string }>(
      `SELECT DISTINCT m.municipality_id FROM municipalities m
         JOIN kindergartens k ON k.run_id = m.run_id AND k.municipality_id = m.municipality_id AND k.withdrawn_at IS NULL
        WHERE m.run_id = $1
          AND NOT EXISTS (SELECT 1 FROM group_setups g WHERE g.run_id = m.run_id AND g.municipality_id = m.municipality_id AND g.deliverable_id = $2 AND g.received_at <= $3)
        ORDER BY m.municipality_id`,
      [runId, deliverableId, ts(asOf)],
    );
    return rows.map((r) => r.municipality_id);
  }

  async listEvents(runId: string): Promise<RunEvent[]> {
    const { rows } = await this.pool.query<{ id: string; type: string; at: Date; milestone_id: string | null; region_id: string | null; group_id: string | null; orgnr: string | null; data: Record<string, unknown> }>(
      'SELECT id, type, at, milestone_id, region_id, group_id, orgnr, data FROM events WHERE run_id = $1 ORDER BY at, id',
      [runId],
    );
    return rows.map((r) => ({ id: Number(r.id), runId, type: r.type, at: r.at.getTime(), milestoneId: r.milestone_id, regionId: r.region_id, groupId: r.group_id, orgnr: r.orgnr, data: r.data }));
  }

  async listEmails(runId: string, filter: { orgnr?: string } = {}): Promise<EmailLogEntry[]> {
    const { rows } = await this.pool.query<{ key: string; template: string; recipient: string; subject: string; state: EmailLogEntry['state']; requested_at: Date; sent_at: Date | null; last_error: string | null; meta: EmailMeta }>(
      `SELECT key, template, recipient, subject, state, requested_at, sent_at, last_error, meta FROM email_outbox
        WHERE run_id = $1 AND ($2::text IS NULL OR meta->>'orgnr' = $2) ORDER BY requested_at, key`,
      [runId, filter.orgnr ?? null],
    );
    return rows.map((r) => ({ key: r.key, template: r.template, to: r.recipient, subject: r.subject, state: r.state, requestedAt: r.requested_at.getTime(), sentAt: r.sent_at?.getTime() ?? null, lastError: r.last_error, meta: r.meta }));
  }

  async countDeliverableStatuses(runId: string): Promise<{ deliverableId: string; status: string; count: number }[]> {
    const { rows } = await this.pool.query<{ deliverable_id: string; status: string; count: string }>(
      'SELECT deliverable_id, status, count(*) FROM deliverable_states WHERE run_id = $1 GROUP BY 1, 2 ORDER BY 1, 2',
      [runId],
    );
    return rows.map((r) => ({ deliverableId: r.deliverable_id, status: r.status, count: Number(r.count) }));
  }
}

async function insertBatches(client: PoolClient, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const perBatch = Math.floor(60000 / columns.length);
  for (let start = 0; start < rows.length; start += perBatch) {
    const batch = rows.slice(start, start + perBatch);
    const values = batch.map((_, i) => `(${columns.map((__, j) => `$${i * columns.length + j + 1}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
  }
}

interface GuidanceRow {
  guidance_id: string;
  run_id: string;
  orgnr: string;
  deliverable_id: string;
  submission_id: string;
  version: number;
  text: string;
  files: GuidanceFile[];
  given_by: string;
  given_at: Date;
}

function guidanceOf(r: GuidanceRow): GuidanceRecord {
  return { guidanceId: r.guidance_id, runId: r.run_id, orgnr: r.orgnr, deliverableId: r.deliverable_id, submissionId: r.submission_id, version: r.version, text: r.text, files: r.files, by: r.given_by, at: r.given_at.getTime() };
}

const SELECT_GROUP_SETUP = `SELECT g.*, (SELECT json_agg(json_build_object('orgnr', p.orgnr, 'name', p.name, 'email', p.email, 'role', p.role) ORDER BY p.position)
    FROM group_setup_participants p WHERE p.setup_id = g.setup_id) AS participants FROM group_setups g`;

interface GroupSetupRow {
  setup_id: string;
  receipt_number: string;
  run_id: string;
  municipality_id: string;
  deliverable_id: string;
  version: number;
  late: boolean;
  received_at: Date;
  submitted_by: string;
  source: 'form' | 'file';
  file_name: string | null;
  participants: { orgnr: string; name: string; email: string; role: string }[] | null;
}

/** A group set-up's receipt number as people read it: GS-000042. */
const receiptOf = (n: string | number) => `GS-${String(n).padStart(6, '0')}`;

function groupSetupOf(r: GroupSetupRow): GroupSetupRecord {
  return {
    setupId: r.setup_id,
    runId: r.run_id,
    municipalityId: r.municipality_id,
    deliverableId: r.deliverable_id,
    version: r.version,
    receiptNumber: receiptOf(r.receipt_number),
    late: r.late,
    receivedAt: r.received_at.getTime(),
    by: r.submitted_by,
    source: r.source,
    fileName: r.file_name,
    participants: r.participants ?? [],
  };
}
