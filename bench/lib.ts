import { join } from 'node:path';
import { startNodeProcess } from '../tests/helpers/processes';

export const ROOT = join(__dirname, '..');
export const MB = 1024 * 1024;

/** One figure of the benchmark, with the floor it is compared with when there is one. */
export interface BenchResult {
  id: string;
  what: string;
  size: string;
  value: number;
  unit: string;
  floor?: number;
  ratio?: number;
  target: string;
  /** null: a figure that explains another and has no target of its own. */
  met: boolean | null;
  note?: string;
}

export { memoryOf } from '../tests/helpers/process-memory';
export { stopProcess } from '../tests/helpers/processes';

/** Starts an entry point as its own Node process (see tests/helpers/processes.ts) and waits until it prints `ready`. */
export function startProcess(entry: string, env: Record<string, string>, ready: RegExp): ReturnType<typeof startNodeProcess> {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of every process the benchmark starts, for finding what is ours.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return startNodeProcess(entry, env, ready, profile);
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

export const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
