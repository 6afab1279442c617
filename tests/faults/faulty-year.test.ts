import { waitFor, quietFor } from '../helpers/wait';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { initialDeliverables } from '../../application/run-control';
import { buildApp } from '../../api/server';
import { type UploadDeps, retryUndecided } from '../../application/upload-service';
import { FileStore } from '../../activities/files/file-store';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import type { KindergartenStatus } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import type { Timeline } from '../../domain/timeline';
import { faultTestTimeline, stepsOfKindergarten } from '../helpers/fault-timeline';
import { pdf } from '../helpers/documents';
import { type FaultyMessage, type FaultySmtp, startFaultySmtp } from '../helpers/faulty-smtp';
import { freshSchema } from '../helpers/postgres';
import { type TemporalServerProcess, type WorkerProcess, temporalServerProcess, workerProcess } from '../helpers/processes';
import { writeReliability } from '../helpers/reliability';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(600_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A year squeezed into four minutes on a dev server (file-backed) with real PostgreSQL and SMTP. The production
 * worker is killed with SIGKILL at eleven points and started again each time; the dev server is stopped and started
 * again on its file; the mail server cuts the connection after DATA twice. Afterwards every step of every kindergarten
 * has happened, every email in the outbox was delivered, and no business key was delivered twice except where the
 * sender could not know the message had arrived (killed or cut off after DATA: the ambiguous case, same Message-ID).
 */
describe('a year through worker kills, a dev server restart and a mail server that cuts connections', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let temporal: TemporalServerProcess;
  let connection: Connection;
  let client: Client;
  let smtp: FaultySmtp;
  let worker: WorkerProcess;
  let app: FastifyInstance;
  let uploads: UploadDeps;
  let baseUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arshjul-faults-kill-'));
    db = await freshSchema('faults_kill');
    temporal = await temporalServerProcess(join(dir, 'temporal.db'));
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    smtp = await startFaultySmtp();
    const files = new FileStore(join(dir, 'uploads'));
    await files.init();
    uploads = { client, submissions: new SubmissionRepository(db.pool), files, secret: TEST_UPLOAD_SECRET, limits: { maxFileBytes: 5 * 1024 * 1024, maxFiles: 3 } };
    app = await buildApp({ client, store: new PgStore({ pool: db.pool }), taskQueue: 'faults-kill' }, { uploads });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    worker = workerProcess({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      TEMPORAL_TASK_QUEUE: 'faults-kill',
      EMAIL_TASK_QUEUE: 'faults-kill-email',
      EMAIL_RATE_PER_MINUTE: '60000',
      EMAIL_JITTER_MS: '0',
      UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
      PUBLIC_BASE_URL: baseUrl,
      DATA_DIR: dir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.kill();
    await app?.close();
    await connection?.close();
    await temporal?.stop();
    await smtp?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every due email once per business key and loses no step or upload', async () => {
    const plan = { ...futurePlan(2027, 'drepes'), regions: futurePlan(2027, 'drepes').regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }, { regionId: 'hedmarken', groupId: 'hamar-stange' }], 3);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const resolved = resolveTimeline(plan);
    // Milestone emails in the first 100 s (while the faults happen), then the deliverables' windows, a step every 20 s.
    const timeline: Timeline = faultTestTimeline({ ...resolved, regions: resolved.regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') }, Date.now() + 5_000, 100_000, 20_000);
    const store = new PgStore({ pool: db.pool });
    await store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'faults-kill', args: [{ runId, plan, timeline, emailTaskQueue: 'faults-kill-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });

    const kills: string[] = [];
    let serverRestarts = 0;
    const started = Date.now();
    // When each kill began and when the process was gone: a message can still reach the server in between.
    const killedAt: { from: number; to: number }[] = [];
    const killWorker = async () => {
      const from = Date.now();
      await worker.kill();
      killedAt.push({ from, to: Date.now() });
    };
    const killAndRestart = async (point: string, downMs = 500) => {
      await killWorker();
      kills.push(point);
      await pause(downMs);
      await worker.start();
    };

    // 1–4: in the middle of an SMTP conversation: the server has the whole message, the worker dies before the reply.
    for (let i = 0; i < 4; i++) {
      const held = smtp.hold();
      await held.arrived;
      process.stdout.write(`kill during send at ${Date.now() - started} ms\n`);
      await killWorker();
      kills.push('during an email send (after DATA, before the reply)');
      held.release();
      await pause(300);
      await worker.start();
    }

    // The dev server stopped and started again on its file, in the middle of the year.
    await temporal.stop('SIGTERM');
    await pause(2_000);
    await temporal.start();
    serverRestarts += 1;

    // The mail server cuts the connection after DATA, twice: the message arrived, the sender never heard so.
    smtp.dropAfterData(2);

    // 5–7: between steps.
    for (let i = 0; i < 3; i++) {
      await pause(2_000);
      await killAndRestart('between steps', 1_500);
    }
    // 8–9: at whatever moment comes.
    for (let i = 0; i < 2; i++) {
      await pause(3_000);
      await killAndRestart('at an arbitrary moment', 200);
    }

    // 10: during an upload's Update: the director uploads, the worker dies while the workflow is being asked. It is
    // done when no email is on its way, so the kill delays only the Update and the workflow tasks of that moment.
    const [uploader] = roster.kindergartens;
    const prompt = await waitFor(
      () => smtp.messages.find((m) => m.rcptTo.includes(uploader!.director.email) && /analysen så langt/i.test(m.mail.subject ?? '')),
      90_000,
      () => `the prompt to ${uploader!.director.email}; got ${smtp.messages.length} messages: ${smtp.messages.filter((m) => m.rcptTo.includes(uploader!.director.email)).map((m) => m.mail.subject ?? '').join(' | ')}`,
    );
    const link = /(http:\/\/127\.0\.0\.1:\d+\/levering\/[A-Za-z0-9._-]+)/.exec(prompt.mail.text ?? '')?.[1];
    expect(link).toBeDefined();
    const form = new FormData();
    form.append('filer', new Blob([pdf('Analysen så langt')], { type: 'application/pdf' }), 'analyse.pdf');
    const submissionId = randomUUID();
    form.append('innsending', submissionId);
    await waitFor(async () => (await db.pool.query("SELECT 1 FROM email_outbox WHERE state = 'sending'")).rowCount === 0 && quietFor(smtp, 1_000), 60_000, () => 'a moment with no email on its way');
    const posted = fetch(link!.replace('/levering/', '/api/uploads/'), { method: 'POST', body: form });
    await waitFor(async () => (await uploads.submissions.get(submissionId)) !== null, 30_000);
    await killAndRestart('during an upload (stored, the Update under way)', 1_000);
    const answer = await posted;
    expect([201, 503]).toContain(answer.status);
    if (answer.status === 503) {
      // Stored but not yet answered: the API process asks again (every minute in production; here until answered).
      await waitFor(async () => (await retryUndecided(uploads, 0)) >= 0 && (await uploads.submissions.get(submissionId))?.state === 'accepted', 120_000);
    }
    expect((await uploads.submissions.get(submissionId))?.state).toBe('accepted');

    // Wait out the year (and the retries of sends the kills cut short).
    await client.workflow.getHandle(runId).result();
    const results = await Promise.all(roster.kindergartens.map((k) => client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result() as Promise<KindergartenStatus>));

    // Every step of every kindergarten happened: sent, or (after the upload) suppressed reminders.
    for (const result of results) {
      const expected = stepsOfKindergarten(timeline, result.regionId, result.groupId);
      expect(result.steps).toHaveLength(expected);
      expect(result.steps.filter((s) => s.status !== 'sent' && s.status !== 'suppressed')).toEqual([]);
      if (result.orgnr !== uploader!.orgnr) expect(result.steps.every((s) => s.status === 'sent')).toBe(true);
      expect(result.next).toBeNull();
    }

    // Every email in the outbox was sent, each Message-ID arrived, and another copy only after an ambiguous one.
    const outbox = (await db.pool.query<{ key: string; message_id: string; state: string }>('SELECT key, message_id, state FROM email_outbox')).rows;
    expect(outbox.filter((e) => e.state !== 'sent')).toEqual([]);
    const copies = new Map<string, number>();
    for (const m of smtp.messages) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    const outboxIds = new Set(outbox.map((e) => e.message_id));
    expect([...copies.keys()].filter((id) => !outboxIds.has(id))).toEqual([]);
    expect([...outboxIds].filter((id) => !copies.has(id))).toEqual([]);
    const repeated = [...copies.entries()].filter(([, n]) => n > 1);
    // Ambiguous: the sender cannot know the message arrived. The server kept it but the reply never came (held or cut
    // off), or the worker was being killed while the message went out or before it could record the send (the
    // message arrived within a second of the kill).
    // A message is sent again only when its sender could not know the copy before arrived: every copy but the last
    // must be ambiguous (a retry cut off in turn by the next kill gives a third copy).
    const aroundKill = (at: number) => killedAt.some((k) => at >= k.from - 1_000 && at <= k.to + 1_000);
    const isAmbiguous = (m: FaultyMessage) => m.answer !== 'ok' || aroundKill(m.receivedAt);
    const copiesOf = (id: string) => smtp.messages.filter((m) => m.messageId === id);
    const firstCopy = (id: string) => copiesOf(id)[0]!;
    const unexplained = repeated.filter(([id]) => !copiesOf(id).slice(0, -1).every(isAmbiguous));
    expect(unexplained.map(([id]) => ({ id, copies: copiesOf(id).map((m) => ({ answer: m.answer, msFromKills: killedAt.map((k) => m.receivedAt - k.from) })) }))).toEqual([]);

    // The upload: stored once, accepted, its receipt emailed once (or twice with one Message-ID, if a kill cut it).
    const receipts = smtp.messages.filter((m) => m.rcptTo.includes(uploader!.director.email) && /kvittering/i.test(m.mail.subject ?? ''));
    expect(new Set(receipts.map((m) => m.messageId)).size).toBe(1);

    expect(kills.length).toBeGreaterThanOrEqual(10);
    const dropped = smtp.messages.filter((m) => m.answer === 'dropped').length;
    expect(dropped).toBe(2);
    writeReliability('faulty-year', {
      faults: {
        workerSigkill: { times: kills.length, points: [...new Set(kills)] },
        devServerRestart: { times: serverRestarts },
        smtpDropAfterData: { times: dropped },
      },
      kindergartens: results.length,
      steps: results.reduce((n, r) => n + r.steps.length, 0),
      emails: outbox.length,
      messagesReceived: smtp.messages.length,
      lost: 0,
      repeatedSameMessageId: repeated.length,
      extraCopies: repeated.reduce((n, [, c]) => n + c - 1, 0),
      repeatedAfterKillBeforeRecord: repeated.filter(([id]) => firstCopy(id).answer === 'ok').length,
      uploads: { tried: 1, accepted: 1, answeredAtOnce: answer.status === 201 },
    });
  });

  it('starts every kindergarten once when the worker is killed while the region is starting them', async () => {
    const plan = { ...futurePlan(2028, 'startdrap'), regions: futurePlan(2028, 'startdrap').regions.filter((r) => r.id === 'kongsvinger') };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 300, 91_000_000);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const resolved = resolveTimeline(plan);
    const timeline: Timeline = { ...resolved, regions: resolved.regions.filter((r) => r.id === 'kongsvinger') };
    await new PgStore({ pool: db.pool }).createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'faults-kill', args: [{ runId, plan, timeline, emailTaskQueue: 'faults-kill-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });
    const started = async () => (await client.workflow.count(`WorkflowType = 'kindergartenWorkflow' AND WorkflowId STARTS_WITH '${runId}-'`)).count;
    const atKill = await waitFor(async () => {
      const n = await started();
      return n > 0 ? n : false;
    }, 60_000, () => 'the first kindergartens started');
    await worker.kill();
    await pause(500);
    await worker.start();
    // The fan-out activity's heartbeat timeout (a minute) passes, it is retried from its last page, and finishes.
    await waitFor(async () => (await started()) === roster.kindergartens.length, 180_000, () => 'all 300 kindergartens started');
    const running = await Promise.all(roster.kindergartens.map(async (k) => (await client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).describe()).status.name));
    expect(running.filter((s) => s !== 'RUNNING')).toEqual([]);
    expect(atKill).toBeLessThan(roster.kindergartens.length);
    writeReliability('fan-out-sigkill', { fault: 'worker killed with SIGKILL while the region starts its kindergartens', kindergartens: roster.kindergartens.length, startedBeforeKill: atKill, startedInTheEnd: roster.kindergartens.length, missing: 0 });
    await client.workflow.getHandle(runId).cancel();
  });
});


