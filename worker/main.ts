import { NativeConnection } from '@temporalio/worker';
import { Pool } from 'pg';
import nodemailer from 'nodemailer';
import { type Config, ConfigError } from '../config/env';
import { connectClient, temporalConnectionOptions } from '../temporal/connection';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleApart } from '../temporal/bundle-apart';
import { PgStore } from '../activities/db/pg-store';
import { FileStore } from '../activities/files/file-store';
import { buildEmailWorker, buildWorker } from '../temporal/worker-factory';
import { resolveUploadSecret } from '../security/upload-secret';
import { ensureRetentionScheduleAtStart } from '../temporal/retention-schedule';

/**
 * Where a worker delivers: SMTP_URL, or with USE_DEV_MAILBOX=true the development mailbox of an `npm start` on this
 * machine. There is no transport that only pretends to send: without either, the worker refuses to start.
 */
export function smtpUrlOf(mail: Config['mail']): string {
  if (mail.smtpUrl) return mail.smtpUrl;
  if (mail.useDevMailbox) return `smtp://127.0.0.1:${mail.devSmtpPort}`;
  throw new ConfigError(
    'SMTP_URL er ikke satt, så arbeideren har ingen e-posttjener å levere til. Sett SMTP_URL=smtp://bruker:passord@tjener:587, ' +
      'eller USE_DEV_MAILBOX=true for å levere til utviklingspostkassen til en npm start på denne maskinen.',
  );
}

/** The pooled SMTP transport for a server URL. */
function createMailer(smtpUrl: string) {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.toString());
}

/** Runs the worker until `signal` aborts; used by `npm start` and `npm run worker` (which install the runtime first). */
export async function runWorker(config: Config, databaseUrl: string, temporalAddress: string, signal: AbortSignal): Promise<void> {
  // Refused before anything is connected: a worker without a mail server would take emails it cannot deliver.
  const smtpUrl = smtpUrlOf(config.mail);
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  // An idle connection dropped by PostgreSQL (a restart) is replaced by the pool; activities retry meanwhile.
  pool.on('error', (error) => process.stderr.write(`PostgreSQL connection lost: ${error.message}\n`));
  const options = temporalConnectionOptions(config.temporal, temporalAddress);
  const connection = await NativeConnection.connect({
    address: options.address ?? temporalAddress,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  });
  const { client, connection: clientConnection } = await connectClient(config.temporal, temporalAddress);
  const mailer = createMailer(smtpUrl);
  try {
    const mail = { ...config.mail, uploadSecret: resolveUploadSecret(config.mail.uploadLinkSecret, config.dataDir) };
    const deps = { store: new PgStore({ pool }), mailer, mail, temporal: client, files: new FileStore(resolve(config.uploads.dir)), retention: { pool, uploadDir: resolve(config.uploads.dir) } };
    // The daily Schedule that removes the personal data of runs past their retention (README: Personal data and retention).
    await ensureRetentionScheduleAtStart(client, { taskQueue: config.temporal.taskQueue, defaultMonths: config.retention.months });
    // Without WORKFLOW_BUNDLE_PATH the code is bundled in a process of its own, so webpack's memory is not the worker's.
    const bundlePath = config.worker.bundlePath ?? (await bundleApart());
    const worker = await buildWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      workflowBundle: { codePath: bundlePath },
    }).finally(() => {
      if (!config.worker.bundlePath) rmSync(bundlePath, { force: true });
    });
    const emailWorker = await buildEmailWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.email.taskQueue,
      deps,
      ratePerMinute: config.email.ratePerMinute,
    });
    // On Ctrl-C the SDK's own signal handling may already be draining the workers; a second shutdown is a no-op.
    const stop = (w: { getState(): string; shutdown(): void }) => {
      if (w.getState() === 'RUNNING') w.shutdown();
    };
    signal.addEventListener('abort', () => {
      stop(worker);
      stop(emailWorker);
    }, { once: true });
    await Promise.all([worker.run(), emailWorker.run()]);
  } finally {
    mailer.close();
    await clientConnection.close();
    await connection.close();
    await pool.end();
  }
}
