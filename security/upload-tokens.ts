import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Personal upload links: a token bound to run, kindergarten and deliverable, signed with HMAC-SHA256 under a server
 * secret, expiring when late submissions stop being accepted, and carrying the link's version so a re-issued link
 * revokes the old one (the current version lives in PostgreSQL). Used by the email activity (sign) and the API (verify).
 */
export interface UploadTokenClaims {
  runId: string;
  orgnr: string;
  deliverableId: string;
  /** Epoch ms after which the link no longer works (the deliverable's late window). */
  expiresAt: number;
  /** Bumped each time the coordinator re-issues the link. */
  version: number;
}

export type TokenRefusal = 'malformed' | 'forged' | 'expired';

const PREFIX = 'v1';

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`${PREFIX}.${payload}`).digest('base64url');
}

export function signUploadToken(claims: UploadTokenClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify([claims.runId, claims.orgnr, claims.deliverableId, claims.expiresAt, claims.version])).toString('base64url');
  return `${PREFIX}.${payload}.${sign(payload, secret)}`;
}

/** The claims of a genuine token whatever its expiry, or why it is refused (the upload page honours extensions). */
export function readUploadToken(token: string, secret: string): { ok: true; claims: UploadTokenClaims } | { ok: false; reason: Exclude<TokenRefusal, 'expired'> } {
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
  const [runId, orgnr, deliverableId, expiresAt, version] = fields as unknown[];
  if (typeof runId !== 'string' || typeof orgnr !== 'string' || typeof deliverableId !== 'string' || typeof expiresAt !== 'number' || typeof version !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, claims: { runId, orgnr, deliverableId, expiresAt, version } };
}

/** The claims of a genuine, unexpired token, or why it is refused. Revocation (version) is checked by the caller. */
export function verifyUploadToken(token: string, secret: string, now: number): { ok: true; claims: UploadTokenClaims } | { ok: false; reason: TokenRefusal } {
  const read = readUploadToken(token, secret);
  if (!read.ok) return read;
  if (now > read.claims.expiresAt) return { ok: false, reason: 'expired' };
  return read;
}
