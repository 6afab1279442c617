/**
 * Backup and restore (issue 16, part 1): a consistent, checksummed copy of everything a year needs, taken while
 * Årshjul runs, and brought back on a fresh machine.
 *
 * The order of a backup is what makes it consistent: first the Temporal dev server's database (SQLite's online backup),
 * then PostgreSQL (one snapshot), then the uploaded files that snapshot names. So PostgreSQL is never behind Temporal:
 * an email the restored workflows think was sent is in the outbox as sent, and every file a row names is there. The
 * other way round, PostgreSQL may be a few seconds ahead: a submission accepted after Temporal's copy began is set back
 * to "stored" by the restore, and the API hands it to its workflow again (the submit Update is idempotent by submission
 * id); the coordinator's actions of those seconds are listed for the operator to check.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/env';
import { InputError, type InputIssue } from '../config/errors';
import { RefusedError } from '../domain/errors';
import { copyHashed, gunzipped, hashFile, syncFile, writeHashed } from '../activities/backup/backup-files';
import { type PostgresSnapshot, type TableDump, dumpPostgres, inspectDatabase, loadPostgres, pingDatabase } from '../activities/backup/postgres-backup';
import { copySqliteOnline } from '../activities/backup/sqlite-backup';
import { MIGRATIONS_DIR, migrate } from '../activities/db/migrate';
import { BACKUP_TEXT, RESTORE_TEXT } from '../texts/backup';
import { ARSHJUL_RELEASE } from './release';

export const BACKUP_FORMAT = 'arshjul-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
/**
 * A submission accepted up to this long before Temporal's copy began is handed to its workflow again after a restore:
 * the API that recorded the acceptance may run on another machine whose clock differs a little. A repeat costs one
 * idempotent Update.
 */
export const GAP_MARGIN_MS = 5 * 60_000;
/**
 * The coordinator's actions audited since this long before Temporal's copy began are listed after a restore for the
 * operator to check: shorter than GAP_MARGIN_MS, because each is a person's work to look at, not an idempotent retry.
 */
export const ACTIONS_MARGIN_MS = 30_000;
/**
 * Files of DATA_DIR a year needs besides the databases: the secret that signs the directors' links, when it is not set
 * in the environment (without it every link in an email already sent stops working). Not first-coordinator.txt: a
 * password in plain text does not belong in a copy that travels; the account's hash is in PostgreSQL.
 */
const DATA_FILES = ['upload-link-secret'];

const fileSchema = z.object({ path: z.string().min(1), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/), kind: z.enum(['table', 'temporal', 'upload', 'data']) });
const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  release: z.string(),
  createdAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  migrationLevel: z.string().nullable(),
  migrations: z.array(z.string()),
  included: z.object({ postgres: z.literal(true), temporal: z.enum(['dev-server', 'cluster']), uploads: z.number().int(), dataFiles: z.array(z.string()) }),
  temporal: z.object({ startedAt: z.string(), finishedAt: z.string(), file: z.string() }).nullable(),
  postgres: z.object({
    schema: z.string(),
    serverVersion: z.string(),
    snapshotAt: z.string(),
    tables: z.array(z.object({ name: z.string(), columns: z.array(z.string()), rows: z.number().int(), file: z.string() })),
    sequences: z.array(z.object({ table: z.string(), column: z.string(), value: z.number() })),
  }),
  files: z.array(fileSchema),
});

/** manifest.json: what the backup holds, and every file's relative path, size and SHA-256. */
export type BackupManifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileSchema>;

/** Where a year's data lives, as the configuration says. */
export interface BackupPlaces {
  databaseUrl: string;
  /** The dev server's SQLite file; null when TEMPORAL_ADDRESS names a cluster (backed up by its operator). */
  temporalDb: string | null;
  temporalAddress: string | null;
  uploadDir: string;
  dataDir: string;
  /** The files of DATA_DIR that belong in a backup (the link secret only when UPLOAD_LINK_SECRET is not set). */
  dataFiles: string[];
}

