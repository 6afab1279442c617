import { createHash, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client, type Pool } from 'pg';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { FileStore } from '../../activities/files/file-store';
import { foreignKeyOrder } from '../../activities/backup/postgres-backup';
import { initialDeliverables } from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { runWorkflowId } from '../../domain/ids';
import { arshjulCli } from '../helpers/cli';
import { pdf } from '../helpers/documents';
import { TEST_DATABASE_URL, freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';
import { futurePlan } from '../helpers/temporal';

jest.setTimeout(180_000);

/** An empty schema on the test server (not migrated) and a URL that makes it Årshjul's. */
async function emptySchema(label: string): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const schema = `t_${label}_${randomUUID().slice(0, 6)}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    schema,
    url: `${TEST_DATABASE_URL}?options=-c%20search_path%3D${schema}`,
    drop: async () => {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** Every row of every table of a schema, as sorted JSON text, table by table (the migrations table left out). */
async function contents(url: string, schema: string): Promise<Record<string, string[]>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 AND tablename <> 'pgmigrations' ORDER BY 1", [schema])).rows.map((r) => r.t);
    const out: Record<string, string[]> = {};
    for (const t of tables) out[t] = (await c.query<{ j: string }>(`SELECT row_to_json(x)::text AS j FROM ${schema}.${t} x`)).rows.map((r) => r.j).sort();
    return out;
  } finally {
    await c.end();
  }
}

/** A small SQLite database standing in for the dev server's file (the fault test uses the real one). */
function sqliteFile(path: string): void {
  execFileSync('python3', ['-c', "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute('PRAGMA journal_mode=WAL')\nc.execute('CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)')\nc.executemany('INSERT INTO t VALUES (?, ?)', [(str(i), b'x' * 500) for i in range(2000)])\nc.commit()", path]);
}

function sqliteRows(path: string): string {
  return execFileSync('python3', ['-c', "import sqlite3,sys\nprint(sqlite3.connect(sys.argv[1]).execute('SELECT count(*), sum(length(v)) FROM t').fetchone())", path]).toString().trim();
}

describe('arshjul backup and restore through the real command line', () => {
  let source: Awaited<ReturnType<typeof freshSchema>>;
  let pool: Pool;
  let work: string;
  let dataDir: string;
  let backup: string;
  let submissionId: string;
  const secret = 'a-secret-of-the-development-data-dir-0123456789';

  beforeAll(async () => {
    source = await freshSchema('backup_src');
    pool = source.pool;
    work = mkdtempSync(join(tmpdir(), 'arshjul-backup-'));
    dataDir = join(work, 'data');
    backup = join(work, 'backup');
    // A run with a roster, an audit entry and an accepted submission with two files in UPLOAD_DIR.
    const plan = futurePlan(2031, 'sikkerhet');
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 5);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const store = new PgStore({ pool });
    await store.createRun(runId, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE);
    await store.recordAudit({ key: `${runId}/test/1`, runId, actor: 'cli:test', action: 'run-paused', at: Date.now(), details: { note: 'æøå «sitat»\ttab\nlinje' } });
    const files = new FileStore(join(dataDir, 'uploads'));
    await files.init();
    submissionId = randomUUID();
    const stored = [];
    for (const [i, data] of [pdf('Analysen så langt', 40_000), pdf('Vedlegg', 20_000)].entries()) {
      const received = await files.receive(Readable.from([data]));
      await files.commit(received.tempPath, `${submissionId}/${i + 1}`);
      stored.push({ position: i + 1, name: `analyse-${i + 1}.pdf`, size: received.size, sha256: received.sha256, contentType: 'application/pdf', storageKey: `${submissionId}/${i + 1}` });
    }
    const submissions = new SubmissionRepository(pool);
    const kindergarten = roster.kindergartens[0]!;
    await submissions.createStored({ id: submissionId, runId, orgnr: kindergarten.orgnr, deliverableId: 'analysis-so-far', linkVersion: 1, comment: 'Hei', files: stored });
    await submissions.markAccepted(submissionId, { version: 1, late: false, at: Date.now() });
    sqliteFile(join(dataDir, 'temporal.db'));
    writeFileSync(join(dataDir, 'upload-link-secret'), secret, { mode: 0o600 });
  });

  afterAll(async () => {
    await source?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  const env = (databaseUrl: string, dir: string) => ({ DATABASE_URL: databaseUrl, DATA_DIR: dir, TEMPORAL_ADDRESS: '', UPLOAD_LINK_SECRET: '', UPLOAD_DIR: '' });

  it('writes every table, the dev server database, the uploads and the link secret, with a manifest of SHA-256s', async () => {
    const result = await arshjulCli(['backup', '--to', backup], env(source.url, dataDir));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Temporal-utviklingstjenerens database \(SQLites online-kopi\): temporal\/temporal\.db\.gz/);
    expect(result.stdout).toMatch(/PostgreSQL: \d+ tabeller, \d+ rader, .* ett øyeblikksbilde, migrering 17638\d+_/);
    expect(result.stdout).toMatch(/opplastede filer: 2 filer/);
    expect(result.stdout).toMatch(/fra datamappen: upload-link-secret/);
    expect(result.stdout).toMatch(/ferdig på .* s: .* i alt/);
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'arshjul-backup', formatVersion: 1, release: ARSHJUL_RELEASE, included: { postgres: true, temporal: 'dev-server', uploads: 2, dataFiles: ['upload-link-secret'] } });
    for (const f of manifest.files) {
      const bytes = readFileSync(join(backup, f.path));
      expect({ path: f.path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ path: f.path, size: f.size, sha256: f.sha256 });
    }
    expect(manifest.postgres.tables.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['runs', 'kindergartens', 'submissions', 'submission_files', 'audit_log', 'email_outbox']));
  });

  it('refuses a backup into a folder that is not empty', async () => {
    const result = await arshjulCli(['backup', '--to', backup], env(source.url, dataDir));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('finnes og er ikke tom. Ingenting er skrevet');
  });

  it('restores into an empty database and data folder: the same rows, sequences past the highest, the files and the secret', async () => {
    const target = await emptySchema('backup_dst');
    const restoredDir = join(work, 'restored');
    try {
      const result = await arshjulCli(['restore', '--from', backup], env(target.url, restoredDir));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/kontrollert: \d+ filer, .* alle med riktig størrelse og SHA-256/);
      expect(result.stdout).toMatch(/1 innlevering godtatt mens sikkerhetskopien ble tatt er merket «lagret, ikke bekreftet»/);
      expect(result.stdout).toMatch(/kan mangle i Temporal[\s\S]*run-paused av cli:test/);
      const before = await contents(source.url, source.schema);
      const after = await contents(target.url, target.schema);
      // The submission accepted within the backup's gap is the one difference: "stored" again, for the API to hand over.
      const relaxed = (rows: string[]) => rows.map((r) => r.replace(/"state":"(accepted|stored)"/, '"state":"?"'));
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      for (const table of Object.keys(before)) expect({ table, rows: relaxed(after[table]!) }).toEqual({ table, rows: relaxed(before[table]!) });
      const c = new Client({ connectionString: target.url });
      await c.connect();
      expect((await c.query('SELECT state FROM submissions WHERE id = $1', [submissionId])).rows[0]?.state).toBe('stored');
      const next = await c.query<{ id: string; max: string }>("SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id, (SELECT max(id) FROM audit_log) AS max");
      expect(Number(next.rows[0]?.id)).toBeGreaterThan(Number(next.rows[0]?.max));
      await c.end();
      expect(sqliteRows(join(restoredDir, 'temporal.db'))).toBe(sqliteRows(join(dataDir, 'temporal.db')));
      expect(readFileSync(join(restoredDir, 'upload-link-secret'), 'utf8')).toBe(secret);
      expect(statSync(join(restoredDir, 'upload-link-secret')).mode & 0o777).toBe(0o600);
      for (const position of [1, 2]) expect(readFileSync(join(restoredDir, 'uploads', 'objects', submissionId, String(position)))).toEqual(readFileSync(join(dataDir, 'uploads', 'objects', submissionId, String(position))));

      // Restoring again over it is refused, naming what is there, and changes nothing.
      const again = await arshjulCli(['restore', '--from', backup], env(target.url, restoredDir));
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/Ingenting er gjenopprettet[\s\S]*databasen har allerede data: .*audit_log \(1 rad\)/);
      expect(again.stderr).toContain(`${join(restoredDir, 'temporal.db')} finnes allerede`);
      expect(again.stderr).toMatch(/objects har allerede 1 fil/);
      expect(again.stderr).toContain('--replace');
      // With --replace it is replaced.
      const replaced = await arshjulCli(['restore', '--from', backup, '--replace'], env(target.url, restoredDir));
      expect(replaced.stderr).toBe('');
      expect(replaced.code).toBe(0);
      expect(relaxed((await contents(target.url, target.schema)).audit_log!)).toEqual(relaxed(before.audit_log!));
    } finally {
      await target.drop();
    }
  });

  /** A copy of the backup, changed by `damage`, restored into an empty target: refused, every problem named, nothing touched. */
  async function refusedAfter(damage: (dir: string) => void): Promise<{ code: number; stderr: string }> {
    const copy = mkdtempSync(join(work, 'damaged-'));
    cpSync(backup, copy, { recursive: true });
    damage(copy);
    const target = await emptySchema('backup_bad');
    const untouched = join(work, `untouched-${randomUUID().slice(0, 6)}`);
    try {
      const result = await arshjulCli(['restore', '--from', copy], env(target.url, untouched));
      expect(result.stdout).toBe('');
      expect(existsSync(untouched)).toBe(false);
      expect(await contents(target.url, target.schema)).toEqual({});
      return result;
    } finally {
      await target.drop();
    }
  }

  it('refuses a backup with one byte changed in a table file, naming the file and its checksum', async () => {
    const result = await refusedAfter((dir) => {
      const file = join(dir, 'postgres', 'kindergartens.copy.gz');
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      writeFileSync(file, bytes);
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Sikkerhetskopien i .* kan ikke brukes, og ingenting er endret/);
    expect(result.stderr).toMatch(/postgres\/kindergartens\.copy\.gz: filen har SHA-256 [0-9a-f]{64}, manifestet sier [0-9a-f]{64}: den er skadet eller endret/);
  });

  it('refuses a partial backup: a file missing, a file cut short, and every problem at once', async () => {
    const result = await refusedAfter((dir) => {
      unlinkSync(join(dir, 'postgres', 'runs.copy.gz'));
      const upload = join(dir, 'uploads', 'objects', submissionId, '2');
      writeFileSync(upload, readFileSync(upload).subarray(0, 100));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('postgres/runs.copy.gz: filen mangler');
    expect(result.stderr).toMatch(new RegExp(`uploads/objects/${submissionId}/2: filen er 100 byte, manifestet sier [\\d\\s ]+ byte`));
  });

  it('refuses a backup without its manifest as partial', async () => {
    const result = await refusedAfter((dir) => unlinkSync(join(dir, 'manifest.json')));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('manifest.json mangler: sikkerhetskopien er ufullstendig');
  });

  it('refuses a backup of an unknown format, and one migrated further than this code', async () => {
    const unknown = await refusedAfter((dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, formatVersion: 2 }));
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ukjent format «arshjul-backup» versjon 2');
    const newer = await refusedAfter((dir) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, migrations: [...m.migrations, '9999999999999_fremtiden'], migrationLevel: '9999999999999_fremtiden' }));
    });
    expect(newer.code).toBe(2);
    expect(newer.stderr).toContain('migrert med 9999999999999_fremtiden, som denne versjonen av Årshjul ikke har');
  });

  it('writes no manifest when a file a row names is missing from UPLOAD_DIR, so the half-written backup is refused as partial', async () => {
    const broken = join(work, 'broken-data');
    cpSync(dataDir, broken, { recursive: true });
    unlinkSync(join(broken, 'uploads', 'objects', submissionId, '1'));
    const half = join(work, 'half');
    const result = await arshjulCli(['backup', '--to', half], env(source.url, broken));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ikke fullført \(den har ingen manifest\.json\)/);
    expect(result.stderr).toContain(`objects/${submissionId}/1: filen finnes ikke i UPLOAD_DIR`);
    expect(existsSync(join(half, 'manifest.json'))).toBe(false);
    const target = await emptySchema('backup_half');
    try {
      const restore = await arshjulCli(['restore', '--from', half], env(target.url, join(work, 'never')));
      expect(restore.code).toBe(2);
      expect(restore.stderr).toContain('manifest.json mangler');
    } finally {
      await target.drop();
    }
  });
});

describe('foreignKeyOrder', () => {
  it('puts every table after the tables it references, and refuses a cycle', () => {
    const refs = [
      { table: 'kindergartens', references: 'municipalities' },
      { table: 'municipalities', references: 'runs' },
      { table: 'submission_files', references: 'submissions' },
      { table: 'submissions', references: 'kindergartens' },
      { table: 'runs', references: 'runs' },
    ];
    expect(foreignKeyOrder(['submission_files', 'submissions', 'kindergartens', 'municipalities', 'runs', 'users'], refs)).toEqual(['runs', 'users', 'municipalities', 'kindergartens', 'submissions', 'submission_files']);
    expect(() => foreignKeyOrder(['a', 'b'], [{ table: 'a', references: 'b' }, { table: 'b', references: 'a' }])).toThrow(/cycle among a, b/);
  });
});
