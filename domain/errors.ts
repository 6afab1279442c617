/**
 * The error taxonomy. Every failure a person can meet is one of these kinds, and `application/errors.ts` maps each
 * kind once to an HTTP status, a console page and a CLI exit code. Messages of RefusedError and NotFoundError are
 * written for the coordinator, in bokmål.
 */
import type { Refusal } from './refusals';

export type ErrorKind = 'invalid-input' | 'not-found' | 'refused' | 'unavailable' | 'internal';

/** ApplicationFailure types shared by workflows and activities (a failure of these types is not retried). */
export const ErrorType = {
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  InvalidInput: 'InvalidInput',
  Refused: 'Refused',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** A rule says no (a date in the past, a run that exists already, a second pause): the message says which and why. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  readonly kind = 'refused' as const;
  /** The rule, as data, when the refusal came from one. */
  readonly refusal: Refusal | null;
  constructor(message: string, options: { cause?: unknown; refusal?: Refusal } = {}) {
    super(message, { cause: options.cause });
    this.refusal = options.refusal ?? null;
  }
}

/** What was asked for does not exist (a run, a kindergarten, a deliverable). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly kind = 'not-found' as const;
}

/** A service Årshjul needs (PostgreSQL, Temporal) cannot be reached now: nothing was decided, the same request may be repeated. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  readonly kind = 'unavailable' as const;
  constructor(
    readonly service: 'database' | 'temporal',
    options?: { cause?: unknown },
  ) {
    super(`${service} unavailable`, options);
  }
}
