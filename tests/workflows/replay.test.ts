import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../helpers/temporal';

jest.setTimeout(120_000);

const HISTORIES = join(__dirname, '..', 'histories');

/**
 * Histories recorded from released versions (scripts/record-histories.ts) must replay with today's workflow code:
 * a change that would break a running year fails here, and must go behind patched().
 */
describe('recorded workflow histories replay with the current code', () => {
  let bundle: WorkflowBundleWithSourceMap;
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has a recorded history of each workflow type', () => {
    const types = files.map((f) => JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name);
    expect(new Set(types)).toEqual(new Set(['runWorkflow', 'regionWorkflow', 'kindergartenWorkflow']));
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
  });
});
