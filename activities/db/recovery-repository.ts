import type { Pool } from 'pg';
import type { Plan } from '../../config/plan-schema';
import type { DeliverableStatus } from '../../domain/activity-contracts';
import type { SubmittedFile } from '../../domain/kindergarten-schedule';
import type { DeliverableWindow, MilestoneOverride, Timeline } from '../../domain/timeline';
import { formatReceiptNumber } from './submission-repository';

/**
 * Everything PostgreSQL holds of one run that `arshjul run recover` (application/recovery.ts) starts its workflows
 * again from: read in a fixed number of queries, each whole (a county's year is a few hundred thousand rows at most).
 */
export interface RecoverySource {
  run: { runId: string; plan: Plan; release: string | null; createdAt: number };
  /** The newest recorded timeline (recovery_timelines); null for a run started before release 1.3.0. */
  timeline: { revision: number; timeline: Timeline; overrides: MilestoneOverride[] } | null;
  /** The audit entries that change what the workflows do, oldest first. */
  audit: { action: string; actor: string; at: number; details: Record<string, unknown> }[];
  /** Milestones recorded, emails dropped as stale or failed, the run's end. */
  events: { type: string; at: number; milestoneId: string | null; regionId: string | null; groupId: string | null; orgnr: string | null; data: Record<string, unknown> }[];
  /**
   * The outbox by the workflows' business keys (a row's key is the business key and the recipient's id): `sent` when
   * every recipient's row is sent, else the state of one that is not. A sent row is never sent again.
   */
  outbox: Map<string, string>;
  /** How many of the outbox's rows (one per recipient) are sent. */
  emailsSent: number;
  kindergartens: RecoveryKindergarten[];
  deliverableStates: { orgnr: string; deliverableId: string; status: DeliverableStatus; dueAt: number; lateUntil: number }[];
  submissions: RecoverySubmission[];
  reviews: RecoveryReview[];
  windows: { orgnr: string; deliverableId: string; window: DeliverableWindow }[];
  /** The authorities' digest: queued escalations by key, and the day each went into (null: not yet). */
  digestItems: { key: string; digestDay: string | null }[];
}

export interface RecoveryKindergarten {
  orgnr: string;
  name: string;
  municipalityId: string;
  regionId: string;
  groupId: string;
  addedAt: number | null;
  withdrawn: { at: number; reason: string } | null;
}

export interface RecoverySubmission {
  submissionId: string;
  orgnr: string;
  deliverableId: string;
  receiptNumber: string;
  receivedAt: number;
  version: number;
  late: boolean;
  comment: string | null;
  files: SubmittedFile[];
}

