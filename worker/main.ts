import { NativeConnection } from '@temporalio/worker';
import { Pool } from 'pg';
import nodemailer from 'nodemailer';
import type { Config } from '../config/env';
import { connectClient, temporalConnectionOptions } from '../temporal/connection';
import { PgStore } from '../activities/db/pg-store';
import { buildEmailWorker, buildWorker } from '../temporal/worker-factory';
import { resolveUploadSecret } from '../security/upload-secret';

/** The mail transport: pooled SMTP when SMTP_URL is set, else a JSON transport that keeps mail in the outbox only. */
export function createMailer(config: Config['mail']) {
  if (!config.smtpUrl) return nodemailer.createTransport({ jsonTransport: true });
  const url = new URL(config.smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.toString());
}

/** Runs the worker until `signal` aborts; used by `npm start` and `npm run worker` (which install the runtime first). */
export async function runWorker(config: Config, databaseUrl: string, temporalAddress: string, signal: AbortSignal): Promise<void> {
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
  const mailer = createMailer(config.mail);
  try {
    const mail = { ...config.mail, uploadSecret: resolveUploadSecret(config.mail.uploadLinkSecret, config.dataDir) };
    const deps = { store: new PgStore({ pool }), mailer, mail, temporal: client };
    const worker = await buildWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps,
      maxCachedWorkflows: config.worker.maxCachedWorkflows,
      ...(config.worker.bundlePath ? { workflowBundle: { codePath: config.worker.bundlePath } } : {}),
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
