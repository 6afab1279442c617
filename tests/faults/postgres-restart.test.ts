import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signUploadToken } from '../../security/upload-tokens';
import { kindergartenWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { pdf } from '../helpers/documents';
import { type PrivatePostgres, privatePostgres } from '../helpers/private-postgres';
import { writeReliability } from '../helpers/reliability';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(240_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PostgreSQL (a cluster of its own) is restarted twice while directors upload: once cleanly, once like a crash
 * (immediate stop, recovery from the WAL). Every upload ends either stored and acknowledged (a receipt, or "stored,
 * not yet confirmed") or refused with a clear, retryable error; sent again with the same form, each is accepted once.
 * Nothing acknowledged is ever missing afterwards: its row, its files on disk with the same SHA-256, and the workflow's
 * record of it.
 */
describe('PostgreSQL restarted during uploads', () => {
  let pg: PrivatePostgres;
  let s: UploadStack;

  beforeAll(async () => {
    pg = await privatePostgres();
    s = await startUploadStack({ label: 'pgrestart', kindergartens: 16, databaseUrl: pg.url });
    // Every kindergarten's workflow is running once its director has the prompt.
    for (const k of s.roster.kindergartens) await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(k.director.email), 60_000);
  });

  afterAll(async () => {
    await s?.close();
    pg?.destroy();
  });

  it('ends each upload stored and acknowledged or refused with a clear error, and loses nothing acknowledged', async () => {
    const uploads = await Promise.all(
      s.roster.kindergartens.map(async (k) => {
        const target = await s.submissions.linkTarget(s.runId, k.orgnr, 'analysis-so-far');
        const token = signUploadToken({ runId: s.runId, orgnr: k.orgnr, deliverableId: 'analysis-so-far', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
        const data = pdf(`Analysen så langt for ${k.orgnr}`, 300_000);
        return { orgnr: k.orgnr, url: `${s.baseUrl}/api/uploads/${token}`, submissionId: randomUUID(), data, sha256: createHash('sha256').update(data).digest('hex') };
      }),
    );
    const send = async (u: (typeof uploads)[number]) => {
      const form = new FormData();
      form.append('innsending', u.submissionId);
      form.append('filer', new Blob([u.data], { type: 'application/pdf' }), 'analyse.pdf');
      const response = await fetch(u.url, { method: 'POST', body: form });
      return { status: response.status, body: (await response.json()) as { error?: string; state?: string; receiptNumber?: string } };
    };

    const answers: { orgnr: string; status: number; kind: 'receipt' | 'stored' | 'clear-error' | 'other'; error?: string }[] = [];
    let restarts = 0;
    const restarting = (async () => {
      for (const mode of ['fast', 'immediate'] as const) {
        while (answers.length < (mode === 'fast' ? 2 : 8)) await pause(20);
        await pg.stop(mode);
        await pause(1_500);
        await pg.start();
        restarts += 1;
      }
    })();
    // Four directors at a time, each sending the form again (same submission id) until it is acknowledged.
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < uploads.length) {
          const u = uploads[next++]!;
          for (let attempt = 1; ; attempt++) {
            const { status, body } = await send(u);
            const kind = status === 201 || status === 200 ? 'receipt' : status === 503 && body.state === 'stored' ? 'stored' : status === 503 && /får ikke kontakt med databasen akkurat nå\. Ingenting er endret\. Prøv igjen/.test(body.error ?? '') ? 'clear-error' : 'other';
            answers.push({ orgnr: u.orgnr, status, kind, ...(body.error ? { error: body.error } : {}) });
            if (kind === 'receipt') break;
            if (kind === 'other') throw new Error(`upload for ${u.orgnr}: an answer that is neither a receipt nor a clear error: ${status} ${JSON.stringify(body)}`);
            if (attempt > 60) throw new Error(`upload for ${u.orgnr} not acknowledged after 60 attempts`);
            await pause(250);
          }
        }
      }),
    );
    await restarting;

    expect(restarts).toBe(2);
    expect(answers.filter((a) => a.kind === 'other')).toEqual([]);
    // The restarts really hit uploads in flight.
    expect(answers.filter((a) => a.kind !== 'receipt').length).toBeGreaterThan(0);
    for (const u of uploads) {
      const stored = await s.submissions.get(u.submissionId);
      expect(stored?.state).toBe('accepted');
      expect(stored?.files).toHaveLength(1);
      const onDisk = createHash('sha256');
      for await (const chunk of s.files.open(stored!.files[0]!.storageKey)) onDisk.update(chunk as Buffer);
      expect(onDisk.digest('hex')).toBe(u.sha256);
      const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, u.orgnr)).query(kindergartenStatusQuery);
      expect(status.deliverables.find((d) => d.id === 'analysis-so-far')?.submissions).toBe(1);
    }
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM submissions');
    await db.end();
    expect(Number(rows.rows[0]?.n)).toBe(uploads.length);
    writeReliability('postgres-restart', {
      fault: 'PostgreSQL restarted during uploads (one clean stop, one immediate)',
      restarts,
      uploads: uploads.length,
      answers: answers.length,
      receipts: answers.filter((a) => a.kind === 'receipt').length,
      storedNotYetConfirmed: answers.filter((a) => a.kind === 'stored').length,
      clearRetryableErrors: answers.filter((a) => a.kind === 'clear-error').length,
      acknowledgedAndLost: 0,
      acceptedTwice: 0,
    });
  });
});
