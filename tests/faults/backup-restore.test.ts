import { waitFor } from '../helpers/wait';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Client as PgClient, Pool } from 'pg';
import { migrate } from '../../activities/db/migrate';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { FileStore } from '../../activities/files/file-store';
import { initialDeliverables } from '../../application/run-control';
import { buildApp } from '../../api/server';
import { type UploadDeps, retryUndecided } from '../../application/upload-service';
import { backupPlaces, writeBackup } from '../../application/backup';
import { loadConfig } from '../../config/env';
import { uploadTimeline } from '../helpers/upload-stack';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import { type KindergartenStatus, kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import type { Timeline } from '../../domain/timeline';
import { ARSHJUL_RELEASE } from '../../application/release';
import { arshjulCli } from '../helpers/cli';
import { pdf } from '../helpers/documents';
import { faultTestTimeline, stepsOfKindergarten } from '../helpers/fault-timeline';
import { type FaultySmtp, startFaultySmtp } from '../helpers/faulty-smtp';
import { TEST_DATABASE_URL } from '../helpers/postgres';
import { type PrivatePostgres, privatePostgres } from '../helpers/private-postgres';
import { type TemporalServerProcess, type WorkerProcess, freePort, temporalServerProcess, workerProcess } from '../helpers/processes';
import { writeReliability } from '../helpers/reliability';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan } from '../helpers/temporal';

jest.setTimeout(900_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INSTANTS = new Set(['at', 'sendAt', 'latestUsefulAt', 'opensAt', 'promptAt', 'dueAt', 'escalationAt', 'lateUntil', 'endsAt', 'overdueAt', 'reminderAts']);

/** The timeline with every instant at or after `split` moved `gapMs` later: a quiet stretch in the middle of the year. */
function withQuietStretch(timeline: Timeline, split: number, gapMs: number): Timeline {
  const move = (value: unknown, key: string): unknown => {
    if (INSTANTS.has(key) && typeof value === 'number') return value >= split ? value + gapMs : value;
    if (Array.isArray(value)) return value.map((v) => move(v, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v, k)]));
    return value;
  };
  return move(timeline, '') as Timeline;
}

/**
 * A year squeezed into minutes on a file-backed dev server, with PostgreSQL (a cluster of its own), real SMTP, the
 * production worker and the API. Half-way, after directors have uploaded, `arshjul backup` copies it while everything
 * runs. Then everything is stopped and wiped — PostgreSQL's cluster, the dev server's file, UPLOAD_DIR — and
 * `arshjul restore` brings the backup into a new cluster and data folder. Started again, the rest of the year runs:
 * Message-ID by Message-ID, every email the mail server received is in the outbox exactly once, none sent before the
 * backup is sent again, and every email still owed afterwards arrives.
 */
