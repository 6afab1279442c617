/**
 * `npm run bundle-workflows -- <file>`: bundles the workflow code once (webpack) into <file>, for WORKFLOW_BUNDLE_PATH.
 * A worker given the bundle starts in about a second instead of bundling from source at every start.
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../temporal/worker-factory';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: npm run bundle-workflows -- <file>');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
