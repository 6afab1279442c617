import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as control from '../../application/run-control';
import { signUploadToken } from '../../security/upload-tokens';
import { kindergartenWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { docx, docxBomb, elf, odt, pdf } from '../helpers/documents';
import { type ReadEmail, type UploadStack, startUploadStack, uploadLinkIn, waitForEmail } from '../helpers/upload-stack';
import { formatNorwegian } from '../../texts/norwegian-format';

jest.setTimeout(180_000);

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const LIMIT = 2 * 1024 * 1024;

/**
 * Directors' uploads over real HTTP: the API listening on a port, real PostgreSQL, the Temporal dev server running the
 * year's workflows, and an SMTP server receiving the prompts and receipts.
 */
describe('uploading through the personal link', () => {
  let s: UploadStack;
  let orgnrs: string[];
  let promptLink: string;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'uploads', kindergartens: 4, maxFileBytes: LIMIT, maxFiles: 3 });
    orgnrs = s.roster.kindergartens.map((k) => k.orgnr);
    const prompt = await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(`styrer-${orgnrs[0]}@barnehage.example`));
    promptLink = uploadLinkIn(prompt);
  });

  afterAll(async () => {
    await s?.close();
  });

  /** A token as the email activity signs it, for the deliverables whose prompt is not due (too early) or for tests. */
  async function linkFor(orgnr: string, deliverableId: string, expiresAt?: number): Promise<string> {
    const target = await s.submissions.linkTarget(s.runId, orgnr, deliverableId);
    const token = signUploadToken({ runId: s.runId, orgnr, deliverableId, expiresAt: expiresAt ?? (target?.lateUntil as number), version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    return `${s.baseUrl}/levering/${token}`;
  }

  const apiOf = (link: string) => link.replace('/levering/', '/api/uploads/');

  async function post(url: string, files: { name: string; data: Buffer; type?: string }[], fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append('filer', new Blob([f.data], { type: f.type ?? 'application/octet-stream' }), f.name);
    const response = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown>, location: response.headers.get('location'), headers: response.headers };
  }

  async function status(orgnr: string) {
    return s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).query(kindergartenStatusQuery);
  }

  it('shows the kindergarten, deliverable, deadline and status on the page the email links to', async () => {
    const response = await fetch(promptLink);
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page).toContain('<html lang="nb">');
    expect(page).toContain('<h1>Analysen så langt (modul 1 og 2)</h1>');
    expect(page).toContain(`Barnehage ${orgnrs[0]} (Kommune kongsvinger)`);
    expect(page).toContain('<label for="filer">Filer</label>');
    expect(page).toContain('Åpen for innlevering');
  });

  it('stores a PDF, has the workflow accept it, and answers with a receipt; the director and the research centre are emailed', async () => {
    const file = pdf('Analysen så langt – Solstua');
    const r = await post(apiOf(promptLink), [{ name: 'Analyse modul 1-2.pdf', data: file }], { kommentar: 'Første versjon.' });
    expect(r.status).toBe(201);
    const receipt = r.json();
    expect(receipt).toMatchObject({ state: 'accepted', version: 1, late: false, comment: 'Første versjon.' });
    expect(receipt.files).toEqual([{ name: 'Analyse modul 1-2.pdf', size: file.length, sha256: sha(file), contentType: 'application/pdf' }]);
    expect(String(receipt.receiptNumber)).toMatch(/^AH-\d{6}$/);

    const st = await status(orgnrs[0] as string);
    const d = st.deliverables.find((x) => x.id === 'analysis-so-far');
    expect(d).toMatchObject({ status: 'submitted', submissions: 1 });
    // (Reminders are then suppressed when they fall due: tests/workflows/controls.test.ts moves the clock past them.)

    const toDirector = await waitForEmail(s.sink, (e) => e.subject.includes(`Kvittering ${String(receipt.receiptNumber)}`));
    expect(toDirector.to).toEqual([`styrer-${orgnrs[0]}@barnehage.example`]);
    expect(toDirector.text).toContain(`SHA-256: ${sha(file)}`);
    expect(toDirector.text).toContain('Analyse modul 1-2.pdf');
    const notice = await waitForEmail(s.sink, (e) => e.subject.includes(`Barnehage ${orgnrs[0]} har levert Analysen så langt`));
    expect(notice.to).toEqual([s.plan.contacts.researchCentre.email]);
    // The notice's personal link signs the research centre in (no password) on the page of what is sent to it.
    const link = /last ned filene i Årshjul \(personlig lenke, ingen passord\): (\S+)/.exec(notice.text)?.[1] as string;
    expect(link).toMatch(new RegExp(`^${s.baseUrl}/mottaker/m1\\.`));
    const signedIn = await fetch(link, { redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(`/konsoll/runs/${s.runId}/mottatt`);
    const cookie = String(signedIn.headers.get('set-cookie')).split(';')[0] as string;
    const page = await (await fetch(`${s.baseUrl}/konsoll/runs/${s.runId}/mottatt`, { headers: { cookie } })).text();
    expect(page).toContain('<h1>Til forskningssenteret</h1>');
    expect(page).toContain(`Barnehage ${orgnrs[0]}`);
    const href = /href="(\/konsoll\/runs\/[^"]+\/filer\/\d+)">Analyse modul 1-2\.pdf</.exec(page)?.[1] as string;
    const opened = await fetch(`${s.baseUrl}${href}`, { headers: { cookie } });
    expect(opened.status).toBe(200);
    expect(sha(Buffer.from(await opened.arrayBuffer()))).toBe(sha(file));
    // A forged or altered link signs nobody in.
    const forged = await fetch(link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { redirect: 'manual' });
    expect(forged.status).toBe(404);
    expect(forged.headers.get('set-cookie')).toBeNull();
  });

  it('makes a resubmission before the deadline a new version; the latest counts, and a repeated form is not stored twice', async () => {
    const second = docx();
    const id = '7f3e0c2a-51b8-4c8e-9a41-2f0d6e1b9c11';
    const first = await post(apiOf(promptLink), [{ name: 'Analyse v2.docx', data: second }], { innsending: id });
    expect(first.status).toBe(201);
    expect(first.json()).toMatchObject({ version: 2, state: 'accepted' });
    const repeated = await post(apiOf(promptLink), [{ name: 'Analyse v2.docx', data: second }], { innsending: id });
    expect(repeated.status).toBe(200);
    expect(repeated.json()).toEqual(first.json());
    const listing = (await (await fetch(apiOf(promptLink))).json()) as { submissions: { version: number }[] };
    expect(listing.submissions.map((x) => x.version)).toEqual([1, 2]);
    expect((await status(orgnrs[0] as string)).deliverables.find((x) => x.id === 'analysis-so-far')?.submissions).toBe(2);
  });

  it('accepts an ODT after the deadline within the late window, marked late', async () => {
    const r = await post(apiOf(await linkFor(orgnrs[1] as string, 'full-analysis')), [{ name: 'Full analyse.odt', data: odt() }]);
    expect(r.status).toBe(201);
    expect(r.json()).toMatchObject({ state: 'accepted', late: true, version: 1 });
    expect((await status(orgnrs[1] as string)).deliverables.find((x) => x.id === 'full-analysis')?.status).toBe('submitted-late');
    // The full analysis goes to the municipal authority.
    await waitForEmail(s.sink, (e) => e.subject.includes(`Barnehage ${orgnrs[1]} har levert Full pedagogisk analyse`) && e.to.includes('barnehage@kongsvinger.kommune.example'));
  });

  it('keeps a submission the workflow refuses as too early, marked refused, and says why in bokmål', async () => {
    const link = await linkFor(orgnrs[1] as string, 'booklet-material');
    const file = pdf('Hefte');
    const api = await post(apiOf(link), [{ name: 'hefte.pdf', data: file }]);
    expect(api.status).toBe(409);
    const refused = api.json();
    expect(refused).toMatchObject({ state: 'refused' });
    expect(String(refused.refusal)).toMatch(/^Det er for tidlig: «Opplysninger til heftet om tiltak og hovedområder» åpner for innlevering /);
    const stored = await s.submissions.get(String(refused.submissionId));
    expect(stored?.state).toBe('refused');
    expect(existsSync(join(s.files.dir, 'objects', `${String(refused.submissionId)}/1`))).toBe(true);

    const page = await post(link, [{ name: 'hefte.pdf', data: file }], { innsending: '0b9e7d3c-8a1f-4f21-b3d5-6c2e1a0f9d47' });
    expect(page.status).toBe(409);
    expect(page.text).toContain('Innleveringen ble ikke tatt imot');
    expect(page.text).toContain('Det er for tidlig: «Opplysninger til heftet om tiltak og hovedområder» åpner for innlevering');
    expect(page.text).toContain('Kontakt fylkeskoordinatoren');
  });

  it('refuses a withdrawn kindergarten through its workflow, keeping the file', async () => {
    const orgnr = orgnrs[3] as string;
    await control.withdrawKindergarten(s.control, s.runId, orgnr, 'flyttet', 'test');
    for (let i = 0; i < 50 && (await status(orgnr)).state !== 'withdrawn'; i++) await new Promise((r) => setTimeout(r, 100));
    const r = await post(apiOf(await linkFor(orgnr, 'analysis-so-far')), [{ name: 'a.pdf', data: pdf() }]);
    expect(r.status).toBe(409);
    expect(String(r.json().refusal)).toMatch(/^Barnehagen ble trukket fra programmet .* og tar ikke imot flere innleveringer/);
  });

  it.each([
    ['a renamed executable', { name: 'analyse.pdf', data: elf(), type: 'application/pdf' }, 415, 'wrong-type'],
    ['plain text calling itself a DOCX', { name: 'analyse.docx', data: Buffer.from('hei'), type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }, 415, 'wrong-type'],
    ['a decompression bomb disguised as DOCX', { name: 'analyse.docx', data: docxBomb(64) }, 415, 'suspicious-archive'],
    ['an empty file', { name: 'tom.pdf', data: Buffer.alloc(0) }, 400, 'empty'],
    ['a file over the size limit', { name: 'stor.pdf', data: pdf('stor', LIMIT + 1024) }, 413, 'too-large'],
  ])('refuses %s and stores nothing', async (_label, file, code, problem) => {
    const before = (await s.submissions.listFor(s.runId, orgnrs[2] as string, 'analysis-so-far')).length;
    const link = await linkFor(orgnrs[2] as string, 'analysis-so-far');
    const r = await post(apiOf(link), [file]);
    expect(r.status).toBe(code);
    expect(r.json().issues).toEqual([{ path: file.name, message: problem }]);
    expect((await s.submissions.listFor(s.runId, orgnrs[2] as string, 'analysis-so-far')).length).toBe(before);
    const page = await post(link, [file], { innsending: '5d0c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f' });
    expect(page.status).toBe(code);
    expect(page.text).toContain('Innleveringen ble ikke sendt');
    expect(page.text).toContain('Ingenting er lagret');
  });

  it('refuses more files than allowed in one submission', async () => {
    const r = await post(apiOf(await linkFor(orgnrs[2] as string, 'analysis-so-far')), [1, 2, 3, 4].map((i) => ({ name: `${i}.pdf`, data: pdf(String(i)) })));
    expect(r.status).toBe(413);
  });

  it('shows a file name with path parts and HTML, and a comment with a script, as plain text', async () => {
    const link = await linkFor(orgnrs[2] as string, 'analysis-so-far');
    const r = await post(link, [{ name: '../../etc/<img src=x onerror=alert(1)>.pdf', data: pdf() }], { innsending: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', kommentar: '<script>alert("x")</script>' });
    expect(r.status).toBe(303);
    const receipt = await fetch(`${s.baseUrl}${r.location as string}`);
    const html = await receipt.text();
    expect(receipt.status).toBe(200);
    expect(html).toContain('Kvittering');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<img/);
    const stored = await s.submissions.get('9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d');
    expect(stored?.files[0]?.name).toBe('<img src=x onerror=alert(1)>.pdf');
    const notice = await waitForEmail(s.sink, (e: ReadEmail) => e.subject.includes(`Barnehage ${orgnrs[2]} har levert`));
    expect(notice.html).not.toMatch(/<script|<img/);
  });

  it('refuses forged, foreign and expired links with a page that names no other kindergarten', async () => {
    const token = promptLink.split('/levering/')[1] as string;
    const [v, payload] = token.split('.');
    const forged = await fetch(`${s.baseUrl}/levering/${v}.${payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect(forged.status).toBe(404);
    const forgedPage = await forged.text();
    expect(forgedPage).toContain('Lenken er ikke gyldig');
    expect(forgedPage).not.toContain(orgnrs[0] as string);
    // Another kindergarten's claims under this kindergarten's signature.
    const foreignPayload = Buffer.from(JSON.stringify([s.runId, orgnrs[1], 'analysis-so-far', Date.now() + 86_400_000, 1])).toString('base64url');
    const foreign = await fetch(`${s.baseUrl}/levering/v1.${foreignPayload}.${token.split('.')[2]}`);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain(orgnrs[1] as string);
    const other = await signUploadToken({ runId: s.runId, orgnr: orgnrs[1] as string, deliverableId: 'analysis-so-far', expiresAt: Date.now() + 86_400_000, version: 1 }, 'another-secret-of-at-least-32-characters!!');
    expect((await fetch(`${s.baseUrl}/levering/${other}`)).status).toBe(404);
    const expired = await fetch(await linkFor(orgnrs[2] as string, 'full-analysis', Date.now() - 86_400_000 * 3));
    // Expired by its own claim, but the deliverable's late window is still open: the link still works.
    expect(expired.status).toBe(200);
    const gone = signUploadToken({ runId: s.runId, orgnr: orgnrs[2] as string, deliverableId: 'full-analysis', expiresAt: Date.now() - 1000, version: 1 }, TEST_UPLOAD_SECRET);
    await s.store.recordDeliverableStatus({ runId: s.runId, orgnr: orgnrs[2] as string, deliverableId: 'full-analysis', status: 'missed', dueAt: Date.now() - 86_400_000, lateUntil: Date.now() - 1000, at: Date.now() });
    const expiredPage = await fetch(`${s.baseUrl}/levering/${gone}`);
    expect(expiredPage.status).toBe(410);
    expect(await expiredPage.text()).toContain('Lenken er utløpt');
  });

  it('re-issues a link: the old one is revoked and the director is emailed a new one that works', async () => {
    const orgnr = orgnrs[1] as string;
    const old = await linkFor(orgnr, 'analysis-so-far');
    const result = await control.reissueUploadLink(s.control, s.runId, orgnr, 'analysis-so-far', 'koordinator');
    expect(result.version).toBe(2);
    const revoked = await fetch(old);
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain('Lenken er erstattet');
    const email = await waitForEmail(s.sink, (e) => e.subject.includes('Ny lenke for innlevering') && e.to.includes(`styrer-${orgnr}@barnehage.example`));
    const fresh = uploadLinkIn(email);
    expect((await fetch(fresh)).status).toBe(200);
    const r = await post(apiOf(fresh), [{ name: 'ny.pdf', data: pdf() }]);
    expect(r.status).toBe(201);
  });

  it('lets each recipient download what is addressed to it with its own access key, and nothing else', async () => {
    const centre = await s.submissions.createAccessKey({ runId: s.runId, role: 'research-centre', municipalityId: null, label: 'SePU' });
    const authority = await s.submissions.createAccessKey({ runId: s.runId, role: 'municipal-authority', municipalityId: 'm-kongsvinger', label: 'Kongsvinger' });
    const elsewhere = await s.submissions.createAccessKey({ runId: s.runId, role: 'municipal-authority', municipalityId: 'm-elsewhere', label: 'Andre' });
    const get = (path: string, key?: string) => fetch(`${s.baseUrl}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

    expect((await get('/api/submissions')).status).toBe(401);
    const list = (await (await get('/api/submissions', centre.key)).json()) as { submissions: { submissionId: string; deliverableId: string; fileUrls: string[]; files: { sha256: string }[] }[] };
    expect(list.submissions.length).toBeGreaterThan(0);
    expect(new Set(list.submissions.map((x) => x.deliverableId))).toEqual(new Set(['analysis-so-far']));
    const first = list.submissions[0];
    const download = await get(first?.fileUrls[0] as string, centre.key);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(sha(Buffer.from(await download.arrayBuffer()))).toBe(first?.files[0]?.sha256);

    const theirs = (await (await get('/api/submissions', authority.key)).json()) as { submissions: { deliverableId: string; submissionId: string }[] };
    expect(theirs.submissions.map((x) => x.deliverableId)).toEqual(['full-analysis']);
    expect((await (await get('/api/submissions', elsewhere.key)).json())).toEqual({ submissions: [] });
    expect((await get(`/api/submissions/${first?.submissionId}`, authority.key)).status).toBe(404);
    expect((await get(`/api/submissions/${theirs.submissions[0]?.submissionId}/files/1`, elsewhere.key)).status).toBe(404);
  });

  it('describes the upload and download API in OpenAPI generated from the zod schemas', async () => {
    const doc = (await (await fetch(`${s.baseUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/uploads/{token}', '/api/submissions', '/api/submissions/{submissionId}/files/{position}', '/api/runs/{runId}']));
    expect(Object.keys(doc.paths['/api/uploads/{token}']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['201', '409', '413', '415']));
  });
});

/**
 * A director whose municipality writes nynorsk (the roster's `language: nn`) meets a refusal: the workflow's reason is
 * kept as data with the submission and worded on the page in the page's standard, when refused and when read again.
 */
describe('a refused upload from a kindergarten of a nynorsk municipality', () => {
  let s: UploadStack;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'uploadsnn', kindergartens: 1, roster: (r) => ({ ...r, municipalities: r.municipalities.map((m) => ({ ...m, language: 'nn' as const })) }) });
    // The prompt of the open deliverable says the kindergarten's workflow is running.
    await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(`styrer-${s.roster.kindergartens[0]?.orgnr}@barnehage.example`));
  });

  afterAll(async () => {
    await s?.close();
  });

  it('says in nynorsk why a too-early upload was refused (409), and in bokmål with ?malform=nb, from the refusal kept as data', async () => {
    const orgnr = s.roster.kindergartens[0]?.orgnr as string;
    const target = await s.submissions.linkTarget(s.runId, orgnr, 'booklet-material');
    const link = `${s.baseUrl}/levering/${signUploadToken({ runId: s.runId, orgnr, deliverableId: 'booklet-material', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET)}`;
    const opensAt = s.timeline.deliverables.find((d) => d.id === 'booklet-material')?.windows[0]?.opensAt as number;
    const title = 'Opplysninger til heftet om tiltak og hovedområder';
    const id = '3c5e2a71-9d4b-4f0e-8a26-1b7c9e0d5f43';
    const send = async (url: string) => {
      const form = new FormData();
      form.append('innsending', id);
      form.append('filer', new Blob([pdf('Hefte')], { type: 'application/pdf' }), 'hefte.pdf');
      const response = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
      return { status: response.status, text: await response.text() };
    };

    const nn = await send(link);
    expect(nn.status).toBe(409);
    expect(nn.text).toContain('<html lang="nn">');
    expect(nn.text).toContain('<h1>Innleveringa vart ikkje teken imot</h1>');
    expect(nn.text).toContain(`<p>Det er for tidleg: «${title}» opnar for innlevering ${formatNorwegian(opensAt, 'dateTime', 'Europe/Oslo', 'nn')}.</p>`);
    expect(nn.text).not.toContain('for tidlig');

    // The row keeps the bokmål text for the coordinator and the refusal as data for the director's pages.
    const stored = await s.submissions.get(id);
    expect(stored).toMatchObject({ state: 'refused', refusalData: { code: 'not-open-yet', deliverable: title, opensAt } });
    expect(stored?.refusal).toBe(`Det er for tidlig: «${title}» åpner for innlevering ${formatNorwegian(opensAt)}.`);

    // The same form again, read in bokmål: worded anew from the stored data, not asked of the workflow again.
    const nb = await send(`${link}?malform=nb`);
    expect(nb.status).toBe(409);
    expect(nb.text).toContain('<html lang="nb">');
    expect(nb.text).toContain('<h1>Innleveringen ble ikke tatt imot</h1>');
    expect(nb.text).toContain(`<p>Det er for tidlig: «${title}» åpner for innlevering ${formatNorwegian(opensAt, 'dateTime', 'Europe/Oslo', 'nb')}.</p>`);

    // A row refused before the data was kept shows its stored text, marked as bokmål on the nynorsk page.
    await s.pool.query('UPDATE submissions SET refusal_data = NULL WHERE id = $1', [id]);
    const old = await send(link);
    expect(old.status).toBe(409);
    expect(old.text).toContain('<html lang="nn">');
    expect(old.text).toContain(`<p lang="nb">Det er for tidlig: «${title}» åpner for innlevering ${formatNorwegian(opensAt)}.</p>`);
  });
});
