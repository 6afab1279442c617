import { sleep } from '@temporalio/workflow';

/** The engine's floor for B1: a workflow that does nothing. */
export async function noopWorkflow(): Promise<void> {
  return undefined;
}

/** The engine's floor for B2: as many timers as a kindergarten's year, and nothing else. */
export async function timersWorkflow(input: { timers: number; spacingMs: number }): Promise<number> {
  for (let i = 0; i < input.timers; i++) await sleep(input.spacingMs);
  return input.timers;
}
