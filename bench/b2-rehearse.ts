import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { rehearse, scenarioSchema } from '../cli/rehearse';
import { loadPlan } from '../planning/load-plan';
import { resolveTimeline } from '../planning/resolve-timeline';
import { findTestServer } from '../worker/temporal-binaries';
import { scheduleForKindergarten } from '../workflows/timeline';
import { EXAMPLE_GROUPS, buildRoster } from '../tests/helpers/roster-builder';
import { EXAMPLE_PLAN, bundleWorkflows } from '../tests/helpers/temporal';
import { type BenchResult, seconds } from './lib';
import type { timersWorkflow } from './floor-workflows';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * B2 (rehearse a year): the whole example year on the time-skipping server for N kindergartens, wall time, with the
 * real workflows and activities (in-memory store, no SMTP). Floor: N bare workflows on the same kind of server, each
 * sleeping through as many timers as a kindergarten's year has steps, awaited one at a time like the rehearsal.
 */
export async function benchRehearse(sizes: number[], log: (line: string) => void): Promise<BenchResult[]> {
  const plan = loadPlan(EXAMPLE_PLAN);
  const timeline = resolveTimeline(plan);
  const stepsPerKindergarten = Math.round(
    EXAMPLE_GROUPS.reduce((sum, g) => {
      const s = scheduleForKindergarten(timeline, g.regionId, g.groupId);
      return sum + s.emails.length + s.deliverables.reduce((n, d) => n + 3 + d.window.reminderAts.length, 0);
    }, 0) / EXAMPLE_GROUPS.length,
  );
  const yearMs = timeline.endsAt - Math.min(...timeline.milestones.flatMap((m) => m.occurrences.map((o) => o.at)));
  const bundle = await bundleWorkflows();
  const floorBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger: quiet });
  const results: BenchResult[] = [];
  for (const n of sizes) {
    const perGroup = Math.ceil(n / EXAMPLE_GROUPS.length);
    const total = perGroup * EXAMPLE_GROUPS.length;
    const roster = buildRoster(EXAMPLE_GROUPS, perGroup);
    const started = process.hrtime.bigint();
    const rehearsal = await rehearse(plan, roster, scenarioSchema.parse({}), { workflowBundle: bundle });
    const yearSeconds = seconds(started);
    log(`B2 ${total}: the year rehearsed in ${yearSeconds.toFixed(1)} s (${rehearsal.entries.filter((e) => e.type === 'email').length} emails)`);

    const floorStarted = process.hrtime.bigint();
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: findTestServer() } } });
    try {
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-timers', workflowBundle: floorBundle });
      await worker.runUntil(async () => {
        const handles = [];
        for (let i = 0; i < total; i++) {
          handles.push(await env.client.workflow.start<typeof timersWorkflow>('timersWorkflow', { workflowId: `timers-${i}`, taskQueue: 'bench-timers', args: [{ timers: stepsPerKindergarten, spacingMs: Math.floor(yearMs / stepsPerKindergarten) }] }));
        }
        for (const h of handles) await h.result();
      });
    } finally {
      await env.teardown();
    }
    const floorSeconds = seconds(floorStarted);
    log(`B2 ${total}: floor, ${total} workflows of ${stepsPerKindergarten} timers each in ${floorSeconds.toFixed(1)} s`);
    const ratio = yearSeconds / floorSeconds;
    results.push({ id: 'B2', what: 'rehearse the example year (time-skipping)', size: `${total} kindergartens`, value: yearSeconds, unit: 's', floor: floorSeconds, ratio, target: 'ratio ≤ 2', met: ratio <= 2, note: `floor: ${stepsPerKindergarten} timers per workflow` });
  }
  return results;
}
