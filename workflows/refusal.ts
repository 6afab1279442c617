import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../domain/errors';
import type { Refusal } from '../domain/refusals';

/**
 * A refusal for an Update validator to throw: an ApplicationFailure of type `Refused` that carries the refusal as its
 * details. A validator's refusal never enters history; the client (application/errors.ts) turns it into bokmål.
 */
export function refused(refusal: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: ErrorType.Refused, message: refusal.code, details: [refusal], nonRetryable: true });
}

/** Throws the refusal, if there is one. */
export function refuseIf(refusal: Refusal | null): void {
  if (refusal) throw refused(refusal);
}
