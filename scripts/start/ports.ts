import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/**
 * The ports `npm start` needs, checked before anything starts, and who holds one that is taken: read from Linux's
 * /proc (the listening socket's inode, then the process that has it open). A process of another user is invisible to
 * a user who is not root; then the answer says so and names the command that tells.
 */
interface PortOwner {
  pid: number;
  command: string;
}

/** True when nothing listens on 127.0.0.1:port (and a server could bind it). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when something accepts connections on host:port. */
export function somethingListens(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // state 0A is LISTEN; the local address ends in the port in hex
      if (!local || fields[3] !== '0A') continue;
      if (Number.parseInt(local.split(':')[1] ?? '', 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The process listening on a TCP port, when this user may see it. */
function portOwner(port: number): PortOwner | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        let command = '';
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        } catch {
          command = '';
        }
        return { pid: Number(pid), command: command.length > 160 ? `${command.slice(0, 157)}…` : command };
      }
    }
  }
  return null;
}

/** "port 7233 (Temporal) er i bruk av prosess 123 (temporal server start-dev …)", for the one-line refusal. */
export function describeTakenPort(port: number, what: string): string {
  const owner = portOwner(port);
  const by = owner ? `prosess ${owner.pid} (${owner.command || 'ukjent kommando'})` : `en prosess denne brukeren ikke kan se (finn den med: ss -ltnp 'sport = :${port}')`;
  return `port ${port} (${what}) er allerede i bruk av ${by}`;
}
