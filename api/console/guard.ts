import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../activities/db/account-repository';
import { countyOfRun } from '../../domain/ids';
import { answerError } from '../errors';
import { type ConsoleFrame, forbiddenPage, messagePage, signInPage } from '../pages/console-pages';
import { type SessionDeps, csrfToken, csrfValid, sessionOf } from './session';

/**
 * Who may see a console page: everyone signed in reads the runs they may read; only a coordinator changes anything
 * (and opens the development mailbox). Failures become pages through `consoleErrorPage`, the console's side of the one
 * error mapping (application/errors.ts).
 */
class SignInRequired extends Error {}
export class Forbidden extends Error {}

export interface Visitor {
  user: User;
  frame: (title: string, message?: string | null) => ConsoleFrame;
  csrf: string;
  csrfOk: (body: unknown) => boolean;
}

export async function visitor(deps: SessionDeps, request: FastifyRequest): Promise<Visitor> {
  const session = await sessionOf(deps, request);
  if (!session) throw new SignInRequired();
  const csrf = csrfToken(session);
  return {
    user: session.user,
    csrf,
    frame: (title, message = null) => ({ user: session.user, csrf, title, message }),
    csrfOk: (body) => csrfValid(session, (body as Record<string, unknown> | undefined)?._csrf),
  };
}

export async function coordinator(deps: SessionDeps, request: FastifyRequest): Promise<Visitor> {
  const v = await visitor(deps, request);
  if (v.user.role !== 'coordinator') throw new Forbidden();
  return v;
}

/**
 * Who reads a run: a coordinator the runs of its county (every county's if it has none, as before issue 15), a
 * national reader every run, a recipient only its own.
 */
export function mayRead(user: User, runId: string): boolean {
  if (user.role === 'national-reader') return true;
  if (user.role === 'coordinator') return user.county === null || countyOfRun(runId) === user.county;
  return user.runId === runId;
}

/** Who changes a run: a coordinator of its county (or with no county). A national reader only reads. */
export function mayAct(user: User, runId: string): boolean {
  return user.role === 'coordinator' && mayRead(user, runId);
}

export const htmlReply = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').send(body);

/**
 * The console's error handler: not signed in → the sign-in page; no access → 403; anything else as the error mapping
 * says, with a page in bokmål (an outage says to try again, a refusal gives its reason, internals never show).
 */
export function consoleErrorPage(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof SignInRequired) return reply.redirect('/konsoll/logg-inn', 303);
  if (error instanceof Forbidden) return htmlReply(reply, 403, forbiddenPage({ user: null, csrf: null, title: 'Ingen tilgang' }));
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 429) return htmlReply(reply, 429, signInPage({ error: 'For mange forsøk. Vent et minutt og prøv igjen.' }));
  const frame = { user: null, csrf: null, title: 'Feil' };
  const answer = answerError(error, request, reply);
  // Fastify's own refusals of a request (a malformed body, a form too large) and invalid input are the request's fault.
  if (!answer.described || answer.described.kind === 'invalid-input') {
    return htmlReply(reply, answer.status, messagePage(frame, 'Forespørselen kan ikke brukes', 'Sjekk adressen eller skjemaet og prøv igjen.'));
  }
  return htmlReply(reply, answer.status, messagePage(frame, answer.described.title, answer.described.message));
}
