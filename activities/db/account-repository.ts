import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { AuditAction } from '../../domain/audit';

export type UserRole = 'coordinator' | 'national-reader' | 'research-centre' | 'municipal-authority';

export interface User {
  id: number;
  email: string;
  name: string;
  role: UserRole;
  /** Recipients see one run; coordinators and national readers every run they may see (null). */
  runId: string | null;
  municipalityId: string | null;
  /** A coordinator's county: its runs are the only ones it sees and changes (null: every county, as before issue 15). */
  county: string | null;
}

export interface Session {
  user: User;
  csrfSecret: string;
  expiresAt: number;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  run_id: string | null;
  municipality_id: string | null;
  county: string | null;
}

const toUser = (r: UserRow): User => ({ id: Number(r.id), email: r.email, name: r.name, role: r.role, runId: r.run_id, municipalityId: r.municipality_id, county: r.county ?? null });
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Console accounts, their sessions and the audit log: the sign-in side's SQL. */
export class AccountRepository {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async addUser(input: { email: string; name: string; passwordHash: string; role: UserRole; runId: string | null; municipalityId: string | null; county?: string | null }): Promise<User> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (email, name, password_hash, role, run_id, municipality_id, county) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING id, email, name, role, run_id, municipality_id, county`,
      [input.email, input.name, input.passwordHash, input.role, input.runId, input.municipalityId, input.county ?? null],
    );
    return toUser(rows[0] as UserRow);
  }

  /**
   * The account a recipient's personal link signs in: made on first use (with no password, so only a link signs it
   * in), moved to the link's run and municipality on later ones. An address that belongs to an account of another
   * role (a coordinator) is not taken over: null.
   */
  async recipientAccount(input: { email: string; name: string; role: 'research-centre' | 'municipal-authority'; runId: string; municipalityId: string | null }): Promise<User | null> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (email, name, password_hash, role, run_id, municipality_id) VALUES ($1, $2, '!lenke', $3, $4, $5)
       ON CONFLICT ((lower(email))) DO UPDATE SET run_id = EXCLUDED.run_id, municipality_id = EXCLUDED.municipality_id
         WHERE users.role = EXCLUDED.role AND users.disabled_at IS NULL
       RETURNING id, email, name, role, run_id, municipality_id, county`,
      [input.email, input.name, input.role, input.runId, input.municipalityId],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async hasUsers(): Promise<boolean> {
    const { rows } = await this.pool.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS any');
    return rows[0]?.any ?? false;
  }

  /** The user and password hash for a sign-in attempt (disabled users are not found). */
  async findForSignIn(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const { rows } = await this.pool.query<UserRow & { password_hash: string }>(
      'SELECT id, email, name, role, run_id, municipality_id, county, password_hash FROM users WHERE lower(email) = lower($1) AND disabled_at IS NULL',
      [email],
    );
    const r = rows[0];
    return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
  }

  /** Starts a session; the returned id goes into the cookie, only its hash is stored. */
  async createSession(userId: number, ttlMs: number): Promise<{ id: string; csrfSecret: string; expiresAt: number }> {
    const id = randomBytes(32).toString('base64url');
    const csrfSecret = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + ttlMs;
    await this.pool.query('INSERT INTO sessions (id_sha256, user_id, csrf_secret, expires_at) VALUES ($1, $2, $3, $4)', [sha256(id), userId, csrfSecret, new Date(expiresAt)]);
    return { id, csrfSecret, expiresAt };
  }

  async findSession(id: string): Promise<Session | null> {
    const { rows } = await this.pool.query<UserRow & { csrf_secret: string; expires_at: Date }>(
      `SELECT u.id, u.email, u.name, u.role, u.run_id, u.municipality_id, u.county, s.csrf_secret, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [sha256(id)],
    );
    const r = rows[0];
    return r ? { user: toUser(r), csrfSecret: r.csrf_secret, expiresAt: r.expires_at.getTime() } : null;
  }

  async endSession(id: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_sha256 = $1', [sha256(id)]);
  }

  /** An audit entry for what the console or the CLI itself does (signing in, an export, an account); its key is random. */
  async audit(entry: { actor: string; action: AuditAction; runId: string | null; details?: Record<string, unknown> }): Promise<void> {
    await this.pool.query('INSERT INTO audit_log (actor, action, run_id, details) VALUES ($1, $2, $3, $4)', [entry.actor, entry.action, entry.runId, JSON.stringify(entry.details ?? {})]);
  }

  async listAudit(runId: string | null, limit = 200): Promise<{ id: number; at: number; actor: string; action: string; runId: string | null; details: Record<string, unknown>; kindergartenName: string | null }[]> {
    // The kindergarten an entry is about, by name (entries keep only its organisation number).
    const { rows } = await this.pool.query<{ id: string; at: Date; actor: string; action: string; run_id: string | null; details: Record<string, unknown>; kindergarten_name: string | null }>(
      `SELECT a.id, a.at, a.actor, a.action, a.run_id, a.details, k.name AS kindergarten_name
         FROM audit_log a LEFT JOIN kindergartens k ON k.run_id = a.run_id AND k.orgnr = a.details->>'orgnr'
        WHERE ($1::text IS NULL OR a.run_id = $1) ORDER BY a.id DESC LIMIT $2`,
      [runId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), at: r.at.getTime(), actor: r.actor, action: r.action, runId: r.run_id, details: r.details, kindergartenName: r.kindergarten_name }));
  }
}

/** Plans and rosters uploaded in the console, kept between the preview and "Start". */
export class DraftRepository {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async save(id: string, createdBy: string, plan: unknown, roster: unknown): Promise<void> {
    await this.pool.query('INSERT INTO run_drafts (id, created_by, plan, roster) VALUES ($1, $2, $3, $4)', [id, createdBy, JSON.stringify(plan), JSON.stringify(roster)]);
  }

  async get(id: string): Promise<{ plan: unknown; roster: unknown; createdBy: string } | null> {
    const { rows } = await this.pool.query<{ plan: unknown; roster: unknown; created_by: string }>("SELECT plan, roster, created_by FROM run_drafts WHERE id = $1 AND created_at > now() - interval '1 day'", [id]);
    const r = rows[0];
    return r ? { plan: r.plan, roster: r.roster, createdBy: r.created_by } : null;
  }

  /** Replaces a draft's plan (an edit in the console's plan form); false when the draft is gone. */
  async updatePlan(id: string, plan: unknown): Promise<boolean> {
    const { rowCount } = await this.pool.query("UPDATE run_drafts SET plan = $2 WHERE id = $1 AND created_at > now() - interval '1 day'", [id, JSON.stringify(plan)]);
    return (rowCount ?? 0) > 0;
  }

  /** Replaces a draft's roster (a new list uploaded on the draft's page); false when the draft is gone. */
  async updateRoster(id: string, roster: unknown): Promise<boolean> {
    const { rowCount } = await this.pool.query("UPDATE run_drafts SET roster = $2 WHERE id = $1 AND created_at > now() - interval '1 day'", [id, JSON.stringify(roster)]);
    return (rowCount ?? 0) > 0;
  }

  async remove(id: string): Promise<void> {
    await this.pool.query('DELETE FROM run_drafts WHERE id = $1', [id]);
  }
}