describe('a year backed up while running, wiped, restored and run to its end', () => {
  let dir: string;
  let dataDir: string;
  let pg: PrivatePostgres;
  let temporal: TemporalServerProcess;
  let connection: Connection;
  let client: Client;
  let smtp: FaultySmtp;
  let worker: WorkerProcess;
  let app: FastifyInstance | null = null;
  let pool: Pool | null = null;
  let apiPort: number;
  let bundlePath: string;

  const uploadsFor = (p: Pool): UploadDeps => ({
    client,
    submissions: new SubmissionRepository(p),
    files: new FileStore(join(dataDir, 'uploads')),
    secret: TEST_UPLOAD_SECRET,
    limits: { maxFileBytes: 5 * 1024 * 1024, maxFiles: 3 },
  });
  const workerEnv = (databaseUrl: string) => ({
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: databaseUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    TEMPORAL_TASK_QUEUE: 'backup-year',
    EMAIL_TASK_QUEUE: 'backup-year-email',
    EMAIL_RATE_PER_MINUTE: '60000',
    EMAIL_JITTER_MS: '0',
    UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    DATA_DIR: dataDir,
    WORKFLOW_BUNDLE_PATH: bundlePath,
  });
  /** The API process's part: uploads and the console, on the same port before and after the restore. */
  const startApi = async (databaseUrl: string) => {
    pool = new Pool({ connectionString: databaseUrl, max: 4 });
    pool.on('error', () => undefined);
    const uploads = uploadsFor(pool);
    await uploads.files.init();
    app = await buildApp({ client, store: new PgStore({ pool }), taskQueue: 'backup-year' }, { uploads });
    await app.listen({ host: '127.0.0.1', port: apiPort });
    return uploads;
  };
  const stopApi = async () => {
    await app?.close();
    await pool?.end();
    app = null;
    pool = null;
  };
  /** The command line as an operator runs it on this machine: the dev server's data in DATA_DIR (no TEMPORAL_ADDRESS). */
  const cliEnv = (databaseUrl: string) => ({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, TEMPORAL_ADDRESS: '', UPLOAD_DIR: '', UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arshjul-faults-backup-'));
    dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    pg = await privatePostgres();
    temporal = await temporalServerProcess(join(dataDir, 'temporal.db'));
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    smtp = await startFaultySmtp();
    apiPort = await freePort();
    bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    await migrate(pg.url);
    worker = workerProcess(workerEnv(pg.url));
    await worker.start();
  });

  afterAll(async () => {
    await worker?.kill();
    await stopApi();
    await connection?.close();
    await temporal?.stop();
    await smtp?.close();
    pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing and sends nothing twice, checked Message-ID by Message-ID', async () => {
    let uploads = await startApi(pg.url);
    const plan = { ...futurePlan(2027, 'kopi'), regions: futurePlan(2027, 'kopi').regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }, { regionId: 'hedmarken', groupId: 'hamar-stange' }], 3);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const resolved = resolveTimeline(plan);
    const stepMs = 20_000;
    const compressed = faultTestTimeline({ ...resolved, regions: resolved.regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') }, Date.now() + 8_000, 40_000, stepMs);
    // Half-way: after the first deliverable's prompt, everything waits `quietMs` while the backup is taken, everything
    // is wiped and restored and started again (a gap in the plan, so no email falls due while nobody runs).
    const firstOpens = Math.min(...compressed.deliverables.flatMap((d) => d.windows.map((w) => w.opensAt)));
    const split = firstOpens + stepMs / 2;
    const quietMs = 120_000;
    const timeline = withQuietStretch(compressed, split, quietMs);
    const store = new PgStore({ pool: pool! });
    await store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'backup-year', args: [{ runId, plan, timeline, emailTaskQueue: 'backup-year-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });

    // Two directors upload the first deliverable from the link in their prompt, before the backup.
    const firstDeliverable = compressed.deliverables.find((d) => d.windows.some((w) => w.opensAt === firstOpens))!;
    const uploaders = roster.kindergartens.filter((_, i) => i === 0 || i === 4);
    const uploaded: { orgnr: string; submissionId: string; sha256: string }[] = [];
    for (const k of uploaders) {
      const prompt = await waitFor(
        () => smtp.messages.find((m) => m.rcptTo.includes(k.director.email) && /\/levering\//.test(m.mail.text ?? '')),
        120_000,
        () => `the prompt with a link to ${k.director.email}`,
      );
      const link = /(http:\/\/127\.0\.0\.1:\d+\/levering\/[A-Za-z0-9._-]+)/.exec(prompt.mail.text ?? '')![1]!;
      const data = pdf(`${firstDeliverable.title} fra ${k.orgnr}`, 200_000);
      const submissionId = randomUUID();
      const form = new FormData();
      form.append('innsending', submissionId);
      form.append('filer', new Blob([data], { type: 'application/pdf' }), 'analyse.pdf');
      const answer = await fetch(link.replace('/levering/', '/api/uploads/'), { method: 'POST', body: form });
      expect(answer.status).toBe(201);
      uploaded.push({ orgnr: k.orgnr, submissionId, sha256: createHash('sha256').update(data).digest('hex') });
    }
    // Every email due before the quiet stretch has gone out (receipts included), and nothing is on its way.
    const receiptsOf = (email: string) => smtp.messages.filter((m) => m.rcptTo.includes(email) && /kvittering/i.test(m.mail.subject ?? ''));
    await waitFor(() => uploaders.every((k) => receiptsOf(k.director.email).length === 1), 60_000, () => 'the uploaders\' receipts');
    await waitFor(async () => Date.now() > split + 2_000 && (await pool!.query("SELECT 1 FROM email_outbox WHERE state <> 'sent'")).rowCount === 0 && Date.now() - (smtp.messages.at(-1)?.receivedAt ?? 0) > 2_000, 60_000, () => 'a quiet moment');

    // The backup, with the worker, the dev server and the API running.
    const backupDir = join(dir, 'backup');
    const backupStarted = Date.now();
    const backup = await arshjulCli(['backup', '--to', backupDir], cliEnv(pg.url));
    const backupWallMs = Date.now() - backupStarted;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    process.stdout.write(backup.stdout);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as { durationMs: number; files: { path: string; size: number; kind: string }[]; postgres: { snapshotAt: string; tables: { rows: number }[] } };
    const sentAtBackup = new Set((await pool!.query<{ message_id: string }>("SELECT message_id FROM email_outbox WHERE state = 'sent'")).rows.map((r) => r.message_id));
    const receivedBeforeStop = smtp.messages.length;

    // Everything stopped and wiped: worker, API, dev server, PostgreSQL's cluster, the data folder.
    await worker.kill();
    await stopApi();
    await temporal.stop();
    // Nothing was sent between the backup's snapshot and the stop (the plan is quiet): otherwise it would be sent again.
    expect(smtp.messages.filter((m) => m.receivedAt >= Date.parse(manifest.postgres.snapshotAt)).map((m) => m.mail.subject)).toEqual([]);
    pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(false);

    // A new machine's PostgreSQL, an empty data folder; restored by the command line.
    const fresh = await privatePostgres();
    pg = fresh;
    const restoreStarted = Date.now();
    const restore = await arshjulCli(['restore', '--from', backupDir], cliEnv(fresh.url));
    const restoreWallMs = Date.now() - restoreStarted;
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    process.stdout.write(restore.stdout);
    expect(restore.stdout).toMatch(/kontrollert: \d+ filer/);
    // The uploads accepted shortly before the copy are handed to their workflows again (idempotent: same receipt).
    expect(restore.stdout).toMatch(/2 innleveringer godtatt mens sikkerhetskopien ble tatt/);

    await temporal.start();
    uploads = await startApi(fresh.url);
    worker = workerProcess(workerEnv(fresh.url));
    await worker.start();
    const restartedAt = Date.now();
    expect(restartedAt).toBeLessThan(split + quietMs);
    // The API's retry of stored submissions (every minute in production; here at once).
    await waitFor(async () => (await retryUndecided(uploads, 0)) >= 0 && (await Promise.all(uploaded.map(async (u) => (await uploads.submissions.get(u.submissionId))?.state))).every((s) => s === 'accepted'), 120_000, () => 'the re-delivered submissions accepted');
    for (const u of uploaded) {
      const stored = await uploads.submissions.get(u.submissionId);
      const onDisk = createHash('sha256');
      for await (const chunk of uploads.files.open(stored!.files[0]!.storageKey)) onDisk.update(chunk as Buffer);
      expect(onDisk.digest('hex')).toBe(u.sha256);
      const status = await client.workflow.getHandle(kindergartenWorkflowId(runId, u.orgnr)).query(kindergartenStatusQuery);
      expect(status.deliverables.find((d) => d.id === firstDeliverable.id)?.submissions).toBe(1);
    }

    // The rest of the year.
    await client.workflow.getHandle(runId).result();
    const results = await Promise.all(roster.kindergartens.map((k) => client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result() as Promise<KindergartenStatus>));
    for (const result of results) {
      expect(result.steps).toHaveLength(stepsOfKindergarten(timeline, result.regionId, result.groupId));
      expect(result.steps.filter((s) => s.status !== 'sent' && s.status !== 'suppressed')).toEqual([]);
      if (!uploaded.some((u) => u.orgnr === result.orgnr)) expect(result.steps.every((s) => s.status === 'sent')).toBe(true);
    }

    // Message-ID by Message-ID against the restored outbox.
    const outbox = (await new PgStore({ pool: pool! }).listEmails(runId, {})) as unknown[];
    const rows = (await pool!.query<{ message_id: string; state: string }>('SELECT message_id, state FROM email_outbox')).rows;
    expect(rows.filter((e) => e.state !== 'sent')).toEqual([]);
    const copies = new Map<string, number>();
    for (const m of smtp.messages) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    const outboxIds = new Set(rows.map((e) => e.message_id));
    expect([...copies.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect([...copies.keys()].filter((id) => !outboxIds.has(id))).toEqual([]);
    expect([...outboxIds].filter((id) => !copies.has(id))).toEqual([]);
    const afterRestore = smtp.messages.slice(receivedBeforeStop);
    expect(afterRestore.filter((m) => sentAtBackup.has(m.messageId))).toEqual([]);
    expect(new Set([...sentAtBackup, ...afterRestore.map((m) => m.messageId)])).toEqual(outboxIds);
    for (const k of uploaders) expect(new Set(receiptsOf(k.director.email).map((m) => m.messageId)).size).toBe(1);

    const bytes = (kind: string) => manifest.files.filter((f) => f.kind === kind).reduce((n, f) => n + f.size, 0);
    writeReliability('backup-restore', {
      fault: 'a year backed up while running, everything wiped (PostgreSQL cluster, dev server file, UPLOAD_DIR), restored with arshjul restore, run to its end',
      kindergartens: roster.kindergartens.length,
      uploadsBeforeBackup: uploaded.length,
      backup: {
        wallMs: backupWallMs,
        durationMs: manifest.durationMs,
        bytes: manifest.files.reduce((n, f) => n + f.size, 0),
        temporalDbGzBytes: bytes('temporal'),
        postgresGzBytes: bytes('table'),
        postgresRows: manifest.postgres.tables.reduce((n, t) => n + t.rows, 0),
        uploadBytes: bytes('upload'),
        files: manifest.files.length,
      },
      restore: { wallMs: restoreWallMs },
      emails: { total: outboxIds.size, sentBeforeBackup: sentAtBackup.size, sentAfterRestore: afterRestore.length, sentTwice: 0, lost: 0, listed: outbox.length },
    });
  });

  it('hands a submission accepted between the copy of Temporal and the PostgreSQL snapshot to its restored workflow', async () => {
    // A second run on the restored stack, its first deliverable open for days.
    const plan = { ...futurePlan(2028, 'kopigap'), regions: [{ id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [{ id: 'kongsvinger', name: 'Kongsvingerregionen' }] }] };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2, 93_000_000);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const timeline = uploadTimeline(plan, Date.now());
    await new PgStore({ pool: pool! }).createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'backup-year', args: [{ runId, plan, timeline, emailTaskQueue: 'backup-year-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });
    const k = roster.kindergartens[0]!;
    const prompt = await waitFor(() => smtp.messages.find((m) => m.rcptTo.includes(k.director.email) && (m.mail.subject ?? '').includes('Analysen så langt')), 60_000, () => `the prompt to ${k.director.email}`);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/levering\/[A-Za-z0-9._-]+)/.exec(prompt.mail.text ?? '')![1]!;
    const submissionId = randomUUID();
    const receipts = () => smtp.messages.filter((m) => m.rcptTo.includes(k.director.email) && /kvittering/i.test(m.mail.subject ?? ''));
    const quiet = async () => (await pool!.query("SELECT 1 FROM email_outbox WHERE state <> 'sent'")).rowCount === 0 && Date.now() - (smtp.messages.at(-1)?.receivedAt ?? 0) > 1_500;
    await waitFor(quiet, 60_000, () => 'a quiet moment');

    // The backup, with the upload (and its receipt) landing after Temporal's copy and before PostgreSQL's snapshot.
    const backupDir = join(dir, 'backup-gap');
    const manifest = await writeBackup(backupPlaces(loadConfig(cliEnv(pg.url))), backupDir, {
      afterTemporalCopy: async () => {
        const form = new FormData();
        form.append('innsending', submissionId);
        form.append('filer', new Blob([pdf('Analysen så langt, i gapet', 50_000)], { type: 'application/pdf' }), 'analyse.pdf');
        const answer = await fetch(link.replace('/levering/', '/api/uploads/'), { method: 'POST', body: form });
        expect(answer.status).toBe(201);
        await waitFor(async () => receipts().length === 1 && (await quiet()), 60_000, () => 'the receipt');
      },
    });
    expect(manifest.temporal).not.toBeNull();
    const receivedBeforeStop = smtp.messages.length;

    await worker.kill();
    await stopApi();
    await temporal.stop();
    pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    pg = await privatePostgres();
    const restore = await arshjulCli(['restore', '--from', backupDir], cliEnv(pg.url));
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/1 innlevering godtatt mens sikkerhetskopien ble tatt/);
    await temporal.start();
    const uploads = await startApi(pg.url);
    worker = workerProcess(workerEnv(pg.url));
    await worker.start();

    // The restored history has no submission; PostgreSQL has it, stored, not yet confirmed.
    const handle = client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr));
    expect((await handle.query(kindergartenStatusQuery)).deliverables.find((d) => d.id === 'analysis-so-far')?.submissions).toBe(0);
    expect((await uploads.submissions.get(submissionId))?.state).toBe('stored');
    // The API's retry hands it over: accepted by the workflow, with its receipt number, and no second receipt.
    await waitFor(async () => (await retryUndecided(uploads, 0)) >= 0 && (await uploads.submissions.get(submissionId))?.state === 'accepted', 60_000, () => 'the submission accepted again');
    expect((await handle.query(kindergartenStatusQuery)).deliverables.find((d) => d.id === 'analysis-so-far')?.submissions).toBe(1);
    await pause(5_000);
    expect(receipts()).toHaveLength(1);
    expect(smtp.messages.slice(receivedBeforeStop).filter((m) => m.rcptTo.includes(k.director.email))).toEqual([]);
    for (const kg of roster.kindergartens) await client.workflow.getHandle(kindergartenWorkflowId(runId, kg.orgnr)).terminate('test over');
    await client.workflow.getHandle(runId).terminate('test over');
    writeReliability('backup-restore-gap', { fault: 'an upload accepted between the copy of Temporal and the PostgreSQL snapshot', inRestoredHistoryBeforeRedelivery: 0, afterRedelivery: 1, receipts: 1 });
  });

  it('refuses a damaged or partial copy of that backup with the reason, and touches nothing', async () => {
    const backupDir = join(dir, 'backup');
    const cases: { name: string; damage: (d: string) => void; expected: RegExp }[] = [
      {
        name: 'one byte changed in a table file',
        damage: (d) => {
          const file = join(d, 'postgres', 'email_outbox.copy.gz');
          const data = readFileSync(file);
          const at = Math.floor(data.length / 3);
          data[at] = (data[at] as number) ^ 0x20;
          writeFileSync(file, data);
        },
        expected: /postgres\/email_outbox\.copy\.gz: filen har SHA-256 [0-9a-f]{64}, manifestet sier [0-9a-f]{64}: den er skadet eller endret/,
      },
      { name: 'a file removed', damage: (d) => unlinkSync(join(d, 'temporal', 'temporal.db.gz')), expected: /temporal\/temporal\.db\.gz: filen mangler/ },
      { name: 'the manifest missing', damage: (d) => unlinkSync(join(d, 'manifest.json')), expected: /manifest\.json: manifest\.json mangler: sikkerhetskopien er ufullstendig/ },
    ];
    for (const c of cases) {
      const copy = join(dir, `damaged-${randomUUID().slice(0, 6)}`);
      cpSync(backupDir, copy, { recursive: true });
      c.damage(copy);
      const schema = `t_backup_refused_${randomUUID().slice(0, 6)}`;
      const admin = new PgClient({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const target = join(dir, `untouched-${schema}`);
      try {
        const result = await arshjulCli(['restore', '--from', copy], { DATABASE_URL: `${TEST_DATABASE_URL}?options=-c%20search_path%3D${schema}`, DATA_DIR: target, TEMPORAL_ADDRESS: '', UPLOAD_DIR: '' });
        expect({ case: c.name, code: result.code }).toEqual({ case: c.name, code: 2 });
        expect(result.stderr).toMatch(/Sikkerhetskopien i .* kan ikke brukes, og ingenting er endret/);
        expect(result.stderr).toMatch(c.expected);
        expect(existsSync(target)).toBe(false);
        expect((await admin.query('SELECT 1 FROM pg_tables WHERE schemaname = $1', [schema])).rowCount).toBe(0);
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    }
  });
});
