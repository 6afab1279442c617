import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DescribedError, HTTP_STATUS, describeError } from '../application/errors';

/** An error as the API answers it: its status, and what a person is told (null for Fastify's own refusal of a request). */
export interface ErrorAnswer {
  status: number;
  described: DescribedError | null;
}

/**
 * The API's one way to answer an error (application/errors.ts gives the taxonomy): Fastify's own 4xx (a body too large,
 * a bad content type, a malformed form) are the request's fault and pass with their status; everything else gets its
 * kind's status. Internal errors and outages go to the log, and an outage gets `Retry-After` (forms carry their
 * submission id, so repeating one is harmless). Each caller renders the answer its own way (JSON or a page).
 */
export function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply): ErrorAnswer {
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500 && !(error instanceof Error && 'kind' in error)) return { status, described: null };
  const described = describeError(error);
  if (described.kind === 'internal' || described.kind === 'unavailable') request.log.error(error);
  if (described.kind === 'unavailable') reply.header('Retry-After', '30');
  return { status: HTTP_STATUS[described.kind], described };
}

/** The answer as one sentence for a page beside a form: the rule's reason, or every invalid field, in bokmål. */
export function refusalReason(error: unknown, request: FastifyRequest, reply: FastifyReply): { status: number; reason: string } {
  const { status, described } = answerError(error, request, reply);
  const reason = !described
    ? 'Forespørselen kan ikke brukes.'
    : described.kind === 'invalid-input'
      ? `Ugyldig: ${described.issues.map((i) => i.message).join('; ') || described.message}`
      : described.message;
  return { status, reason };
}
