import type { SendEmailInput, SendEmailResult } from '../domain/activity-contracts';
import { emailSender } from './email-sender';

export interface DeliverEmailWorkflowInput {
  email: SendEmailInput;
  /** The rate-limited task queue for sendEmail; unset, the email goes on the workflow's own queue. */
  emailTaskQueue?: string;
}

/**
 * One email outside any step of the year, sent durably with the same retries and idempotency as every other: the
 * coordinator's re-issued upload link. Started by the API/CLI with a workflow ID that names the email, so asking
 * twice sends once.
 */
export async function deliverEmailWorkflow(input: DeliverEmailWorkflowInput): Promise<SendEmailResult> {
  const sender = emailSender(Date.now(), input.email.latestUsefulAt, { taskQueue: input.emailTaskQueue });
  return sender.sendEmail(input.email);
}
