import { readFields, signFields } from './signed-token';

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

export function signUploadToken(claims: UploadTokenClaims, secret: string): string {
  return signFields(PREFIX, '', [claims.runId, claims.orgnr, claims.deliverableId, claims.expiresAt, claims.version], secret);
}

/** The claims of a genuine token whatever its expiry, or why it is refused (the upload page honours extensions). */
export function readUploadToken(token: string, secret: string): { ok: true; claims: UploadTokenClaims } | { ok: false; reason: Exclude<TokenRefusal, 'expired'> } {
  const read = readFields(token, PREFIX, '', 5, secret);
  if (!read.ok) return read;
  const [runId, orgnr, deliverableId, expiresAt, version] = read.fields;
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
