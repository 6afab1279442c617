import { Pool } from 'pg';
import { loadConfig } from '../config/env';
import { PgStore } from '../activities/db/pg-store';
import { migrate } from '../activities/db/migrate';
import { connectClient } from '../temporal/connection';
import type * as control from '../application/run-control';

/** Connects to PostgreSQL (migrating it) and Temporal as configured, runs `work`, and closes both. */
export async function withControl<T>(work: (deps: control.RunControlDeps, store: PgStore, pool: Pool) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const url = config.database.url ?? config.database.embeddedUrl;
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    await migrate(url);
    const { client, connection } = await connectClient(config.temporal);
    try {
      const store = new PgStore({ pool });
      return await work({ client, store, taskQueue: config.temporal.taskQueue, emailTaskQueue: config.email.taskQueue }, store, pool);
    } finally {
      await connection.close();
    }
  } finally {
    await pool.end();
  }
}
