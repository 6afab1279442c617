import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { FileStore } from '../../activities/files/file-store';
import { ARSHJUL_RELEASE } from '../../application/release';
import { ORPHAN_AGE_MS, sweepOrphanedFiles } from '../../application/upload-service';
import { freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';
import { futurePlan } from '../helpers/temporal';

jest.setTimeout(60_000);

/**
 * The storage directory's sweep: files moved into place whose submission row was never committed (the API died in
 * between, so nobody got a receipt) and partial uploads go after an hour; everything a row names stays.
 */
describe('sweeping uploaded files without a submission', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let dir: string;
  let files: FileStore;
  let submissions: SubmissionRepository;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

  beforeAll(async () => {
    db = await freshSchema('sweep');
    dir = mkdtempSync(join(tmpdir(), 'arshjul-sweep-'));
    files = new FileStore(join(dir, 'uploads'));
    await files.init();
    submissions = new SubmissionRepository(db.pool);
    const plan = futurePlan(2027, 'sweep');
    await new PgStore({ pool: db.pool }).createRun('arshjul-2027-sweep', plan, buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 1), [], ARSHJUL_RELEASE);
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function object(id: string, ageHours: number): string {
    const path = join(files.dir, 'objects', id);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, '1'), '%PDF-1.7');
    utimesSync(join(path, '1'), hoursAgo(ageHours), hoursAgo(ageHours));
    utimesSync(path, hoursAgo(ageHours), hoursAgo(ageHours));
    return path;
  }

  function partial(ageHours: number): string {
    const path = join(files.dir, 'tmp', `${randomUUID()}.part`);
    writeFileSync(path, 'half a file');
    utimesSync(path, hoursAgo(ageHours), hoursAgo(ageHours));
    return path;
  }

  it('removes orphaned and partial files older than an hour, and keeps younger ones and every file a row names', async () => {
    const [kept, orphan, young] = [randomUUID(), randomUUID(), randomUUID()];
    const stored = await submissions.createStored({
      id: kept,
      runId: 'arshjul-2027-sweep',
      orgnr: (await db.pool.query<{ orgnr: string }>('SELECT orgnr FROM kindergartens LIMIT 1')).rows[0]?.orgnr as string,
      deliverableId: 'analysis-so-far',
      linkVersion: 1,
      comment: null,
      files: [{ position: 1, name: 'a.pdf', size: 8, sha256: '0'.repeat(64), contentType: 'application/pdf', storageKey: `${kept}/1` }],
    });
    expect(stored.id).toBe(kept);
    const keptPath = object(kept, 5);
    const orphanPath = object(orphan, 2);
    const youngPath = object(young, 0.5);
    const oldPart = partial(3);
    const freshPart = partial(0.1);

    const swept = await sweepOrphanedFiles({ files, submissions });

    expect(ORPHAN_AGE_MS).toBe(3_600_000);
    expect(swept).toEqual({ partial: 1, orphaned: [orphan] });
    expect(existsSync(orphanPath)).toBe(false);
    expect(existsSync(oldPart)).toBe(false);
    expect(existsSync(keptPath)).toBe(true);
    expect(existsSync(youngPath)).toBe(true);
    expect(existsSync(freshPart)).toBe(true);
    // Sweeping again finds nothing more.
    expect(await sweepOrphanedFiles({ files, submissions })).toEqual({ partial: 0, orphaned: [] });
  });
});
