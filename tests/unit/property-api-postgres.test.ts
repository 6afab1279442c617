import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { MailboxRepository } from '../../activities/db/mailbox-repository';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository } from '../../activities/db/submission-repository';
import { exampleFiles } from '../../api/main';
import { initialDeliverables } from '../../application/run-control';
import { buildApp } from '../../api/server';
import { FileStore } from '../../activities/files/file-store';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { rollPlanForward } from '../../planning/roll-forward';
import { parseRoster } from '../../planning/roster-import';
import { hashPassword } from '../../security/passwords';
import { signUploadToken } from '../../security/upload-tokens';
import { runWorkflowId } from '../../domain/ids';
import { freshSchema } from '../helpers/postgres';
import { TEST_UPLOAD_SECRET, futurePlan } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(60_000);

/**
 * Property tests of the routes that need PostgreSQL (the development mailbox, the directors' uploads, the recipients'
 * downloads and the coordinator's console) on a fresh schema, with the fake Temporal client of api-routes.test.ts:
 * whatever the path, query, headers or body, the answer is never a 500. A 4xx from the JSON API says what was wrong
 * (`error`, and `issues` with a path each); the console and the upload pages answer 4xx with an HTML page.
 */

const EXAMPLES = path.join(__dirname, '../../examples');
const SCHOOL_YEAR = 2031;
const plan = futurePlan(SCHOOL_YEAR, 'propapi');
const RUN_ID = runWorkflowId(plan.schoolYear, plan.county);
const ORGNR = '976028082';
const exampleCsv = readFileSync(path.join(EXAMPLES, 'roster-hedmark-2017.csv'), 'utf8');
const futurePlanText = rollPlanForward(readFileSync(path.join(EXAMPLES, 'kfl-2017-2018.yaml'), 'utf8'), SCHOOL_YEAR).text;
const PASSWORD = 'korrekt-hest-batteri-stift';

/** A Temporal client that knows no workflow, as in api-routes.test.ts: every query is "not found", there are no updates. */
function fakeClient(): Pick<Client, 'workflow'> {
  const workflow = {
    getHandle: (workflowId: string) => ({
      query: async (): Promise<unknown> => {
        throw new WorkflowNotFoundError('not found', workflowId, undefined);
      },
    }),
  };
  return { workflow } as unknown as Pick<Client, 'workflow'>;
}

/**
 * Never a 5xx. The one by design is 503 for an upload that was stored while the kindergarten workflow did not answer
 * (this fake client has no Updates): allowed only where `pending` says so.
 */
function expectNo500(response: LightMyRequestResponse, pending = false): void {
  const status = response.statusCode;
  const unexpected = status >= 500 && !(pending && status === 503);
  // The start of the body goes into the comparison, to show what the server said.
  expect(unexpected ? `${status}: ${response.body.slice(0, 300)}` : 'no 5xx').toBe('no 5xx');
}

/** A JSON 4xx names what was wrong: an `error` message, and `issues` with a path and a message each. */
function expectClearJsonAnswer(response: LightMyRequestResponse, pending = false): void {
  expectNo500(response, pending);
  if (response.statusCode < 400 || response.statusCode >= 500) return;
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as { error?: unknown; issues?: { path?: unknown; message?: unknown }[] };
  expect(typeof body.error).toBe('string');
  expect(String(body.error).trim()).not.toBe('');
  for (const issue of body.issues ?? []) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
  }
}

/**
 * A 4xx of the pages is an HTML page, not an empty answer or a stack trace; a body Fastify itself refuses (JSON that
 * does not parse, a bad percent-encoding) gets the JSON error of the app's error handler before any page is reached.
 */
function expectPageOrJsonError(response: LightMyRequestResponse, pending = false): void {
  expectNo500(response, pending);
  if (response.statusCode < 400 || response.statusCode >= 500) return;
  if (/^application\/json/.test(String(response.headers['content-type']))) expectClearJsonAnswer(response);
  else {
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/^<!doctype html>/i);
  }
}

