import { PgStore } from '../../activities/db/pg-store';
import { RecoveryRepository } from '../../activities/db/recovery-repository';
import type { EmailMeta } from '../../activities/store';
import { ARSHJUL_RELEASE } from '../../application/release';
import { initialDeliverables } from '../../application/run-control';
import { RECOVERY_DETAIL } from '../../domain/recovery-records';
import { scheduleForKindergarten } from '../../domain/timeline';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { loadExamplePlan } from '../helpers/example-plan';
import { freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';

jest.setTimeout(60_000);

/**
 * What `arshjul run recover` reads, against real PostgreSQL: the store keeps the recovery records that travel in the
 * audit writes (newest timeline only, every window) and leaves them out of the audit log; the outbox is read by
 * business key, done only when every recipient's row is sent.
 */
describe('the recovery records in PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  const plan = loadExamplePlan();
  const timeline = resolveTimeline(plan);
  const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2);
  const runId = 'arshjul-2017-hedmark';
  const orgnr = roster.kindergartens[0]!.orgnr;

  beforeAll(async () => {
    db = await freshSchema('recovery_repository');
    await new PgStore({ pool: db.pool }).createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps the newest timeline and every window, and the audit log without them', async () => {
    const store = new PgStore({ pool: db.pool });
    const moved = { ...timeline, endsAt: timeline.endsAt + 1 };
    await store.recordAudit({ key: `${runId}/run-started`, runId, actor: 'k', action: 'run-started', at: 1_000, details: { kindergartens: 2, [RECOVERY_DETAIL]: { kind: 'timeline', revision: 1, timeline, overrides: [] } } });
    await store.recordAudit({ key: `${runId}/milestone-moved/u1`, runId, actor: 'k', action: 'milestone-moved', at: 2_000, details: { revision: 2, [RECOVERY_DETAIL]: { kind: 'timeline', revision: 2, timeline: moved, overrides: [{ milestoneId: 'kick-off', at: '2017-09-01T09:00' }] } } });
    // A retried write of the first revision, arriving late, does not put the old timeline back.
    await store.recordAudit({ key: `${runId}/run-started-retry`, runId, actor: 'k', action: 'run-started', at: 3_000, details: { [RECOVERY_DETAIL]: { kind: 'timeline', revision: 1, timeline, overrides: [] } } });
    const window = { ...scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger').deliverables[0]!.window };
    const extended = { ...window, dueAt: window.dueAt + 86_400_000, version: window.version + 1 };
    const extension = { key: `${runId}/deadline-extended/${orgnr}/d/v1`, runId, actor: 'k', action: 'deadline-extended' as const, at: 4_000, details: { orgnr, [RECOVERY_DETAIL]: { kind: 'window', orgnr, deliverableId: 'analysis-so-far', window: extended } } };
    await store.recordAudit(extension);
    await store.recordAudit(extension);

    const source = (await new RecoveryRepository(db.pool).load(runId))!;
    expect(source.timeline).toEqual({ revision: 2, timeline: moved, overrides: [{ milestoneId: 'kick-off', at: '2017-09-01T09:00' }] });
    expect(source.windows).toEqual([{ orgnr, deliverableId: 'analysis-so-far', window: extended }]);
    const { rows } = await db.pool.query<{ details: Record<string, unknown> }>('SELECT details FROM audit_log WHERE run_id = $1 ORDER BY id', [runId]);
    expect(rows.map((r) => r.details)).toEqual([{ kindergartens: 2 }, { revision: 2 }, {}, { orgnr }]);
    // Only the actions that say what the workflows were doing are read (an extension is read from its window).
    expect(source.audit.map((a) => a.action)).toEqual(['run-started', 'milestone-moved', 'run-started']);
  });

  it('reads the outbox by business key: done only when every recipient has it', async () => {
    const store = new PgStore({ pool: db.pool });
    const meta: EmailMeta = {} as EmailMeta;
    const entry = (key: string, recipientId: string) => ({ key: `${key}/${recipientId}`, runId, template: 't', recipientId, to: `${recipientId}@example.no`, subject: 's', text: 'x', html: 'x', messageId: `<${recipientId}.${key.length}@a>`, scheduledFor: 1, requestedAt: 1, meta });
    for (const e of [entry(`${runId}/both`, 'authority-a'), entry(`${runId}/both`, 'authority-b'), entry(`${runId}/half`, 'authority-a'), entry(`${runId}/half`, 'authority-b')]) await store.claimEmail(e);
    for (const key of [`${runId}/both/authority-a`, `${runId}/both/authority-b`, `${runId}/half/authority-a`]) await store.markEmailSent(key, { response: '250', at: 5 });
    const source = (await new RecoveryRepository(db.pool).load(runId))!;
    expect(source.outbox.get(`${runId}/both`)).toBe('sent');
    expect(source.outbox.get(`${runId}/half`)).toBe('sending');
    expect(source.emailsSent).toBe(3);
  });

  it('knows no run it does not have', async () => {
    expect(await new RecoveryRepository(db.pool).load('arshjul-2017-ukjent')).toBeNull();
  });
});
