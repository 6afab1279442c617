import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { z } from 'zod';
import { InputError, type InputIssue, fromZodIssues } from '../config/errors';
import { type ErrorKind, NotFoundError, RefusedError, UnavailableError } from '../domain/errors';
import type { Refusal } from '../domain/refusals';
import { StoreError } from '../activities/store';
import { refusalText } from '../texts/refusals';

/**
 * The one mapping of a failure to what a person is told: every error is classified once into a kind of
 * domain/errors.ts, and each kind has one HTTP status, one console page (title and text in bokmål) and one CLI exit
 * code. Internals (database or Temporal messages, stack traces) never reach a person: they go to the log.
 */
export interface DescribedError {
  kind: ErrorKind;
  /** A heading in bokmål. */
  title: string;
  /** What happened and what to do, in bokmål. */
  message: string;
  /** For invalid input: every problem, with where it is. */
  issues: InputIssue[];
  /** For a refusal by a rule: which one. */
  refusal?: Refusal;
}

export const HTTP_STATUS: Record<ErrorKind, number> = { 'invalid-input': 400, 'not-found': 404, refused: 409, unavailable: 503, internal: 500 };
export const EXIT_CODE: Record<ErrorKind, number> = { 'invalid-input': 2, 'not-found': 3, refused: 3, unavailable: 4, internal: 1 };
const TITLE: Record<ErrorKind, string> = {
  'invalid-input': 'Noe må rettes',
  'not-found': 'Finnes ikke',
  refused: 'Ikke utført',
  unavailable: 'Prøv igjen om litt',
  internal: 'Noe gikk galt',
};

/** PostgreSQL could not be reached or went away mid-query (a restart, a failover): SQLSTATE class 08, 57P01–57P03, socket errors. */
function isStorageUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (/^08...$/.test(code) || ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

/** Temporal could not be reached (gRPC UNAVAILABLE or DEADLINE_EXCEEDED, or an Update whose call timed out). */
function isTemporalUnavailable(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const grpc = isGrpcServiceError(error) ? error : error instanceof ServiceError && isGrpcServiceError(error.cause) ? error.cause : null;
  return grpc !== null && (grpc.code === 14 || grpc.code === 4);
}

/** The refusal a workflow's validator or handler gave, as data (an ApplicationFailure of type Refused carries it). */
export function refusalOf(error: WorkflowUpdateFailedError): Refusal | null {
  for (let cause: unknown = error.cause; cause; cause = (cause as { cause?: unknown }).cause) {
    const details = (cause as { details?: unknown[] }).details;
    const first = Array.isArray(details) ? details[0] : undefined;
    if (first && typeof first === 'object' && typeof (first as { code?: unknown }).code === 'string') return first as Refusal;
  }
  return null;
}

/**
 * Turns the client's and the database's errors into the taxonomy: a workflow's refusal into a RefusedError with its
 * bokmål text, a missing workflow into NotFoundError, an unreachable service into UnavailableError. Anything else is
 * returned as it is (internal).
 */
export function toDomainError(error: unknown): unknown {
  if (error instanceof InputError || error instanceof RefusedError || error instanceof NotFoundError || error instanceof UnavailableError) return error;
  if (error instanceof StoreError && error.refusal) return refuse(error.refusal, error);
  if (error instanceof WorkflowUpdateFailedError) {
    const refusal = refusalOf(error);
    return refusal ? refuse(refusal, error) : new RefusedError('Handlingen ble avvist av arbeidsflyten.', { cause: error });
  }
  if (error instanceof WorkflowNotFoundError || /workflow execution already completed/i.test((error as Error)?.message ?? '')) {
    return new NotFoundError('Programåret eller barnehagen er ikke lenger aktiv i Temporal.', { cause: error });
  }
  if (isTemporalUnavailable(error)) return new UnavailableError('temporal', { cause: error });
  if (isStorageUnavailable(error)) return new UnavailableError('database', { cause: error });
  if (error instanceof z.ZodError) return new InputError('Forespørselen kan ikke brukes', fromZodIssues(error.issues));
  return error;
}

/** A RefusedError for a rule of the application layer (or a workflow's), with its bokmål text. */
export function refuse(refusal: Refusal, cause?: unknown): RefusedError {
  return new RefusedError(refusalText(refusal), { refusal, ...(cause ? { cause } : {}) });
}

/** Calls `work` and turns its failures into the taxonomy (see toDomainError). */
export async function asDomainErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDomainError(error);
  }
}

/** What a person is told about any error: kind, bokmål title and message, and the problems of invalid input. */
export function describeError(error: unknown): DescribedError {
  const e = toDomainError(error);
  if (e instanceof InputError) return { kind: 'invalid-input', title: TITLE['invalid-input'], message: e.summary, issues: e.issues };
  if (e instanceof RefusedError) return { kind: 'refused', title: TITLE.refused, message: e.message, issues: [], ...(e.refusal ? { refusal: e.refusal } : {}) };
  if (e instanceof NotFoundError) return { kind: 'not-found', title: TITLE['not-found'], message: e.message, issues: [] };
  if (e instanceof UnavailableError) {
    const what = e.service === 'database' ? 'databasen' : 'arbeidsflytmotoren (Temporal)';
    return { kind: 'unavailable', title: TITLE.unavailable, message: `Årshjul får ikke kontakt med ${what} akkurat nå. Ingenting er endret. Prøv igjen om et minutt.`, issues: [] };
  }
  return { kind: 'internal', title: TITLE.internal, message: 'Det oppstod en feil hos oss. Detaljene står i serverloggen; prøv igjen, eller kontakt driftsansvarlig.', issues: [] };
}