export function backupPlaces(config: Config): BackupPlaces {
  return {
    databaseUrl: config.database.url ?? config.database.embeddedUrl,
    temporalDb: config.temporal.address ? null : resolve(config.dataDir, 'temporal.db'),
    temporalAddress: config.temporal.address,
    uploadDir: resolve(config.uploads.dir),
    dataDir: resolve(config.dataDir),
    dataFiles: config.mail.uploadLinkSecret ? [] : DATA_FILES,
  };
}

/** One step of a backup or restore done, for the CLI to tell. */
export type BackupStep =
  | { kind: 'temporal'; file: string; size: number; ms: number }
  | { kind: 'temporal-cluster'; address: string }
  | { kind: 'postgres'; tables: number; rows: number; size: number; ms: number; level: string | null }
  | { kind: 'uploads'; count: number; size: number; ms: number }
  | { kind: 'data-files'; names: string[] };

export interface BackupHooks {
  onStep?: (step: BackupStep) => void;
  /** Called between the copy of Temporal's database and PostgreSQL's snapshot (tests use it to land work in that gap). */
  afterTemporalCopy?: () => Promise<void>;
  now?: () => number;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Writes a backup into `to` (a new or empty folder): Temporal's database, PostgreSQL's snapshot, the uploaded files
 * it names, the data files, and last manifest.json, so a backup without a manifest is known to be partial.
 */
export async function writeBackup(places: BackupPlaces, to: string, hooks: BackupHooks = {}): Promise<BackupManifest> {
  const now = hooks.now ?? Date.now;
  const dir = resolve(to);
  if (!(await isEmptyDir(dir))) throw new RefusedError(BACKUP_TEXT.targetNotEmpty(dir));
  if (places.temporalDb && !existsSync(places.temporalDb)) throw new RefusedError(BACKUP_TEXT.temporalMissing(places.temporalDb));
  // PostgreSQL must answer before anything is copied, so an unreachable database leaves no half-written backup.
  await pingDatabase(places.databaseUrl);
  const started = now();
  await mkdir(dir, { recursive: true });
  const files: ManifestFile[] = [];

  // 1. Temporal's database first: everything PostgreSQL holds afterwards is at least as new.
  let temporal: BackupManifest['temporal'] = null;
  if (places.temporalDb) {
    const t0 = now();
    const copy = join(dir, 'temporal', 'temporal.db.copy');
    await mkdir(join(dir, 'temporal'), { recursive: true });
    await copySqliteOnline(places.temporalDb, copy);
    const file = 'temporal/temporal.db.gz';
    const written = await copyHashed(copy, join(dir, file), { gzip: true });
    await rm(copy, { force: true });
    files.push({ path: file, kind: 'temporal', ...written });
    temporal = { startedAt: new Date(t0).toISOString(), finishedAt: new Date(now()).toISOString(), file };
    hooks.onStep?.({ kind: 'temporal', file, size: written.size, ms: now() - t0 });
  } else if (places.temporalAddress) {
    hooks.onStep?.({ kind: 'temporal-cluster', address: places.temporalAddress });
  }
  await hooks.afterTemporalCopy?.();

  // 2. PostgreSQL: one snapshot.
  const p0 = now();
  const snapshot: PostgresSnapshot = await dumpPostgres(places.databaseUrl, dir);
  for (const t of snapshot.tables) files.push({ path: t.file, kind: 'table', size: t.size, sha256: t.sha256 });
  hooks.onStep?.({
    kind: 'postgres',
    tables: snapshot.tables.length,
    rows: snapshot.tables.reduce((n, t) => n + t.rows, 0),
    size: snapshot.tables.reduce((n, t) => n + t.size, 0),
    ms: now() - p0,
    level: snapshot.migrations.at(-1) ?? null,
  });

  // 3. The uploaded files the snapshot names (later uploads are not in the snapshot, so not needed).
  const u0 = now();
  const problems: InputIssue[] = [];
  let uploadBytes = 0;
  for (const ref of snapshot.uploads) {
    const source = join(places.uploadDir, 'objects', ref.key);
    const path = `uploads/objects/${ref.key}`;
    if (!existsSync(source)) {
      problems.push({ path: `objects/${ref.key}`, message: BACKUP_TEXT.uploadMissing(ref.key) });
      continue;
    }
    const written = await copyHashed(source, join(dir, path));
    if (ref.sha256 && written.sha256 !== ref.sha256) problems.push({ path: `objects/${ref.key}`, message: BACKUP_TEXT.uploadChanged(ref.key, ref.sha256, written.sha256) });
    uploadBytes += written.size;
    files.push({ path, kind: 'upload', ...written });
  }
  if (problems.length) throw new InputError(BACKUP_TEXT.uploadsIncomplete(dir), problems);
  hooks.onStep?.({ kind: 'uploads', count: snapshot.uploads.length, size: uploadBytes, ms: now() - u0 });

  // 4. The data files (the links' secret).
  const dataFiles: string[] = [];
  for (const name of places.dataFiles) {
    const source = join(places.dataDir, name);
    if (!existsSync(source)) continue;
    const path = `data/${name}`;
    files.push({ path, kind: 'data', ...(await copyHashed(source, join(dir, path))) });
    dataFiles.push(name);
  }
  if (dataFiles.length) hooks.onStep?.({ kind: 'data-files', names: dataFiles });

  // 5. The manifest, last and atomically: its presence says the backup is complete.
  const finished = now();
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    release: ARSHJUL_RELEASE,
    createdAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    migrationLevel: snapshot.migrations.at(-1) ?? null,
    migrations: snapshot.migrations,
    included: { postgres: true, temporal: places.temporalDb ? 'dev-server' : 'cluster', uploads: snapshot.uploads.length, dataFiles },
    temporal,
    postgres: {
      schema: snapshot.schema,
      serverVersion: snapshot.serverVersion,
      snapshotAt: new Date(snapshot.snapshotAt).toISOString(),
      tables: snapshot.tables.map((t: TableDump) => ({ name: t.name, columns: t.columns, rows: t.rows, file: t.file })),
      sequences: snapshot.sequences,
    },
    files,
  };
  const partial = join(dir, `${MANIFEST_FILE}.part`);
  await writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  await syncFile(partial);
  await rename(partial, join(dir, MANIFEST_FILE));
  await syncFile(dir).catch(() => undefined);
  return manifest;
}

