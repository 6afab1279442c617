import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ARSHJUL_RELEASE, WORKFLOW_PATCHES } from '../../application/release';
import { bundleWorkflows } from '../helpers/temporal';

jest.setTimeout(120_000);

const HISTORIES = join(__dirname, '..', 'histories');

/** Every supported release has a folder of histories (scripts/record-histories.ts); a release no longer supported is removed. */
const releases = readdirSync(HISTORIES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const files = releases.flatMap((release) => readdirSync(join(HISTORIES, release)).filter((f) => f.endsWith('.json')).map((f) => join(release, f)));
const workflowType = (file: string) => JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name as string;

/**
 * Histories recorded from every supported release must replay with today's workflow code: a change to a released
 * workflow's commands fails here, and must go behind patched() (the release rule in the README).
 */
describe('the recorded histories of every supported release replay with the current code', () => {
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has histories of this release, of every workflow type the worker runs', () => {
    expect(releases).toContain(ARSHJUL_RELEASE);
    const types = files.filter((f) => f.startsWith(`${ARSHJUL_RELEASE}/`)).map(workflowType);
    expect(new Set(types)).toEqual(new Set(['runWorkflow', 'regionWorkflow', 'kindergartenWorkflow', 'deliverEmailWorkflow', 'retentionWorkflow']));
  });

  it('has, for every patch a supported release added, a history of that release that takes the patched branch', () => {
    const patchesIn = (file: string): string[] =>
      JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')).events.flatMap((e: { markerRecordedEventAttributes?: { details?: Record<string, { payloads?: { data?: string }[] }> } }) =>
        Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
          (d.payloads ?? []).filter((p) => typeof p.data === 'string').map((p) => Buffer.from(p.data as string, 'base64').toString('utf8')).filter((text) => text.startsWith('{"id":')).map((text) => (JSON.parse(text) as { id: string }).id),
        ),
      );
    for (const patch of WORKFLOW_PATCHES.filter((p) => releases.includes(p.addedIn))) {
      const recorded = files.filter((f) => f.startsWith(`${patch.addedIn}/`) && workflowType(f) === patch.workflow).flatMap(patchesIn);
      expect({ patch: patch.id, workflow: patch.workflow, recorded: recorded.includes(patch.id) }).toEqual({ patch: patch.id, workflow: patch.workflow, recorded: true });
    }
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
  });
});
