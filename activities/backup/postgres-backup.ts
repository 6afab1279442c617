import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { runner } from 'node-pg-migrate';
import { Client, escapeIdentifier } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { MIGRATIONS_DIR } from '../db/migrate';
import { gunzipped, writeHashed } from './backup-files';

/**
 * PostgreSQL's part of a backup, independent of the server's version (the embedded server is newer than Debian's
 * pg_dump, which refuses it): every table of Årshjul's schema is copied out with `COPY … TO STDOUT` inside one
 * REPEATABLE READ, READ ONLY transaction — one snapshot, so every table is as of the same instant while Årshjul keeps
 * writing — gzipped, with the migration level and the sequences' values. A restore runs the migrations up to that
 * level on an empty database, copies the rows back in foreign-key order and sets every sequence past what was used.
 */

/** One table as dumped: its columns in the order of the file, how many rows, and the file (relative to the backup). */
export interface TableDump {
  name: string;
  columns: string[];
  rows: number;
  file: string;
  size: number;
  sha256: string;
}

/** A column's sequence (bigserial) and the last value it had handed out (0: none). */
export interface SequenceValue {
  table: string;
  column: string;
  value: number;
}

/** A file in UPLOAD_DIR that a row of the snapshot names (a submission's file, a guidance file). */
export interface UploadReference {
  key: string;
  size: number | null;
  sha256: string | null;
}

export interface PostgresSnapshot {
  schema: string;
  serverVersion: string;
  /** The snapshot's instant (epoch ms, the server's clock). */
  snapshotAt: number;
  /** node-pg-migrate's applied migrations, in order: the level the data is at. */
  migrations: string[];
  tables: TableDump[];
  sequences: SequenceValue[];
  uploads: UploadReference[];
}

/** What a database holds before a restore: every table of the schema with its row count, and its migration level. */
export interface TargetDatabase {
  schema: string;
  tables: { name: string; rows: number }[];
  migrations: string[];
}

export const MIGRATIONS_TABLE = 'pgmigrations';

/** The schema a URL's `options=-c search_path=x` names (as activities/db/migrate.ts reads it), else public. */
export function schemaOfUrl(databaseUrl: string): string {
  try {
    const options = new URL(databaseUrl).searchParams.get('options') ?? '';
    return /search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1] ?? 'public';
  } catch {
    return 'public';
  }
}

/** The same text format both ways, whatever the server's defaults: ISO dates in UTC, UTF-8, exact floats. */
async function fixSession(client: Client): Promise<void> {
  await client.query("SET DateStyle TO ISO, YMD; SET TimeZone TO 'UTC'; SET client_encoding TO 'UTF8'; SET extra_float_digits TO 3; SET IntervalStyle TO postgres");
}

const qualified = (schema: string, table: string) => `${escapeIdentifier(schema)}.${escapeIdentifier(table)}`;

async function tablesOf(client: Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> $2 ORDER BY c.relname`,
    [schema, MIGRATIONS_TABLE],
  );
  return rows.map((r) => r.name);
}

async function columnsOf(client: Client, schema: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [qualified(schema, table)],
  );
  return rows.map((r) => r.name);
}

async function migrationsOf(client: Client, schema: string): Promise<string[]> {
  const exists = await client.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [schema, MIGRATIONS_TABLE]);
  if (!exists.rowCount) return [];
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${qualified(schema, MIGRATIONS_TABLE)} ORDER BY run_on, id`);
  return rows.map((r) => r.name);
}

/** Every sequence owned by a column of the schema (bigserial and identity columns). */
async function sequencesOf(client: Client, schema: string): Promise<{ table: string; column: string; sequence: string }[]> {
  const { rows } = await client.query<{ table: string; column: string; sequence: string }>(
    `SELECT t.relname AS table, a.attname AS column, s.relname AS sequence
       FROM pg_class s
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = $1 ORDER BY t.relname, a.attname`,
    [schema],
  );
  return rows;
}

/**
 * The files in UPLOAD_DIR that rows of the snapshot name: every submission's files and every guidance's files (the
 * group set-ups keep no file, only its name). Read in the same snapshot as the tables.
 */
