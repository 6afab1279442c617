import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { portIsFree, somethingListens } from '../../scripts/start/ports';

/**
 * `npm start` as a service manager sees it: started with its own ports and data directory, its process tree read from
 * /proc, signals sent to any process of that tree, and the time measured until every port it held is free.
 */
export interface NpmStart {
  npm: ChildProcess;
  ports: Record<'temporal' | 'ui' | 'postgres' | 'smtp' | 'api', number>;
  output: () => string;
  /** Resolves with the output once the start has printed "klar." (or rejects with it once npm has exited). */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A free port below the kernel's ephemeral range. A port the kernel hands out for `listen(0)` comes from that range,
 * which is also where every outgoing connection of the machine gets its local port: in the seconds before npm start
 * binds it, some other test's connection can take it. Ports below the range are only ever taken by a listener.
 */
async function portOutsideEphemeralRange(taken: Set<number>): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number];
  for (;;) {
    const port = low - 1 - Math.floor(Math.random() * Math.min(12_000, low - 1025));
    if (taken.has(port)) continue;
    if (await portIsFree(port)) {
      taken.add(port);
      return port;
    }
  }
}

export async function startNpm(cwd: string, env: Record<string, string> = {}): Promise<NpmStart> {
  const taken = new Set<number>();
  const port = () => portOutsideEphemeralRange(taken);
  const ports = { temporal: await port(), ui: await port(), postgres: await port(), smtp: await port(), api: await port() };
  let output = '';
  const npm = spawn('npm', ['start'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      EMBEDDED_PG_PORT: String(ports.postgres),
      DEV_SMTP_PORT: String(ports.smtp),
      API_PORT: String(ports.api),
      ...env,
    },
  });
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      if (/\[arshjul\] klar\./.test(output)) {
        clearInterval(check);
        resolve(output);
      }
    }, 100);
    void exited.then(() => {
      clearInterval(check);
      if (!/\[arshjul\] klar\./.test(output)) reject(new Error(`npm start ended before it was ready:\n${output}`));
    });
  });
  ready.catch(() => undefined);
  return { npm, ports, output: () => output, ready, exited };
}

/** The parent of every process, from /proc. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      map.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** Every descendant of `pid` alive now, with its command line. */
export function descendants(pid: number): { pid: number; command: string }[] {
  const byParent = parents();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const [child, of] of byParent) {
      if (of !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found.flatMap((p) => {
    try {
      return [{ pid: p, command: readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() }];
    } catch {
      return [];
    }
  });
}

/** True when a process is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Which of the ports accept a connection now. */
export async function listening(ports: number[]): Promise<number[]> {
  const open = await Promise.all(ports.map((port) => somethingListens(port)));
  return ports.filter((_, i) => open[i]);
}

/** Milliseconds from `since` until none of the ports accepts a connection (or `limitMs` passed: Infinity). */
export async function millisUntilFree(ports: number[], since: number, limitMs = 30_000): Promise<number> {
  for (;;) {
    if ((await listening(ports)).length === 0) return Date.now() - since;
    if (Date.now() - since > limitMs) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills whatever of a start is left (a failed test must not leave servers behind for the next). */
export function killTree(pid: number): void {
  for (const p of [...descendants(pid).map((d) => d.pid).reverse(), pid]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
