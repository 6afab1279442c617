import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { ORGNR, RUN_ID, cannedApp, runStatus } from '../helpers/canned-api';

/**
 * Property tests of the API's answers to outside input, on the app that tests/unit/api-routes.test.ts builds (a fake
 * Temporal client answering from canned statuses, the in-memory store, no uploads, console or mailbox): whatever the
 * path parameters, method, body or content type, the answer is never a 500, and a 4xx answer is JSON that says what
 * was wrong: an `issues` array naming the path parameter, or an `error` message.
 */

const RUN_ID_FORM = /^arshjul-\d{4}-[a-z0-9-]+$/;
const NUM_RUNS = 200;

/** Never a 500; a 4xx is JSON with an `error` message, and its `issues` (if any) each name a path and say what. */
function expectClearAnswer(response: LightMyRequestResponse): void {
  // The start of the body goes into the comparison, to show what the server said.
  expect(response.statusCode >= 500 ? `${response.statusCode}: ${response.body.slice(0, 300)}` : 'no 5xx').toBe('no 5xx');
  if (response.statusCode < 400) return;
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as { error?: unknown; issues?: unknown };
  expect(typeof body.error).toBe('string');
  expect(String(body.error).trim()).not.toBe('');
  if (body.issues !== undefined) {
    expect(Array.isArray(body.issues)).toBe(true);
    for (const issue of body.issues as { path?: unknown; message?: unknown }[]) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(String(issue.message).trim()).not.toBe('');
    }
  }
}

/** Path segments: well-formed ids and numbers, near misses, and any text at all. */
const trickySegment = fc.constantFrom(
  RUN_ID,
  'arshjul-2017-ukjent',
  'arshjul-2017-',
  'ARSHJUL-2017-HEDMARK',
  'arshjul-17-hedmark',
  'arshjul-2017-hedmark\n',
  'arshjul-2017-hed_mark',
  ORGNR,
  '931514784',
  '97602808',
  '9760280821',
  '976 028 082',
  '-1',
  '0',
  'NaN',
  '..',
  '.',
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  '%C0%AF',
  '%2F',
  '%252F',
  '?x=1',
  '#frag',
  ';',
  '__proto__',
  'constructor',
  'æøå',
  '👩‍👧‍👦',
  'x'.repeat(3000),
);
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }));
/** Percent-encodes like encodeURIComponent; an unpaired surrogate (which it refuses) goes as the UTF-8 of U+FFFD. */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** A segment as a client would send it: percent-encoded, or written raw (with whatever that breaks). */
const segment = fc.oneof(
  { arbitrary: trickySegment, weight: 2 },
  { arbitrary: trickySegment.map(encode), weight: 1 },
  { arbitrary: anyText.map(encode), weight: 3 },
  { arbitrary: fc.string({ unit: fc.constantFrom('a', '1', '-', '%', '/', '.', '?', '#', ' ', 'æ', '\\', '"', '<'), maxLength: 20 }), weight: 2 },
);
/** Hides the one run id whose failure api-routes.test.ts arranges on purpose. */
const notBroken = (s: string) => !s.includes('broken');