async function uploadReferences(client: Client, schema: string, tables: string[]): Promise<UploadReference[]> {
  const parts: string[] = [];
  if (tables.includes('submission_files')) parts.push(`SELECT storage_key AS key, size::bigint AS size, sha256 FROM ${qualified(schema, 'submission_files')}`);
  if (tables.includes('submission_guidance')) {
    parts.push(
      `SELECT f->>'storageKey', (f->>'size')::bigint, f->>'sha256' FROM ${qualified(schema, 'submission_guidance')} g, jsonb_array_elements(g.files) f WHERE f ? 'storageKey'`,
    );
  }
  if (!parts.length) return [];
  const { rows } = await client.query<{ key: string; size: string | null; sha256: string | null }>(`${parts.join(' UNION ALL ')} ORDER BY 1`);
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.key) && seen.add(r.key)).map((r) => ({ key: r.key, size: r.size === null ? null : Number(r.size), sha256: r.sha256 }));
}

/**
 * Dumps every table of the URL's schema into `backupDir/postgres/<table>.copy.gz` from one snapshot, and returns
 * what was written with the migration level, the sequences and the upload files the snapshot names.
 */
export async function dumpPostgres(databaseUrl: string, backupDir: string, onTable: (table: TableDump) => void = () => undefined): Promise<PostgresSnapshot> {
  const schema = schemaOfUrl(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await fixSession(client);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // The snapshot is taken by the transaction's first statement: this one, so its clock is the snapshot's instant.
    const at = await client.query<{ at: Date; version: string }>("SELECT clock_timestamp() AS at, current_setting('server_version') AS version");
    const snapshotAt = (at.rows[0] as { at: Date }).at.getTime();
    const serverVersion = (at.rows[0] as { version: string }).version;
    const names = await tablesOf(client, schema);
    const migrations = await migrationsOf(client, schema);
    const tables: TableDump[] = [];
    for (const name of names) {
      const columns = await columnsOf(client, schema, name);
      const file = `postgres/${name}.copy.gz`;
      const stream = client.query(copyTo(`COPY ${qualified(schema, name)} (${columns.map(escapeIdentifier).join(', ')}) TO STDOUT`));
      const written = await writeHashed(stream, join(backupDir, file), { gzip: true });
      const table = { name, columns, rows: stream.rowCount, file, ...written };
      tables.push(table);
      onTable(table);
    }
    const sequences: SequenceValue[] = [];
    for (const s of await sequencesOf(client, schema)) {
      const { rows } = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${qualified(schema, s.sequence)}`);
      const row = rows[0] as { last_value: string; is_called: boolean };
      sequences.push({ table: s.table, column: s.column, value: row.is_called ? Number(row.last_value) : Number(row.last_value) - 1 });
    }
    const uploads = await uploadReferences(client, schema, names);
    await client.query('COMMIT');
    return { schema, serverVersion, snapshotAt, migrations, tables, sequences, uploads };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Throws (unreachable, wrong password) unless the database at the URL answers. */
export async function pingDatabase(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the database at the URL holds in Årshjul's schema: its tables and their rows, and its migration level. */
export async function inspectDatabase(databaseUrl: string): Promise<TargetDatabase> {
  const schema = schemaOfUrl(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables: { name: string; rows: number }[] = [];
    for (const name of await tablesOf(client, schema)) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(schema, name)}`);
      tables.push({ name, rows: Number(rows[0]?.n ?? 0) });
    }
    return { schema, tables, migrations: await migrationsOf(client, schema) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs node-pg-migrate up by `count` migrations (the same options as activities/db/migrate.ts). */
async function migrateUp(databaseUrl: string, schema: string, count: number): Promise<void> {
  if (count <= 0) return;
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    count,
    migrationsTable: MIGRATIONS_TABLE,
    ...(schema !== 'public' ? { schema, createSchema: true, migrationsSchema: schema } : {}),
    log: () => undefined,
    checkOrder: true,
  });
}

/** Orders tables so that every table comes after the tables its foreign keys reference. */
export function foreignKeyOrder(tables: string[], references: { table: string; references: string }[]): string[] {
  const pending = new Set(tables);
  const ordered: string[] = [];
  while (pending.size) {
    const ready = [...pending].filter((t) => !references.some((r) => r.table === t && r.references !== t && pending.has(r.references)));
    if (!ready.length) throw new Error(`foreign keys form a cycle among ${[...pending].join(', ')}`);
    for (const t of ready.sort()) {
      ordered.push(t);
      pending.delete(t);
    }
  }
  return ordered;
}

export interface LoadResult {
  rows: number;
  /** Submissions set back to 'stored' so the API hands them to their workflows again (see loadPostgres). */
  redelivered: string[];
  /** Audit entries written after `gapFrom`: actions that may not be in the restored Temporal database. */
  actionsInGap: { at: number; action: string; actor: string; runId: string | null }[];
}

