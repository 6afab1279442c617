import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

/**
 * Installs the Temporal runtime once per process with every log line (SDK and native core) on stderr at `level`
 * or above, so stdout stays clean for machine-readable output such as `arshjul rehearse --json`.
 */
export function installRuntime(level: LogLevel = 'WARN', coreLevel: LogLevel = 'ERROR'): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const meta = entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : '';
      process.stderr.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}${meta}\n`);
    }),
    telemetryOptions: { logging: { filter: { core: coreLevel, other: coreLevel }, forward: {} } },
  });
}
