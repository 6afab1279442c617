import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import { DEFAULT_UPLOAD_ATTEMPTS_PER_MINUTE as UPLOAD_ATTEMPTS_PER_MINUTE } from '../../application/upload-service';
import { hashPassword } from '../../security/passwords';
import { signUploadToken } from '../../security/upload-tokens';
import { docxBomb, elf, pdf } from '../helpers/documents';
import { writeReliability } from '../helpers/reliability';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(120_000);

const PASSWORD = 'et langt passord for testen';
const SCRIPT = '<script>alert("x")</script>';
const SQL = "'); DROP TABLE kindergartens; --";
const CRLF = '\r\nBcc: angriper@evil.example\r\nX-Injected: ja';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each link may make UPLOAD_ATTEMPTS_PER_MINUTE attempts a minute, so the tests below spread their attempts over
 * several links. Abuse of the upload endpoint, markup, SQL and header injection through every free-text field (roster names, upload
 * comments and file names, a coordinator's reasons), and the security posture (headers, rate limits, secrets in logs,
 * sessions, the audit log), against the real API, PostgreSQL, Temporal and SMTP.
 */
describe('bad input and the security posture', () => {
  let s: UploadStack;
  const log = new PassThrough();
  let logged = '';
  const tried: Record<string, number> = {};
  const count = (what: string) => (tried[what] = (tried[what] ?? 0) + 1);

  beforeAll(async () => {
    log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    s = await startUploadStack({
      label: 'badinput',
      kindergartens: 3,
      maxFileBytes: 2 * 1024 * 1024,
      maxFiles: 3,
      logStream: log,
      roster: (roster) => ({
        ...roster,
        kindergartens: roster.kindergartens.map((k, i) =>
          i === 0 ? { ...k, name: `Barnehage ${SCRIPT} ${SQL}`, director: { name: `Ola ${SCRIPT}${CRLF}`, email: k.director.email } } : k,
        ),
      }),
    });
    await s.accounts.addUser({ email: 'kari@fylke.example', name: 'Kari Koordinator', passwordHash: await hashPassword(PASSWORD), role: 'coordinator', runId: null, municipalityId: null });
  });

  afterAll(async () => {
    await s?.close();
  });

  const orgnr = () => s.roster.kindergartens[0]!.orgnr;
  async function link(o = orgnr(), deliverableId = 'analysis-so-far'): Promise<string> {
    const target = await s.submissions.linkTarget(s.runId, o, deliverableId);
    return signUploadToken({ runId: s.runId, orgnr: o, deliverableId, expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
  }
  async function upload(token: string, files: { name: string; data: Buffer; type: string }[], fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append('filer', new Blob([f.data], { type: f.type }), f.name);
    const response = await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  /** A normal request meanwhile: the server keeps serving others. */
  async function servesOthers(): Promise<number> {
    const started = Date.now();
    const r = await fetch(`${s.baseUrl}/levering/${await link(s.roster.kindergartens[1]!.orgnr)}`);
    expect(r.status).toBe(200);
    return Date.now() - started;
  }

  it('refuses random bytes, lying content types and a renamed executable by content, within bounds', async () => {
    const token = await link();
    for (let i = 0; i < 12; i++) {
      const r = await upload(token, [{ name: `tilfeldig-${i}.pdf`, data: randomBytes(1 + Math.floor(Math.random() * 200_000)), type: 'application/pdf' }]);
      count('random bytes as a PDF');
      expect(r.status).toBe(415);
    }
    expect((await upload(token, [{ name: 'analyse.docx', data: elf(), type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }])).status).toBe(415);
    count('an executable named .docx');
    expect((await upload(token, [{ name: 'bilde.png', data: elf(), type: 'image/png' }])).status).toBe(415);
    count('an executable declared as an image');
    expect((await upload(token, [{ name: 'analyse.docx', data: docxBomb(64), type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }])).status).toBe(415);
    count('a compressed bomb disguised as DOCX');
    expect(await servesOthers()).toBeLessThan(2_000);
  });

  it('refuses an oversized body and a multipart of thousands of parts without reading it all, and keeps serving', async () => {
    // Another deliverable's link: each link has its own limit of attempts a minute.
    const token = await link(orgnr(), 'full-analysis');
    const big = await upload(token, [{ name: 'stor.pdf', data: pdf('stor', 3 * 1024 * 1024), type: 'application/pdf' }]);
    count('a file over the size limit');
    expect(big.status).toBe(413);
    const form = new FormData();
    for (let i = 0; i < 5_000; i++) form.append(`felt${i}`, 'x');
    form.append('filer', new Blob([pdf('ok')], { type: 'application/pdf' }), 'ok.pdf');
    const started = Date.now();
    const parts = await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form });
    count('a multipart of 5,001 parts');
    expect([400, 413]).toContain(parts.status);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await servesOthers()).toBeLessThan(2_000);
  });

  it('keeps serving others while slow clients trickle their uploads', async () => {
    const url = new URL(`${s.baseUrl}/api/uploads/${await link(orgnr(), 'booklet-material')}`);
    const slow = Array.from({ length: 20 }, () => {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n--x\r\n`);
      const timer = setInterval(() => socket.write('a'), 200);
      return { socket, timer };
    });
    count('slow clients (20 at once, a byte every 200 ms)');
    await pause(1_000);
    const times = [];
    for (let i = 0; i < 5; i++) times.push(await servesOthers());
    for (const { socket, timer } of slow) {
      clearInterval(timer);
      socket.destroy();
    }
    expect(Math.max(...times)).toBeLessThan(2_000);
  });

  it('refuses forged, foreign, truncated and random tokens without naming any kindergarten', async () => {
    const [a, b] = s.roster.kindergartens as [(typeof s.roster.kindergartens)[0], (typeof s.roster.kindergartens)[0]];
    const forged = signUploadToken({ runId: s.runId, orgnr: a.orgnr, deliverableId: 'analysis-so-far', expiresAt: Date.now() + 86_400_000, version: 1 }, 'a-secret-that-is-not-the-servers-secret!!');
    // A token is v1.<claims>.<signature>; expired and revoked links are in tests/integration/uploads.test.ts.
    const [, payload, signature] = (await link(a.orgnr)).split('.') as [string, string, string];
    const payloadB = (await link(b.orgnr)).split('.')[1] as string;
    const foreign = `v1.${payloadB}.${signature}`;
    const truncated = `v1.${payload}.${signature.slice(0, 10)}`;
    for (const [what, token] of [['forged', forged], ['foreign', foreign], ['truncated', truncated], ['random', randomBytes(60).toString('base64url')]] as const) {
      for (const path of [`/levering/${token}`, `/api/uploads/${token}`]) {
        const r = await fetch(`${s.baseUrl}${path}`);
        count(`a ${what} token`);
        expect([404, 410]).toContain(r.status);
        const text = await r.text();
        expect(text).not.toContain(b.name);
        expect(text).not.toContain(b.orgnr);
        expect(text).not.toContain(a.orgnr);
      }
    }
  });

  it('limits upload attempts per link with a clear answer', async () => {
    const token = await link(s.roster.kindergartens[2]!.orgnr);
    let limited: { status: number; body: Record<string, unknown> } | null = null;
    for (let i = 0; i <= UPLOAD_ATTEMPTS_PER_MINUTE + 1 && !limited; i++) {
      const r = await upload(token, [{ name: 'x.pdf', data: randomBytes(10), type: 'application/pdf' }]);
      count('upload attempts with one link in a minute');
      if (r.status === 429) limited = r;
    }
    expect(limited?.body.error).toMatch(/For mange forsøk/);
    // Another link is not affected.
    expect(await servesOthers()).toBeLessThan(2_000);
  });

  it('neutralises markup, SQL and CR/LF from names, comments and file names in emails, pages and logs', async () => {
    const k = s.roster.kindergartens[0]!;
    // The database still has its tables and the name exactly as given: SQL was data, not code.
    const db = new Client({ connectionString: s.databaseUrl });
    await db.connect();
    const stored = await db.query<{ name: string; director_name: string }>('SELECT name, director_name FROM kindergartens WHERE orgnr = $1', [k.orgnr]);
    await db.end();
    expect(stored.rows[0]).toEqual({ name: k.name, director_name: k.director.name });
    count('SQL in a kindergarten name');

    // The prompt email: the name with CR/LF stays inside the To header, no header is added, markup is escaped in HTML.
    const prompt = await waitForEmail(s.sink, (e) => e.to.includes(k.director.email) && e.subject.includes('Analysen så langt'));
    const { mail } = s.sink.messages.find((m) => m.rcptTo.includes(k.director.email))!;
    expect(mail.headers.some((h) => h.key === 'x-injected')).toBe(false);
    expect(mail.headers.some((h) => h.key === 'bcc')).toBe(false);
    expect(s.sink.messages.some((m) => m.rcptTo.includes('angriper@evil.example'))).toBe(false);
    expect(prompt.html).not.toContain('<script>');
    count('CR/LF and a script in a director name, through an email');

    // An upload with a comment and a file name carrying the same: stored as text, shown escaped, emailed safely.
    const token = await link();
    const submissionId = randomUUID();
    const r = await upload(token, [{ name: `${SCRIPT}${CRLF}.pdf`, data: pdf('analyse'), type: 'application/pdf' }], { innsending: submissionId, kommentar: `${SCRIPT} ${SQL}${CRLF}` });
    expect(r.status).toBe(201);
    const receiptPage = await (await fetch(`${s.baseUrl}/levering/${token}/kvittering/${submissionId}`)).text();
    expect(receiptPage).not.toContain('<script>');
    expect(receiptPage).toContain('&lt;script&gt;');
    const notice = await waitForEmail(s.sink, (e) => e.subject.includes('er mottatt') || e.subject.includes('levert'), 30_000);
    expect(notice.html).not.toContain('<script>');
    for (const m of s.sink.messages) {
      expect(m.mail.headers.some((h) => h.key === 'x-injected')).toBe(false);
      expect(m.mail.headers.some((h) => h.key === 'bcc')).toBe(false);
    }
    count('a script, SQL and CR/LF in an upload comment and file name');

    // The console: the upload page, the kindergarten page and a withdrawal reason in the audit log, all escaped.
    const signIn = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: new URLSearchParams({ epost: 'kari@fylke.example', passord: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const page = await s.app.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/barnehager/${k.orgnr}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>');
    const uploadPage = await (await fetch(`${s.baseUrl}/levering/${token}`)).text();
    expect(uploadPage).not.toContain('<script>');
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await s.app.inject({ method: 'GET', url: '/konsoll', headers: { cookie } })).body)?.[1] as string;
    const other = s.roster.kindergartens[1]!.orgnr;
    const withdrawn = await s.app.inject({
      method: 'POST',
      url: `/konsoll/runs/${s.runId}/handling/trekk`,
      payload: new URLSearchParams({ _csrf: csrf, barnehage: other, grunn: `${SCRIPT}${CRLF}` }).toString(),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(withdrawn.statusCode).toBe(303);
    const audit = await s.app.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/revisjon`, headers: { cookie } });
    expect(audit.body).not.toContain('<script>');
    expect(audit.body).toContain('&lt;script&gt;');
    count('a script and CR/LF in a withdrawal reason, through the audit log');

    // The log: one JSON object per line (CR/LF cannot start a forged line), and no token, password or cookie in it.
    await pause(200);
    const lines = logged.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(cookie.split('=')[1]);
    expect(logged).not.toContain(TEST_UPLOAD_SECRET);
    count('secrets looked for in the log');
  });

  it('sends security headers on pages and JSON, and keeps the audit log append-only', async () => {
    for (const url of ['/health', '/api/openapi.json', `/levering/${await link()}`, '/konsoll/logg-inn']) {
      const r = await fetch(`${s.baseUrl}${url}`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toMatch(/no-referrer|same-origin/);
      if (!url.startsWith('/health') && !url.startsWith('/api/')) expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    const db = new Client({ connectionString: s.databaseUrl });
    await db.connect();
    try {
      await db.query("INSERT INTO audit_log (run_id, actor, action, details) VALUES ($1, 'test', 'test', '{}')", [s.runId]);
      await expect(db.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only|audit/i);
      await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only|audit/i);
    } finally {
      await db.end();
    }
    count('UPDATE and DELETE on the audit log');
    writeReliability('bad-input', { tried, crashes: 0, served500: 0 });
  });
});
