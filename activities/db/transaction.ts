import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a client of its own. While the client is checked out the pool does not listen for
 * its errors, so a server that goes away mid-transaction (a restart) would raise an unhandled 'error' and end the
 * process; here that error is caught, the query in flight fails with it, and the broken client is discarded, not
 * returned to the pool.
 */
export async function withTransaction<T>(pool: Pick<Pool, 'connect'>, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!broken) await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
