import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PgStore } from '../activities/db/pg-store';
import { resolveTimeline } from '../planning/resolve-timeline';
import { runWorkflowId } from '../domain/ids';
import { runWorkflow } from '../workflows/run-workflow';
import type { Timeline } from '../domain/timeline';
import { freshSchema } from '../tests/helpers/postgres';
import { EXAMPLE_GROUPS, buildRoster } from '../tests/helpers/roster-builder';
import { futurePlan } from '../tests/helpers/temporal';
import { startSmtpSink } from '../tests/helpers/smtp-sink';
import { type BenchResult, MB, inParallel, memoryOf, seconds, sleep, startProcess, stopProcess } from './lib';
import type { noopWorkflow, oneActivityWorkflow } from './floor-workflows';
import { ARSHJUL_RELEASE } from '../application/release';

/**
 * B1 (start a run) and B6 (worker memory): N kindergartens on the dev server, timed from starting the run until every
 * kindergarten workflow has run and sent its first step (an email to its director, recorded as sent in the outbox),
 * with the production worker (`worker/run.ts`) in its own process; its peak RSS is B6. Floor: N no-op workflows
 * started and completed by a plain client loop (50 at a time) against the same server, with a bare worker.
 */
export async function benchStart(env: TestWorkflowEnvironment, sizes: number[], log: (line: string) => void): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const n of sizes) {
    const perGroup = Math.ceil(n / EXAMPLE_GROUPS.length);
    const total = perGroup * EXAMPLE_GROUPS.length;
    const db = await freshSchema(`b1_${total}`);
    const queue = `b1-${total}-${Date.now()}`;
    // A real SMTP server takes the emails: the production worker records an email as sent only when one accepted it.
    const sink = await startSmtpSink();
    const worker = await startProcess(
      'worker/run.ts',
      {
        TEMPORAL_ADDRESS: env.address,
        SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        DATABASE_URL: db.url,
        TEMPORAL_TASK_QUEUE: queue,
        EMAIL_TASK_QUEUE: `${queue}-email`,
        EMAIL_RATE_PER_MINUTE: '600000',
        EMAIL_JITTER_MS: '0',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'arshjul-bench-')),
        UPLOAD_LINK_SECRET: 'bench-secret-of-at-least-thirty-two-characters',
      },
      /"taskQueue":"[^"]*-email","state":"RUNNING"/,
    );
    const floorQueue = `${queue}-floor`;
    const floorWorker = await startProcess('bench/floor-worker.ts', { TEMPORAL_ADDRESS: env.address, BENCH_FLOOR_QUEUE: floorQueue }, /floor worker ready/);
    try {
      const plan = futurePlan(2027, `bench${total}`);
      const roster = buildRoster(EXAMPLE_GROUPS, perGroup);
      const runId = runWorkflowId(plan.schoolYear, plan.county);
      const store = new PgStore({ pool: db.pool });
      const at = Date.now();
      // One run-wide step, due at once: every kindergarten's first act is to email its director.
      const timeline: Timeline = {
        schoolYear: plan.schoolYear,
        county: plan.county,
        timezone: plan.timezone,
        regions: resolveTimeline(plan).regions,
        milestones: [{ id: 'first-step', kind: 'information', title: 'Første steg', location: null, durationMinutes: null, occurrences: [{ scope: 'run', regionId: null, groupId: null, at, version: 0, emails: [{ id: 'milestone-notice:directors:0', template: 'milestone-notice', to: 'directors', sendAt: at, latestUsefulAt: at + 3_600_000 }] }] }],
        deliverables: [],
        // Long enough that the last kindergarten of a large run still starts before the year ends.
        endsAt: at + 40 * 60_000,
        submissionGraceMs: 0,
      };
      await store.createRun(runId, plan, roster, [], ARSHJUL_RELEASE);
      const started = process.hrtime.bigint();
      await env.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: queue, args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'bench', kindergartens: roster.kindergartens.length }] });
      let done = 0;
      const marks: string[] = [];
      while (done < total) {
        await sleep(200);
        const { rows } = await db.pool.query<{ n: string }>("SELECT count(DISTINCT meta->>'orgnr') AS n FROM email_outbox WHERE run_id = $1 AND state = 'sent'", [runId]);
        const now = Number(rows[0]?.n ?? 0);
        for (const share of [0.01, 0.25, 0.5, 0.75]) if (done < share * total && now >= share * total) marks.push(`${share * 100}% at ${seconds(started).toFixed(1)} s`);
        done = now;
        if (seconds(started) > 900) throw new Error(`B1: only ${done} of ${total} kindergartens started within 15 minutes`);
      }
      const runSeconds = seconds(started);
      const workerMemory = memoryOf(worker.pid as number);
      log(`B1 ${total}: every kindergarten started and emailed in ${runSeconds.toFixed(1)} s (${marks.join(', ')}); worker peak RSS ${(workerMemory.peak / MB).toFixed(0)} MiB`);

      const floorStarted = process.hrtime.bigint();
      await inParallel([...Array(total).keys()], 50, async (i) => {
        const handle = await env.client.workflow.start<typeof noopWorkflow>('noopWorkflow', { workflowId: `${floorQueue}-${i}`, taskQueue: floorQueue, args: [] });
        await handle.result();
      });
      const floorSeconds = seconds(floorStarted);
      log(`B1 ${total}: floor, ${total} no-op workflows started and completed by a client loop in ${floorSeconds.toFixed(1)} s`);
      // The second floor: the least a kindergarten does at start, one activity per workflow.
      const activityStarted = process.hrtime.bigint();
      await inParallel([...Array(total).keys()], 50, async (i) => {
        const handle = await env.client.workflow.start<typeof oneActivityWorkflow>('oneActivityWorkflow', { workflowId: `${floorQueue}-activity-${i}`, taskQueue: floorQueue, args: [] });
        await handle.result();
      });
      const activitySeconds = seconds(activityStarted);
      log(`B1 ${total}: floor, ${total} one-activity workflows started and completed by a client loop in ${activitySeconds.toFixed(1)} s`);
      const ratio = runSeconds / floorSeconds;
      const activityRatio = runSeconds / activitySeconds;
      results.push({ id: 'B1', what: 'start a run: every kindergarten running and its first email sent (floor: no-op workflows)', size: `${total} kindergartens`, value: runSeconds, unit: 's', floor: floorSeconds, ratio, target: 'ratio ≤ 1.5', met: ratio <= 1.5 });
      results.push({ id: 'B1a', what: 'the same start against one-activity workflows (the least a kindergarten does at start)', size: `${total} kindergartens`, value: runSeconds, unit: 's', floor: activitySeconds, ratio: activityRatio, target: 'ratio ≤ 1.3', met: activityRatio <= 1.3 });
      results.push({ id: 'B6', what: 'peak RSS of the worker process holding the run', size: `${total} kindergartens`, value: workerMemory.peak / MB, unit: 'MiB', target: '≤ 600 MiB', met: workerMemory.peak <= 600 * MB });
      // Everyone waits on a timer now (idle, costing nothing); ending the run stops them before the next size.
      await env.client.workflow.getHandle(runId).terminate('benchmark measured').catch(() => undefined);
    } finally {
      await stopProcess(worker);
      await stopProcess(floorWorker);
      await sink.close();
      await db.drop();
    }
  }
  return results;
}
