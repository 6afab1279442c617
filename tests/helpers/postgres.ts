import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { migrate } from '../../activities/db/migrate';

/** The test database: TEST_DATABASE_URL, else the machine's PostgreSQL (trust auth, database `test`). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema for one test file, migrated with the real migrations; `pool` has it on its search_path.
 * `drop()` removes it. Files never share tables, so they can run in any order.
 */
export async function freshSchema(label: string): Promise<{ pool: Pool; schema: string; url: string; drop: () => Promise<void> }> {
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  await migrate(url, { schema });
  const pool = new Pool({ connectionString: url, max: 8 });
  return {
    pool,
    schema,
    url,
    drop: async () => {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}
