/**
 * True when an error means PostgreSQL could not be reached or went away mid-query (a restart, a failover): the
 * request did nothing wrong and may be sent again. Codes: SQLSTATE class 08 (connection exception), 57P01–57P03
 * (shutdown, cannot connect now), and the socket errors node-postgres surfaces.
 */
export function isStorageUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (/^08...$/.test(code) || ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
