import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../temporal/worker-factory';
import { type NpmStart, alive, descendants, killTree, listening, millisUntilFree, startNpm } from '../helpers/npm-start';

jest.setTimeout(20 * 60_000);

const ROOT = join(__dirname, '..', '..');
const STOP_BOUND_MS = 15_000;
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** What each stop took, for the README (test-results/npm-start-stops.json). */
const measured: { signal: string; target: string; portsFreeMs: number; processesGoneMs: number }[] = [];

/** Waits until none of the processes is alive; the time it took, or Infinity past the bound. */
async function millisUntilGone(pids: number[], since: number): Promise<number> {
  for (;;) {
    if (!pids.some(alive)) return Date.now() - since;
    if (Date.now() - since > 2 * STOP_BOUND_MS) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `npm start` run the way a service manager runs it: the supervisor's stop on every signal to every one of its
 * processes (npm's own included), its refusal of a taken port, its clean retreat from a failed start, and
 * `npm install && npm start` in fresh clones where only the owner may enter (root's home directory, a mktemp -d folder).
 */
describe('npm start as a service', () => {
  let bundlePath: string;
  const workDirs: string[] = [];
  const starts: NpmStart[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-ops-'));
    workDirs.push(dir);
    bundlePath = join(dir, 'workflow-bundle.js');
    // A prebuilt bundle (WORKFLOW_BUNDLE_PATH) lets each of the many starts below come up in seconds.
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet })).code);
  });

  afterEach(() => {
    for (const s of starts.splice(0)) if (s.npm.pid) killTree(s.npm.pid);
  });

  afterAll(() => {
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results', 'npm-start-stops.json'), `${JSON.stringify(measured, null, 1)}\n`);
  });

  async function start(cwd: string, env: Record<string, string> = {}): Promise<NpmStart> {
    const s = await startNpm(cwd, env);
    starts.push(s);
    await s.ready;
    return s;
  }

  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-ops-data-'));
    workDirs.push(dir);
    return dir;
  };

  const TARGETS: Record<string, RegExp | null> = {
    npm: null,
    node: /node --import tsx scripts\/start\.ts/,
    'the Temporal dev server': /temporal server start-dev/,
    PostgreSQL: /bin\/postgres -D /,
  };

  it.each([
    ['SIGTERM', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGTERM', 'node'],
    ['SIGINT', 'node'],
    ['SIGTERM', 'the Temporal dev server'],
    ['SIGINT', 'the Temporal dev server'],
    ['SIGTERM', 'PostgreSQL'],
    ['SIGINT', 'PostgreSQL'],
    ['SIGKILL', 'npm'],
  ] as const)('stops every part, all ports free within 15 s, after %s to %s', async (signal, target) => {
    const s = await start(ROOT, { DATA_DIR: dataDir(), WORKFLOW_BUNDLE_PATH: bundlePath });
    const npmPid = s.npm.pid as number;
    const tree = descendants(npmPid);
    const pattern = TARGETS[target];
    const victim = pattern ? tree.find((p) => pattern.test(p.command))?.pid : npmPid;
    expect(victim).toBeDefined();
    expect(tree.some((p) => TARGETS['the Temporal dev server']?.test(p.command))).toBe(true);
    expect(tree.some((p) => TARGETS.PostgreSQL?.test(p.command))).toBe(true);

    const t0 = Date.now();
    process.kill(victim as number, signal);
    const portsFreeMs = await millisUntilFree(Object.values(s.ports), t0);
    const processesGoneMs = await millisUntilGone([npmPid, ...tree.map((p) => p.pid)], t0);
    measured.push({ signal, target, portsFreeMs, processesGoneMs });

    expect(portsFreeMs).toBeLessThan(STOP_BOUND_MS);
    expect(processesGoneMs).toBeLessThan(STOP_BOUND_MS);
    expect(tree.filter((p) => alive(p.pid))).toEqual([]);
  });

  it('refuses at once when a port it needs is taken, naming the port and the process that has it, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const s = await startNpm(ROOT, { DATA_DIR: dataDir(), WORKFLOW_BUNDLE_PATH: bundlePath, API_PORT: String(port) });
      starts.push(s);
      const { code } = await s.exited;
      expect(code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const refusal = s.output().split('\n').filter((l) => l.includes('kunne ikke starte'));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(`port ${port} (API og konsoll) er allerede i bruk av prosess ${process.pid} (`);
      expect(refusal[0]).toContain('velg en annen port med API_PORT');
      expect(s.output()).not.toContain('Temporal-utviklingstjener:');
      expect(await listening([s.ports.temporal, s.ports.postgres, s.ports.smtp])).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('stops what it had started when a later part fails, and says in one line what failed and what to do', async () => {
    const data = dataDir();
    // PostgreSQL's data directory cannot be made: a file is in its place.
    writeFileSync(join(data, 'postgres'), 'not a directory');
    const s = await startNpm(ROOT, { DATA_DIR: data, WORKFLOW_BUNDLE_PATH: bundlePath });
    starts.push(s);
    const { code } = await s.exited;
    expect(code).toBe(1);
    expect(s.output()).toContain('Temporal-utviklingstjener:');
    const refusal = s.output().split('\n').filter((l) => l.includes('kunne ikke starte'));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(/^\[arshjul\] kunne ikke starte PostgreSQL: .+\. Gjør dette: .*DATABASE_URL/);
    expect(await millisUntilFree([s.ports.temporal, s.ports.ui], Date.now())).toBeLessThan(1_000);
    expect(descendants(s.npm.pid as number)).toEqual([]);
  });

  /** A fresh clone of this repository's committed state in `parent`, installed and started as its user would. */
  async function installAndStart(parent: string): Promise<void> {
    const clone = join(parent, 'arshjul');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: clone, stdio: 'ignore', timeout: 10 * 60_000 });
    const s = await start(clone);
    expect(s.output()).toContain('PostgreSQL (lokal):');
    const health = await fetch(`http://127.0.0.1:${s.ports.api}/health`);
    expect(await health.json()).toEqual({ ok: true });
    const signIn = await fetch(`http://127.0.0.1:${s.ports.api}/konsoll/logg-inn`);
    expect(signIn.status).toBe(200);
    const tree = descendants(s.npm.pid as number);
    const t0 = Date.now();
    process.kill(s.npm.pid as number, 'SIGTERM');
    expect(await millisUntilFree(Object.values(s.ports), t0)).toBeLessThan(STOP_BOUND_MS);
    expect(await millisUntilGone([s.npm.pid as number, ...tree.map((p) => p.pid)], t0)).toBeLessThan(STOP_BOUND_MS);
  }

  it("installs and starts in a fresh clone in the user's home directory (root's, when run as root)", async () => {
    const parent = mkdtempSync(join(homedir(), 'arshjul-ops-'));
    workDirs.push(parent);
    await installAndStart(parent);
  });

  it('installs and starts in a fresh clone in a mktemp -d folder (only its owner may enter)', async () => {
    const parent = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    workDirs.push(parent);
    await installAndStart(parent);
  });
});
