import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { MemoryStore } from '../activities/db/memory-store';
import { type RehearsalResult, byInstant, rehearse, scenarioSchema } from '../application/rehearsal';
import { loadPlan } from '../planning/load-plan';
import { resolveTimeline } from '../planning/resolve-timeline';
import { findTestServer } from '../temporal/binaries';
import { scheduleForKindergarten } from '../domain/timeline';
import { EXAMPLE_GROUPS, buildRoster } from '../tests/helpers/roster-builder';
import { EXAMPLE_PLAN, bundleWorkflows } from '../tests/helpers/temporal';
import { type BenchResult, seconds } from './lib';
import { type shapeWorkflow, type timersWorkflow, floorSubmit } from './floor-workflows';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * B2 (rehearse a year): the whole example year on the time-skipping server for N kindergartens, wall time, with the
 * real workflows and activities (in-memory store, no SMTP). Floor: N bare workflows on the same kind of server, each
 * sleeping through as many timers as a kindergarten's year has steps, awaited one at a time like the rehearsal.
 *
 * A second, finer floor (B2e) separates the engine's cost from ours: the same shape of work as the rehearsal just did,
 * with none of Årshjul's logic — per kindergarten a timer to each instant it sent email, a no-op activity per email,
 * and its submissions as Updates at the same instants, twenty at a time.
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
    const store = new MemoryStore();
    const calls = countCalls(store);
    const started = process.hrtime.bigint();
    const rehearsal = await rehearse(plan, roster, scenarioSchema.parse({}), { workflowBundle: bundle, store, full: true });
    const yearSeconds = seconds(started);
    const emails = rehearsal.entries.filter((e) => e.type === 'email');
    const consistency = sameEmailsWithinGroups(rehearsal);
    log(`B2 ${total}: the year rehearsed in ${yearSeconds.toFixed(1)} s (${emails.length} emails, ${rehearsal.submissions.length} submissions, ${rehearsal.refusals.length} refused; store calls: ${JSON.stringify(calls)}); ${consistency}`);

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
    results.push({ id: 'B2', what: 'rehearse the example year (time-skipping)', size: `${total} kindergartens`, value: yearSeconds, unit: 's', floor: floorSeconds, ratio, target: 'ratio ≤ 2', met: ratio <= 2, note: `floor: ${stepsPerKindergarten} timers per workflow; ${emails.length} emails; ${consistency}` });

    const shape = shapeOf(rehearsal);
    const shapeStarted = process.hrtime.bigint();
    await runShapeFloor(shape, floorBundle);
    const shapeSeconds = seconds(shapeStarted);
    log(`B2 ${total}: same-shape floor, ${shape.workflows.length} workflows, ${shape.timers} timers, ${shape.activities} no-op activities, ${shape.updates.length} Updates in ${shapeSeconds.toFixed(1)} s`);
    results.push({
      id: 'B2e', what: 'the engine alone doing the same shape of work', size: `${total} kindergartens`, value: yearSeconds, unit: 's', floor: shapeSeconds, ratio: yearSeconds / shapeSeconds, target: 'explains B2', met: null,
      note: `${shape.timers} timers, ${shape.activities} activities, ${shape.updates.length} Updates`,
    });
  }
  return results;
}

/** Counts the calls of each store method (each call is one activity of the rehearsal). */
function countCalls(store: MemoryStore): Record<string, number> {
  const counts: Record<string, number> = {};
  const target = store as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(MemoryStore.prototype)) {
    const original = target[name];
    if (name === 'constructor' || typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      counts[name] = (counts[name] ?? 0) + 1;
      return (original as (...a: unknown[]) => unknown).apply(store, args);
    };
  }
  return counts;
}

