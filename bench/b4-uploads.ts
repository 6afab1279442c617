import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signUploadToken } from '../security/upload-tokens';
import { pdf } from '../tests/helpers/documents';
import { TEST_UPLOAD_SECRET } from '../tests/helpers/temporal';
import { startUploadStack } from '../tests/helpers/upload-stack';
import { type BenchResult, MB, memoryOf, percentile, startProcess, stopProcess } from './lib';

const run = promisify(execFile);

/**
 * B4 (uploads): a 20 MB PDF from curl to the API process (`api/main.ts`, as `npm run api` runs it) until the receipt
 * comes back (stored, hashed, accepted by the kindergarten workflow on the dev server), one at a time and ten at
 * once; the API process's peak RSS from /proc.
 */
export async function benchUploads(rounds: number, log: (line: string) => void): Promise<BenchResult[]> {
  const stack = await startUploadStack({ label: 'benchuploads', kindergartens: 10 });
  const api = await startProcess(
    'api/main.ts',
    { DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: stack.env.address, UPLOAD_DIR: stack.storageDir, UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET, API_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'arshjul-bench-api-')) },
    /API listening on/,
  );
  try {
    const base = /API listening on (http:\/\/\S+)/.exec(api.seen)?.[1] ?? '';
    if (!base) throw new Error('B4: the API did not say where it listens');
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-b4-'));
    const file = join(dir, 'analyse.pdf');
    writeFileSync(file, pdf('B4', 20_000_000));
    const tokens = await Promise.all(
      stack.roster.kindergartens.map(async (k) => {
        const target = await stack.submissions.linkTarget(stack.runId, k.orgnr, 'analysis-so-far');
        return signUploadToken({ runId: stack.runId, orgnr: k.orgnr, deliverableId: 'analysis-so-far', expiresAt: target?.lateUntil as number, version: 1 }, TEST_UPLOAD_SECRET);
      }),
    );
    const upload = async (token: string): Promise<number> => {
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-F', `filer=@${file};type=application/pdf`, `${base}/api/uploads/${token}`]);
      const [code, time] = stdout.trim().split(' ');
      if (code !== '201') throw new Error(`B4: upload answered ${code}`);
      return Number(time) * 1000;
    };
    await upload(tokens[0] as string);
    const single: number[] = [];
    for (let i = 0; i < rounds; i++) single.push(await upload(tokens[i % tokens.length] as string));
    const concurrent: number[] = [];
    const before = memoryOf(api.pid as number);
    for (let r = 0; r < Math.max(1, Math.round(rounds / 3)); r++) concurrent.push(...(await Promise.all(tokens.map((t) => upload(t)))));
    const after = memoryOf(api.pid as number);
    log(`B4: one at a time p50 ${percentile(single, 50).toFixed(0)} ms p95 ${percentile(single, 95).toFixed(0)} ms; ten at once p50 ${percentile(concurrent, 50).toFixed(0)} ms p95 ${percentile(concurrent, 95).toFixed(0)} ms; API peak RSS ${(before.peak / MB).toFixed(0)} → ${(after.peak / MB).toFixed(0)} MiB`);
    const p95 = percentile(single, 95);
    return [
      { id: 'B4', what: '20 MB upload to receipt, one at a time: p95 (p50 in note)', size: `${single.length} uploads`, value: p95, unit: 'ms', target: '< 1000 ms', met: p95 < 1000, note: `p50 ${percentile(single, 50).toFixed(0)} ms` },
      { id: 'B4', what: '20 MB uploads, ten at once: p95 (p50 in note)', size: `${concurrent.length} uploads`, value: percentile(concurrent, 95), unit: 'ms', target: '—', met: true, note: `p50 ${percentile(concurrent, 50).toFixed(0)} ms` },
      { id: 'B4', what: 'API process peak RSS with ten 20 MB uploads at once', size: '10 at once', value: after.peak / MB, unit: 'MiB', target: '< 300 MiB', met: after.peak < 300 * MB },
    ];
  } finally {
    await stopProcess(api);
    await stack.close();
  }
}
