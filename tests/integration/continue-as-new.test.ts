import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import * as control from '../../application/run-control';
import { initialDeliverables } from '../../application/run-control';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { type RunWorkflowInput, runWorkflow } from '../../workflows/run-workflow';
import { buildRoster } from '../helpers/roster-builder';
import { burstTimeline } from '../helpers/timelines';
import { type Harness, devServer, futurePlan, harness, bundleWorkflows } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(300_000);

const STEPS = 30;

/**
 * On the real dev server with Temporal told to suggest continue-as-new after 40 events, a run and a kindergarten
 * with 30 steps each must continue-as-new several times and still do every step exactly once.
 */
describe('continue-as-new when Temporal suggests it', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await devServer(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']);
    h = await harness(env, await bundleWorkflows(), 'continue-as-new');
    worker = h.worker;
    running = worker.run();
  });

  afterAll(async () => {
    worker.shutdown();
    await running.catch(() => undefined);
    await env.teardown();
  });

  it('carries the run and kindergarten state across runs: every email once, nothing lost', async () => {
    const plan = { ...futurePlan(2027, 'can'), regions: [{ id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [] }] };
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 1);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const timeline = burstTimeline(plan, Date.now() + 3_000, STEPS, 300, ['directors', 'coordinator']);
    await h.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    const input: RunWorkflowInput = { runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length };
    const handle = await env.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: h.taskQueue, args: [input] });
    const result = await handle.result();
    expect(result.state).toBe('completed');
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    const kindergarten = env.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr));
    await kindergarten.result();

    const sent = [...h.store.outbox.values()].filter((e) => e.state === 'sent');
    const director = sent.filter((e) => e.meta.orgnr === orgnr);
    const coordinator = sent.filter((e) => e.to === plan.contacts.coordinator.email);
    expect(director.map((e) => e.meta.milestoneId).sort()).toEqual(timeline.milestones.map((m) => m.id).sort());
    expect(coordinator.map((e) => e.meta.milestoneId).sort()).toEqual(timeline.milestones.map((m) => m.id).sort());
    expect(h.sent).toHaveLength(2 * STEPS);
    expect(new Set(h.sent.map((m) => m.messageId)).size).toBe(2 * STEPS);

    const runsOf = async (workflowId: string) => {
      const runs = [];
      for await (const execution of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(execution);
      return runs;
    };
    expect((await runsOf(runId)).length).toBeGreaterThanOrEqual(2);
    expect((await runsOf(kindergartenWorkflowId(runId, orgnr))).length).toBeGreaterThanOrEqual(2);
    const status = await kindergarten.query(kindergartenStatusQuery);
    expect(status.steps.filter((s) => s.status === 'sent')).toHaveLength(STEPS);
  });

  it('starts runs through the same control path as the CLI', async () => {
    const plan = futurePlan(2027, 'can-control');
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 1);
    await expect(control.startRun({ client: env.client, store: h.store, taskQueue: h.taskQueue }, plan, roster, 'koordinator')).resolves.toMatchObject({ kindergartens: 1 });
  });
});
