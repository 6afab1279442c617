import { defineSignal } from '@temporalio/workflow';

/**
 * Tells the run workflow that an escalation will come at `at` outside the plan's own escalation instants (a
 * kindergarten's extension): the run then wakes for the first digest day after it (release 1.1.0). Its own file, so
 * the kindergarten workflow can send it without importing the run workflow.
 */
export const digestWantedSignal = defineSignal<[{ at: number }]>('digestWanted');
