import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import type { MailboxRepository } from '../activities/db/mailbox-repository';
import { PgStore } from '../activities/db/pg-store';
import { SubmissionRepository } from '../activities/db/submission-repository';
import { AccountRepository, DraftRepository } from '../activities/db/account-repository';
import { ConsoleRepository } from '../activities/db/console-repository';
import { RetentionRepository } from '../activities/db/retention-repository';
import { rollPlanForward } from '../planning/roll-forward';
import { type Config, loadConfig } from '../config/env';
import { resolveUploadSecret } from '../security/upload-secret';
import { buildApp } from './server';
import { connectClient } from '../temporal/connection';
import { type UploadDeps, retryUndecided, sweepOrphanedFiles } from '../application/upload-service';
import { FileStore } from '../activities/files/file-store';

/**
 * The API process: Fastify with the run routes, the directors' upload pages and the recipients' downloads, plus the
 * minute-by-minute retry of submissions stored while Temporal was unreachable. `npm start` runs it beside everything
 * else; `npm run api` runs it alone against TEMPORAL_ADDRESS and DATABASE_URL.
 */
export async function startApi(config: Config, resources: { client: Client; pool: Pool; mailbox?: MailboxRepository | null; logger?: boolean }): Promise<{ app: FastifyInstance; address: string; uploads: UploadDeps; close: () => Promise<void> }> {
  const files = new FileStore(resolve(config.uploads.dir));
  await files.init();
  const uploads: UploadDeps = {
    client: resources.client,
    submissions: new SubmissionRepository(resources.pool),
    files,
    secret: resolveUploadSecret(config.mail.uploadLinkSecret, config.dataDir),
    limits: { maxFileBytes: config.uploads.maxFileBytes, maxFiles: config.uploads.maxFiles, attemptsPerMinute: config.uploads.attemptsPerMinute },
  };
  let app: FastifyInstance | null = null;
  const onError = (error: unknown, context: string) => app?.log.error({ err: error }, context);
  const control = { client: resources.client, store: new PgStore({ pool: resources.pool }), taskQueue: config.temporal.taskQueue, emailTaskQueue: config.email.taskQueue };
  const console = {
    control,
    read: new ConsoleRepository(resources.pool),
    drafts: new DraftRepository(resources.pool),
    accounts: new AccountRepository(resources.pool),
    secureCookies: config.mail.publicBaseUrl.startsWith('https:'),
    files,
    examples: exampleFiles(),
    linkSecret: uploads.secret,
    retention: { repo: new RetentionRepository(resources.pool), defaultMonths: config.retention.months },
  };
  app = await buildApp(control, { uploads: { ...uploads, onError }, console, logger: resources.logger ?? false, ...(resources.mailbox ? { mailbox: resources.mailbox } : {}) });
  const address = await app.listen({ host: config.api.host, port: config.api.port });
  const retry = setInterval(() => void retryUndecided(uploads).catch((error: unknown) => onError(error, 'retrying stored submissions failed')), 60_000);
  // Files left without a committed submission (a crash mid-upload) are swept once they are an hour old.
  const sweepNow = () =>
    void sweepOrphanedFiles(uploads)
      .then((swept) => (swept.partial || swept.orphaned.length) && app?.log.info({ partial: swept.partial, orphaned: swept.orphaned }, 'swept uploaded files without a submission'))
      .catch((error: unknown) => onError(error, 'sweeping the storage directory failed'));
  sweepNow();
  const sweep = setInterval(sweepNow, 10 * 60_000);
  const running = app;
  return {
    app: running,
    address,
    uploads,
    close: async () => {
      clearInterval(retry);
      clearInterval(sweep);
      await running.close();
    },
  };
}

const EXAMPLES = join(__dirname, '..', 'examples');

/** The example plan, rolled forward to the current school year, and the example roster: the console's defaults. */
export function exampleFiles(now: () => number = Date.now) {
  return {
    plan: () => {
      const today = new Date(now());
      const year = today.getUTCMonth() >= 6 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
      return { text: rollPlanForward(readFileSync(join(EXAMPLES, 'kfl-2017-2018.yaml'), 'utf8'), year).text, file: `kfl-${year}-${year + 1}.yaml` };
    },
    roster: () => ({ text: readFileSync(join(EXAMPLES, 'roster-hedmark-2017.csv'), 'utf8'), file: 'roster-hedmark-2017.csv' }),
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.database.url || !config.temporal.address) throw new Error('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything together)');
  const pool = new Pool({ connectionString: config.database.url, max: 10 });
  pool.on('error', (error) => process.stderr.write(`PostgreSQL connection lost: ${error.message}\n`));
  const { client, connection } = await connectClient(config.temporal, undefined, { interactive: true });
  const api = await startApi(config, { client, pool, logger: true });
  process.stdout.write(`API listening on ${api.address}\n`);
  const stop = async () => {
    await api.close();
    await connection.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