/** The migrations this code has (node-pg-migrate's names: the files of migrations/ without .sql), in order. */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
}

/** A path of the manifest that stays inside the backup folder. */
function insideBackup(path: string): boolean {
  return !isAbsolute(path) && !normalize(path).startsWith('..') && !path.includes('\0');
}

export interface Verified {
  manifest: BackupManifest | null;
  problems: InputIssue[];
  files: number;
  bytes: number;
}

/**
 * Checks a backup before anything is touched: the manifest is there and readable, of a known format, at a migration
 * level this code has, and every file it lists is present with its size and SHA-256. Returns every problem.
 */
export async function verifyBackup(from: string): Promise<Verified> {
  const dir = resolve(from);
  const none = (path: string, message: string): Verified => ({ manifest: null, problems: [{ path, message }], files: 0, bytes: 0 });
  if (!existsSync(dir)) return none(dir, RESTORE_TEXT.notFound);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) return none(MANIFEST_FILE, RESTORE_TEXT.manifestMissing);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    return none(MANIFEST_FILE, RESTORE_TEXT.manifestUnreadable((error as Error).message));
  }
  const head = raw as { format?: unknown; formatVersion?: unknown };
  if (head?.format !== BACKUP_FORMAT || head?.formatVersion !== BACKUP_FORMAT_VERSION) {
    return none(MANIFEST_FILE, RESTORE_TEXT.unknownFormat(`«${String(head?.format)}» versjon ${String(head?.formatVersion)}`));
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    return { manifest: null, problems: parsed.error.issues.map((i) => ({ path: `${MANIFEST_FILE}: ${i.path.join('.')}`, message: RESTORE_TEXT.manifestUnreadable(i.message) })), files: 0, bytes: 0 };
  }
  const manifest = parsed.data;
  const problems: InputIssue[] = [];
  const known = await knownMigrations();
  manifest.migrations.forEach((name, i) => {
    if (known[i] !== name) problems.push({ path: `${MANIFEST_FILE}: migrations`, message: RESTORE_TEXT.newerMigration(name) });
  });
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const t of manifest.postgres.tables) if (!listed.has(t.file)) problems.push({ path: t.file, message: RESTORE_TEXT.tableNotListed(t.name) });
  if (manifest.temporal && !listed.has(manifest.temporal.file)) problems.push({ path: manifest.temporal.file, message: RESTORE_TEXT.fileMissing });
  let bytes = 0;
  for (const f of manifest.files) {
    if (!insideBackup(f.path)) {
      problems.push({ path: f.path, message: RESTORE_TEXT.unsafePath });
      continue;
    }
    const path = join(dir, f.path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      problems.push({ path: f.path, message: RESTORE_TEXT.fileMissing });
      continue;
    }
    if (size !== f.size) {
      problems.push({ path: f.path, message: RESTORE_TEXT.fileSize(f.size, size) });
      continue;
    }
    const found = await hashFile(path);
    if (found.sha256 !== f.sha256) problems.push({ path: f.path, message: RESTORE_TEXT.fileChecksum(f.sha256, found.sha256) });
    bytes += size;
  }
  return { manifest, problems, files: manifest.files.length, bytes };
}

