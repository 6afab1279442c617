import { join } from 'node:path';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** Applies every pending migration (node-pg-migrate, SQL files in migrations/); a no-op when up to date. */
export async function migrate(databaseUrl: string, options: { schema?: string; log?: (msg: string) => void } = {}): Promise<string[]> {
  // A URL that sets its search_path (`?options=-c search_path=x`) is migrated in that schema.
  const schema = options.schema ?? schemaOf(databaseUrl);
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    ...(schema ? { schema, createSchema: true, migrationsSchema: schema } : {}),
    log: options.log ?? (() => undefined),
    checkOrder: true,
  });
  return applied.map((m) => m.name);
}

function schemaOf(databaseUrl: string): string | undefined {
  try {
    const options = new URL(databaseUrl).searchParams.get('options') ?? '';
    return /search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
  } catch {
    return undefined;
  }
}
