import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import { Pool } from 'pg';
import { migrate } from '../../activities/db/migrate';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { exampleFiles } from '../../api/main';
import { type RunControlDeps, initialDeliverables } from '../../application/run-control';
import { buildApp } from '../../api/server';
import type { UploadDeps } from '../../application/upload-service';
import { FileStore } from '../../activities/files/file-store';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { buildWorker } from '../../temporal/worker-factory';
import { runWorkflowId } from '../../domain/ids';
import { runWorkflow } from '../../workflows/run-workflow';
import type { DeliverableWindow, Timeline } from '../../domain/timeline';
import { freshSchema } from './postgres';
import { buildRoster } from './roster-builder';
import { type SmtpSink, startSmtpSink } from './smtp-sink';
import { TEST_UPLOAD_SECRET, bundleWorkflows, devServer, futurePlan } from './temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Everything an upload needs, for real: PostgreSQL (fresh schema), the Temporal dev server with a worker running the
 * real activities, an SMTP server receiving every email, and the API listening on a port. The run has one region
 * with `kindergartens` kindergartens and the example plan's three deliverables, windowed around "now":
 * - analysis-so-far (to the research centre): open, due in two days;
 * - full-analysis (to the municipal authority): due an hour ago, late submissions accepted for a day;
 * - booklet-material (to the coordinator): opens in ten days.
 */
export interface UploadStack {
  env: TestWorkflowEnvironment;
  worker: Worker;
  app: FastifyInstance;
  baseUrl: string;
  sink: SmtpSink;
  store: PgStore;
  submissions: SubmissionRepository;
  files: FileStore;
  uploads: UploadDeps;
  control: RunControlDeps;
  plan: Plan;
  roster: Roster;
  runId: string;
  timeline: Timeline;
  /** The PostgreSQL URL of the fresh schema and the storage directory, for a second API process. */
  databaseUrl: string;
  storageDir: string;
  accounts: AccountRepository;
  /** The pool of the stack's database (for a second app on the same data). */
  pool: Pool;
  close: () => Promise<void>;
}

function window(opensAt: number, dueAt: number, lateUntil: number, reminderAts: number[] = []): DeliverableWindow {
  return { scope: 'run', regionId: null, groupId: null, opensAt, promptAt: Math.max(opensAt, Date.now() + 2_000), dueAt, reminderAts, escalationAt: dueAt + 2 * DAY, lateUntil, version: 0 };
}

export function uploadTimeline(plan: Plan, now: number, options: { groupSetup?: boolean } = {}): Timeline {
  const byId = new Map(plan.deliverables.map((d) => [d.id, d]));
  const deliverable = (id: string, w: DeliverableWindow) => {
    const d = byId.get(id);
    if (!d) throw new Error(`the example plan has no deliverable ${id}`);
    // A deliverable that asks for guidance (the analysis so far) owes it four days from now.
    const guidance = d.review ? { guidance: { dueAt: now + 4 * DAY, reminderAts: [now + 3 * DAY], overdueAt: now + 5 * DAY } } : {};
    return { id, title: d.title, recipient: d.recipient, templates: d.templates, windows: [{ ...w, ...guidance }], ...(d.review ? { review: { by: d.review.by, minimumDays: d.review.minimumDays } } : {}) };
  };
  return {
    schoolYear: plan.schoolYear,
    county: plan.county,
    timezone: plan.timezone,
    regions: [{ id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [{ id: 'kongsvinger', name: 'Kongsvingerregionen' }] }],
    milestones: [],
    deliverables: [
      deliverable('analysis-so-far', window(now - HOUR, now + 2 * DAY, now + 3 * DAY, [now + DAY])),
      deliverable('full-analysis', window(now - 2 * DAY, now - HOUR, now + DAY)),
      deliverable('booklet-material', window(now + 10 * DAY, now + 20 * DAY, now + 30 * DAY)),
      ...(options.groupSetup ? [{ ...deliverable('group-setup', window(now - HOUR, now + 2 * DAY, now + 3 * DAY)), submittedBy: 'municipal-authorities' as const, minimumParticipants: 2 }] : []),
    ],
    endsAt: now + 30 * DAY,
    submissionGraceMs: 7 * DAY,
  };
}

