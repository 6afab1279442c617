/**
 * `npm run worker`: one more worker against an existing Temporal and PostgreSQL (TEMPORAL_ADDRESS, DATABASE_URL),
 * for running workers on several machines once a county or the country outgrows one. It needs SMTP_URL (or
 * USE_DEV_MAILBOX=true next to an `npm start`); a configuration it cannot use stops it at once with one line saying why.
 */
import { ConfigError, loadConfig } from '../config/env';
import { installRuntime } from '../temporal/runtime';
import { runWorker } from './main';

function fail(message: string, code: number): never {
  process.stderr.write(`[arshjul] arbeideren startet ikke: ${message}\n`);
  process.exit(code);
}

try {
  const config = loadConfig(process.env);
  installRuntime('INFO', 'WARN');
  const abort = new AbortController();
  process.on('SIGINT', () => abort.abort());
  process.on('SIGTERM', () => abort.abort());
  runWorker(config, config.database.url ?? config.database.embeddedUrl, config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`, abort.signal).catch((error: unknown) =>
    // A configuration it cannot use (no SMTP_URL) is refused by runWorker before anything is connected.
    fail(error instanceof Error ? error.message : String(error), error instanceof ConfigError ? 2 : 1),
  );
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2);
  throw error;
}
