/**
 * `npm run worker`: one more worker against an existing Temporal and PostgreSQL (TEMPORAL_ADDRESS, DATABASE_URL),
 * for running workers on several machines once a county or the country outgrows one.
 */
import { loadConfig } from '../config/env';
import { runWorker } from './main';
import { installRuntime } from '../temporal/runtime';

const config = loadConfig(process.env);
installRuntime('INFO', 'WARN');
const abort = new AbortController();
process.on('SIGINT', () => abort.abort());
process.on('SIGTERM', () => abort.abort());
runWorker(config, config.database.url ?? config.database.embeddedUrl, config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`, abort.signal).catch((error: unknown) => {
  process.stderr.write(`worker stopped: ${String(error)}\n`);
  process.exit(1);
});
