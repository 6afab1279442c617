import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { findTemporalCli } from '../../worker/temporal-binaries';

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
 * The production worker (`worker/run.ts`, main and email workers) as its own process, so a test can kill it with
 * SIGKILL at any point and start a new one.
 */
export interface WorkerProcess {
  start: () => Promise<void>;
  kill: () => Promise<void>;
  /** How many times the worker was started. */
  starts: number;
  output: () => string;
}

export function workerProcess(env: Record<string, string>): WorkerProcess {
  let child: ChildProcess | null = null;
  let output = '';
  const worker: WorkerProcess = {
    starts: 0,
    output: () => output,
    start: async () => {
      worker.starts += 1;
      const current = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'run.ts')], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = current;
      let running = 0;
      await new Promise<void>((resolve, reject) => {
        const look = (chunk: Buffer) => {
          const text = chunk.toString();
          output = (output + text).slice(-20_000);
          running += (text.match(/Worker state changed[^\n]*RUNNING/g) ?? []).length;
          // Two workers: the main one and the rate-limited email worker.
          if (running >= 2) resolve();
        };
        current.stdout?.on('data', look);
        current.stderr?.on('data', look);
        current.once('exit', (code, signal) => reject(new Error(`the worker exited (${code ?? signal}) before it was running: ${output.slice(-3000)}`)));
      });
    },
    kill: () => stopChild(child, 'SIGKILL'),
  };
  return worker;
}
