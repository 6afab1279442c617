import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../../temporal/binaries';

const ROOT = join(__dirname, '..', '..');

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a child to exit, killing it with `signal` first. */
async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * The Temporal CLI dev server as its own process, keeping its state in a SQLite file, so it can be stopped and started
 * again on the same address with everything it had.
 */
export interface TemporalServerProcess {
  address: string;
  start: () => Promise<void>;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

export async function temporalServerProcess(dbFile: string): Promise<TemporalServerProcess> {
  const port = await freePort();
  const httpPort = await freePort();
  const address = `127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = '';
  const server: TemporalServerProcess = {
    address,
    start: async () => {
      child = spawn(
        findTemporalCli(),
        ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--db-filename', dbFile, '--log-level', 'error'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the dev server exited with ${child.exitCode}: ${output}`);
        try {
          const connection = await Connection.connect({ address, connectTimeout: 1_000 });
          try {
            await connection.workflowService.describeNamespace({ namespace: 'default' });
            return;
          } finally {
            await connection.close();
          }
        } catch {
          if (Date.now() > deadline) throw new Error(`the dev server did not answer within 60 s: ${output}`);
          await pause(200);
        }
      }
    },
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
  await server.start();
  return server;
}

/**
 * Starts a TypeScript entry point (path from the project root) as its own Node process and waits until its output
 * (stdout or stderr) matches `ready`; rejects if it exits first.
 */
export async function startNodeProcess(entry: string, env: Record<string, string>, ready: RegExp, nodeArgs: string[] = []): Promise<ChildProcess & { seen: string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-20_000);
      if (ready.test(seen)) resolve();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code, signal) => reject(new Error(`${entry} exited (${code ?? signal}) before it was ready: ${seen.slice(-2000)}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return Object.assign(child, { seen });
}

/** Stops a process with SIGTERM, and SIGKILL if it has not exited within 15 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/** Both workers of `worker/run.ts` (main and email) report RUNNING. */
const WORKERS_RUNNING = /Worker state changed[^\n]*RUNNING[\s\S]*Worker state changed[^\n]*RUNNING/;

/**
 * The production worker (`worker/run.ts`, main and email workers) as its own process, so a test can kill it with
 * SIGKILL at any point and start a new one.
 */
export interface WorkerProcess {
  start: () => Promise<void>;
  kill: () => Promise<void>;
}

export function workerProcess(env: Record<string, string>): WorkerProcess {
  let child: ChildProcess | null = null;
  return {
    start: async () => {
      child = await startNodeProcess('worker/run.ts', env, WORKERS_RUNNING);
    },
    kill: () => stopChild(child, 'SIGKILL'),
  };
}