export interface RecoveryReview {
  reviewId: string;
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

/** The outbox rows (`<business key>/<recipient id>`) by business key: sent only when every recipient's row is. */
function byBusinessKey(rows: { key: string; state: string }[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { key, state } of rows) {
    const base = key.slice(0, key.lastIndexOf('/'));
    if (map.get(base) === undefined || map.get(base) === 'sent') map.set(base, state);
  }
  return map;
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

/** The actions of the audit log that say what the run's workflows were doing (the rest is for people). */
const STATE_ACTIONS = ['run-started', 'run-paused', 'run-resumed', 'run-cancelled', 'kindergarten-added', 'kindergarten-withdrawn', 'milestone-moved'];

export class RecoveryRepository {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  /** Null when PostgreSQL has no run with this id. */
  async load(runId: string): Promise<RecoverySource | null> {
    const q = this.pool;
    const { rows: runs } = await q.query<{ run_id: string; plan: Plan; release: string | null; created_at: Date }>('SELECT run_id, plan, release, created_at FROM runs WHERE run_id = $1', [runId]);
    const run = runs[0];
    if (!run) return null;
    const [timelines, audit, events, outbox, kindergartens, states, submissions, files, reviews, windows, digestItems] = await Promise.all([
      q.query<{ revision: number; timeline: Timeline; overrides: MilestoneOverride[] }>('SELECT revision, timeline, overrides FROM recovery_timelines WHERE run_id = $1', [runId]),
      q.query<{ action: string; actor: string; at: Date; details: Record<string, unknown> }>(
        'SELECT action, actor, at, details FROM audit_log WHERE run_id = $1 AND action = ANY($2) ORDER BY at, id',
        [runId, STATE_ACTIONS],
      ),
      q.query<{ type: string; at: Date; milestone_id: string | null; region_id: string | null; group_id: string | null; orgnr: string | null; data: Record<string, unknown> }>(
        `SELECT type, at, milestone_id, region_id, group_id, orgnr, data FROM events
          WHERE run_id = $1 AND type IN ('milestone', 'email-stale', 'email-failed', 'run-completed', 'run-cancelled') ORDER BY id`,
        [runId],
      ),
      q.query<{ key: string; state: string }>('SELECT key, state FROM email_outbox WHERE run_id = $1', [runId]),
      q.query<{ orgnr: string; name: string; municipality_id: string; region_id: string; group_id: string; added_at: Date | null; withdrawn_at: Date | null; withdrawn_reason: string | null }>(
        'SELECT orgnr, name, municipality_id, region_id, group_id, added_at, withdrawn_at, withdrawn_reason FROM kindergartens WHERE run_id = $1 ORDER BY orgnr',
        [runId],
      ),
      q.query<{ orgnr: string; deliverable_id: string; status: DeliverableStatus; due_at: Date; late_until: Date }>(
        'SELECT orgnr, deliverable_id, status, due_at, late_until FROM deliverable_states WHERE run_id = $1',
        [runId],
      ),
      q.query<{ id: string; orgnr: string; deliverable_id: string; receipt_number: string; created_at: Date; version: number; late: boolean; comment: string | null }>(
        `SELECT id, orgnr, deliverable_id, receipt_number, created_at, version, late, comment FROM submissions
          WHERE run_id = $1 AND state = 'accepted' ORDER BY orgnr, deliverable_id, version`,
        [runId],
      ),
      q.query<{ submission_id: string; name: string; size: string; sha256: string }>(
        `SELECT f.submission_id, f.name, f.size, f.sha256 FROM submission_files f JOIN submissions s ON s.id = f.submission_id
          WHERE s.run_id = $1 AND s.state = 'accepted' ORDER BY f.submission_id, f.position`,
        [runId],
      ),
      q.query<{ review_id: string; orgnr: string; deliverable_id: string; submission_id: string; version: number; verdict: 'accepted' | 'returned'; comment: string | null; reviewed_by: string; reviewed_at: Date; due_at: Date | null; late_until: Date | null }>(
        'SELECT review_id, orgnr, deliverable_id, submission_id, version, verdict, comment, reviewed_by, reviewed_at, due_at, late_until FROM submission_reviews WHERE run_id = $1 ORDER BY reviewed_at, review_id',
        [runId],
      ),
      q.query<{ orgnr: string; deliverable_id: string; window: DeliverableWindow }>('SELECT orgnr, deliverable_id, "window" FROM recovery_windows WHERE run_id = $1 ORDER BY orgnr, deliverable_id, version', [runId]),
      q.query<{ key: string; digest_day: string | null }>('SELECT key, digest_day FROM authority_digest_items WHERE run_id = $1', [runId]),
    ]);
    const filesOf = new Map<string, SubmittedFile[]>();
    for (const f of files.rows) filesOf.set(f.submission_id, [...(filesOf.get(f.submission_id) ?? []), { name: f.name, size: Number(f.size), sha256: f.sha256 }]);
    return {
      run: { runId: run.run_id, plan: run.plan, release: run.release, createdAt: run.created_at.getTime() },
      timeline: timelines.rows[0] ?? null,
      audit: audit.rows.map((r) => ({ action: r.action, actor: r.actor, at: r.at.getTime(), details: r.details })),
      events: events.rows.map((e) => ({ type: e.type, at: e.at.getTime(), milestoneId: e.milestone_id, regionId: e.region_id, groupId: e.group_id, orgnr: e.orgnr, data: e.data })),
      outbox: byBusinessKey(outbox.rows),
      emailsSent: outbox.rows.filter((r) => r.state === 'sent').length,
      kindergartens: kindergartens.rows.map((k) => ({
        orgnr: k.orgnr,
        name: k.name,
        municipalityId: k.municipality_id,
        regionId: k.region_id,
        groupId: k.group_id,
        addedAt: ms(k.added_at),
        withdrawn: k.withdrawn_at ? { at: k.withdrawn_at.getTime(), reason: k.withdrawn_reason ?? '' } : null,
      })),
      deliverableStates: states.rows.map((s) => ({ orgnr: s.orgnr, deliverableId: s.deliverable_id, status: s.status, dueAt: s.due_at.getTime(), lateUntil: s.late_until.getTime() })),
      submissions: submissions.rows.map((s) => ({
        submissionId: s.id,
        orgnr: s.orgnr,
        deliverableId: s.deliverable_id,
        receiptNumber: formatReceiptNumber(s.receipt_number),
        receivedAt: s.created_at.getTime(),
        version: s.version,
        late: s.late,
        comment: s.comment,
        files: filesOf.get(s.id) ?? [],
      })),
      reviews: reviews.rows.map((r) => ({
        reviewId: r.review_id,
        orgnr: r.orgnr,
        deliverableId: r.deliverable_id,
        submissionId: r.submission_id,
        version: r.version,
        verdict: r.verdict,
        comment: r.comment,
        by: r.reviewed_by,
        at: r.reviewed_at.getTime(),
        dueAt: ms(r.due_at),
        lateUntil: ms(r.late_until),
      })),
      windows: windows.rows.map((w) => ({ orgnr: w.orgnr, deliverableId: w.deliverable_id, window: w.window })),
      digestItems: digestItems.rows.map((i) => ({ key: i.key, digestDay: i.digest_day })),
    };
  }
}
