import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PgStore } from '../../activities/db/pg-store';
import { ARSHJUL_RELEASE } from '../../application/release';
import { initialDeliverables } from '../../application/run-control';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import type { Timeline } from '../../domain/timeline';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { type KindergartenStatus, submitDeliverableUpdate } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import { type FaultySmtp, startFaultySmtp } from '../helpers/faulty-smtp';
import { freshSchema } from '../helpers/postgres';
import { type TemporalServerProcess, type WorkerProcess, temporalServerProcess, workerProcess } from '../helpers/processes';
import { writeReliability } from '../helpers/reliability';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan } from '../helpers/temporal';

jest.setTimeout(300_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const S = 1_000;

/**
 * The authorities' daily digest on a dev server (file-backed) with real PostgreSQL, SMTP and the production worker as
 * its own process: two authorities with three kindergartens each, two deliverables whose escalations fall on two
 * digest days, one kindergarten that delivers in time. The worker is killed with SIGKILL while the first digest is
 * in the middle of its SMTP conversation, and again just before the second digest day comes. Afterwards each
 * authority got one digest per day with something new (never a per-kindergarten escalation), each listing exactly
 * the kindergartens that had not delivered, and no digest key reached the mail server under two Message-IDs.
 */
describe('the authorities\' daily digest through worker kills', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let temporal: TemporalServerProcess;
  let connection: Connection;
  let client: Client;
  let smtp: FaultySmtp;
  let worker: WorkerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arshjul-digest-'));
    db = await freshSchema('faults_digest');
    temporal = await temporalServerProcess(join(dir, 'temporal.db'));
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    smtp = await startFaultySmtp();
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    worker = workerProcess({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      TEMPORAL_TASK_QUEUE: 'faults-digest',
      EMAIL_TASK_QUEUE: 'faults-digest-email',
      EMAIL_RATE_PER_MINUTE: '60000',
      EMAIL_JITTER_MS: '0',
      UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
      PUBLIC_BASE_URL: 'http://arshjul.test',
      DATA_DIR: dir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.kill();
    await connection?.close();
    await temporal?.stop();
    await smtp?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends each authority one digest a day with what is outstanding, once per key through SIGKILLs', async () => {
    const full = futurePlan(2027, 'sammendrag');
    const plan = { ...full, regions: full.regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }, { regionId: 'hedmarken', groupId: 'hamar-stange' }], 3);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const resolved = resolveTimeline(plan);
    // No milestones; the analysis so far escalates at T+20 s and the full analysis at T+40 s, with digests at T+26 s,
    // T+48 s and (nothing new) after the year's end.
    const t0 = Date.now() + 8 * S;
    const window = (dueAt: number, escalationAt: number, lateUntil: number) => ({ opensAt: t0, promptAt: t0, reminderAts: [], dueAt, escalationAt, lateUntil });
    const deliverables = resolved.deliverables
      .filter((d) => d.id === 'analysis-so-far' || d.id === 'full-analysis')
      // Without the guidance windows: the run's guidance reminders would keep it open until their real dates.
      .map((d) => ({ ...d, windows: d.windows.map(({ guidance: _guidance, ...w }) => ({ ...w, ...(d.id === 'analysis-so-far' ? window(t0 + 12 * S, t0 + 20 * S, t0 + 70 * S) : window(t0 + 32 * S, t0 + 40 * S, t0 + 70 * S)) })) }));
    const days = [
      { day: '2028-03-06', at: t0 + 26 * S },
      { day: '2028-03-07', at: t0 + 48 * S },
      { day: '2028-03-08', at: t0 + 76 * S },
    ];
    const timeline: Timeline = {
      ...resolved,
      regions: resolved.regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken'),
      milestones: [],
      deliverables,
      endsAt: t0 + 72 * S,
      submissionGraceMs: 2 * S,
      authorityDigest: { days },
    };
    const store = new PgStore({ pool: db.pool });
    await store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'faults-digest', args: [{ runId, plan, timeline, emailTaskQueue: 'faults-digest-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });

    // One Kongsvinger kindergarten delivers the analysis so far in time: it is in no digest for it.
    const delivering = roster.kindergartens[0]!;
    await pause(t0 + 3 * S - Date.now());
    await client.workflow.getHandle(kindergartenWorkflowId(runId, delivering.orgnr)).executeUpdate(submitDeliverableUpdate, {
      args: [{ submissionId: 'innsending-1', deliverableId: 'analysis-so-far', files: [{ name: 'analyse.pdf', size: 1000, sha256: 'a'.repeat(64) }], receiptNumber: 'AH-000001', receivedAt: Date.now() }],
    });

    // Kill 1: the first digest of the first day has reached the mail server, the worker dies before the reply.
    await pause(days[0]!.at - 2 * S - Date.now());
    const held = smtp.hold();
    const first = await held.arrived;
    expect(first.mail.subject).toMatch(/^Kultur for læring: Sammendrag for /);
    // When each kill began and when the process was gone: a message reaching the server in between may come again.
    const kills: { from: number; to: number }[] = [];
    const kill = async () => {
      const from = Date.now();
      await worker.kill();
      kills.push({ from, to: Date.now() });
    };
    await kill();
    held.release();
    await pause(500);
    await worker.start();

    // Kill 2: the worker is away when the second digest day comes, and back two seconds later.
    await pause(days[1]!.at - 300 - Date.now());
    await kill();
    await pause(2 * S);
    await worker.start();

    await client.workflow.getHandle(runId).result();
    const results = await Promise.all(roster.kindergartens.map((k) => client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result() as Promise<KindergartenStatus>));

    // No escalation went as its own email: each is in a digest.
    for (const result of results) {
      const escalations = result.steps.filter((s) => s.key.includes('/escalation@'));
      const expected = result.orgnr === delivering.orgnr ? ['in-digest'] : ['in-digest', 'in-digest'];
      expect({ orgnr: result.orgnr, statuses: escalations.filter((s) => s.status !== 'suppressed').map((s) => s.status) }).toEqual({ orgnr: result.orgnr, statuses: expected });
    }
    const outbox = (await db.pool.query<{ key: string; template: string; recipient: string; message_id: string; state: string; body_text: string }>('SELECT key, template, recipient, message_id, state, body_text FROM email_outbox ORDER BY key')).rows;
    expect(outbox.filter((e) => e.template === 'deliverable-escalation')).toEqual([]);
    const digests = outbox.filter((e) => e.template === 'authority-digest');
    // Two authorities × two days with something new; the third day had nothing new and sent nothing.
    expect(digests.map((d) => [d.key, d.recipient, d.state])).toEqual([
      [`${runId}/authority-digest/2028-03-06/m-hamar-stange/authority-m-hamar-stange`, 'barnehage@hamar-stange.kommune.example', 'sent'],
      [`${runId}/authority-digest/2028-03-06/m-kongsvinger/authority-m-kongsvinger`, 'barnehage@kongsvinger.kommune.example', 'sent'],
      [`${runId}/authority-digest/2028-03-07/m-hamar-stange/authority-m-hamar-stange`, 'barnehage@hamar-stange.kommune.example', 'sent'],
      [`${runId}/authority-digest/2028-03-07/m-kongsvinger/authority-m-kongsvinger`, 'barnehage@kongsvinger.kommune.example', 'sent'],
    ]);

    // Each digest names exactly the kindergartens that had not delivered.
    const names = (municipality: string) => roster.kindergartens.filter((k) => k.municipalityId === municipality).map((k) => k.name);
    const digestOf = (day: string, municipality: string) => digests.find((d) => d.key.includes(`/${day}/${municipality}/`))!.body_text;
    const section = (text: string, heading: string) => (text.split('\n\n').find((p) => p.startsWith(heading)) ?? '').split('\n').slice(1);
    const NEW = 'Nytt siden forrige sammendrag';
    const fullTitle = plan.deliverables.find((d) => d.id === 'full-analysis')!.title;
    const STILL = 'Fortsatt ikke levert etter fristen';
    expect(section(digestOf('2028-03-06', 'm-kongsvinger'), NEW).map((l) => l.split(':')[0])).toEqual(names('m-kongsvinger').filter((n) => n !== delivering.name).map((n) => `• ${n}`));
    expect(section(digestOf('2028-03-06', 'm-hamar-stange'), NEW)).toHaveLength(3);
    for (const m of ['m-kongsvinger', 'm-hamar-stange']) {
      const second = digestOf('2028-03-07', m);
      expect(section(second, NEW).map((l) => l.split(':')[0])).toEqual(names(m).map((n) => `• ${n}`));
      expect(section(second, NEW).every((l) => l.includes(`«${fullTitle}»`))).toBe(true);
      // The analysis so far, escalated the day before and still missing, is listed as still outstanding.
      expect(section(second, STILL)).toHaveLength(m === 'm-kongsvinger' ? 2 : 3);
    }

    // The mail server got every digest key under its one Message-ID. A second copy only where the sender was killed
    // after the server had the message and before it recorded the reply (the ambiguous case: same Message-ID, so the
    // recipient's mail client shows it once), never a second message for one authority and day.
    const digestIds = new Set(digests.map((d) => d.message_id));
    const received = smtp.messages.filter((m) => digestIds.has(m.messageId));
    expect(new Set(received.map((m) => m.messageId))).toEqual(digestIds);
    const copiesOf = (id: string) => received.filter((m) => m.messageId === id);
    const repeated = [...digestIds].filter((id) => copiesOf(id).length > 1);
    const explained = (id: string) => kills.some((k) => (copiesOf(id)[0] as { receivedAt: number }).receivedAt <= k.to);
    expect(repeated.filter((id) => !explained(id))).toEqual([]);
    expect(copiesOf(first.messageId).length).toBeGreaterThanOrEqual(1);
    expect(smtp.messages.filter((m) => /^Kultur for læring: Sammendrag for /.test(m.mail.subject ?? '') && !digestIds.has(m.messageId))).toEqual([]);
    writeReliability('authority-digest-sigkill', {
      fault: 'worker killed with SIGKILL during a digest\'s SMTP conversation and when a digest day came',
      authorities: 2,
      digestDays: 2,
      digestsSent: digests.length,
      digestMessagesReceived: received.length,
      ambiguousRepeats: repeated.length,
      perKindergartenEscalations: 0,
    });
  });
});
