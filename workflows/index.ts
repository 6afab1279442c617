/** Every workflow the worker runs (the worker's workflowsPath / bundle entry). */
export { runWorkflow } from './run-workflow';
export { regionWorkflow } from './region-workflow';
export { kindergartenWorkflow } from './kindergarten-workflow';
export { deliverEmailWorkflow } from './email-workflow';
export { retentionWorkflow } from './retention-workflow';
