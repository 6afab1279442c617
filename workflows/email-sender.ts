import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ErrorType } from '../domain/errors';

/**
 * The sendEmail activity as the workflows schedule it. Sends go stale, so retries stop once the email is no longer
 * useful (a reminder after its deadline is noise). With `taskQueue` the send runs on the rate-limited email queue;
 * `fanOut` sends (all authorities of a region) heartbeat per recipient. A send heartbeats every 5 seconds while it
 * waits, so one whose worker died is retried after its 20-second heartbeat timeout, not after the minute it may take.
 */
export function emailSender(now: number, latestUsefulAt: number, options: { taskQueue?: string | undefined; fanOut?: boolean }) {
  return proxyActivities<Activities>({
    startToCloseTimeout: options.fanOut ? '5 minutes' : '1 minute',
    heartbeatTimeout: options.fanOut ? '1 minute' : '20 seconds',
    scheduleToCloseTimeout: Math.max(latestUsefulAt - now, 60_000),
    retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', nonRetryableErrorTypes: [ErrorType.InvalidInput, ErrorType.NotFound] },
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
  });
}