describe('the API routes on arbitrary input', () => {
  let app: FastifyInstance;
  let queried: string[];

  beforeAll(async () => {
    queried = [];
    app = await cannedApp(queried);
  });

  afterAll(async () => {
    await app.close();
  });

  it('GET /api/runs/:runId with any run id: 200, 404, or a 400 naming path.runId without asking Temporal', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: fc.constantFrom(RUN_ID, 'arshjul-2018-hedmark'), weight: 1 }, { arbitrary: segment.filter(notBroken), weight: 4 }), async (runId) => {
        queried.length = 0;
        const response = await app.inject({ method: 'GET', url: `/api/runs/${runId}` });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expectClearAnswer(response);
        if (response.statusCode === 400 && (response.json() as { issues?: unknown }).issues) {
          expect(response.json()).toEqual({ error: 'Invalid path', issues: [{ path: 'path.runId', message: 'expected a run id like arshjul-2017-hedmark' }] });
          expect(queried).toEqual([]);
        }
        // Temporal is asked only about well-formed run ids.
        for (const id of queried) expect(id).toMatch(RUN_ID_FORM);
      }),
      { numRuns: NUM_RUNS },
    );
    // Each kind of answer was reached: the run, an unknown run, and a refused id.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 404]));
  });

  it('GET /api/runs/:runId/kindergartens/:orgnr with any ids: 200, 404, or a 400 whose issues name the bad parameters', async () => {
    const runId = fc.oneof(fc.constant(RUN_ID), segment.filter(notBroken));
    const orgnr = fc.oneof(fc.constant(ORGNR), segment);
    await fc.assert(
      fc.asyncProperty(runId, orgnr, async (r, o) => {
        queried.length = 0;
        const response = await app.inject({ method: 'GET', url: `/api/runs/${r}/kindergartens/${o}` });
        expectClearAnswer(response);
        const body = response.statusCode === 400 ? (response.json() as { issues?: { path: string }[] }) : {};
        if (body.issues) {
          expect(body.issues.length).toBeGreaterThan(0);
          for (const issue of body.issues) expect(['path.runId', 'path.orgnr']).toContain(issue.path);
          expect(queried).toEqual([]);
        }
        for (const id of queried) expect(id).toMatch(/^arshjul-\d{4}-[a-z0-9-]+-bhg-\d{9}$/);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  const payload = fc.oneof(
    fc.jsonValue().map((v) => ({ type: 'application/json', body: JSON.stringify(v) })),
    anyText.map((t) => ({ type: 'application/json', body: t })),
    fc.dictionary(fc.string({ maxLength: 10 }), anyText, { maxKeys: 4 }).map((d) => ({ type: 'application/x-www-form-urlencoded', body: new URLSearchParams(d).toString() })),
    anyText.map((t) => ({ type: 'application/x-www-form-urlencoded', body: t })),
    fc.tuple(fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=x', 'text/plain', 'application/xml', 'application/octet-stream', '', 'application/json; charset=latin1', 'x/y;;;'), anyText).map(([type, body]) => ({ type, body })),
  );
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') as fc.Arbitrary<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD'>;
  const url = fc.oneof(
    fc.constantFrom(`/api/runs/${RUN_ID}`, `/api/runs/${RUN_ID}/kindergartens/${ORGNR}`, '/api/runs/not-a-run', '/health', '/api/openapi.json', '/api/uploads/abc', '/konsoll', '/mailbox/1'),
    fc.tuple(segment.filter(notBroken), segment).map(([r, o]) => `/api/runs/${r}/kindergartens/${o}`),
    // Under a fixed first segment: inject() cannot send a path that begins "//" or "/\\" (it reads that as a host).
    fc.tuple(fc.constantFrom('api', 'api/runs', 'konsoll', 'levering'), fc.array(segment.filter(notBroken), { maxLength: 4 })).map(([root, parts]) => `/${root}/${parts.join('/')}`),
  );

  it('any method, body and content type on the API paths: never a 500, and a 4xx says what was wrong', async () => {
    await fc.assert(
      fc.asyncProperty(method, url, payload, anyText, async (m, u, p, query) => {
        const response = await app.inject({
          method: m,
          url: `${u}?q=${encode(query)}`,
          headers: p.type ? { 'content-type': p.type } : {},
          ...(m === 'GET' || m === 'HEAD' ? {} : { payload: p.body }),
        });
        if (m === 'HEAD') {
          expect(response.statusCode).toBeLessThan(500);
          return;
        }
        expectClearAnswer(response);
      }),
      { numRuns: 300 },
    );
  });

  it('still answers the example run after all of it', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${RUN_ID}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(expect.objectContaining({ run: runStatus }));
  });
});
