import { waitFor, quietFor } from '../helpers/wait';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { FileStore } from '../../activities/files/file-store';
import { buildApp } from '../../api/server';
import { ARSHJUL_RELEASE } from '../../application/release';
import { initialDeliverables } from '../../application/run-control';
import { CANCELLATION_TEMPLATE } from '../../domain/email-templates';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import type { Timeline } from '../../domain/timeline';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { type KindergartenStatus, extendDeadlineUpdate, kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { addKindergartenUpdate, rescheduleMilestoneUpdate, runWorkflow, withdrawKindergartenUpdate } from '../../workflows/run-workflow';
import { arshjulCli } from '../helpers/cli';
import { pdf } from '../helpers/documents';
import { faultTestTimeline } from '../helpers/fault-timeline';
import { type FaultySmtp, startFaultySmtp } from '../helpers/faulty-smtp';
import { freshSchema } from '../helpers/postgres';
import { type TemporalServerProcess, type WorkerProcess, temporalServerProcess, workerProcess } from '../helpers/processes';
import { writeReliability } from '../helpers/reliability';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan } from '../helpers/temporal';

jest.setTimeout(900_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(ms, 0)));
const S = 1_000;

/** One Temporal with its worker and upload API: the control year's never loses anything, the other's is lost. */
interface Side {
  name: 'control' | 'recovered';
  runId: string;
  taskQueue: string;
  temporal: TemporalServerProcess;
  dbFile: string;
  connection: Connection;
  client: Client;
  worker: WorkerProcess;
  app: FastifyInstance;
  baseUrl: string;
  /** The test's submission ids (random UUIDs) by a name both sides share. */
  submissions: Map<string, string>;
}

/** A moved occurrence, as the coordinator's move makes it: a new instant, its emails with it, the version up. */
function moveOccurrence(timeline: Timeline, milestoneId: string, regionId: string | null, groupId: string | null, byMs: number): Timeline {
  return {
    ...timeline,
    milestones: timeline.milestones.map((m) =>
      m.id !== milestoneId
        ? m
        : {
            ...m,
            occurrences: m.occurrences.map((o) =>
              o.regionId === regionId && o.groupId === groupId ? { ...o, at: o.at + byMs, version: o.version + 1, emails: o.emails.map((e) => ({ ...e, sendAt: e.sendAt + byMs })) } : o,
            ),
          },
    ),
  };
}

/**
 * A year recovered without Temporal's store (issue 16, point 2), against a control year with no loss. Two runs of the
 * same plan, roster and compressed timeline (the same instants), each on its own dev server (file-backed) with its
 * own production worker and upload API, sharing one PostgreSQL and one SMTP server; both get the same actions at the
 * same instants: two moves, an addition, a withdrawal, two uploads, an extension. In the middle of the deliverables'
 * windows the second run's dev server is killed with SIGKILL and its database file deleted; a new dev server starts on
 * an empty file, and `arshjul run recover` starts that year again from PostgreSQL. The rest of the year runs on both;
 * afterwards both sent the same emails (recipient, template, subject, key) at the same scheduled instants, no
 * Message-ID reached the mail server twice, the read model agrees, and an upload link emailed before the loss worked
 * after it (uploaded through the API, judged by the recovered workflow).
 */
