import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUploadSecret } from '../../security/upload-secret';
import { createHmac } from 'node:crypto';
import { signUploadToken, verifyUploadToken, type UploadTokenClaims } from '../../security/upload-tokens';
import { type RecipientLinkClaims, signRecipientLink, verifyRecipientLink } from '../../security/recipient-links';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const claims: UploadTokenClaims = { runId: 'arshjul-2017-hedmark', orgnr: '974760673', deliverableId: 'analysis-so-far', expiresAt: Date.parse('2018-03-08T15:00:00Z'), version: 1 };
const before = Date.parse('2018-02-01T12:00:00Z');

describe('personal upload links', () => {
  it('verifies a link it signed, with its run, kindergarten, deliverable, expiry and version', () => {
    const token = signUploadToken(claims, SECRET);
    expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(verifyUploadToken(token, SECRET, before)).toEqual({ ok: true, claims });
  });

  it('refuses a link signed with another secret as forged', () => {
    expect(verifyUploadToken(signUploadToken(claims, 'some-other-secret-of-32-characters!!'), SECRET, before)).toEqual({ ok: false, reason: 'forged' });
  });

  it("refuses one kindergarten's link rewritten to another kindergarten as forged", () => {
    const [prefix, , signature] = signUploadToken(claims, SECRET).split('.');
    const otherPayload = Buffer.from(JSON.stringify([claims.runId, '923609016', claims.deliverableId, claims.expiresAt, claims.version])).toString('base64url');
    expect(verifyUploadToken(`${prefix}.${otherPayload}.${signature}`, SECRET, before)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a link after the late window closed as expired', () => {
    expect(verifyUploadToken(signUploadToken(claims, SECRET), SECRET, claims.expiresAt + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyUploadToken(signUploadToken(claims, SECRET), SECRET, claims.expiresAt).ok).toBe(true);
  });

  it.each(['', 'abc', 'v1.only-two', 'v2.a.b', 'v1..sig', '../../etc/passwd'])('refuses the malformed link %p', (token) => {
    expect(verifyUploadToken(token, SECRET, before)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed payload that is not the expected shape as malformed', () => {
    const payload = Buffer.from(JSON.stringify({ runId: 'x' })).toString('base64url');
    const signature = createHmac('sha256', SECRET).update(`v1.${payload}`).digest('base64url');
    expect(verifyUploadToken(`v1.${payload}.${signature}`, SECRET, before)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('the upload link secret', () => {
  it('uses UPLOAD_LINK_SECRET when set, else creates one random secret in DATA_DIR and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-secret-'));
    expect(resolveUploadSecret('configured-secret-of-at-least-32-chars', dir)).toBe('configured-secret-of-at-least-32-chars');
    const first = resolveUploadSecret(null, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(resolveUploadSecret(null, dir)).toBe(first);
    expect(statSync(join(dir, 'upload-link-secret')).mode & 0o777).toBe(0o600);
  });
});

describe("recipients' personal sign-in links", () => {
  const recipient: RecipientLinkClaims = { runId: 'arshjul-2017-hedmark', role: 'municipal-authority', municipalityId: 'kongsvinger', email: 'barnehage@kongsvinger.kommune.example', expiresAt: Date.parse('2018-03-08T15:00:00Z') };

  it('verifies a link it signed, bound to the person, run, role and municipality', () => {
    expect(verifyRecipientLink(signRecipientLink(recipient, SECRET), SECRET, before)).toEqual({ ok: true, claims: recipient });
    const centre = { ...recipient, role: 'research-centre' as const, municipalityId: null, email: 'sepu@inn.example' };
    expect(verifyRecipientLink(signRecipientLink(centre, SECRET), SECRET, before)).toEqual({ ok: true, claims: centre });
  });

  it('refuses an expired, forged or altered link, and an upload link used as one (another purpose, another prefix)', () => {
    const token = signRecipientLink(recipient, SECRET);
    expect(verifyRecipientLink(token, SECRET, recipient.expiresAt + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyRecipientLink(signRecipientLink(recipient, 'some-other-secret-of-32-characters!!'), SECRET, before)).toEqual({ ok: false, reason: 'forged' });
    const [prefix, , signature] = token.split('.');
    const otherMunicipality = Buffer.from(JSON.stringify([recipient.runId, recipient.role, 'grue', recipient.email, recipient.expiresAt])).toString('base64url');
    expect(verifyRecipientLink(`${prefix}.${otherMunicipality}.${signature}`, SECRET, before)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyRecipientLink(signUploadToken(claims, SECRET), SECRET, before)).toEqual({ ok: false, reason: 'malformed' });
    // The same payload signed as an upload link does not pass as a sign-in link: the purpose is part of what is signed.
    const payload = token.split('.')[1] as string;
    const asUpload = createHmac('sha256', SECRET).update(`m1.${payload}`).digest('base64url');
    expect(verifyRecipientLink(`m1.${payload}.${asUpload}`, SECRET, before)).toEqual({ ok: false, reason: 'forged' });
  });
});
