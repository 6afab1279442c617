import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Personal sign-in links for the people deliverables are sent to (the research centre, a municipal authority): a token
 * bound to the person (email), the run, the role and the municipality, signed with HMAC-SHA256 under the server's
 * link secret (domain-separated from upload links), expiring after `RECIPIENT_LINK_DAYS`. Every notice carries one,
 * so a recipient opens what it is sent without a password.
 */
export interface RecipientLinkClaims {
  runId: string;
  role: 'research-centre' | 'municipal-authority';
  municipalityId: string | null;
  email: string;
  /** Epoch ms after which the link no longer signs anyone in. */
  expiresAt: number;
}

export const RECIPIENT_LINK_DAYS = 30;

const PREFIX = 'm1';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`recipient-link.${PREFIX}.${payload}`).digest('base64url');
}

export function signRecipientLink(claims: RecipientLinkClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claims.runId, claims.role, claims.municipalityId, claims.email, claims.expiresAt])).toString('base64url');
  return `${PREFIX}.${payload}.${sign(payload, secret)}`;
}

/** The claims of a genuine, unexpired link, or why it is refused. */
export function verifyRecipientLink(token: string, secret: string, now: number): { ok: true; claims: RecipientLinkClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' } {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(fields) || fields.length !== 5) return { ok: false, reason: 'malformed' };
  const [runId, role, municipalityId, email, expiresAt] = fields as unknown[];
  const roleOk = role === 'research-centre' || role === 'municipal-authority';
  if (typeof runId !== 'string' || !roleOk || (municipalityId !== null && typeof municipalityId !== 'string') || typeof email !== 'string' || typeof expiresAt !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (now > expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { runId, role, municipalityId: municipalityId as string | null, email, expiresAt } };
}
