import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { PgStore } from '../../activities/db/pg-store';
import { FileStore } from '../../activities/files/file-store';
import { initialDeliverables } from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { exampleFiles } from '../../api/main';
import { buildApp } from '../../api/server';
import { runWorkflowId } from '../../domain/ids';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { hashPassword } from '../../security/passwords';
import { freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';
import { futurePlan } from '../helpers/temporal';

jest.setTimeout(300_000);

const ENTRIES = 70_000;
const FILES_PER_SUBMISSION = 700;
const PASSWORD = 'korrekt-hest-batteri-stift';

/**
 * A region's zip export past the classic ZIP limit of 65,535 entries: 70,000 stored files from PostgreSQL and the
 * storage directory, streamed over real HTTP by the console's route (yazl writes the ZIP64 records), and read back
 * entry by entry, CRC included, by Python's zipfile.
 */
describe('the region export as a zip', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let app: FastifyInstance;
  let dir: string;
  let base: string;
  let cookie: string;
  let runId: string;

  beforeAll(async () => {
    db = await freshSchema('zip64');
    dir = mkdtempSync(join(tmpdir(), 'arshjul-zip64-'));
    const files = new FileStore(join(dir, 'uploads'));
    await files.init();
    const plan = futurePlan(2027, 'zip64');
    runId = runWorkflowId(plan.schoolYear, plan.county);
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 10);
    const store = new PgStore({ pool: db.pool });
    await store.createRun(runId, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE);
    // 100 accepted submissions of 700 small files each, spread over the region's kindergartens.
    for (let s = 0; s < ENTRIES / FILES_PER_SUBMISSION; s++) {
      const id = randomUUID();
      const orgnr = roster.kindergartens[s % roster.kindergartens.length]?.orgnr as string;
      await db.pool.query("INSERT INTO submissions (id, run_id, orgnr, deliverable_id, link_version, state, version, late) VALUES ($1, $2, $3, 'analysis-so-far', 1, 'accepted', $4, false)", [id, runId, orgnr, Math.floor(s / roster.kindergartens.length) + 1]);
      mkdirSync(join(files.dir, 'objects', id), { recursive: true });
      for (let n = 1; n <= FILES_PER_SUBMISSION; n++) writeFileSync(join(files.dir, 'objects', id, String(n)), `fil ${s}-${n}\n`);
      await db.pool.query(
        `INSERT INTO submission_files (submission_id, position, name, size, sha256, content_type, storage_key)
         SELECT $1::uuid, n, 'vedlegg-' || n || '.pdf', length('fil ' || $2::int || '-' || n || E'\\n'), repeat('0', 64), 'application/pdf', $1::text || '/' || n
         FROM generate_series(1, $3::int) AS n`,
        [id, s, FILES_PER_SUBMISSION],
      );
    }
    const accounts = new AccountRepository(db.pool);
    await accounts.addUser({ email: 'kari@fylke.example', name: 'Kari', passwordHash: await hashPassword(PASSWORD), role: 'coordinator', runId: null, municipalityId: null });
    const control = { client: {} as Pick<Client, 'workflow'>, store, taskQueue: 'unused' };
    app = await buildApp(control, { console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, files, examples: exampleFiles() } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const signIn = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: `epost=kari%40fylke.example&passord=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams 70,000 entries that Python reads back, every CRC right and every file its own content', async () => {
    const response = await fetch(`${base}/konsoll/runs/${runId}/regioner/kongsvinger/innleveringer.zip`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const path = join(dir, 'region.zip');
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(path));
    // Every entry's content names its own position ("fil <submission>-<n>" in "vedlegg-<n>.pdf"), so a mix-up shows.
    const check = `
import json, re, sys, zipfile
path = sys.argv[1]
z = zipfile.ZipFile(path)
infos = z.infolist()
names = [i.filename for i in infos]
mismatched = [i.filename for i in infos if not z.read(i).decode().endswith("-" + re.search(r"vedlegg-(\\d+)\\.pdf$", i.filename).group(1) + "\\n")]
tail = open(path, "rb").read()[-200:]
print(json.dumps({"entries": len(names), "unique": len(set(names)), "bad": z.testzip(), "mismatched": len(mismatched), "first": names[0], "firstText": z.read(names[0]).decode(), "zip64": tail.find(b"PK\\x06\\x06") >= 0}))
`;
    const result = JSON.parse(execFileSync('python3', ['-c', check, path], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })) as {
      entries: number;
      unique: number;
      bad: string | null;
      mismatched: number;
      first: string;
      firstText: string;
      zip64: boolean;
    };
    expect(result.entries).toBe(ENTRIES);
    expect(result.unique).toBe(ENTRIES);
    expect(result.bad).toBeNull();
    expect(result.zip64).toBe(true);
    expect(result.first).toMatch(/^Kommune kongsvinger\/Barnehage \d{9} \d{9}\/analysis-so-far\/v1 AH-\d{6} vedlegg-1\.pdf$/);
    expect(result.firstText).toMatch(/^fil \d+-1\n$/);
    expect(result.mismatched).toBe(0);
  });
});
