import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRepository, Session } from '../../activities/db/account-repository';

/**
 * Console sessions: an opaque random id in an HttpOnly, SameSite=Lax cookie (Secure over https), only its hash in
 * PostgreSQL, deleted on sign-out. Cookies are read and written by @fastify/cookie. Every form carries a CSRF token
 * derived from the session's own secret, checked on every POST.
 */
export const SESSION_COOKIE = 'arshjul_sesjon';
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface SessionDeps {
  accounts: AccountRepository;
  /** Cookies are Secure when the console is served over https. */
  secureCookies: boolean;
}

export function csrfToken(session: Session): string {
  return createHmac('sha256', session.csrfSecret).update('arshjul-csrf').digest('base64url');
}

export function csrfValid(session: Session, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(csrfToken(session));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, value, { path: '/', maxAge: maxAgeSeconds, httpOnly: true, sameSite: 'lax', secure });
}

/** The session each request was found to have: the console's run guard and then the page both ask, one query. */
const sessionsOfRequests = new WeakMap<FastifyRequest, Promise<Session | null>>();

export async function sessionOf(deps: SessionDeps, request: FastifyRequest): Promise<Session | null> {
  const id = request.cookies[SESSION_COOKIE];
  if (!id || !/^[A-Za-z0-9_-]{40,64}$/.test(id)) return null;
  const known = sessionsOfRequests.get(request);
  if (known) return known;
  const found = deps.accounts.findSession(id);
  sessionsOfRequests.set(request, found);
  // A failed lookup is not remembered: the next ask tries again.
  found.catch(() => sessionsOfRequests.delete(request));
  return found;
}

export async function startSession(deps: SessionDeps, reply: FastifyReply, userId: number): Promise<void> {
  const session = await deps.accounts.createSession(userId, SESSION_TTL_MS);
  setSessionCookie(reply, session.id, SESSION_TTL_MS / 1000, deps.secureCookies);
}

export async function endSession(deps: SessionDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = request.cookies[SESSION_COOKIE];
  sessionsOfRequests.delete(request);
  if (id) await deps.accounts.endSession(id);
  setSessionCookie(reply, '', 0, deps.secureCookies);
}
