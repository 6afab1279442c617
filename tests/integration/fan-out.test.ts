import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { temporal } from '@temporalio/proto';
import { PgStore } from '../../activities/db/pg-store';
import { openWorkflowsByRelease } from '../../application/releases';
import { ARSHJUL_RELEASE, WORKFLOW_PATCHES } from '../../application/release';
import * as control from '../../application/run-control';
import { regionWorkflowId, runWorkflowId } from '../../domain/ids';
import { regionStatusQuery } from '../../workflows/region-workflow';
import { buildWorker } from '../../temporal/worker-factory';
import { findTemporalCli } from '../../temporal/binaries';
import { freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';
import { TEST_UPLOAD_SECRET, bundleWorkflows, devServer, futurePlan } from '../helpers/temporal';

jest.setTimeout(600_000);
const run = promisify(execFile);
const EventType = temporal.api.enums.v1.EventType;

/**
 * A county-sized run on the real Temporal CLI dev server with real PostgreSQL: 660 kindergartens, 650 of them in one
 * region. The region starts them through one heartbeating activity (by workflow ID, not as children), so its history
 * stays small and it has no pending children at all.
 */
describe('starting a run of 660 kindergartens on the dev server', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let worker: Worker;
  let running: Promise<void>;
  const plan = futurePlan(2027, 'fanout');
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  const roster = (() => {
    const big = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 650);
    const small = buildRoster([{ regionId: 'hedmarken', groupId: 'hamar-stange' }], 10, 95_000_000);
    return { municipalities: [...big.municipalities, ...small.municipalities], kindergartens: [...big.kindergartens, ...small.kindergartens] };
  })();
  let startedIn = 0;

  beforeAll(async () => {
    env = await devServer();
    db = await freshSchema('fanout');
    const store = new PgStore({ pool: db.pool as Pool });
    worker = await buildWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: 'fan-out',
      workflowBundle: await bundleWorkflows(),
      deps: {
        store,
        mailer: { sendMail: async (mail: { to: { address: string } }) => ({ accepted: [mail.to.address], rejected: [], response: '250 ok' }) as never },
        mail: { from: 'test@arshjul.invalid', publicBaseUrl: 'http://arshjul.test', uploadSecret: TEST_UPLOAD_SECRET },
        temporal: env.client,
      },
    });
    running = worker.run();
    const t0 = Date.now();
    await control.startRun({ client: env.client, store, taskQueue: 'fan-out' }, plan, roster, 'koordinator');
    const handle = env.client.workflow.getHandle(regionWorkflowId(runId, 'kongsvinger'));
    for (;;) {
      const status = await handle.query(regionStatusQuery).catch(() => null);
      if (status?.startComplete) break;
      if (Date.now() - t0 > 300_000) throw new Error('the region did not finish starting its kindergartens in 5 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    startedIn = Date.now() - t0;
    process.stderr.write(`fan-out: the region started its 650 kindergartens ${startedIn} ms after the run was started\n`);
  });

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await env?.teardown();
    await db?.drop();
  });

  it('starts every kindergarten workflow, and `temporal workflow list` shows the run, its regions and kindergartens', async () => {
    let count = 0;
    for (let i = 0; i < 120 && count < 660; i++) {
      count = (await env.client.workflow.count('WorkflowType = "kindergartenWorkflow" AND ExecutionStatus = "Running"')).count;
      if (count < 660) await new Promise((r) => setTimeout(r, 500));
    }
    expect(count).toBe(660);
    const { stdout } = await run(findTemporalCli(), ['workflow', 'list', '--address', env.address, '--limit', '2000', '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
    const listed = (stdout.trim().startsWith('[') ? JSON.parse(stdout) : stdout.trim().split('\n').map((l) => JSON.parse(l))) as { execution: { workflowId: string }; status: string }[];
    const running = listed.filter((w) => w.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING').map((w) => w.execution.workflowId);
    expect(running).toContain(runId);
    expect(running).toEqual(expect.arrayContaining([...plan.regions.map((r) => regionWorkflowId(runId, r.id))]));
    expect(running.filter((id) => id.startsWith(`${runId}-bhg-`))).toHaveLength(660);
    expect(startedIn).toBeLessThan(300_000);
  });

  it('starts them without children: the region has no pending children and a small history', async () => {
    const runs = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = "${regionWorkflowId(runId, 'kongsvinger')}"` })) runs.push(execution);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const execution of runs) {
      const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      const events = history.events ?? [];
      expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(0);
      expect(events.length).toBeLessThan(200);
    }
    const described = await env.client.workflow.getHandle(regionWorkflowId(runId, 'kongsvinger')).describe();
    expect(described.raw.pendingChildren?.length ?? 0).toBe(0);
    const region = await env.client.workflow.getHandle(regionWorkflowId(runId, 'kongsvinger')).query(regionStatusQuery);
    expect(region.kindergartensStarted).toBe(650);
  });

  it('gives each kindergarten a small history and reaches it by workflow ID', async () => {
    const status = await control.kindergartenStatus({ client: env.client, store: new PgStore({ pool: db.pool as Pool }), taskQueue: 'fan-out' }, runId, roster.kindergartens[649]?.orgnr as string);
    expect(status.deliverables.map((d) => d.status)).toEqual(['not-open', 'not-open', 'not-open']);
    const { run: r } = await control.runStatus({ client: env.client, store: new PgStore({ pool: db.pool as Pool }), taskQueue: 'fan-out' }, runId);
    expect(r.regions).toHaveLength(4);
  });

  it('lists the open run by the release that started it, as `arshjul release runs` prints it', async () => {
    let open = await openWorkflowsByRelease(env.client);
    for (let i = 0; i < 60 && (open[0]?.workflows.kindergartenWorkflow ?? 0) < 660; i++) {
      await new Promise((r) => setTimeout(r, 500));
      open = await openWorkflowsByRelease(env.client);
    }
    expect(open).toEqual([{ release: ARSHJUL_RELEASE, runs: [runId], workflows: { runWorkflow: 1, regionWorkflow: 4, kindergartenWorkflow: 660 } }]);
    const cli = join(__dirname, '..', '..', 'bin', 'arshjul.js');
    const { stdout } = await run(process.execPath, [cli, 'release', 'runs'], { env: { ...process.env, TEMPORAL_ADDRESS: env.address, DATABASE_URL: db.url } });
    expect(stdout).toContain(`  ${ARSHJUL_RELEASE}: 1 programår (${runId}), 4 regioner, 660 barnehager, 0 enkeltstående e-poster`);
    // Only a run of this release is open, so each of its patches may become deprecatePatch() in the next release.
    expect(stdout).toContain('Grener bak patched() i arbeidsflytene:\n');
    for (const patch of WORKFLOW_PATCHES) {
      expect(stdout).toContain(`  ${patch.id} (${patch.workflow}, fra ${patch.addedIn}): kan gjøres til deprecatePatch() — ingen åpne programår er startet før ${patch.addedIn}`);
    }
  });
});