describe('a year recovered on an empty Temporal with arshjul run recover', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let smtp: FaultySmtp;
  let bundlePath: string;
  const sides: Side[] = [];

  async function side(name: Side['name'], county: string): Promise<Side> {
    const dbFile = join(dir, `${name}-temporal.db`);
    const temporal = await temporalServerProcess(dbFile);
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const files = new FileStore(join(dir, 'uploads'));
    await files.init();
    const taskQueue = `recover-${name}`;
    const uploads = { client, submissions: new SubmissionRepository(db.pool), files, secret: TEST_UPLOAD_SECRET, limits: { maxFileBytes: 5 * 1024 * 1024, maxFiles: 3 } };
    const app = await buildApp({ client, store: new PgStore({ pool: db.pool }), taskQueue }, { uploads });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const worker = workerProcess({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
      EMAIL_TASK_QUEUE: `${taskQueue}-email`,
      EMAIL_RATE_PER_MINUTE: '60000',
      EMAIL_JITTER_MS: '0',
      UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
      PUBLIC_BASE_URL: baseUrl,
      DATA_DIR: dir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    await worker.start();
    const s: Side = { name, runId: runWorkflowId(2027, county), taskQueue, temporal, dbFile, connection, client, worker, app, baseUrl, submissions: new Map() };
    sides.push(s);
    return s;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arshjul-recover-'));
    db = await freshSchema('faults_recover');
    smtp = await startFaultySmtp();
    bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
  });

  afterAll(async () => {
    for (const s of sides) {
      await s.worker.kill();
      await s.app.close();
      await s.connection.close();
      await s.temporal.stop();
    }
    await smtp?.close();
    if (!process.env.KEEP_TEST_SCHEMA) await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the rest of the year on as the control year does, email for email and instant for instant', async () => {
    const control = await side('control', 'kontrollaaret');
    const lost = await side('recovered', 'gjenopprettet');
    const regions = ['kongsvinger', 'hedmarken'];
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }, { regionId: 'hedmarken', groupId: 'hamar-stange' }], 3);
    const ks = roster.kindergartens;
    const [k1, k3, k4, k5, k6] = [ks[0]!, ks[2]!, ks[3]!, ks[4]!, ks[5]!];
    const full = futurePlan(2027, 'kontrollaaret');
    const resolved = resolveTimeline(full);
    // Milestones in the first 60 s, then a deliverable step every 30 s: the year ends at t0 + 301 s, the kindergartens
    // close a grace of 60 s later. Both runs get the same instants.
    const t0 = Date.now() + 15 * S;
    const timeline: Timeline = faultTestTimeline({ ...resolved, regions: resolved.regions.filter((r) => regions.includes(r.id)) }, t0, 60 * S, 30 * S);
    const at = (ms: number) => t0 + ms;
    const bothSides = <T>(work: (s: Side) => Promise<T>) => Promise.all([work(control), work(lost)]);

    await bothSides(async (s) => {
      const plan = { ...full, county: s.runId.split('-').slice(2).join('-'), regions: full.regions.filter((r) => regions.includes(r.id)) };
      await new PgStore({ pool: db.pool }).createRun(s.runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
      await s.client.workflow.start(runWorkflow, {
        workflowId: s.runId,
        taskQueue: s.taskQueue,
        args: [{ runId: s.runId, plan, timeline, emailTaskQueue: `${s.taskQueue}-email`, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }],
      });
    });

    // The coordinator's actions, at the same instants on both sides.
    // Two moves: a workshop for Kongsvinger (its directors' invitations move with it) and the spring meeting of the
    // authorities of Kongsvinger.
    const moved1 = moveOccurrence(timeline, 'workshop-2', 'kongsvinger', 'kongsvinger', 15 * S);
    const moved2 = moveOccurrence(moved1, 'authority-meeting-spring', 'kongsvinger', null, 13 * S);
    await pause(at(2 * S) - Date.now());
    await bothSides(async (s) => {
      const run = s.client.workflow.getHandle(s.runId);
      await run.executeUpdate(rescheduleMilestoneUpdate, { args: [{ basedOnRevision: 1, override: { milestoneId: 'workshop-2', regionId: 'kongsvinger', groupId: 'kongsvinger', at: 'flyttet i testen' }, timeline: moved1, requestedBy: 'test' }] });
      await run.executeUpdate(rescheduleMilestoneUpdate, { args: [{ basedOnRevision: 2, override: { milestoneId: 'authority-meeting-spring', regionId: 'kongsvinger', at: 'flyttet i testen' }, timeline: moved2, requestedBy: 'test' }] });
    });
    const added = { orgnr: '811111119', name: 'Nyåpnet barnehage', municipalityId: 'm-kongsvinger', director: { name: 'Ny styrer', email: 'styrer-ny@barnehage.example' }, participants: 2 };
    await pause(at(6 * S) - Date.now());
    await bothSides((s) => s.client.workflow.getHandle(s.runId).executeUpdate(addKindergartenUpdate, { args: [{ kindergarten: added, requestedBy: 'test' }] }));
    await pause(at(9 * S) - Date.now());
    await bothSides((s) => s.client.workflow.getHandle(s.runId).executeUpdate(withdrawKindergartenUpdate, { args: [{ orgnr: k6.orgnr, reason: 'lagt ned', requestedBy: 'test' }] }));

    /** The director's personal link from the prompt in the outbox (as emailed), once it is sent. */
    const promptLink = async (s: Side, orgnr: string, deliverableId: string) => {
      let seen = '';
      return waitFor(async () => {
        const { rows } = await db.pool.query<{ key: string; state: string; body_text: string }>('SELECT key, state, body_text FROM email_outbox WHERE run_id = $1 AND key LIKE $2', [s.runId, `${s.runId}/${orgnr}/%`]);
        seen = rows.map((r) => `${r.key.slice(s.runId.length)} ${r.state}`).join(', ');
        const prompt = rows.find((r) => r.key === `${s.runId}/${orgnr}/${deliverableId}/prompt/director-${orgnr}` && r.state === 'sent');
        return prompt ? /(http:\/\/127\.0\.0\.1:\d+\/levering\/[A-Za-z0-9._-]+)/.exec(prompt.body_text)?.[1] : undefined;
      }, 200 * S, () => `the prompt of ${deliverableId} to ${orgnr} in ${s.runId} (its emails: ${seen})`);
    };
    /** Uploads a PDF through the API by the personal link, as the director's form does; the answer's status. */
    const upload = async (s: Side, link: string, name: string) => {
      const form = new FormData();
      form.append('filer', new Blob([pdf(`Analyse ${name}`)], { type: 'application/pdf' }), 'analyse.pdf');
      const id = randomUUID();
      s.submissions.set(id, name);
      form.append('innsending', id);
      const answer = await fetch(link.replace('/levering/', '/api/uploads/'), { method: 'POST', body: form });
      return { status: answer.status, id };
    };

    // Two uploads of the analysis so far (opens at t0 + 90 s) by the links the prompts carried.
    const firstLinks = await bothSides(async (s) => ({ s, k1: await promptLink(s, k1.orgnr, 'analysis-so-far'), k4: await promptLink(s, k4.orgnr, 'analysis-so-far') }));
    await pause(at(96 * S) - Date.now());
    for (const { s, k1: l1, k4: l4 } of firstLinks) {
      expect((await upload(s, l1, 'k1-analysis-so-far')).status).toBe(201);
      expect((await upload(s, l4, 'k4-analysis-so-far')).status).toBe(201);
    }
    // An extension for K3: the deadline from t0 + 180 s to t0 + 240 s, a reminder at 200 s, escalation at 255 s.
    await pause(at(100 * S) - Date.now());
    await bothSides((s) =>
      s.client.workflow.getHandle(kindergartenWorkflowId(s.runId, k3.orgnr)).executeUpdate(extendDeadlineUpdate, {
        args: [{ deliverableId: 'analysis-so-far', dueAt: at(240 * S), reminderAts: [at(200 * S)], escalationAt: at(255 * S), lateUntil: at(285 * S), requestedBy: 'test' }],
      }),
    );
    // K5's link of the full analysis (opened at t0 + 120 s), emailed before the loss, is used after it.
    const k5Links = await bothSides(async (s) => ({ s, link: await promptLink(s, k5.orgnr, 'full-analysis') }));

    // The loss: at t0 + 127 s, when no email is on its way (the 120 s step is done, the next is at 150 s).
    await pause(at(127 * S) - Date.now());
    await waitFor(async () => (await db.pool.query("SELECT 1 FROM email_outbox WHERE run_id = $1 AND state <> 'sent'", [lost.runId])).rowCount === 0 && quietFor(smtp, 1_000), 20 * S, () => 'a moment with no email on its way');
    const lossAt = Date.now();
    await lost.temporal.stop('SIGKILL');
    await lost.worker.kill();
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${lost.dbFile}${suffix}`, { force: true });
    expect(existsSync(lost.dbFile)).toBe(false);
    await lost.temporal.start();
    await lost.worker.start();
    // The new dev server knows nothing of the year.
    await expect(lost.client.workflow.getHandle(lost.runId).describe()).rejects.toThrow();
    const cliEnv = {
      TEMPORAL_ADDRESS: lost.temporal.address,
      DATABASE_URL: db.url,
      TEMPORAL_TASK_QUEUE: lost.taskQueue,
      EMAIL_TASK_QUEUE: `${lost.taskQueue}-email`,
      UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
      DATA_DIR: dir,
    };
    const recoverStarted = Date.now();
    const recovered = await arshjulCli(['run', 'recover', '--run', lost.runId, '--json'], cliEnv);
    const recoveredAt = Date.now();
    expect({ code: recovered.code, stderr: recovered.stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(recovered.stdout) as { ms: number; kindergartens: number; added: string[]; withdrawn: string[]; moves: number; extensions: number; submissions: number; emailsSent: number; stepsDone: number; revision: number };
    expect(summary).toMatchObject({ kindergartens: 6, added: [added.name], withdrawn: [k6.name], moves: 2, extensions: 1, submissions: 2, revision: 3 });
    process.stdout.write(`recovered in ${summary.ms} ms (CLI ${recoveredAt - recoverStarted} ms, loss to recovered ${recoveredAt - lossAt} ms)\n`);

    // Asked again, it refuses: the year is on this Temporal now. An unknown run is refused too.
    const again = await arshjulCli(['run', 'recover', '--run', lost.runId], cliEnv);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 3, stderr: expect.stringContaining(`Programåret ${lost.runId} finnes fortsatt i Temporal`) });
    expect(again.stderr).toContain('ingenting ble startet');
    const unknown = await arshjulCli(['run', 'recover', '--run', 'arshjul-2027-ukjent'], cliEnv);
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 3, stderr: expect.stringContaining('Fant ikke programåret arshjul-2027-ukjent') });

    // The recovered kindergarten workflows know their year: the moved workshop, the extension, the uploads.
    const k3Status = await lost.client.workflow.getHandle(kindergartenWorkflowId(lost.runId, k3.orgnr)).query(kindergartenStatusQuery);
    expect(k3Status.deliverables.find((d) => d.id === 'analysis-so-far')).toMatchObject({ dueAt: at(240 * S), extended: true });
    const k1Status = await lost.client.workflow.getHandle(kindergartenWorkflowId(lost.runId, k1.orgnr)).query(kindergartenStatusQuery);
    expect(k1Status.deliverables.find((d) => d.id === 'analysis-so-far')).toMatchObject({ status: 'submitted', submissions: 1 });

    // The link emailed before the loss still works: K5 uploads the full analysis at t0 + 160 s on both sides.
    await pause(at(160 * S) - Date.now());
    const k5Uploads = new Map<string, string>();
    for (const { s, link } of k5Links) {
      const { status, id } = await upload(s, link, 'k5-full-analysis');
      expect({ side: s.name, status }).toEqual({ side: s.name, status: 201 });
      k5Uploads.set(s.name, id);
    }
    const judged = await lost.client.workflow.getHandle(kindergartenWorkflowId(lost.runId, k5.orgnr)).query(kindergartenStatusQuery);
    expect(judged.deliverables.find((d) => d.id === 'full-analysis')).toMatchObject({ status: 'submitted', submissions: 1 });
    const k5Row = await new SubmissionRepository(db.pool).get(k5Uploads.get('recovered')!);
    expect(k5Row).toMatchObject({ state: 'accepted', late: false, version: 1 });

    // The rest of the year on both sides.
    await bothSides((s) => s.client.workflow.getHandle(s.runId).result());
    const active = [...roster.kindergartens.filter((k) => k.orgnr !== k6.orgnr).map((k) => k.orgnr), added.orgnr];
    await bothSides((s) => Promise.all(active.map((orgnr) => s.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).result() as Promise<KindergartenStatus>)));
    await waitFor(async () => (await db.pool.query("SELECT 1 FROM email_outbox WHERE state <> 'sent'")).rowCount === 0, 30 * S, () => 'every email sent');

    // Email for email: the same keys, recipients, templates and subjects; instant for instant: the same scheduled time.
    type Row = { key: string; recipient: string; template: string; subject: string; scheduled_for: Date; sent_at: Date; message_id: string };
    const outboxOf = async (s: Side) => {
      const { rows } = await db.pool.query<Row>('SELECT key, recipient, template, subject, scheduled_for, sent_at, message_id FROM email_outbox WHERE run_id = $1', [s.runId]);
      const normal = (text: string) => {
        let out = text.split(s.runId).join('RUN');
        for (const [id, name] of s.submissions) out = out.split(id).join(name);
        return out.replace(/AH-\d{6}/g, 'AH-nnnnnn');
      };
      return new Map(rows.map((r) => [normal(r.key), { ...r, recipient: r.recipient, subject: normal(r.subject) }]));
    };
    const [a, b] = await bothSides(outboxOf);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const identity = (m: Map<string, Row>) => [...m.entries()].map(([key, r]) => [key, r.recipient, r.template, r.subject].join(' | ')).sort();
    expect(identity(b)).toEqual(identity(a));
    // A receipt's scheduled time is its upload's stored time, a withdrawn invitation's the withdrawal's: the two sides'
    // uploads and withdrawals are made at the same instant one after the other, so they differ by the action's own time
    // (well under 5 s); every other email's time is the plan's, to the millisecond.
    const RECEIPT_TOLERANCE_MS = 5 * S;
    const isReceipt = (template: string) => ['submission-receipt', 'submission-received', CANCELLATION_TEMPLATE].includes(template);
    const instantDiffs = [...a.entries()].map(([key, r]) => ({ key, template: r.template, diff: Math.abs(r.scheduled_for.getTime() - b.get(key)!.scheduled_for.getTime()) }));
    expect(instantDiffs.filter((d) => !isReceipt(d.template) && d.diff !== 0)).toEqual([]);
    expect(instantDiffs.filter((d) => isReceipt(d.template) && d.diff > RECEIPT_TOLERANCE_MS)).toEqual([]);
    // Nothing was due while the year was lost (none scheduled between the loss and the recovery).
    expect([...b.values()].filter((r) => r.scheduled_for.getTime() > lossAt && r.scheduled_for.getTime() < recoveredAt).map((r) => r.key)).toEqual([]);
    // Sent in time after the recovery: each email the recovered workflows sent went before the compressed year's next
    // step (30 s on), as its control did. When an email actually leaves depends on the machine (two shared cores, two
    // dev servers and workers; a control email before the loss was seen 29 s late after a send's heartbeat timed out),
    // so the send times are compared and reported, and held to the step spacing only.
    const STEP_MS = 30 * S;
    const sentDiffs = [...a.entries()].map(([key, r]) => ({ key, diff: Math.abs(r.sent_at.getTime() - b.get(key)!.sent_at.getTime()) }));
    const afterRecovery = [...b.entries()].filter(([, r]) => r.scheduled_for.getTime() >= recoveredAt);
    const lateness = afterRecovery.map(([key, r]) => ({ key, late: r.sent_at.getTime() - r.scheduled_for.getTime() }));
    expect(lateness.filter((l) => l.late >= STEP_MS)).toEqual([]);

    // No Message-ID reached the mail server twice, and each in the outbox arrived (the recovered year's above all).
    const copies = new Map<string, number>();
    for (const m of smtp.messages) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    const twice = [...copies.entries()].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    for (const m of [a, b]) expect([...m.values()].filter((r) => !copies.has(r.message_id)).map((r) => r.key)).toEqual([]);

    // The read model agrees: every kindergarten's deliverables end in the same state with the same deadlines.
    const statesOf = async (s: Side) =>
      (await db.pool.query<{ orgnr: string; deliverable_id: string; status: string; due_at: Date; late_until: Date }>('SELECT orgnr, deliverable_id, status, due_at, late_until FROM deliverable_states WHERE run_id = $1 ORDER BY orgnr, deliverable_id', [s.runId])).rows.map(
        (r) => `${r.orgnr} ${r.deliverable_id} ${r.status} ${r.due_at.getTime() - t0} ${r.late_until.getTime() - t0}`,
      );
    const [statesA, statesB] = await bothSides(statesOf);
    expect(statesB).toEqual(statesA);
    // So do the milestones recorded and the emails dropped as no longer useful.
    const eventsOf = async (s: Side) =>
      (await db.pool.query<{ type: string; at: Date; milestone_id: string | null; region_id: string | null; group_id: string | null; orgnr: string | null }>("SELECT type, at, milestone_id, region_id, group_id, orgnr FROM events WHERE run_id = $1 AND type IN ('milestone', 'email-stale')", [s.runId])).rows
        // A milestone is recorded at its instant; a stale email when it was found stale (a moment that differs).
        .map((e) => `${e.type} ${e.type === 'milestone' ? e.at.getTime() - t0 : ''} ${e.milestone_id ?? ''} ${e.region_id ?? ''} ${e.group_id ?? ''} ${e.orgnr ?? ''}`)
        .sort();
    const [eventsA, eventsB] = await bothSides(eventsOf);
    expect(eventsB).toEqual(eventsA);

    const afterLoss = afterRecovery.length;
    writeReliability('recover-year', {
      fault: 'dev server killed with SIGKILL and its database file deleted in the middle of the deliverables; arshjul run recover on a new, empty dev server',
      recoveryMs: summary.ms,
      recoverCommandMs: recoveredAt - recoverStarted,
      lossToRecoveredMs: recoveredAt - lossAt,
      recovered: { kindergartens: summary.kindergartens, stepsDone: summary.stepsDone, emailsAlreadySent: summary.emailsSent, moves: summary.moves, extensions: summary.extensions, submissions: summary.submissions },
      compared: {
        emails: a.size,
        emailsBeforeLoss: a.size - afterLoss,
        emailsAfterRecovery: afterLoss,
        scheduledInstantsEqual: instantDiffs.filter((d) => d.diff === 0).length,
        receiptInstantsWithinMs: Math.max(0, ...instantDiffs.filter((d) => isReceipt(d.template)).map((d) => d.diff)),
        maxSentAtDifferenceMs: Math.max(...sentDiffs.map((d) => d.diff)),
        maxSentAtDifferenceAfterRecoveryMs: Math.max(0, ...sentDiffs.filter((d) => afterRecovery.some(([key]) => key === d.key)).map((d) => d.diff)),
        maxLatenessAfterRecoveryMs: Math.max(0, ...lateness.map((l) => l.late)),
        readModelRows: statesA.length,
        events: eventsA.length,
      },
      messageIdsSentTwice: twice.length,
      uploadAfterRecovery: 'accepted (link emailed before the loss)',
    });
  });
});