const trickyText = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e20',
  '99999999999999999999',
  '9223372036854775808',
  '1.5',
  'NaN',
  'Infinity',
  '\u0000',
  'a\u0000b',
  '%',
  '%00',
  "'; DROP TABLE dev_mailbox; --",
  '\\',
  '_%',
  '<script>alert(1)</script>',
  '\uD800',
  'æøå',
  '👩‍👧‍👦',
  'x'.repeat(3000),
);
/** Text PostgreSQL cannot store as it is: U+0000, and unpaired surrogates (in jsonb). */
const unstorableText = fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDBFF\uDBFF', 'Solstua\u0000barnehage');
const anyText = fc.oneof(
  { arbitrary: trickyText, weight: 2 },
  { arbitrary: unstorableText, weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
);
/** Percent-encodes like encodeURIComponent; an unpaired surrogate (which it refuses) goes as the UTF-8 of U+FFFD. */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** A path segment as a client would send it: percent-encoded, or a near miss written raw. */
const segment = fc.oneof(anyText.map(encode), fc.constantFrom('1', '2', '0', '-1', '1.5', '1e3', '99999999999999999999', '%00', '%zz', '..', ORGNR));
const query = fc.dictionary(fc.constantFrom('page', 'to', 'side', 'region', 'kommune', 'status', 'leveranse', 'melding', 'deliverableId', 'orgnr', 'x'), anyText, { maxKeys: 4 });
const withQuery = (url: string, q: Record<string, string>) => (Object.keys(q).length ? `${url}?${new URLSearchParams(q).toString()}` : url);

interface Part {
  name: string;
  filename?: string;
  type?: string;
  content: string | Uint8Array;
}

/** A multipart/form-data body as a browser writes it (names and file names are not escaped: any text goes in). */
function multipart(parts: Part[], boundary = '----arshjulfc'): { payload: Buffer; type: string } {
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`),
    Buffer.from(p.content),
    Buffer.from('\r\n'),
  ]);
  return { payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

const fileContent = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  anyText,
  fc.constantFrom('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'PK\u0003\u0004', ''),
);
const part: fc.Arbitrary<Part> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('filer', 'kommentar', 'innsending', '_csrf', 'plan', 'roster'), anyText),
    filename: fc.oneof(fc.constantFrom('rapport.pdf', '../../etc/passwd', 'C:\\temp\\a.docx', '', '.', 'a\u202Egpj.pdf', 'æøå.odt'), anyText),
    type: fc.constantFrom('application/pdf', 'application/octet-stream', 'text/plain', ''),
    content: fileContent,
  },
  { requiredKeys: ['name', 'content'] },
);
/** A multipart body, one broken in transit, or a body that is not multipart at all. */
const uploadBody = fc.oneof(
  { arbitrary: fc.array(part, { maxLength: 5 }).map((parts) => multipart(parts)), weight: 4 },
  { arbitrary: fc.tuple(fc.array(part, { minLength: 1, maxLength: 3 }), fc.nat()).map(([parts, cut]) => { const m = multipart(parts); return { ...m, payload: m.payload.subarray(0, cut % m.payload.length) }; }), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary='), anyText).map(([type, text]) => ({ type, payload: Buffer.from(text) })), weight: 1 },
);

describe('the PostgreSQL-backed routes on arbitrary input', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let app: FastifyInstance;
  let storageDir: string;
  let token: string;
  let accessKey: string;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    db = await freshSchema('propapi');
    const store = new PgStore({ pool: db.pool });
    const submissions = new SubmissionRepository(db.pool);
    const accounts = new AccountRepository(db.pool);
    const mailbox = new MailboxRepository(db.pool);
    storageDir = mkdtempSync(path.join(tmpdir(), 'arshjul-propapi-'));
    const files = new FileStore(storageDir);
    await files.init();
    const roster = parseRoster(exampleCsv, 'roster.csv', plan);
    await store.createRun(RUN_ID, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE);
    await mailbox.add({ mailFrom: 'arshjul@fylke.example', rcptTo: ['styrer@solstua.barnehage.example'], messageId: '<1@fylke.example>', subject: 'Hei', raw: Buffer.from('Subject: Hei\r\nFrom: arshjul@fylke.example\r\n\r\nHei.\r\n') });
    await accounts.addUser({ email: 'kari@fylke.example', name: 'Kari', passwordHash: await hashPassword(PASSWORD), role: 'coordinator', runId: null, municipalityId: null });
    accessKey = (await submissions.createAccessKey({ runId: RUN_ID, role: 'coordinator', municipalityId: null, label: 'property test' })).key;
    token = signUploadToken({ runId: RUN_ID, orgnr: ORGNR, deliverableId: 'analysis-so-far', expiresAt: Date.now() + 365 * 86_400_000, version: 1 }, TEST_UPLOAD_SECRET);

    const client = fakeClient();
    const control = { client, store, taskQueue: 'arshjul-test' };
    app = await buildApp(control, {
      uploads: { client, submissions, files, secret: TEST_UPLOAD_SECRET, limits: { maxFileBytes: 64 * 1024, maxFiles: 3 } },
      console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, files, examples: exampleFiles() },
      mailbox,
    });
    const signIn = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: `epost=kari%40fylke.example&passord=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const page = await app.inject({ method: 'GET', url: '/konsoll/ny', headers: { cookie } });
    csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  it('starts signed in, with an upload link and an access key that work', async () => {
    expect(csrf).not.toBe('');
    expect((await app.inject({ method: 'GET', url: `/api/uploads/${token}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/submissions', headers: { authorization: `Bearer ${accessKey}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/mailbox/1', headers: { cookie } })).statusCode).toBe(200);
    // The mailbox shows every director's upload link: without the coordinator's sign-in it sends to the sign-in page.
    const anonymous = await app.inject({ method: 'GET', url: '/mailbox/1' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/konsoll/logg-inn');
  });

  it('the development mailbox (signed in) with any page, filter, message and attachment number: never a 500, and a 4xx is a page', async () => {
    const url = fc.oneof(
      query.map((q) => withQuery('/mailbox', q)),
      fc.oneof(anyText, unstorableText).map((to) => withQuery('/mailbox', { to })),
      segment.map((id) => `/mailbox/${id}`),
      segment.map((id) => `/mailbox/${id}/raw`),
      fc.tuple(segment, segment).map(([id, n]) => `/mailbox/${id}/attachments/${n}`),
    );
    await fc.assert(
      fc.asyncProperty(url, async (u) => {
        const response = await app.inject({ method: 'GET', url: u, headers: { cookie } });
        expectPageOrJsonError(response);
      }),
      { numRuns: 150 },
    );
  });

  it('the upload routes with any token: a 404 that says the link is not valid, as JSON or as a page', async () => {
    // "." and ".." are not tokens: the client resolves them away, to another route.
    const anyToken = fc.oneof(segment.filter((t) => t !== '.' && t !== '..'), fc.constantFrom(`${token}x`, token.slice(0, -1), token.replace('v1.', 'v2.'), 'v1..', 'v1.a.b', `${token}.${token}`));
    const route = fc.constantFrom('GET /api/uploads/', 'POST /api/uploads/', 'GET /levering/', 'POST /levering/');
    await fc.assert(
      fc.asyncProperty(route, anyToken, uploadBody, async (r, t, body) => {
        const [method, prefix] = r.split(' ') as ['GET' | 'POST', string];
        const response = await app.inject({ method, url: `${prefix}${t}`, ...(method === 'POST' ? { payload: body.payload, headers: { 'content-type': body.type } } : {}) });
        if (prefix.startsWith('/api')) expectClearJsonAnswer(response);
        else expectPageOrJsonError(response);
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 150 },
    );
  });

  it('an upload through a genuine link with any form: never a 500, and a 4xx names the files or fields at fault', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), uploadBody, async (api, body) => {
        const url = api ? `/api/uploads/${token}` : `/levering/${token}`;
        const response = await app.inject({ method: 'POST', url, payload: body.payload, headers: { 'content-type': body.type } });
        if (api) expectClearJsonAnswer(response, true);
        else expectPageOrJsonError(response, true);
      }),
      { numRuns: 100 },
    );
  });

  it('the recipients\' downloads with any key, filter and ids: 401, 404, or a 400 naming the query field', async () => {
    const authorization = fc.oneof(fc.constant(`Bearer ${accessKey}`), fc.constant(`Bearer ${accessKey}`), anyText.map((t) => `Bearer ak_${t}`), anyText);
    const url = fc.oneof(
      query.map((q) => withQuery('/api/submissions', q)),
      segment.map((id) => `/api/submissions/${id}`),
      fc.tuple(fc.oneof(segment, fc.uuid()), segment).map(([id, n]) => `/api/submissions/${id}/files/${n}`),
    );
    await fc.assert(
      fc.asyncProperty(authorization, url, async (auth, u) => {
        const response = await app.inject({ method: 'GET', url: u, headers: { authorization: auth } });
        expectClearJsonAnswer(response);
        const issues = response.statusCode === 400 ? (response.json() as { issues?: { path: string }[] }).issues : undefined;
        for (const issue of issues ?? []) expect(['deliverableId', 'orgnr']).toContain(issue.path);
      }),
      { numRuns: 150 },
    );
  });

  type Key = string | number;
  const examplePlan = parseYaml(futurePlanText) as unknown;
  const pathsOf = (value: unknown, prefix: Key[] = []): Key[][] =>
    Array.isArray(value)
      ? value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])])
      : value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])])
        : [];
  const planPaths = pathsOf(examplePlan);
  /** The plan's free texts (titles, names, descriptions): any text is of the right type there. */
  const textPaths = planPaths.filter((p) => ['programme', 'countyName', 'title', 'description', 'location', 'name'].includes(String(p[p.length - 1])));
  const setAt = (doc: unknown, at: Key[], value: unknown) => {
    const copy = structuredClone(doc);
    const parent = at.slice(0, -1).reduce<unknown>((node, key) => (node as Record<Key, unknown>)[key], copy) as Record<Key, unknown>;
    parent[at[at.length - 1] as Key] = value;
    return copy;
  };
  const planFile = fc.oneof(
    { arbitrary: fc.constant({ name: 'plan.yaml', text: futurePlanText }), weight: 1 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...planPaths), fc.oneof(anyText, fc.jsonValue({ maxDepth: 2 })), fc.constantFrom('plan.yaml', 'plan.json')).map(([at, value, name]) => {
        const doc = setAt(examplePlan, at, value);
        return { name, text: name.endsWith('.json') ? JSON.stringify(doc) : stringifyYaml(doc) };
      }),
      weight: 4,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom(...textPaths), anyText, fc.constantFrom('plan.yaml', 'plan.json')).map(([at, value, name]) => {
        const doc = setAt(examplePlan, at, value);
        return { name, text: name.endsWith('.json') ? JSON.stringify(doc) : stringifyYaml(doc) };
      }),
      weight: 2,
    },
    { arbitrary: fc.tuple(fc.constantFrom('plan.yaml', 'plan.json', 'plan', 'æ.yml', ''), anyText).map(([name, text]) => ({ name, text })), weight: 1 },
  );
  const csvLines = exampleCsv.trimEnd().split('\n');
  const rosterFile = fc.oneof(
    { arbitrary: fc.constant({ name: 'roster.csv', text: exampleCsv }), weight: 1 },
    {
      arbitrary: fc.tuple(fc.nat({ max: csvLines.length - 1 }), fc.nat({ max: 10 }), anyText).map(([row, column, value]) => {
        const lines = [...csvLines];
        lines[row] = (lines[row] as string).split(',').map((c, j) => (j === column ? value : c)).join(',');
        return { name: 'roster.csv', text: `${lines.join('\n')}\n` };
      }),
      weight: 3,
    },
    { arbitrary: fc.tuple(fc.constantFrom('roster.csv', 'roster.json', 'roster'), anyText).map(([name, text]) => ({ name, text })), weight: 1 },
  );

  it('the console\'s new-run form with any plan and roster file: a draft with its preview, a 400 listing the issues, or a 409; never a 500', async () => {
    let previews = 0;
    await fc.assert(
      fc.asyncProperty(planFile, rosterFile, async (p, r) => {
        const body = multipart([
          { name: '_csrf', content: csrf },
          { name: 'plan', filename: p.name, type: 'application/octet-stream', content: p.text },
          { name: 'roster', filename: r.name, type: 'text/csv', content: r.text },
        ]);
        const response = await app.inject({ method: 'POST', url: '/konsoll/ny', payload: body.payload, headers: { 'content-type': body.type, cookie } });
        expect([303, 400, 409]).toContain(response.statusCode);
        if (response.statusCode === 303) {
          // A draft: its page shows the timeline.
          expect(response.headers.location).toMatch(/^\/konsoll\/ny\/[0-9a-f-]{36}$/);
          const draft = await app.inject({ method: 'GET', url: String(response.headers.location), headers: { cookie } });
          expectPageOrJsonError(draft);
          expect(draft.statusCode).toBe(200);
          expect(draft.body).toContain('Kontroller før start');
          previews += 1;
        } else {
          expectPageOrJsonError(response);
          expect(response.body).toMatch(/<div class="notice bad" role="alert" id="feil"><h2>[^<]+<\/h2><ul><li>[^<]/);
        }
      }),
      { numRuns: 120 },
    );
    expect(previews).toBeGreaterThan(0);
  });

  it('the console\'s run pages and actions with any ids, filters and form fields: never a 500', async () => {
    const action = fc.oneof(fc.constantFrom('flytt', 'forleng', 'ny-lenke', 'trekk', 'pause', 'legg-til', 'kontakt', 'melding'), segment);
    const form = fc.dictionary(fc.constantFrom('tid', 'milepel', 'region', 'hva', 'barnehage', 'leveranse', 'grunn', 'orgnr', 'navn', 'kommune', 'styrer', 'epost', 'hvem', 'emne', 'tekst', 'melding-id'), anyText, { maxKeys: 6 });
    const request = fc.oneof(
      fc.tuple(fc.oneof(fc.constant(RUN_ID), segment), query).map(([run, q]) => ({ method: 'GET' as const, url: withQuery(`/konsoll/runs/${run}`, q) })),
      fc.tuple(fc.oneof(fc.constant(RUN_ID), segment), fc.oneof(fc.constant(ORGNR), segment)).map(([run, o]) => ({ method: 'GET' as const, url: `/konsoll/runs/${run}/barnehager/${o}` })),
      fc.tuple(fc.oneof(fc.constant(RUN_ID), segment), action, form).map(([run, a, f]) => ({ method: 'GET' as const, url: withQuery(`/konsoll/runs/${run}/handling/${a}`, f) })),
      fc.tuple(fc.oneof(fc.constant(RUN_ID), segment), action, form).map(([run, a, f]) => ({ method: 'POST' as const, url: `/konsoll/runs/${run}/handling/${a}`, form: { ...f, _csrf: csrf } })),
      fc.tuple(segment, form).map(([draft, f]) => ({ method: 'POST' as const, url: `/konsoll/ny/${draft}/start`, form: { ...f, _csrf: csrf } })),
      fc.tuple(segment, fc.constantFrom('', '/plan', '/plan.yaml')).map(([draft, page]) => ({ method: 'GET' as const, url: `/konsoll/ny/${draft}${page}` })),
      fc.tuple(segment, fc.dictionary(fc.oneof(fc.constantFrom('milestones.12.at.groups.kongsvinger', 'deliverables.0.reminders', 'deliverables.0.lateAcceptanceDays', 'milestones.11.at.days'), anyText), anyText, { maxKeys: 4 })).map(([draft, f]) => ({ method: 'POST' as const, url: `/konsoll/ny/${draft}/plan`, form: { ...f, _csrf: csrf } })),
      fc.record({ programar: fc.oneof(fc.constant(RUN_ID), anyText) }).map((f) => ({ method: 'POST' as const, url: '/konsoll/ny/fra-programar', form: { ...f, _csrf: csrf } })),
      fc.constantFrom('/konsoll/mal/deltakerliste.xlsx', '/konsoll/mal/deltakerliste.csv', '/konsoll/mal/deltakerliste.pdf').map((url) => ({ method: 'GET' as const, url })),
    );
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const response = await app.inject({
          method: req.method,
          url: req.url,
          headers: { cookie, ...('form' in req ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          ...('form' in req ? { payload: new URLSearchParams(req.form).toString() } : {}),
        });
        expectPageOrJsonError(response);
      }),
      { numRuns: 150 },
    );
  });

  it('the sign-in form with any fields: a page asking again, never a 500', async () => {
    const form = fc.record({ epost: fc.oneof(anyText, unstorableText), passord: anyText, x: anyText }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(form, fc.ipV4(), async (f, ip) => {
        const response = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', remoteAddress: ip, payload: new URLSearchParams(f).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        expectPageOrJsonError(response);
        expect([400, 401, 429]).toContain(response.statusCode);
      }),
      { numRuns: 40 },
    );
  });
});
