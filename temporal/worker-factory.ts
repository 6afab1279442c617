import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface BuildWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests, rehearsals); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Workflows kept in memory between tasks. A year's kindergarten workflows sleep for weeks between steps, so caching
   * all of them buys nothing and costs about 130 KiB each; the ones not cached are replayed when they wake.
   */
  maxCachedWorkflows?: number;
}

/**
 * The email worker: only sendEmail, on its own task queue, started at most `ratePerMinute` times a minute across
 * every worker polling that queue (Temporal enforces the rate on the server).
 */
export async function buildEmailWorker(options: Omit<BuildWorkerOptions, 'workflowBundle'> & { ratePerMinute: number }): Promise<Worker> {
  const { sendEmail } = createActivities(options.deps);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: { sendEmail },
    maxTaskQueueActivitiesPerSecond: options.ratePerMinute / 60,
    maxActivitiesPerSecond: options.ratePerMinute / 60,
    maxConcurrentActivityTaskExecutions: 20,
  });
}

/** The main worker: every workflow and activity on the main task queue. */
export async function buildWorker({ connection, namespace, taskQueue, deps, workflowBundle, maxCachedWorkflows }: BuildWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(maxCachedWorkflows ? { maxCachedWorkflows } : {}),
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
}
