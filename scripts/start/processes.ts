import type { ChildProcess } from 'node:child_process';

/** Stops a child process: `signal`, then SIGKILL after `ms`; resolves when it has exited. */
export async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}
