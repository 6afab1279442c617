import type { Pool } from 'pg';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { migrate } from '../../activities/db/migrate';
import { PgStore } from '../../activities/db/pg-store';
import { type OutboxEntry, StoreError, type StoreErrorType } from '../../activities/store';
import type { AddKindergartenInput, RosterEntry } from '../../domain/activity-contracts';
import { HEDMARK_GROUPS, loadExamplePlan } from '../helpers/example-plan';
import { freshSchema } from '../helpers/postgres';
import { buildRoster, orgnrs } from '../helpers/roster-builder';
import { initialDeliverables } from '../../application/run-control';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { ARSHJUL_RELEASE } from '../../application/release';

let db: Awaited<ReturnType<typeof freshSchema>>;
let pool: Pool;
let store: PgStore;
let plan: Plan;
let runCounter = 0;

beforeAll(async () => {
  db = await freshSchema('pgstore');
  pool = db.pool;
  store = new PgStore({ pool });
  plan = loadExamplePlan();
});

afterAll(async () => {
  await db?.drop();
});

/** A new run id per test, so tests never see each other's rows. */
function nextRunId(): string {
  runCounter += 1;
  return `arshjul-2017-hedmark-test-${runCounter}`;
}

/**
 * Creates a run of the example plan with `perGroup` kindergartens in every Hedmark workshop group; with
 * `withDeliverables` false, without the initial 'not-open' rows (for tests of status updates alone).
 */
async function createHedmarkRun(perGroup = 2, withDeliverables = true): Promise<{ runId: string; roster: Roster }> {
  const runId = nextRunId();
  const roster = buildRoster(HEDMARK_GROUPS, perGroup);
  await store.createRun(runId, plan, roster, withDeliverables ? initialDeliverables(resolveTimeline(plan), roster) : [], ARSHJUL_RELEASE);
  return { runId, roster };
}

function orgnrsOf(roster: Roster, groupId: string): string[] {
  return roster.kindergartens.filter((k) => k.groupId === groupId).map((k) => k.orgnr);
}

