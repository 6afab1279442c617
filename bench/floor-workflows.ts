import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/** The engine's floor for B1: a workflow that does nothing. */
export async function noopWorkflow(): Promise<void> {
  return undefined;
}

/**
 * B1's second floor: the least a kindergarten does when its year starts — one activity (its first email), then done.
 * A kindergarten does more (it records its start, reads its schedule, keeps a timer for its next step); this floor
 * separates the engine's cost of a workflow with one activity from ours.
 */
export async function oneActivityWorkflow(): Promise<void> {
  await noop();
}

/** The engine's floor for B2: as many timers as a kindergarten's year, and nothing else. */
export async function timersWorkflow(input: { timers: number; spacingMs: number }): Promise<number> {
  for (let i = 0; i < input.timers; i++) await sleep(input.spacingMs);
  return input.timers;
}


export const floorSubmit = defineUpdate<number, [string]>('floorSubmit');

/**
 * The engine doing the same shape of work as one kindergarten's rehearsed year, with none of Årshjul's logic: a timer to
 * each instant at which the kindergarten sent email, one no-op activity per email sent then (one at a time, as the
 * kindergarten workflow does), and an Update handler for its submissions.
 */
export async function shapeWorkflow(input: { steps: { at: number; activities: number }[]; updates: number }): Promise<number> {
  let updates = 0;
  setHandler(floorSubmit, () => ++updates);
  for (const step of input.steps) {
    const wait = step.at - Date.now();
    if (wait > 0) await sleep(wait);
    for (let i = 0; i < step.activities; i++) await noop();
  }
  // A submission can come at the instant of the last email; the workflow stays until it has had them all.
  await condition(() => updates >= input.updates);
  return updates;
}
