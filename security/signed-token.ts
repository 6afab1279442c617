import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The form of Årshjul's signed links: `<prefix>.<base64url JSON array>.<HMAC-SHA256>`, the HMAC over
 * `<purpose><prefix>.<payload>` under the server's link secret, so a token made for one purpose never passes as
 * another. Upload links (purpose '') and recipients' sign-in links ('recipient-link.') are made with it.
 */
export function signFields(prefix: string, purpose: string, fields: unknown[], secret: string): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${prefix}.${payload}.${mac(purpose, prefix, payload, secret)}`;
}

/** The fields of a genuine token of this prefix and purpose (their count checked), or why it is refused. */
export function readFields(token: string, prefix: string, purpose: string, count: number, secret: string): { ok: true; fields: unknown[] } | { ok: false; reason: 'malformed' | 'forged' } {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== prefix || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(mac(purpose, prefix, payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(fields) || fields.length !== count) return { ok: false, reason: 'malformed' };
  return { ok: true, fields };
}

function mac(purpose: string, prefix: string, payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`${purpose}${prefix}.${payload}`).digest('base64url');
}
