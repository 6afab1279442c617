import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import nodemailer, { type Transporter } from 'nodemailer';
import { PgStore } from '../../activities/db/pg-store';
import { initialDeliverables } from '../../application/run-control';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { buildWorker } from '../../temporal/worker-factory';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import type { KindergartenStatus } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import type { Timeline } from '../../domain/timeline';
import { type FaultySmtp, startFaultySmtp } from '../helpers/faulty-smtp';
import { freshSchema } from '../helpers/postgres';
import { writeReliability } from '../helpers/reliability';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan, timeSkipping } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(180_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The mail server is down for an hour of workflow time (time-skipping server, real SMTP, real PostgreSQL). Sends fail
 * with "connection refused" and are retried with backoff; when the server is back, each email still worth sending is
 * delivered exactly once, and one whose latest useful instant passed during the outage is never sent (no stale mail):
 * it is recorded as stale.
 */
describe('the mail server down for an hour of workflow time', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let smtp: FaultySmtp;
  let transport: Transporter;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await timeSkipping();
    db = await freshSchema('faults_smtp_outage');
    smtp = await startFaultySmtp();
    // No pool: every send opens its own connection, as a send after an outage would.
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, connectionTimeout: 5_000 });
    worker = await buildWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: 'smtp-outage',
      workflowBundle: await bundleWorkflows(),
      deps: { store: new PgStore({ pool: db.pool }), mailer: transport, mail: { from: 'arshjul@fylke.example', publicBaseUrl: 'http://arshjul.test', uploadSecret: TEST_UPLOAD_SECRET }, temporal: env.client },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    transport?.close();
    await smtp?.close();
    await env?.teardown();
    await db?.drop();
  });

  it('delivers what is still useful once when it is back, and never sends what went stale meanwhile', async () => {
    const plan = { ...futurePlan(2027, 'smtpnede'), regions: futurePlan(2027, 'smtpnede').regions.filter((r) => r.id === 'kongsvinger') };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const resolved = resolveTimeline(plan);
    const start = (await env.currentTimeMs()) + HOUR;
    // Three directors' emails: one due as the outage begins and useful for three hours; one due ten minutes into it and
    // useful for only half an hour; one due after the outage.
    const pick = (id: string, at: number, usefulFor: number) => {
      const m = resolved.milestones.find((x) => x.id === id);
      if (!m) throw new Error(`no milestone ${id}`);
      const occurrence = m.occurrences[0]!;
      const email = occurrence.emails.find((e) => e.to === 'directors')!;
      return { ...m, occurrences: [{ ...occurrence, at, emails: [{ ...email, sendAt: at, latestUsefulAt: at + usefulFor }] }] };
    };
    const timeline: Timeline = {
      ...resolved,
      regions: resolved.regions.filter((r) => r.id === 'kongsvinger'),
      milestones: [pick('survey-information', start + MINUTE, 3 * HOUR), pick('portal-opens', start + 10 * MINUTE, 30 * MINUTE), pick('survey-reminder', start + 2 * HOUR, HOUR)],
      deliverables: [],
      endsAt: start + 3 * HOUR,
      submissionGraceMs: 0,
    };
    await new PgStore({ pool: db.pool }).createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await env.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: 'smtp-outage', args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });

    await env.sleep(start - (await env.currentTimeMs()));
    await smtp.down();
    await env.sleep(HOUR);
    const duringOutage = smtp.messages.length;
    const attemptsDuringOutage = Number((await db.pool.query<{ n: string }>('SELECT coalesce(sum(attempts), 0) AS n FROM email_outbox')).rows[0]?.n);
    await smtp.up();
    await env.client.workflow.getHandle(runId).result();
    const results = await Promise.all(roster.kindergartens.map((k) => env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result() as Promise<KindergartenStatus>));

    expect(duringOutage).toBe(0);
    // The sends were tried during the outage (and failed), so the backoff really ran.
    expect(attemptsDuringOutage).toBeGreaterThanOrEqual(2 * roster.kindergartens.length);
    const ids = smtp.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    // Per director: the long-useful email and the one after the outage, once each; the stale one never.
    expect(smtp.messages).toHaveLength(2 * roster.kindergartens.length);
    for (const k of roster.kindergartens) {
      expect(smtp.messages.filter((m) => m.rcptTo.includes(k.director.email))).toHaveLength(2);
    }
    const sent = (await db.pool.query<{ template: string; message_id: string }>("SELECT template, message_id FROM email_outbox WHERE state = 'sent'")).rows;
    expect(new Set(ids)).toEqual(new Set(sent.map((e) => e.message_id)));
    expect(sent.map((e) => e.template).sort()).toEqual(['survey-information', 'survey-information', 'survey-reminder', 'survey-reminder']);
    for (const result of results) {
      const byKey = Object.fromEntries(result.steps.map((s) => [s.key.split('/')[0], s.status]));
      // A kindergarten's steps go in order: by the time the first email got through, the second was past its time.
      expect(byKey).toEqual({ 'survey-information': 'sent', 'portal-opens': 'stale', 'survey-reminder': 'sent' });
    }
    expect((await db.pool.query("SELECT 1 FROM email_outbox WHERE state <> 'sent'")).rowCount).toBe(0);
    const staleEvents = (await db.pool.query<{ orgnr: string }>("SELECT orgnr FROM events WHERE type = 'email-stale'")).rows;
    expect(staleEvents.map((e) => e.orgnr).sort()).toEqual(roster.kindergartens.map((k) => k.orgnr).sort());
    writeReliability('smtp-outage', {
      fault: 'mail server down for an hour of workflow time',
      emailsDue: 3 * roster.kindergartens.length,
      deliveredOnceAfterwards: 2 * roster.kindergartens.length,
      staleNotSent: roster.kindergartens.length,
      attemptsDuringOutage,
      repeated: 0,
      lost: 0,
    });
  });
});
