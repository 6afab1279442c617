import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { signUploadToken } from '../../security/upload-tokens';
import { pdf } from '../helpers/documents';
import { freePort, startNodeProcess, stopProcess } from '../helpers/processes';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack } from '../helpers/upload-stack';

jest.setTimeout(15 * 60_000);

const ROOT = join(__dirname, '..', '..');
const SCHEMATHESIS = join(ROOT, '.venv', 'bin', 'schemathesis');
const REPORT = join(ROOT, 'test-results', 'schemathesis');

/**
 * The API matches its OpenAPI description, as schemathesis (from PyPI, installed into .venv by npm install) finds it:
 * every check, against the API as its own process (`api/main.ts`, what `npm run api` runs) with a real recipient's
 * access key and a real director's upload link, over a running year on the dev server. No server error, no failure.
 * The per-link limit on upload attempts is raised for this run, so the fuzzer reaches the upload logic instead of 429.
 * The run's configuration is schemathesis.toml; its JUnit and NDJSON reports go to test-results/schemathesis/.
 */
describe('the API against its OpenAPI description (schemathesis)', () => {
  let s: UploadStack;
  let api: ChildProcess;
  let base: string;
  let accessKey: string;
  let token: string;
  let submissionId: string;

  beforeAll(async () => {
    expect(existsSync(SCHEMATHESIS)).toBe(true);
    s = await startUploadStack({ label: 'schemathesis', kindergartens: 2 });
    const orgnr = s.roster.kindergartens[0]?.orgnr as string;
    accessKey = (await s.submissions.createAccessKey({ runId: s.runId, role: 'coordinator', municipalityId: null, label: 'schemathesis' })).key;
    const window = s.timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows[0];
    token = signUploadToken({ runId: s.runId, orgnr, deliverableId: 'analysis-so-far', expiresAt: window?.lateUntil ?? 0, version: 1 }, TEST_UPLOAD_SECRET);
    // One accepted submission, so the downloads have something to find.
    const form = new FormData();
    form.append('filer', new Blob([pdf('analyse')], { type: 'application/pdf' }), 'analyse.pdf');
    for (let i = 0; i < 100; i++) {
      const answer = await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form });
      if (answer.status === 201) {
        submissionId = ((await answer.json()) as { submissionId: string }).submissionId;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(submissionId).toBeDefined();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startNodeProcess(
      'api/main.ts',
      { DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.env.address, TEMPORAL_TASK_QUEUE: s.control.taskQueue, UPLOAD_DIR: s.storageDir, UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET, API_PORT: String(port), DATA_DIR: s.storageDir, UPLOAD_ATTEMPTS_PER_MINUTE: '100000' },
      /API listening on/,
    );
  });

  afterAll(async () => {
    if (api) await stopProcess(api);
    await s?.close();
  });

  it('passes every schemathesis check with no server error and no failure', async () => {
    mkdirSync(REPORT, { recursive: true });
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        SCHEMATHESIS,
        ['--config-file', join(ROOT, 'schemathesis.toml'), 'run', `${base}/api/openapi.json`, '--checks', 'all', '--report', 'junit,ndjson', '--report-dir', REPORT],
        { cwd: ROOT, env: { ...process.env, ACCESS_KEY: accessKey, RUN_ID: s.runId, ORGNR: s.roster.kindergartens[0]?.orgnr as string, UPLOAD_TOKEN: token, SUBMISSION_ID: submissionId, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    const summary = result.output.split('\n').filter((line) => /passed|failed|errors?|Test cases|=====/.test(line)).slice(-12).join('\n');
    process.stdout.write(`schemathesis:\n${summary}\n`);
    expect({ code: result.code, output: result.code === 0 ? 'ok' : result.output.slice(-12_000) }).toEqual({ code: 0, output: 'ok' });
  });
});
