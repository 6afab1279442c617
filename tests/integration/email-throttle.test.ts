import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { initialDeliverables } from '../../application/run-control';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import { runWorkflow } from '../../workflows/run-workflow';
import { buildEmailWorker } from '../../temporal/worker-factory';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, type Harness, bundleWorkflows, devServer, futurePlan, harness } from '../helpers/temporal';
import { burstTimeline } from '../helpers/timelines';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(120_000);

/**
 * Emails go through their own task queue, rate-limited by the Temporal server: a burst of eight sends due at the
 * same instant is delivered by the email worker at its configured rate, never by the main worker.
 */
describe('the rate-limited email queue', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let emailWorker: Worker;
  let running: Promise<unknown>;
  const delivered: number[] = [];

  beforeAll(async () => {
    env = await devServer();
    h = await harness(env, await bundleWorkflows(), 'throttle-main');
    emailWorker = await buildEmailWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: 'throttle-email',
      ratePerMinute: 120,
      deps: {
        store: h.store,
        mailer: { sendMail: async (mail: { to: { address: string } }) => (delivered.push(Date.now()), { accepted: [mail.to.address], rejected: [], response: '250 ok' }) as never },
        mail: { from: 'test@arshjul.invalid', publicBaseUrl: 'http://arshjul.test', uploadSecret: TEST_UPLOAD_SECRET },
        temporal: env.client,
      },
    });
    running = Promise.all([h.worker.run(), emailWorker.run()]);
  });

  afterAll(async () => {
    h.worker.shutdown();
    emailWorker.shutdown();
    await running.catch(() => undefined);
    await env.teardown();
  });

  it('sends a burst at no more than the configured rate, all through the email worker', async () => {
    const plan = futurePlan(2027, 'throttle');
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 1);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const timeline = burstTimeline(plan, Date.now() + 2_000, 8, 0, ['directors']);
    await h.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    const handle = await env.client.workflow.start(runWorkflow, {
      workflowId: runId,
      taskQueue: h.taskQueue,
      args: [{ runId, plan, timeline, emailTaskQueue: 'throttle-email', release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }],
    });
    await handle.result();
    await env.client.workflow.getHandle(kindergartenWorkflowId(runId, roster.kindergartens[0]?.orgnr as string)).result();

    expect(delivered).toHaveLength(8);
    expect(h.sent).toHaveLength(0);
    // 120 a minute is 2 a second: eight sends need at least seven intervals of about half a second.
    const span = Math.max(...delivered) - Math.min(...delivered);
    expect(span).toBeGreaterThanOrEqual(3_000);
  });
});
