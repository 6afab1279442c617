import { readFields, signFields } from './signed-token';

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
const PURPOSE = 'recipient-link.';

export function signRecipientLink(claims: RecipientLinkClaims, secret: string): string {
  return signFields(PREFIX, PURPOSE, [claims.runId, claims.role, claims.municipalityId, claims.email, claims.expiresAt], secret);
}

/** The claims of a genuine, unexpired link, or why it is refused. */
export function verifyRecipientLink(token: string, secret: string, now: number): { ok: true; claims: RecipientLinkClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' } {
  const read = readFields(token, PREFIX, PURPOSE, 5, secret);
  if (!read.ok) return read;
  const [runId, role, municipalityId, email, expiresAt] = read.fields;
  const roleOk = role === 'research-centre' || role === 'municipal-authority';
  if (typeof runId !== 'string' || !roleOk || (municipalityId !== null && typeof municipalityId !== 'string') || typeof email !== 'string' || typeof expiresAt !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (now > expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { runId, role, municipalityId: municipalityId as string | null, email, expiresAt } };
}
