import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUNDLE_SCRIPT = join(__dirname, '..', 'scripts', 'bundle-workflows.ts');

/**
 * Bundles the workflow code (webpack) in a process of its own and returns the file it wrote. Bundling in the worker
 * itself left about 140 MiB in the worker's memory for good (webpack's heap, never handed back): a worker of 2,000
 * kindergartens peaked at 645 MiB bundling itself and 503 MiB given the bundle. The caller removes the file once the
 * worker has read it.
 */
export async function bundleApart(): Promise<string> {
  const out = join(tmpdir(), `arshjul-workflows-${process.pid}-${randomBytes(4).toString('hex')}.js`);
  const child = spawn(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the workflow code could not be bundled (exit ${code}): ${stderr.trim()}`);
  return out;
}
