import { join } from 'node:path';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** Applies every pending migration (node-pg-migrate, SQL files in migrations/); a no-op when up to date. */
export async function migrate(databaseUrl: string, options: { schema?: string; log?: (msg: string) => void } = {}): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    ...(options.schema ? { schema: options.schema, createSchema: true, migrationsSchema: options.schema } : {}),
    log: options.log ?? (() => undefined),
    checkOrder: true,
  });
  return applied.map((m) => m.name);
}
