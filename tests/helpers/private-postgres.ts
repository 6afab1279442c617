import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

/**
 * A PostgreSQL cluster of its own (Debian's server binaries, the same as the machine's PostgreSQL), in a temporary
 * directory on a free port, so a test can stop and start it without touching the shared server. Under root the
 * server runs as the `postgres` user, as PostgreSQL requires.
 */
export interface PrivatePostgres {
  url: string;
  /** `fast`: a clean shutdown (connections terminated); `immediate`: like a crash, recovered from the WAL on start. */
  stop: (mode?: 'fast' | 'immediate') => Promise<void>;
  start: () => Promise<void>;
  destroy: () => void;
}

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${base} (Debian's postgresql package)`);
  return join(base, newest, 'bin');
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), 'arshjul-pg-'));
  const data = join(root, 'data');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  const command = (tool: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args]);
  // Asynchronous, so the API and worker in this process keep serving while the server stops and starts.
  const run = async (tool: string, args: string[]) => {
    await promisify(execFile)(...command(tool, args), { timeout: 60_000 });
  };
  execFileSync(...command('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']), { stdio: 'pipe', timeout: 60_000 });
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1`;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'log'), '-w', 'start']),
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy: () => {
      try {
        execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'pipe', timeout: 60_000 });
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
