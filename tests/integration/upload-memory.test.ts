import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signUploadToken } from '../../security/upload-tokens';
import { pdf } from '../helpers/documents';
import { memoryOf } from '../helpers/process-memory';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack } from '../helpers/upload-stack';

jest.setTimeout(180_000);

const run = promisify(execFile);
const MB = 1024 * 1024;

/**
 * The API as its own process (`api/main.ts`, as `npm run api` runs it) receiving a 25 MB upload from curl: the file is
 * streamed to disk while it is hashed, so the process's peak memory grows by less than one copy of the file.
 */
describe('a 25 MB upload in the API process', () => {
  let s: UploadStack;
  let api: ChildProcess;
  let base: string;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'memory', kindergartens: 1 });
    const dataDir = mkdtempSync(join(tmpdir(), 'arshjul-api-'));
    api = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'api', 'main.ts')], {
      env: {
        ...process.env,
        DATABASE_URL: s.databaseUrl,
        TEMPORAL_ADDRESS: s.env.address,
        UPLOAD_DIR: s.storageDir,
        UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
        // Above the default 25 MB, so a 100 MB file can show that memory does not grow with the file.
        UPLOAD_MAX_MB: '120',
        API_PORT: '0',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      api.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /API listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      api.once('exit', (code) => reject(new Error(`the API exited with ${code}: ${out}`)));
    });
  });

  afterAll(async () => {
    api?.kill('SIGTERM');
    await s?.close();
  });

  async function upload(file: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', '-F', `filer=@${file};type=application/pdf`, `${base}/api/uploads/${token}`], { maxBuffer: 4 * MB });
    const lines = stdout.trimEnd().split('\n');
    return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) as Record<string, unknown> };
  }

  let token: string;
  let dir: string;

  async function measure(bytes: number, version: number) {
    const file = join(dir, `${bytes}.pdf`);
    writeFileSync(file, pdf('stor', bytes));
    const before = memoryOf(api.pid as number);
    const started = Date.now();
    const result = await upload(file, token);
    const ms = Date.now() - started;
    const after = memoryOf(api.pid as number);
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ state: 'accepted', version });
    expect((result.body.files as { size: number }[])[0]?.size).toBe(bytes);
    const growth = after.peak - before.peak;
    process.stdout.write(
      `upload memory: ${bytes / 1e6} MB upload to receipt in ${ms} ms; API RSS before ${(before.rss / MB).toFixed(1)} MiB, peak before ${(before.peak / MB).toFixed(1)} MiB, peak after ${(after.peak / MB).toFixed(1)} MiB (growth ${(growth / MB).toFixed(1)} MiB)\n`,
    );
    return growth;
  }

  it('stores a 25 MB file and answers with a receipt without holding several copies of it', async () => {
    const orgnr = s.roster.kindergartens[0]?.orgnr as string;
    const target = await s.submissions.linkTarget(s.runId, orgnr, 'analysis-so-far');
    token = signUploadToken({ runId: s.runId, orgnr, deliverableId: 'analysis-so-far', expiresAt: target?.lateUntil as number, version: 1 }, TEST_UPLOAD_SECRET);
    dir = mkdtempSync(join(tmpdir(), 'arshjul-big-'));
    const small = join(dir, 'small.pdf');
    writeFileSync(small, pdf('liten'));
    // Warm up every code path (multipart, hashing, PostgreSQL, the Update) with a small file first.
    expect((await upload(small, token)).status).toBe(201);
    expect(await measure(25_000_000, 2)).toBeLessThan(2 * 25_000_000);
  });

  it('does not grow with the file: a 100 MB upload raises the peak by less than half the file', async () => {
    // Buffered uploads would need at least the file's size; what grows here is garbage the collector has not yet
    // taken, the same whatever the file's size.
    expect(await measure(100_000_000, 3)).toBeLessThan(50_000_000);
  });
});