/** A rehearsal is only a measurement if it did what the plan says: every kindergarten of a group got the same emails. */
function sameEmailsWithinGroups(rehearsal: RehearsalResult): string {
  const perKindergarten = new Map<string, { group: string; templates: string[] }>();
  for (const e of rehearsal.entries) {
    if (e.type !== 'email' || !e.kindergarten) continue;
    const k = perKindergarten.get(e.kindergarten) ?? { group: e.group ?? '', templates: [] };
    k.templates.push(`${e.template}/${e.milestone}`);
    perKindergarten.set(e.kindergarten, k);
  }
  const byGroup = new Map<string, Set<string>>();
  for (const k of perKindergarten.values()) {
    const set = byGroup.get(k.group) ?? new Set<string>();
    set.add(k.templates.sort().join(','));
    byGroup.set(k.group, set);
  }
  const odd = [...byGroup.entries()].filter(([, variants]) => variants.size > 1).map(([g]) => g);
  return odd.length === 0 ? 'every kindergarten got its group\'s emails' : `kindergartens got different emails in ${odd.join(', ')}`;
}

interface Shape {
  workflows: { id: string; steps: { at: number; activities: number }[] }[];
  updates: { at: number; workflowId: string }[];
  timers: number;
  activities: number;
}

/** The rehearsal's work as instants: per kindergarten (and one for the county's and regions' emails), when it sent how many emails; and when each submission came. Instants are relative to the year's first. */
function shapeOf(rehearsal: RehearsalResult): Shape {
  const at = (iso: string) => Date.parse(iso);
  const all = [...rehearsal.entries, ...rehearsal.submissions].map((e) => at(e.at));
  const first = Math.min(...all);
  const steps = new Map<string, Map<number, number>>();
  for (const e of rehearsal.entries) {
    if (e.type !== 'email') continue;
    const id = e.kindergarten ?? 'county';
    const byAt = steps.get(id) ?? new Map<number, number>();
    byAt.set(at(e.at) - first, (byAt.get(at(e.at) - first) ?? 0) + 1);
    steps.set(id, byAt);
  }
  const workflows = [...steps.entries()].map(([id, byAt]) => ({ id, steps: [...byAt.entries()].sort((a, b) => a[0] - b[0]).map(([t, activities]) => ({ at: t, activities })) }));
  const updates = rehearsal.submissions.map((s) => ({ at: at(s.at) - first, workflowId: s.kindergarten ?? 'county' })).sort((a, b) => a.at - b.at);
  return { workflows, updates, timers: workflows.reduce((n, w) => n + w.steps.length, 0), activities: workflows.reduce((n, w) => n + w.steps.reduce((m, s) => m + s.activities, 0), 0) };
}

/** Runs the shape on a fresh time-skipping server: start everything, send the Updates at their instants, await the results one at a time. */
async function runShapeFloor(shape: Shape, floorBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: findTestServer() } } });
  try {
    const start = (await env.currentTimeMs()) + 24 * 3_600_000;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-shape', workflowBundle: floorBundle, activities: { noop: async () => undefined } });
    await worker.runUntil(async () => {
      const handles = [];
      for (const w of shape.workflows) {
        handles.push(await env.client.workflow.start<typeof shapeWorkflow>('shapeWorkflow', { workflowId: `shape-${w.id}`, taskQueue: 'bench-shape', args: [{ steps: w.steps.map((s) => ({ at: s.at + start, activities: s.activities })), updates: shape.updates.filter((u) => u.workflowId === w.id).length }] }));
      }
      for (const group of byInstant(shape.updates)) {
        const wait = (group[0]?.at ?? 0) + start - (await env.currentTimeMs());
        if (wait > 0) await env.sleep(wait);
        for (let i = 0; i < group.length; i += 20) {
          await Promise.all(group.slice(i, i + 20).map((u) => env.client.workflow.getHandle(`shape-${u.workflowId}`).executeUpdate(floorSubmit, { args: ['x'] })));
        }
      }
      for (const h of handles) await h.result();
    });
  } finally {
    await env.teardown();
  }
}