/** One step of a restore done. */
export type RestoreStep =
  | { kind: 'verified'; files: number; bytes: number; ms: number; createdAt: number; release: string }
  | { kind: 'postgres'; tables: number; rows: number; ms: number; level: string | null }
  | { kind: 'temporal'; path: string; ms: number }
  | { kind: 'temporal-cluster' }
  | { kind: 'uploads'; count: number; bytes: number; dir: string; ms: number }
  | { kind: 'data-files'; names: string[]; dir: string };

export interface RestoreReport {
  manifest: BackupManifest;
  /** Submissions accepted while the backup was taken, set back to "stored" for the API to hand over again. */
  redelivered: string[];
  actionsInGap: { at: number; action: string; actor: string; runId: string | null }[];
}

/** What stands in the way of a restore into `places`; empty when every target is empty (or `replace` allows it). */
async function inTheWay(places: BackupPlaces, manifest: BackupManifest, replace: boolean): Promise<string[]> {
  const problems: string[] = [];
  const db = await inspectDatabase(places.databaseUrl);
  const withRows = db.tables.filter((t) => t.rows > 0);
  if (withRows.length && !replace) problems.push(RESTORE_TEXT.databaseHasData(withRows));
  const newer = db.migrations.some((name, i) => manifest.migrations[i] !== name);
  if (newer) problems.push(RESTORE_TEXT.databaseNewer(db.migrations.at(-1) as string, manifest.migrationLevel));
  if (manifest.included.temporal === 'dev-server') {
    if (!places.temporalDb) problems.push(RESTORE_TEXT.temporalAddressSet);
    else if (existsSync(places.temporalDb) && !replace) problems.push(RESTORE_TEXT.temporalExists(places.temporalDb, (await stat(places.temporalDb)).size));
  }
  const objects = join(places.uploadDir, 'objects');
  const present = existsSync(objects) ? (await readdir(objects)).length : 0;
  if (present && !replace) problems.push(RESTORE_TEXT.uploadsExist(objects, present));
  for (const name of manifest.included.dataFiles) {
    const target = join(places.dataDir, name);
    if (!existsSync(target) || replace) continue;
    const theirs = manifest.files.find((f) => f.path === `data/${name}`);
    if (theirs && (await hashFile(target)).sha256 !== theirs.sha256) problems.push(RESTORE_TEXT.dataFileExists(target));
  }
  return problems;
}

/**
 * Restores the backup in `from` into `places`: verifies it whole first (a damaged or partial backup is refused with
 * every problem, InputError), then checks that every target is empty unless `replace` (RefusedError naming what is
 * there), and only then loads PostgreSQL (migrated up to the backup's level, then to this code's), the Temporal dev
 * server's database, the uploaded files (each checked again as it is copied) and the data files. Årshjul must be
 * stopped, except for the PostgreSQL it restores into.
 */