/** PostgreSQL at `url` (migrated here) instead of a fresh schema of the shared test server; kept when the stack closes. */
async function ownDatabase(url: string): Promise<Awaited<ReturnType<typeof freshSchema>>> {
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 8 });
  // A restarted server drops idle connections; the pool replaces them.
  pool.on('error', () => undefined);
  return { pool, schema: 'public', url, drop: () => pool.end() };
}

export async function startUploadStack(options: {
  label: string;
  kindergartens: number;
  maxFileBytes?: number;
  maxFiles?: number;
  databaseUrl?: string;
  /** Changes the generated roster (names with markup, say) before the run starts. */
  roster?: (roster: Roster) => Roster;
  /** Receives the API's log (JSON lines). */
  logStream?: NodeJS.WritableStream;
  /** Also the authorities' group set-up, open now (its prompt goes to every authority in seconds). */
  groupSetup?: boolean;
}): Promise<UploadStack> {
  const db = options.databaseUrl ? await ownDatabase(options.databaseUrl) : await freshSchema(options.label);
  const store = new PgStore({ pool: db.pool });
  const submissions = new SubmissionRepository(db.pool);
  const storageDir = mkdtempSync(join(tmpdir(), `arshjul-${options.label}-`));
  const files = new FileStore(storageDir);
  await files.init();
  const sink = await startSmtpSink();
  const transport: Transporter = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true });
  const env = await devServer();
  const taskQueue = `uploads-${options.label}`;
  const uploads: UploadDeps = {
    client: env.client,
    submissions,
    files,
    secret: TEST_UPLOAD_SECRET,
    limits: { maxFileBytes: options.maxFileBytes ?? 25 * 1024 * 1024, maxFiles: options.maxFiles ?? 10 },
  };
  const control: RunControlDeps = { client: env.client, store, taskQueue };
  const accounts = new AccountRepository(db.pool);
  const app = await buildApp(control, {
    uploads,
    console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, files, examples: exampleFiles(), linkSecret: TEST_UPLOAD_SECRET },
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const worker = await buildWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await bundleWorkflows(),
    deps: { store, mailer: transport, mail: { from: 'Årshjul <arshjul@fylke.example>', publicBaseUrl: baseUrl, uploadSecret: TEST_UPLOAD_SECRET }, temporal: env.client, files },
  });
  const running = worker.run();

  const plan = { ...futurePlan(2027, options.label.replace(/[^a-z0-9]/g, '')), regions: [{ id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [{ id: 'kongsvinger', name: 'Kongsvingerregionen' }] }] };
  const generated = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], options.kindergartens);
  const roster = options.roster ? options.roster(generated) : generated;
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  const timeline = uploadTimeline(plan, Date.now(), { groupSetup: options.groupSetup ?? false });
  await store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
  await env.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue, args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });

  return {
    env, worker, app, baseUrl, sink, store, submissions, files, uploads, control: { ...control }, plan, roster, runId, timeline, databaseUrl: db.url, storageDir, accounts, pool: db.pool,
    close: async () => {
      await app.close();
      worker.shutdown();
      await running.catch(() => undefined);
      transport.close();
      await sink.close();
      await env.teardown();
      await db.drop();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** A received email, decoded enough to read: recipients, subject and the plain-text part. */
export interface ReadEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export function readEmails(sink: SmtpSink): ReadEmail[] {
  return sink.messages.map((m) => ({ to: m.rcptTo, subject: m.mail.subject ?? '', text: m.mail.text ?? '', html: m.mail.html ?? '' }));
}

/** Waits until an email matching `predicate` has arrived. */
export async function waitForEmail(sink: SmtpSink, predicate: (e: ReadEmail) => boolean, timeoutMs = 30_000): Promise<ReadEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = readEmails(sink).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such email within ${timeoutMs} ms; got: ${readEmails(sink).map((e) => `${e.to.join(',')}: ${e.subject}`).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The personal upload link in an email's text. */
export function uploadLinkIn(email: ReadEmail): string {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/levering\/[A-Za-z0-9._-]+)/.exec(email.text);
  if (!match) throw new Error(`no upload link in "${email.subject}"`);
  return match[1] as string;
}
