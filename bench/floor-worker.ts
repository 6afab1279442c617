/**
 * A worker for the floor workflows (bench/floor-workflows.ts) in its own process, against TEMPORAL_ADDRESS on the
 * task queue BENCH_FLOOR_QUEUE. Started by `npm run bench`.
 */
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';

async function main(): Promise<void> {
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } } });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS as string });
  const worker = await Worker.create({ connection, taskQueue: process.env.BENCH_FLOOR_QUEUE ?? 'bench-floor', workflowsPath: require.resolve('./floor-workflows'), activities: { noop: async () => undefined } });
  process.on('SIGTERM', () => worker.shutdown());
  process.stdout.write('floor worker ready\n');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`floor worker failed: ${String(error)}\n`);
  process.exit(1);
});