async function countRows(table: 'runs' | 'municipalities' | 'kindergartens', runId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE run_id = $1`, [runId]);
  return Number(rows[0]?.n);
}

async function outboxRow(key: string): Promise<{ state: string; attempts: number; last_error: string | null; sent_at: Date | null; smtp_response: string | null }> {
  const { rows } = await pool.query<{ state: string; attempts: number; last_error: string | null; sent_at: Date | null; smtp_response: string | null }>(
    'SELECT state, attempts, last_error, sent_at, smtp_response FROM email_outbox WHERE key = $1',
    [key],
  );
  const row = rows[0];
  if (!row) throw new Error(`no outbox row ${key}`);
  return row;
}

async function expectStoreError(promise: Promise<unknown>, type: StoreErrorType): Promise<StoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).type).toBe(type);
  return error as StoreError;
}

function outboxEntry(runId: string, key: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    key,
    runId,
    template: 'deliverable-prompt',
    recipientId: 'director-900000008',
    to: 'styrer@barnehage.example',
    subject: 'Kultur for læring: Analysen så langt',
    text: 'Hei',
    html: '<p>Hei</p>',
    messageId: `<${key.replace(/[^a-z0-9]/gi, '')}@arshjul>`,
    scheduledFor: Date.UTC(2018, 0, 8, 7),
    requestedAt: Date.UTC(2018, 0, 8, 7, 0, 1),
    meta: { milestoneId: null, deliverableId: 'analysis-so-far', regionId: 'kongsvinger', groupId: 'kongsvinger', orgnr: null },
    ...overrides,
  };
}

describe('migrations', () => {
  it('creates every table in the fresh schema and finds nothing left to apply on a second run', async () => {
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [db.schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual(['access_keys', 'audit_log', 'authority_digest_items', 'deliverable_states', 'dev_mailbox', 'email_outbox', 'events', 'group_setup_participants', 'group_setups', 'kindergartens', 'municipalities', 'pgmigrations', 'recovery_timelines', 'recovery_windows', 'run_drafts', 'runs', 'sessions', 'submission_files', 'submission_guidance', 'submission_reviews', 'submissions', 'upload_links', 'users']);

    await expect(migrate(db.url, { schema: db.schema })).resolves.toEqual([]);
    const { rows: applied } = await pool.query<{ name: string }>('SELECT name FROM pgmigrations');
    expect(applied.map((r) => r.name)).toEqual(['1763800000000_initial-schema', '1763800000001_dev-mailbox', '1763800000002_upload-links', '1763800000003_submissions', '1763800000004_console', '1763800000005_release-1-0', '1763800000006_authority-digest', '1763800000007_submission-reviews', '1763800000008_submission-guidance', '1763800000009_group-setups', '1763800000010_municipality-language', '1763800000011_submission-refusal-data', '1763800000012_county-accounts', '1763800000013_retention', '1763800000014_recovery']);
  });
});

describe('createRun', () => {
  it('stores the plan and every municipality and kindergarten of the roster', async () => {
    const { runId, roster } = await createHedmarkRun(3);

    expect(await countRows('runs', runId)).toBe(1);
    expect(await countRows('municipalities', runId)).toBe(roster.municipalities.length);
    expect(await countRows('kindergartens', runId)).toBe(15);
    // Every kindergarten's three deliverables start as not-open, with the deadline of its workshop group.
    expect(await store.countDeliverableStatuses(runId)).toEqual(
      ['analysis-so-far', 'booklet-material', 'full-analysis'].map((deliverableId) => ({ deliverableId, status: 'not-open', count: 15 })),
    );
    const { rows } = await pool.query<{ plan: Plan; school_year: number; county: string }>('SELECT plan, school_year, county FROM runs WHERE run_id = $1', [runId]);
    expect(rows[0]).toEqual({ plan: JSON.parse(JSON.stringify(plan)) as Plan, school_year: 2017, county: 'hedmark' });

    const context = await new PgStore({ pool }).getRunContext(runId);
    expect(context).toEqual({
      runId,
      programme: 'Kultur for læring – barnehage',
      countyName: 'Hedmark',
      schoolYear: 2017,
      timezone: 'Europe/Oslo',
      contacts: plan.contacts,
    });
  });

  it('refuses a second run with the same id as a Conflict and keeps the first roster', async () => {
    const { runId } = await createHedmarkRun(2);

    const error = await expectStoreError(store.createRun(runId, plan, buildRoster(HEDMARK_GROUPS, 1, 95_000_000), [], ARSHJUL_RELEASE), 'Conflict');
    expect(error.message).toContain(runId);
    expect(await countRows('kindergartens', runId)).toBe(10);
  });

  it('stores nothing at all when a kindergarten names a municipality that is not in the roster', async () => {
    const runId = nextRunId();
    const roster = buildRoster(HEDMARK_GROUPS, 2);
    const last = roster.kindergartens[roster.kindergartens.length - 1];
    if (!last) throw new Error('empty roster');
    last.municipalityId = 'm-not-in-roster';

    await expect(store.createRun(runId, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE)).rejects.toThrow();

    expect(await countRows('runs', runId)).toBe(0);
    expect(await countRows('municipalities', runId)).toBe(0);
    expect(await countRows('kindergartens', runId)).toBe(0);
    // Nothing is left behind that would block a corrected roster under the same id.
    await expect(store.createRun(runId, plan, buildRoster(HEDMARK_GROUPS, 2), [], ARSHJUL_RELEASE)).resolves.toBeUndefined();
    expect(await countRows('kindergartens', runId)).toBe(10);
  });
});

describe('listRosterPage', () => {
  it('pages through one region in orgnr order and marks the withdrawn kindergartens', async () => {
    const { runId, roster } = await createHedmarkRun(3);
    const hedmarken = [...orgnrsOf(roster, 'ringsaker-loten'), ...orgnrsOf(roster, 'hamar-stange')].sort();
    const withdrawn = hedmarken[2] as string;
    await store.withdrawKindergarten({ runId, orgnr: withdrawn, reason: 'sluttet i programmet', at: Date.UTC(2017, 10, 1) });

    const pages: RosterEntry[][] = [];
    let afterOrgnr: string | null = null;
    for (;;) {
      const page: RosterEntry[] = await store.listRosterPage({ runId, regionId: 'hedmarken', afterOrgnr, limit: 4 });
      if (page.length === 0) break;
      pages.push(page);
      afterOrgnr = page[page.length - 1]?.orgnr ?? null;
    }

    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const entries = pages.flat();
    expect(entries.map((e) => e.orgnr)).toEqual(hedmarken);
    expect(entries.filter((e) => e.withdrawn).map((e) => e.orgnr)).toEqual([withdrawn]);
    const first = roster.kindergartens.find((k) => k.orgnr === hedmarken[0]);
    expect(entries[0]).toEqual({ orgnr: hedmarken[0], municipalityId: first?.municipalityId, groupId: first?.groupId, withdrawn: false });
  });

  it('returns no kindergartens of other regions or other runs', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    await createHedmarkRun(2);

    const page = await store.listRosterPage({ runId, regionId: 'kongsvinger', afterOrgnr: null, limit: 100 });

    expect(page.map((e) => e.orgnr)).toEqual(orgnrsOf(roster, 'kongsvinger').sort());
    expect(page.every((e) => e.municipalityId === 'm-kongsvinger' && e.groupId === 'kongsvinger')).toBe(true);
  });
});

describe('findRecipients', () => {
  it('finds the director of a kindergarten with the kindergarten and its municipality', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const orgnr = orgnrsOf(roster, 'hamar-stange')[1] as string;

    await expect(store.findRecipients(runId, { kind: 'director', orgnr })).resolves.toEqual([
      {
        id: `director-${orgnr}`,
        name: `Styrer ${orgnr}`,
        email: `styrer-${orgnr}@barnehage.example`,
        role: 'director',
        kindergarten: { orgnr, name: `Barnehage ${orgnr}`, municipalityName: 'Kommune hamar-stange' },
        municipality: { name: 'Kommune hamar-stange', language: 'nb' },
      },
    ]);
  });

  it('finds the authority of the municipality a kindergarten belongs to', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const orgnr = orgnrsOf(roster, 'nord-osterdal')[0] as string;

    await expect(store.findRecipients(runId, { kind: 'authority-of', orgnr })).resolves.toEqual([
      {
        id: 'authority-m-nord-osterdal',
        name: 'Myndighet nord-osterdal',
        email: 'barnehage@nord-osterdal.kommune.example',
        role: 'municipal-authority',
        kindergarten: { orgnr, name: `Barnehage ${orgnr}`, municipalityName: 'Kommune nord-osterdal' },
        municipality: { name: 'Kommune nord-osterdal', language: 'nb' },
      },
    ]);
  });

  it('refuses a director or authority lookup for an orgnr that is not in the run as NotFound', async () => {
    const { runId } = await createHedmarkRun(1);
    const [stranger] = orgnrs(1, 97_000_000);

    await expectStoreError(store.findRecipients(runId, { kind: 'director', orgnr: stranger as string }), 'NotFound');
    await expectStoreError(store.findRecipients(runId, { kind: 'authority-of', orgnr: stranger as string }), 'NotFound');
  });

  it('finds one municipal authority per municipality, scoped to a region, a workshop group or the whole county', async () => {
    const { runId } = await createHedmarkRun(2);
    const ids = async (regionId: string | null, groupId: string | null) =>
      (await store.findRecipients(runId, { kind: 'municipal-authorities', regionId, groupId })).map((r) => r.id);

    expect(await ids('hedmarken', null)).toEqual(['authority-m-hamar-stange', 'authority-m-ringsaker-loten']);
    expect(await ids('hedmarken', 'ringsaker-loten')).toEqual(['authority-m-ringsaker-loten']);
    expect(await ids('kongsvinger', null)).toEqual(['authority-m-kongsvinger']);
    expect(await ids(null, null)).toEqual([
      'authority-m-hamar-stange',
      'authority-m-kongsvinger',
      'authority-m-nord-osterdal',
      'authority-m-ringsaker-loten',
      'authority-m-sor-osterdal',
    ]);
    const [authority] = await store.findRecipients(runId, { kind: 'municipal-authorities', regionId: 'sor-osterdal', groupId: null });
    expect(authority).toEqual({
      id: 'authority-m-sor-osterdal',
      name: 'Myndighet sor-osterdal',
      email: 'barnehage@sor-osterdal.kommune.example',
      role: 'municipal-authority',
      municipality: { name: 'Kommune sor-osterdal', language: 'nb' },
    });
  });

  it('leaves out a municipality whose kindergartens have all withdrawn but keeps one that still has a kindergarten', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const at = Date.UTC(2017, 10, 1);
    for (const orgnr of orgnrsOf(roster, 'kongsvinger')) await store.withdrawKindergarten({ runId, orgnr, reason: 'sluttet', at });
    await store.withdrawKindergarten({ runId, orgnr: orgnrsOf(roster, 'nord-osterdal')[0] as string, reason: 'sluttet', at });

    const county = await store.findRecipients(runId, { kind: 'municipal-authorities', regionId: null, groupId: null });
    expect(county.map((r) => r.id)).toEqual(['authority-m-hamar-stange', 'authority-m-nord-osterdal', 'authority-m-ringsaker-loten', 'authority-m-sor-osterdal']);
    await expect(store.findRecipients(runId, { kind: 'municipal-authorities', regionId: 'kongsvinger', groupId: null })).resolves.toEqual([]);
  });

  it('finds the research centre and the coordinator from the plan contacts', async () => {
    const { runId } = await createHedmarkRun(1);

    await expect(store.findRecipients(runId, { kind: 'research-centre' })).resolves.toEqual([
      { id: 'research-centre', name: 'Senter for praksisrettet utdanningsforskning (SePU)', email: 'sepu-veiledning@inn.example', role: 'research-centre' },
    ]);
    await expect(store.findRecipients(runId, { kind: 'coordinator' })).resolves.toEqual([
      { id: 'coordinator', name: 'Fylkesmannen i Hedmark, barnehageseksjonen', email: 'kfl-koordinator@fylkesmannen.example', role: 'coordinator' },
    ]);
  });
});

describe('email outbox', () => {
  it('claims a new key, claims it again after a lost attempt, and reports it as already sent once it is marked sent', async () => {
    const { runId } = await createHedmarkRun(1);
    const key = `${runId}/prompt/director-1`;
    const sentAt = Date.UTC(2018, 0, 8, 7, 0, 2);

    await expect(store.claimEmail(outboxEntry(runId, key))).resolves.toBe('claimed');
    expect(await outboxRow(key)).toMatchObject({ attempts: 1, sent_at: null });
    await expect(store.claimEmail(outboxEntry(runId, key))).resolves.toBe('claimed');
    expect((await outboxRow(key)).attempts).toBe(2);

    await store.markEmailSent(key, { response: '250 OK: queued', at: sentAt });
    await expect(store.claimEmail(outboxEntry(runId, key))).resolves.toBe('already-sent');

    const row = await outboxRow(key);
    expect(row).toMatchObject({ state: 'sent', attempts: 3, smtp_response: '250 OK: queued', last_error: null });
    expect(row.sent_at?.getTime()).toBe(sentAt);
  });

  it('records a failure on an unsent email and lets the next attempt claim it again', async () => {
    const { runId } = await createHedmarkRun(1);
    const key = `${runId}/prompt/director-2`;
    await store.claimEmail(outboxEntry(runId, key));

    await store.markEmailFailed(key, 'Error: connect ECONNREFUSED');
    expect(await outboxRow(key)).toMatchObject({ state: 'failed', last_error: 'Error: connect ECONNREFUSED' });

    await expect(store.claimEmail(outboxEntry(runId, key))).resolves.toBe('claimed');
    await store.markEmailSent(key, { response: '250 OK', at: Date.UTC(2018, 0, 8, 8) });
    expect(await outboxRow(key)).toMatchObject({ state: 'sent', last_error: null, attempts: 2 });
  });

  it('never turns a sent email into a failed one', async () => {
    const { runId } = await createHedmarkRun(1);
    const key = `${runId}/prompt/director-3`;
    await store.claimEmail(outboxEntry(runId, key));
    await store.markEmailSent(key, { response: '250 OK', at: Date.UTC(2018, 0, 8, 7, 0, 2) });

    await store.markEmailFailed(key, 'Error: connection reset after DATA');

    expect(await outboxRow(key)).toMatchObject({ state: 'sent', last_error: null, smtp_response: '250 OK' });
    const [logged] = await store.listEmails(runId);
    expect(logged).toMatchObject({ key, state: 'sent', lastError: null, sentAt: Date.UTC(2018, 0, 8, 7, 0, 2) });
  });

  it('lists the emails about one kindergarten by the orgnr in their meta', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const [a, b] = orgnrsOf(roster, 'kongsvinger') as [string, string];
    const meta = (orgnr: string | null) => ({ milestoneId: 'survey-reminder', deliverableId: null, regionId: 'kongsvinger', groupId: 'kongsvinger', orgnr });
    await store.claimEmail(outboxEntry(runId, `${runId}/a/1`, { meta: meta(a), requestedAt: Date.UTC(2017, 10, 17, 7) }));
    await store.claimEmail(outboxEntry(runId, `${runId}/b/1`, { meta: meta(b), requestedAt: Date.UTC(2017, 10, 17, 7) }));
    await store.claimEmail(outboxEntry(runId, `${runId}/a/2`, { meta: meta(a), requestedAt: Date.UTC(2017, 10, 18, 7) }));
    await store.claimEmail(outboxEntry(runId, `${runId}/region/1`, { meta: meta(null), requestedAt: Date.UTC(2017, 10, 16, 7) }));

    const aboutA = await store.listEmails(runId, { orgnr: a });
    expect(aboutA.map((e) => e.key)).toEqual([`${runId}/a/1`, `${runId}/a/2`]);
    expect(aboutA[0]).toMatchObject({ template: 'deliverable-prompt', to: 'styrer@barnehage.example', requestedAt: Date.UTC(2017, 10, 17, 7), sentAt: null, meta: meta(a) });
    expect((await store.listEmails(runId)).map((e) => e.key)).toEqual([`${runId}/region/1`, `${runId}/a/1`, `${runId}/b/1`, `${runId}/a/2`]);
    await expect(store.listEmails(runId, { orgnr: orgnrsOf(roster, 'hamar-stange')[0] as string })).resolves.toEqual([]);
  });
});

describe('recordEvent', () => {
  it('stores an event recorded twice with identical fields once, as a retried activity would', async () => {
    const { runId } = await createHedmarkRun(1);
    const event = { runId, type: 'milestone-reached', at: Date.UTC(2017, 8, 1, 6), milestoneId: 'survey-information', regionId: 'kongsvinger', data: { step: 'x' } };

    await store.recordEvent(event);
    await store.recordEvent(event);
    await store.recordEvent({ ...event, regionId: 'kongsvinger', groupId: null, orgnr: undefined });

    const events = await store.listEvents(runId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ runId, type: 'milestone-reached', at: event.at, milestoneId: 'survey-information', regionId: 'kongsvinger', groupId: null, orgnr: null, data: { step: 'x' } });
  });

  it('stores events that differ in time or kindergarten as separate rows in time order', async () => {
    const { runId } = await createHedmarkRun(1);
    const at = Date.UTC(2017, 8, 1, 6);

    await store.recordEvent({ runId, type: 'email-stale', at: at + 1000, orgnr: '900000008' });
    await store.recordEvent({ runId, type: 'email-stale', at, orgnr: '900000008' });
    await store.recordEvent({ runId, type: 'email-stale', at, orgnr: '900000016' });

    const events = await store.listEvents(runId);
    expect(events.map((e) => [e.at, e.orgnr])).toEqual([
      [at, '900000008'],
      [at, '900000016'],
      [at + 1000, '900000008'],
    ]);
  });
});

describe('deliverable states', () => {
  const window = { dueAt: Date.UTC(2018, 0, 11, 15), lateUntil: Date.UTC(2018, 0, 17, 15) };

  it('ignores an update that is older than the one already recorded', async () => {
    const { runId, roster } = await createHedmarkRun(1, false);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    const base = { runId, orgnr, deliverableId: 'analysis-so-far', ...window };

    await store.recordDeliverableStatus({ ...base, status: 'submitted', at: Date.UTC(2018, 0, 10), submissionId: 'sub-1' });
    await store.recordDeliverableStatus({ ...base, status: 'open', at: Date.UTC(2018, 0, 4) });

    const { rows } = await pool.query<{ status: string; last_submission_id: string | null; updated_at: Date }>(
      'SELECT status, last_submission_id, updated_at FROM deliverable_states WHERE run_id = $1 AND orgnr = $2',
      [runId, orgnr],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'submitted', last_submission_id: 'sub-1' });
    expect(rows[0]?.updated_at.getTime()).toBe(Date.UTC(2018, 0, 10));
  });

  it('applies a newer update and keeps the last submission id when the newer one has none', async () => {
    const { runId, roster } = await createHedmarkRun(1, false);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    const base = { runId, orgnr, deliverableId: 'analysis-so-far', ...window };

    await store.recordDeliverableStatus({ ...base, status: 'submitted', at: Date.UTC(2018, 0, 10), submissionId: 'sub-1' });
    await store.recordDeliverableStatus({ ...base, status: 'withdrawn', at: Date.UTC(2018, 1, 1) });

    const { rows } = await pool.query<{ status: string; last_submission_id: string | null }>(
      'SELECT status, last_submission_id FROM deliverable_states WHERE run_id = $1 AND orgnr = $2',
      [runId, orgnr],
    );
    expect(rows).toEqual([{ status: 'withdrawn', last_submission_id: 'sub-1' }]);
  });

  it('counts the kindergartens in each status of each deliverable', async () => {
    const { runId, roster } = await createHedmarkRun(2, false);
    const [k1, k2, k3, k4] = roster.kindergartens.map((k) => k.orgnr) as [string, string, string, string];
    const record = (orgnr: string, deliverableId: string, status: 'open' | 'submitted' | 'overdue') =>
      store.recordDeliverableStatus({ runId, orgnr, deliverableId, status, ...window, at: Date.UTC(2018, 0, 5) });
    await record(k1, 'analysis-so-far', 'open');
    await record(k2, 'analysis-so-far', 'open');
    await record(k3, 'analysis-so-far', 'submitted');
    await record(k4, 'analysis-so-far', 'overdue');
    await record(k1, 'full-analysis', 'open');

    await expect(store.countDeliverableStatuses(runId)).resolves.toEqual([
      { deliverableId: 'analysis-so-far', status: 'open', count: 2 },
      { deliverableId: 'analysis-so-far', status: 'overdue', count: 1 },
      { deliverableId: 'analysis-so-far', status: 'submitted', count: 1 },
      { deliverableId: 'full-analysis', status: 'open', count: 1 },
    ]);
    const { runId: emptyRun } = await createHedmarkRun(1, false);
    await expect(store.countDeliverableStatuses(emptyRun)).resolves.toEqual([]);
  });
});

describe('addKindergarten', () => {
  const at = Date.UTC(2017, 10, 20, 9, 30);
  const [newOrgnr, secondOrgnr, thirdOrgnr] = orgnrs(3, 96_000_000) as [string, string, string];
  const newcomer = (orgnr: string, municipalityId: string, groupId?: string): AddKindergartenInput['kindergarten'] => ({
    orgnr,
    name: `Nye ${orgnr} barnehage`,
    municipalityId,
    groupId,
    director: { name: 'Nina Ny', email: `nina-${orgnr}@barnehage.example` },
    participants: 3,
  });

  it("places a new kindergarten in its municipality's region and only workshop group", async () => {
    const { runId } = await createHedmarkRun(1);

    await expect(store.addKindergarten({ runId, kindergarten: newcomer(newOrgnr, 'm-kongsvinger'), at })).resolves.toEqual({
      regionId: 'kongsvinger',
      groupId: 'kongsvinger',
      municipalityId: 'm-kongsvinger',
    });

    const page = await store.listRosterPage({ runId, regionId: 'kongsvinger', afterOrgnr: null, limit: 10 });
    expect(page).toContainEqual({ orgnr: newOrgnr, municipalityId: 'm-kongsvinger', groupId: 'kongsvinger', withdrawn: false });
    const [director] = await store.findRecipients(runId, { kind: 'director', orgnr: newOrgnr });
    expect(director).toMatchObject({ email: `nina-${newOrgnr}@barnehage.example`, kindergarten: { municipalityName: 'Kommune kongsvinger' } });
  });

  it('places a new kindergarten in the workshop group it names when its region has several', async () => {
    const { runId } = await createHedmarkRun(1);

    await expect(store.addKindergarten({ runId, kindergarten: newcomer(newOrgnr, 'm-ringsaker-loten', 'ringsaker-loten'), at })).resolves.toEqual({
      regionId: 'hedmarken',
      groupId: 'ringsaker-loten',
      municipalityId: 'm-ringsaker-loten',
    });
  });

  it('refuses a municipality that is not in the roster as NotFound', async () => {
    const { runId } = await createHedmarkRun(1);

    await expectStoreError(store.addKindergarten({ runId, kindergarten: newcomer(newOrgnr, 'm-trysil'), at }), 'NotFound');
    expect(await countRows('kindergartens', runId)).toBe(5);
  });

  it('refuses an orgnr that is already in the run as a Conflict', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const existing = orgnrsOf(roster, 'kongsvinger')[0] as string;

    await expectStoreError(store.addKindergarten({ runId, kindergarten: newcomer(existing, 'm-kongsvinger'), at }), 'Conflict');
    await store.addKindergarten({ runId, kindergarten: newcomer(secondOrgnr, 'm-kongsvinger'), at });
    await expectStoreError(store.addKindergarten({ runId, kindergarten: newcomer(secondOrgnr, 'm-kongsvinger'), at: at + 60_000 }), 'Conflict');
  });

  it('refuses a kindergarten without a workshop group, or with an unknown one, in a region that meets in several groups as InvalidInput', async () => {
    const { runId } = await createHedmarkRun(1);

    const error = await expectStoreError(store.addKindergarten({ runId, kindergarten: newcomer(thirdOrgnr, 'm-hamar-stange'), at }), 'InvalidInput');
    expect(error.message).toContain('ringsaker-loten, hamar-stange');
    await expectStoreError(store.addKindergarten({ runId, kindergarten: newcomer(thirdOrgnr, 'm-hamar-stange', 'kongsvinger'), at }), 'InvalidInput');
    expect(await countRows('kindergartens', runId)).toBe(5);
  });

  it('accepts a retry of the same addition (same instant) without adding a second row', async () => {
    const { runId } = await createHedmarkRun(1);
    const input = { runId, kindergarten: newcomer(newOrgnr, 'm-hamar-stange', 'hamar-stange'), at };

    const first = await store.addKindergarten(input);
    await expect(store.addKindergarten(input)).resolves.toEqual(first);

    expect(await countRows('kindergartens', runId)).toBe(6);
  });
});

describe('withdrawKindergarten', () => {
  it('refuses an orgnr that is not in the run as NotFound', async () => {
    const { runId } = await createHedmarkRun(1);
    const [stranger] = orgnrs(1, 98_000_000);

    await expectStoreError(store.withdrawKindergarten({ runId, orgnr: stranger as string, reason: 'ukjent', at: Date.UTC(2017, 10, 1) }), 'NotFound');
  });

  it('keeps the first withdrawal time and reason when a withdrawal is repeated', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const orgnr = roster.kindergartens[0]?.orgnr as string;

    await store.withdrawKindergarten({ runId, orgnr, reason: 'nedlagt', at: Date.UTC(2017, 10, 1) });
    await store.withdrawKindergarten({ runId, orgnr, reason: 'annen grunn', at: Date.UTC(2017, 11, 1) });

    const { rows } = await pool.query<{ withdrawn_at: Date; withdrawn_reason: string }>(
      'SELECT withdrawn_at, withdrawn_reason FROM kindergartens WHERE run_id = $1 AND orgnr = $2',
      [runId, orgnr],
    );
    expect(rows[0]?.withdrawn_reason).toBe('nedlagt');
    expect(rows[0]?.withdrawn_at.getTime()).toBe(Date.UTC(2017, 10, 1));
  });
});

describe('upload links', () => {
  it('starts each link at version 1 and re-issuing bumps it, revoking the older links', async () => {
    const { runId, roster } = await createHedmarkRun(1, false);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    expect(await store.uploadLinkVersion(runId, orgnr, 'analysis-so-far')).toBe(1);
    expect(await store.uploadLinkVersion(runId, orgnr, 'analysis-so-far')).toBe(1);
    const reissue = (deliverableId: string) => store.reissueUploadLink({ runId, orgnr, deliverableId, deliverable: deliverableId, actor: 'kari@fylke.example', at: Date.parse('2027-12-01T10:00:00Z') });
    expect(await reissue('analysis-so-far')).toBe(2);
    expect(await store.uploadLinkVersion(runId, orgnr, 'analysis-so-far')).toBe(2);
    expect(await store.uploadLinkVersion(runId, orgnr, 'full-analysis')).toBe(1);
    expect(await reissue('booklet-material')).toBe(2);
  });

  it('writes the audit entry of a re-issue in the same transaction as the new version, one per version', async () => {
    const { runId, roster } = await createHedmarkRun(1, false);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    await store.reissueUploadLink({ runId, orgnr, deliverableId: 'analysis-so-far', deliverable: 'Analyse så langt', actor: 'kari@fylke.example', at: Date.parse('2027-12-01T10:00:00Z') });
    await store.reissueUploadLink({ runId, orgnr, deliverableId: 'analysis-so-far', deliverable: 'Analyse så langt', actor: 'kari@fylke.example', at: Date.parse('2027-12-02T10:00:00Z') });
    const { rows } = await db.pool.query('SELECT key, actor, action, details FROM audit_log WHERE run_id = $1 ORDER BY id', [runId]);
    expect(rows).toEqual([
      { key: `${runId}/upload-link-reissued/${orgnr}/analysis-so-far/v2`, actor: 'kari@fylke.example', action: 'upload-link-reissued', details: { orgnr, deliverableId: 'analysis-so-far', deliverable: 'Analyse så langt', version: 2 } },
      { key: `${runId}/upload-link-reissued/${orgnr}/analysis-so-far/v3`, actor: 'kari@fylke.example', action: 'upload-link-reissued', details: { orgnr, deliverableId: 'analysis-so-far', deliverable: 'Analyse så langt', version: 3 } },
    ]);
  });

  it('keeps one audit entry per key: a retried write of the same action adds nothing', async () => {
    const { runId } = await createHedmarkRun(1, false);
    const entry = { key: `${runId}/run-paused/u1`, runId, actor: 'kari@fylke.example', action: 'run-paused' as const, at: Date.parse('2027-12-01T10:00:00Z'), details: { reason: null } };
    await store.recordAudit(entry);
    await store.recordAudit({ ...entry, at: entry.at + 1000 });
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM audit_log WHERE key = $1', [entry.key]);
    expect(rows[0].n).toBe(1);
  });
});

describe('the authorities\' daily digest', () => {
  const T = Date.UTC(2018, 2, 5, 7);
  const status = (runId: string, orgnr: string, deliverableId: string, value: 'overdue' | 'open' | 'submitted' | 'missed', dueAt: number) =>
    store.recordDeliverableStatus({ runId, orgnr, deliverableId, status: value, dueAt, lateUntil: dueAt + 7 * 86_400_000, at: T, submissionId: null });
  const queue = (runId: string, orgnr: string, deliverableId: string, at = T) =>
    store.queueDigestItem({ key: `${runId}/${orgnr}/${deliverableId}/escalation@v0`, runId, orgnr, deliverableId, dueAt: T - 3 * 86_400_000, lateUntil: T + 4 * 86_400_000, at });

  it('claims each queued escalation into one day, names the authorities with news still outstanding, and answers the same when asked again', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const [a, b] = orgnrsOf(roster, 'kongsvinger') as [string, string];
    const [c] = orgnrsOf(roster, 'hamar-stange') as [string];
    for (const o of [a, b, c]) await status(runId, o, 'analysis-so-far', 'overdue', T - 3 * 86_400_000);
    await queue(runId, a, 'analysis-so-far');
    await queue(runId, a, 'analysis-so-far'); // a retried activity adds nothing
    await queue(runId, b, 'analysis-so-far');
    await queue(runId, c, 'analysis-so-far');
    // Hamar-Stange's kindergarten delivers between its escalation and the digest: no news for its authority.
    await status(runId, c, 'analysis-so-far', 'submitted', T - 3 * 86_400_000);
    const kongsvinger = roster.kindergartens.find((k) => k.orgnr === a)?.municipalityId;
    expect(await store.claimAuthorityDigests({ runId, day: '2018-03-05', at: T + 5 * 3_600_000 })).toEqual([kongsvinger]);
    expect(await store.claimAuthorityDigests({ runId, day: '2018-03-05', at: T + 5 * 3_600_000 })).toEqual([kongsvinger]);
    // Queued after the day's claim: the next day's.
    await status(runId, c, 'analysis-so-far', 'overdue', T - 3 * 86_400_000);
    await store.queueDigestItem({ key: `${runId}/${c}/analysis-so-far/escalation@v1`, runId, orgnr: c, deliverableId: 'analysis-so-far', dueAt: T, lateUntil: T + 86_400_000, at: T + 6 * 3_600_000 });
    const hamar = roster.kindergartens.find((k) => k.orgnr === c)?.municipalityId;
    expect(await store.claimAuthorityDigests({ runId, day: '2018-03-06', at: T + 29 * 3_600_000 })).toEqual([hamar]);
    const { rows } = await pool.query<{ digest_day: string; n: string }>('SELECT digest_day, count(*) AS n FROM authority_digest_items WHERE run_id = $1 GROUP BY digest_day ORDER BY digest_day', [runId]);
    expect(rows.map((r) => [r.digest_day, Number(r.n)])).toEqual([['2018-03-05', 3], ['2018-03-06', 1]]);
  });

  it('reads a digest: the day\'s news, what is still overdue, and deadlines within a week, for the authority\'s own kindergartens only', async () => {
    const { runId, roster } = await createHedmarkRun(2);
    const [a, b] = orgnrsOf(roster, 'kongsvinger') as [string, string];
    const [other] = orgnrsOf(roster, 'hamar-stange') as [string];
    const municipality = roster.kindergartens.find((k) => k.orgnr === a)?.municipalityId as string;
    await status(runId, a, 'analysis-so-far', 'overdue', T - 3 * 86_400_000);
    await status(runId, b, 'booklet-material', 'overdue', T - 10 * 86_400_000);
    await status(runId, b, 'full-analysis', 'open', T + 5 * 86_400_000);
    await status(runId, a, 'full-analysis', 'open', T + 30 * 86_400_000);
    await status(runId, other, 'analysis-so-far', 'overdue', T - 3 * 86_400_000);
    await queue(runId, a, 'analysis-so-far');
    await store.claimAuthorityDigests({ runId, day: '2018-03-05', at: T + 3_600_000 });
    const digest = await store.authorityDigest(runId, municipality, '2018-03-05', T + 5 * 3_600_000);
    expect(digest.municipality).toBe(roster.municipalities.find((m) => m.id === municipality)?.name);
    expect(digest.lines.map((l) => [l.orgnr, l.deliverableId, l.status, l.isNew])).toEqual([
      [b, 'booklet-material', 'overdue', false],
      [a, 'analysis-so-far', 'overdue', true],
      [b, 'full-analysis', 'open', false],
    ]);
    expect(digest.lines[1]?.deliverable).toBe(plan.deliverables.find((d) => d.id === 'analysis-so-far')?.title);
  });

  it('finds an authority by its municipality, and refuses an unknown one', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const m = roster.municipalities[0] as Roster['municipalities'][number];
    expect(await store.findRecipients(runId, { kind: 'authority', municipalityId: m.id })).toEqual([
      { id: `authority-${m.id}`, name: m.authority.name, email: m.authority.email, role: 'municipal-authority', municipality: { name: m.name, language: 'nb' } },
    ]);
    await expectStoreError(store.findRecipients(runId, { kind: 'authority', municipalityId: 'ukjent' }), 'NotFound');
  });
});

describe('the authority\'s verdicts', () => {
  it('keeps each review once, however often it is written', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    const review = { reviewId: 'r-1', runId, orgnr, deliverableId: 'full-analysis', submissionId: 's-1', version: 1, verdict: 'returned' as const, comment: 'Mangler tiltak.', by: 'kommune@example.no', at: Date.UTC(2018, 5, 4, 8), dueAt: Date.UTC(2018, 5, 18, 14), lateUntil: Date.UTC(2018, 6, 9, 14) };
    await store.recordReview(review);
    await store.recordReview({ ...review, comment: 'en annen tekst' });
    const { rows } = await pool.query<{ comment: string; verdict: string }>('SELECT comment, verdict FROM submission_reviews WHERE run_id = $1', [runId]);
    expect(rows).toEqual([{ comment: 'Mangler tiltak.', verdict: 'returned' }]);
  });
});

describe('the research centre\'s guidance', () => {
  const accepted = async (runId: string, orgnr: string, id: string, version: number, at: number) =>
    pool.query(
      `INSERT INTO submissions (id, run_id, orgnr, deliverable_id, link_version, state, version, late, created_at) VALUES ($1, $2, $3, 'analysis-so-far', 1, 'accepted', $4, false, $5)`,
      [id, runId, orgnr, version, new Date(at)],
    );
  const guidance = (runId: string, orgnr: string, guidanceId: string, at: number) => ({
    guidanceId, runId, orgnr, deliverableId: 'analysis-so-far', submissionId: '11111111-1111-4111-8111-111111111111', version: 1, text: 'Godt arbeid.',
    files: [{ name: 'kommentarer.pdf', size: 10, sha256: 'd'.repeat(64), contentType: 'application/pdf', storageKey: `${guidanceId}/1` }], by: 'sepu@example.no', at,
  });

  it('owes guidance on what was submitted by an instant and not yet guided by then, and keeps each guidance once', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const [a, b, c, d] = roster.kindergartens.map((k) => k.orgnr) as [string, string, string, string];
    const t = Date.UTC(2018, 2, 1, 9);
    await accepted(runId, a, '11111111-1111-4111-8111-111111111111', 1, t);
    await accepted(runId, a, '22222222-2222-4222-8222-222222222222', 2, t + 3_600_000);
    await accepted(runId, b, '33333333-3333-4333-8333-333333333333', 1, t + 86_400_000);
    await accepted(runId, c, '44444444-4444-4444-8444-444444444444', 1, t);
    await store.withdrawKindergarten({ runId, orgnr: c, reason: 'flyttet', at: t });
    expect(await store.latestSubmission(runId, a, 'analysis-so-far')).toEqual({ submissionId: '22222222-2222-4222-8222-222222222222', version: 2, at: t + 3_600_000 });
    expect(await store.latestSubmission(runId, d, 'analysis-so-far')).toBeNull();

    // Before b submitted: only a (with its first submission's time); c is withdrawn, d never submitted.
    expect((await store.owedGuidance(runId, ['analysis-so-far'], t + 7_200_000)).map((o) => [o.orgnr, o.firstSubmittedAt])).toEqual([[a, t]]);
    const g = guidance(runId, a, '55555555-5555-4555-8555-555555555555', t + 2 * 86_400_000);
    await store.recordGuidance(g);
    await store.recordGuidance({ ...g, text: 'en annen tekst' });
    expect(await store.guidance(runId, g.guidanceId)).toEqual(g);
    expect(await store.listGuidance(runId, { orgnr: a })).toEqual([g]);
    expect(await store.listGuidance(runId, { orgnr: b })).toEqual([]);
    // As of the day after: a (guidance still to come) and b; as of later: only b. Another deliverable owes nothing.
    expect((await store.owedGuidance(runId, ['analysis-so-far'], t + 86_400_000 + 1)).map((o) => o.orgnr).sort()).toEqual([a, b].sort());
    expect((await store.owedGuidance(runId, ['analysis-so-far'], t + 3 * 86_400_000)).map((o) => o.orgnr)).toEqual([b]);
    expect(await store.owedGuidance(runId, ['full-analysis'], t + 3 * 86_400_000)).toEqual([]);
    expect(await store.owedGuidance(runId, [], t + 3 * 86_400_000)).toEqual([]);
    const [owed] = await store.owedGuidance(runId, ['analysis-so-far'], t + 3 * 86_400_000);
    const k = roster.kindergartens.find((x) => x.orgnr === b) as Roster['kindergartens'][number];
    expect(owed).toEqual({ orgnr: b, kindergarten: k.name, municipality: roster.municipalities.find((m) => m.id === k.municipalityId)?.name, regionId: k.regionId, groupId: k.groupId, deliverableId: 'analysis-so-far', firstSubmittedAt: t + 86_400_000 });
  });
});

describe("the authorities' group set-ups", () => {
  it('numbers each municipality\'s versions, keeps a repeated set-up id once with one audit entry, and says who has sent by an instant', async () => {
    const { runId, roster } = await createHedmarkRun(1);
    const [m1, m2] = roster.municipalities as [Roster['municipalities'][number], Roster['municipalities'][number]];
    const k1 = roster.kindergartens.find((k) => k.municipalityId === m1.id) as Roster['kindergartens'][number];
    const t = Date.UTC(2017, 10, 20, 9);
    const setup = (setupId: string, at: number) => ({
      setupId, runId, municipalityId: m1.id, deliverableId: 'group-setup', deliverable: 'Gruppeoppsett', late: false, receivedAt: at, by: m1.authority.email, source: 'form' as const, fileName: null,
      participants: [{ orgnr: k1.orgnr, name: k1.director.name, email: k1.director.email, role: 'styrer' }, { orgnr: k1.orgnr, name: 'Per Pedleder', email: 'per@example.no', role: 'pedagogisk-leder' }],
    });
    expect(await store.municipalitiesWithoutGroupSetup(runId, 'group-setup', t)).toEqual(roster.municipalities.map((m) => m.id).sort());
    const first = await store.recordGroupSetup(setup('66666666-6666-4666-8666-666666666666', t));
    expect(first).toMatchObject({ version: 1, receiptNumber: expect.stringMatching(/^GS-\d{6}$/), participants: setup('x', t).participants });
    expect(await store.recordGroupSetup({ ...setup('66666666-6666-4666-8666-666666666666', t + 1), participants: [] })).toEqual(first);
    const second = await store.recordGroupSetup({ ...setup('77777777-7777-4777-8777-777777777777', t + 86_400_000), late: true });
    expect(second.version).toBe(2);
    expect(await store.latestGroupSetup(runId, m1.id, 'group-setup')).toEqual(second);
    expect(await store.latestGroupSetup(runId, m2.id, 'group-setup')).toBeNull();
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE run_id = $1 AND action = 'group-setup-received'", [runId]);
    expect(Number(rows[0]?.n)).toBe(2);
    expect(await store.municipalitiesWithoutGroupSetup(runId, 'group-setup', t - 1)).toContain(m1.id);
    expect(await store.municipalitiesWithoutGroupSetup(runId, 'group-setup', t)).not.toContain(m1.id);
    const summaries = await store.groupSetups(runId, 'group-setup');
    expect(summaries.find((s) => s.municipalityId === m1.id)).toEqual({ municipalityId: m1.id, municipality: m1.name, regionId: m1.regionId, kindergartens: roster.kindergartens.filter((k) => k.municipalityId === m1.id).length, latest: { setupId: second.setupId, version: 2, receiptNumber: second.receiptNumber, late: true, receivedAt: t + 86_400_000, by: m1.authority.email, participants: 2 } });
    expect(summaries.find((s) => s.municipalityId === m2.id)?.latest).toBeNull();
    expect((await store.municipalityKindergartens(runId, m1.id)).map((k) => k.orgnr)).toEqual(roster.kindergartens.filter((k) => k.municipalityId === m1.id).map((k) => k.orgnr).sort());
  });
});
