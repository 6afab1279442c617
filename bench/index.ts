/**
 * `npm run bench`: Årshjul against the engine's own floor, measured side by side in one run (not part of the tests).
 * Prints a table and ends with one line of JSON holding every figure.
 *
 *   BENCH_ONLY=B1,B2,…        which benchmarks (default all: B1 B2 B3 B4 B5 B6 B7 B8; B6 comes with B1)
 *   BENCH_B1_SIZES=500,2000   kindergartens started on the dev server (the README's table: 500,6000)
 *   BENCH_B2_SIZES=50,200     kindergartens rehearsed on the time-skipping server (the README's table: 50,500)
 *   BENCH_MESSAGES=1000 BENCH_CONCURRENCY=10 BENCH_ROUNDS=4   B3
 *   BENCH_B4_ROUNDS=10        20 MB uploads one at a time (and a third as many rounds of ten at once)
 *   BENCH_B5_SIZE=6000 BENCH_B5_REPEATS=20                   B5
 *   BENCH_B7_UPLOADS=200 BENCH_B7_CLIENTS=50 BENCH_B7_RUSH_S  the deadline rush: uploads of 1–5 MB (the issue's size is
 *                             1000), concurrent clients, and the seconds their starts are spread over (default 0.06 s
 *                             per upload)
 *   BENCH_B8_SIZE=6000 BENCH_B8_MUNICIPALITIES=356             the national rehearsal (grouped), against the example's 61
 */
import { cpus } from 'node:os';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServer } from '../tests/helpers/temporal';
import { installRuntime } from '../temporal/runtime';
import { benchStart } from './b1-start';
import { benchRehearse } from './b2-rehearse';
import { benchEmail } from './email-throughput';
import { benchUploads } from './b4-uploads';
import { benchConsole } from './b5-console';
import { benchDeadlineRush } from './b7-rush';
import { benchNationalRehearsal } from './b8-national';
import type { BenchResult } from './lib';

const list = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);

async function main(): Promise<void> {
  installRuntime('WARN', 'WARN');
  const only = new Set((process.env.BENCH_ONLY ?? 'B1,B2,B3,B4,B5,B6,B7,B8').split(',').map((s) => s.trim().toUpperCase()));
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const started = Date.now();
  const results: BenchResult[] = [];
  // Each benchmark gets its own servers, torn down after it, so one's leftovers (thousands of sleeping workflows) never
  // load the next.
  const withDevServer = async (work: (env: TestWorkflowEnvironment) => Promise<BenchResult[]>) => {
    const env = await devServer();
    try {
      results.push(...(await work(env)));
    } finally {
      await env.teardown();
    }
  };
  if (only.has('B1') || only.has('B6')) await withDevServer((env) => benchStart(env, list(process.env.BENCH_B1_SIZES, [500, 2000]), log));
  if (only.has('B2')) results.push(...(await benchRehearse(list(process.env.BENCH_B2_SIZES, [50, 200]), log)));
  if (only.has('B3')) results.push(...(await benchEmail(log)));
  if (only.has('B4')) results.push(...(await benchUploads(Number(process.env.BENCH_B4_ROUNDS ?? 10), log)));
  if (only.has('B5')) await withDevServer((env) => benchConsole(env, Number(process.env.BENCH_B5_SIZE ?? 6000), Number(process.env.BENCH_B5_REPEATS ?? 20), log));
  if (only.has('B7')) {
    const uploads = Number(process.env.BENCH_B7_UPLOADS ?? 200);
    const rushMs = process.env.BENCH_B7_RUSH_S ? Number(process.env.BENCH_B7_RUSH_S) * 1000 : 60 * uploads;
    results.push(...(await benchDeadlineRush(uploads, Number(process.env.BENCH_B7_CLIENTS ?? 50), rushMs, log)));
  }
  if (only.has('B8')) results.push(...(await benchNationalRehearsal(Number(process.env.BENCH_B8_SIZE ?? 6000), Number(process.env.BENCH_B8_MUNICIPALITIES ?? 356), log)));
  const shown = results.filter((r) => only.has(r.id.slice(0, 2)));
  const num = (v: number | undefined, digits = 1) => (v === undefined ? '—' : v.toFixed(digits));
  process.stdout.write('| id | what | size | value | floor | ratio | target | met |\n|---|---|---|---|---|---|---|---|\n');
  for (const r of shown) {
    process.stdout.write(`| ${r.id} | ${r.what}${r.note ? ` (${r.note})` : ''} | ${r.size} | ${num(r.value)} ${r.unit} | ${r.floor === undefined ? '—' : `${num(r.floor)} ${r.unit}`} | ${num(r.ratio, 2)} | ${r.target} | ${r.met === null ? '—' : r.met ? 'yes' : 'no'} |\n`);
  }
  process.stdout.write(`${JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, seconds: Math.round((Date.now() - started) / 1000), results: shown })}\n`);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
