/**
 * `npx tsx scripts/local-postgres-only.ts`: the local PostgreSQL of `npm start` (DATA_DIR/postgres, EMBEDDED_PG_PORT)
 * alone, without Temporal, the worker or the API, until Ctrl-C. For `arshjul restore` on a new machine that uses the
 * embedded defaults (no DATABASE_URL): the restore needs PostgreSQL running and everything else stopped (README,
 * "Backup and restore").
 */
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/env';
import { startLocalPostgres } from './start/local-postgres';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[arshjul] ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.database.url) {
    process.stderr.write('[arshjul] DATABASE_URL er satt: da brukes den PostgreSQL-en, og den lokale trengs ikke.\n');
    process.exit(2);
  }
  const dataDir = join(resolve(config.dataDir), 'postgres');
  const pg = await startLocalPostgres({ dataDir, url: config.database.embeddedUrl });
  process.stdout.write(`[arshjul] PostgreSQL (lokal) kjører: 127.0.0.1:${config.database.embeddedPort}, database arshjul; data i ${dataDir}. Stopp med Ctrl-C.\n`);
  const stop = () => void pg.stop(10_000).then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const { code, signal } = await pg.exited;
  process.stderr.write(`[arshjul] PostgreSQL stoppet (${signal ?? code}).\n`);
  process.exit(code ?? 1);
}

void main().catch((error: unknown) => {
  process.stderr.write(`[arshjul] kunne ikke starte PostgreSQL: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