/**
 * Restores a dump into the database at the URL: empties it first when `replace` (its migration level must not be
 * newer than the dump's), runs the migrations up to the dump's level, copies every table in foreign-key order in one
 * transaction, checks each table's row count against the dump, and sets every sequence past the highest value used.
 *
 * A submission accepted since `redeliverSince` (epoch ms: a little before the copy of Temporal's database began) may be
 * missing from the restored workflow history, so it is set back to 'stored', and the API's retry of undecided
 * submissions (application/upload-service.ts retryUndecided) asks its workflow again — idempotent by submission id, so
 * one the history has is answered with its receipt again. The audit entries since `actionsSince` are returned: the
 * coordinator's actions of those seconds may be missing from Temporal too.
 */
export async function loadPostgres(
  databaseUrl: string,
  backupDir: string,
  dump: Pick<PostgresSnapshot, 'migrations' | 'tables' | 'sequences'>,
  options: { replace: boolean; redeliverSince: number | null; actionsSince: number | null; onTable?: (name: string, rows: number) => void },
): Promise<LoadResult> {
  const schema = schemaOfUrl(databaseUrl);
  const before = await inspectDatabase(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await fixSession(client);
    if (options.replace && before.tables.length) {
      await client.query(`TRUNCATE ${before.tables.map((t) => qualified(schema, t.name)).join(', ')} RESTART IDENTITY CASCADE`);
    }
    await migrateUp(databaseUrl, schema, dump.migrations.length - before.migrations.length);
    const present = await tablesOf(client, schema);
    const { rows: fks } = await client.query<{ table: string; references: string }>(
      `SELECT t.relname AS table, r.relname AS references FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = $1`,
      [schema],
    );
    const byName = new Map(dump.tables.map((t) => [t.name, t]));
    const missing = dump.tables.filter((t) => !present.includes(t.name)).map((t) => t.name);
    if (missing.length) throw new Error(`after migrating to ${dump.migrations.at(-1)} the database has no table ${missing.join(', ')}`);
    let rows = 0;
    await client.query('BEGIN');
    try {
      for (const name of foreignKeyOrder(present.filter((t) => byName.has(t)), fks)) {
        const table = byName.get(name) as TableDump;
        const stream = client.query(copyFrom(`COPY ${qualified(schema, name)} (${table.columns.map(escapeIdentifier).join(', ')}) FROM STDIN`));
        await pipeline(gunzipped(join(backupDir, table.file)), stream);
        if (stream.rowCount !== table.rows) throw new Error(`${name}: ${stream.rowCount} rows copied in, the backup says ${table.rows}`);
        rows += stream.rowCount;
        options.onTable?.(name, stream.rowCount);
      }
      for (const s of dump.sequences) {
        const { rows: found } = await client.query<{ max: string | null }>(`SELECT max(${escapeIdentifier(s.column)})::bigint AS max FROM ${qualified(schema, s.table)}`);
        const highest = Math.max(s.value, Number(found[0]?.max ?? 0));
        await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)', [qualified(schema, s.table), s.column, Math.max(highest, 1), highest >= 1]);
      }
      let redelivered: string[] = [];
      let actionsInGap: LoadResult['actionsInGap'] = [];
      if (options.redeliverSince !== null && present.includes('submissions')) {
        // Not for a run that has ended or a withdrawn kindergarten: their workflows may be closed, and a closed
        // workflow's answer would mark the submission refused. Their submissions stay as accepted.
        const updated = await client.query<{ id: string }>(
          `UPDATE ${qualified(schema, 'submissions')} s SET state = 'stored'
            WHERE s.state = 'accepted' AND s.decided_at >= $1
              AND NOT EXISTS (SELECT 1 FROM ${qualified(schema, 'events')} e WHERE e.run_id = s.run_id AND e.type IN ('run-completed', 'run-cancelled'))
              AND NOT EXISTS (SELECT 1 FROM ${qualified(schema, 'kindergartens')} k WHERE k.run_id = s.run_id AND k.orgnr = s.orgnr AND k.withdrawn_at IS NOT NULL)
            RETURNING s.id`,
          [new Date(options.redeliverSince)],
        );
        redelivered = updated.rows.map((r) => r.id);
      }
      if (options.actionsSince !== null && present.includes('audit_log')) {
        const audit = await client.query<{ at: Date; action: string; actor: string; run_id: string | null }>(`SELECT at, action, actor, run_id FROM ${qualified(schema, 'audit_log')} WHERE at >= $1 ORDER BY at, id`, [new Date(options.actionsSince)]);
        actionsInGap = audit.rows.map((r) => ({ at: r.at.getTime(), action: r.action, actor: r.actor, runId: r.run_id }));
      }
      await client.query('COMMIT');
      return { rows, redelivered, actionsInGap };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