export async function restoreBackup(places: BackupPlaces, from: string, options: { replace: boolean; onStep?: (step: RestoreStep) => void; now?: () => number }): Promise<RestoreReport> {
  const now = options.now ?? Date.now;
  const dir = resolve(from);
  const v0 = now();
  const verified = await verifyBackup(dir);
  if (verified.problems.length || !verified.manifest) throw new InputError(RESTORE_TEXT.damaged(dir), verified.problems);
  const manifest = verified.manifest;
  options.onStep?.({ kind: 'verified', files: verified.files, bytes: verified.bytes, ms: now() - v0, createdAt: Date.parse(manifest.createdAt), release: manifest.release });
  const blocking = await inTheWay(places, manifest, options.replace);
  if (blocking.length) throw new RefusedError(RESTORE_TEXT.inTheWay(blocking));

  const p0 = now();
  const temporalCopied = manifest.temporal ? Date.parse(manifest.temporal.startedAt) : null;
  const tables = manifest.postgres.tables.map((t) => {
    const f = manifest.files.find((x) => x.path === t.file) as ManifestFile;
    return { ...t, size: f.size, sha256: f.sha256 };
  });
  const loaded = await loadPostgres(places.databaseUrl, dir, { migrations: manifest.migrations, tables, sequences: manifest.postgres.sequences }, {
    replace: options.replace,
    redeliverSince: temporalCopied === null ? null : temporalCopied - GAP_MARGIN_MS,
    actionsSince: temporalCopied === null ? null : temporalCopied - ACTIONS_MARGIN_MS,
  });
  await migrate(places.databaseUrl);
  options.onStep?.({ kind: 'postgres', tables: tables.length, rows: loaded.rows, ms: now() - p0, level: manifest.migrationLevel });

  if (manifest.temporal && places.temporalDb) {
    const t0 = now();
    await mkdir(join(places.temporalDb, '..'), { recursive: true });
    for (const extra of ['-wal', '-shm', '-journal']) await rm(`${places.temporalDb}${extra}`, { force: true });
    const partial = `${places.temporalDb}.restoring`;
    await rm(partial, { force: true });
    await writeHashed(gunzipped(join(dir, manifest.temporal.file)), partial);
    await rename(partial, places.temporalDb);
    options.onStep?.({ kind: 'temporal', path: places.temporalDb, ms: now() - t0 });
  } else {
    options.onStep?.({ kind: 'temporal-cluster' });
  }

  const u0 = now();
  const objects = join(places.uploadDir, 'objects');
  if (options.replace) await rm(objects, { recursive: true, force: true });
  await mkdir(objects, { recursive: true });
  await mkdir(join(places.uploadDir, 'tmp'), { recursive: true });
  let bytes = 0;
  const uploads = manifest.files.filter((f) => f.kind === 'upload');
  for (const f of uploads) {
    const copied = await copyHashed(join(dir, f.path), join(places.uploadDir, f.path.replace(/^uploads\//, '')));
    if (copied.sha256 !== f.sha256) throw new InputError(RESTORE_TEXT.damaged(dir), [{ path: f.path, message: RESTORE_TEXT.fileChecksum(f.sha256, copied.sha256) }]);
    bytes += copied.size;
  }
  options.onStep?.({ kind: 'uploads', count: uploads.length, bytes, dir: places.uploadDir, ms: now() - u0 });

  if (manifest.included.dataFiles.length) {
    await mkdir(places.dataDir, { recursive: true });
    for (const name of manifest.included.dataFiles) {
      const target = join(places.dataDir, name);
      await rm(target, { force: true });
      await copyHashed(join(dir, 'data', name), target);
      await chmod(target, 0o600);
    }
    options.onStep?.({ kind: 'data-files', names: manifest.included.dataFiles, dir: places.dataDir });
  }
  return { manifest, redelivered: loaded.redelivered, actionsInGap: loaded.actionsInGap };
}
