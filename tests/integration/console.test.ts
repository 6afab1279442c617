import { DateTime } from 'luxon';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { Client, Connection } from '@temporalio/client';
import { DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { exampleFiles } from '../../api/main';
import { parsePlan } from '../../planning/load-plan';
import { parseRoster } from '../../planning/roster-import';
import { loadExamplePlan } from '../helpers/example-plan';
import { buildApp } from '../../api/server';
import { freePort } from '../helpers/processes';
import { INTERACTIVE_GRPC_INTERCEPTORS } from '../../temporal/connection';
import { signUploadToken } from '../../security/upload-tokens';
import { pdf } from '../helpers/documents';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { hashPassword } from '../../security/passwords';
import { kindergartenWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { type UploadStack, startUploadStack } from '../helpers/upload-stack';
import { initialDeliverables, runPlan } from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { runWorkflowId } from '../../domain/ids';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { formatNorwegian } from '../../texts/norwegian-format';
import { runWorkflow } from '../../workflows/run-workflow';
import { EXAMPLE_GROUPS, buildRoster } from '../helpers/roster-builder';
import { futurePlan } from '../helpers/temporal';

jest.setTimeout(180_000);

const PASSWORD = 'korrekt-hest-batteri-stift';
/** English a person must never read (issue 13's list), as whole words. */
const ENGLISH = /\b(must|expected|invalid|already exists|not found|error|unknown|required|failed|submitted|deadline|should|cannot|undefined|null|NaN|milestones?|occurrences?)\b/i;

/** What a person reads of a page: the body's text without markup, entities decoded, whitespace collapsed. */
function pageText(body: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
  return body
    .replace(/<head>[\s\S]*<\/head>/, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => entities[e] as string)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The coordinator's console through Fastify's inject, against real PostgreSQL and a running year on the dev server:
 * sign-in, sessions and CSRF, the run page from the read model, a kindergarten's page, exports, every action through
 * a preview and a confirmation, the audit log, and recipients' limited read access.
 */
describe('the coordinator console', () => {
  let s: UploadStack;
  let coordinatorCookie: string;
  let orgnrs: string[];

  beforeAll(async () => {
    s = await startUploadStack({ label: 'console', kindergartens: 4 });
    orgnrs = s.roster.kindergartens.map((k) => k.orgnr);
    await s.accounts.addUser({ email: 'kari@fylke.example', name: 'Kari Koordinator', passwordHash: await hashPassword(PASSWORD), role: 'coordinator', runId: null, municipalityId: null });
    await s.accounts.addUser({ email: 'kommune@kongsvinger.example', name: 'Kongsvinger kommune', passwordHash: await hashPassword(PASSWORD), role: 'municipal-authority', runId: s.runId, municipalityId: 'm-kongsvinger' });
    await s.accounts.addUser({ email: 'annen@kommune.example', name: 'Annen kommune', passwordHash: await hashPassword(PASSWORD), role: 'municipal-authority', runId: s.runId, municipalityId: 'm-annen' });
    coordinatorCookie = await signIn('kari@fylke.example');
  });

  afterAll(async () => {
    await s?.close();
  });

  async function signIn(email: string, password = PASSWORD): Promise<string> {
    const r = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: new URLSearchParams({ epost: email, passord: password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.statusCode).toBe(303);
    const cookie = String(r.headers['set-cookie']).split(';')[0] as string;
    expect(cookie).toMatch(/^arshjul_sesjon=/);
    return cookie;
  }

  const get = (url: string, cookie = coordinatorCookie) => s.app.inject({ method: 'GET', url, headers: { cookie } });
  function post(url: string, form: Record<string, string>, cookie = coordinatorCookie) {
    const options: InjectOptions = { method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } };
    return s.app.inject(options);
  }
  async function csrf(cookie = coordinatorCookie): Promise<string> {
    const page = await get('/konsoll', cookie);
    return /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
  }

  it('sends visitors without a session to sign in, and refuses a wrong password with one message for every case', async () => {
    const r = await s.app.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}` });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/konsoll/logg-inn');
    const wrong = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: 'epost=kari%40fylke.example&passord=feil', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Feil e-post eller passord.');
    const unknown = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: 'epost=ingen%40fylke.example&passord=feil', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('Feil e-post eller passord.');
  });

  it('sets a session cookie that is HttpOnly and SameSite, and ends it on sign-out', async () => {
    const r = await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: `epost=kari%40fylke.example&passord=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const header = String(r.headers['set-cookie']);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    const cookie = header.split(';')[0] as string;
    expect((await get('/konsoll', cookie)).statusCode).toBe(200);
    expect((await post('/konsoll/logg-ut', { _csrf: 'wrong' }, cookie)).statusCode).toBe(403);
    const out = await post('/konsoll/logg-ut', { _csrf: await csrf(cookie) }, cookie);
    expect(out.statusCode).toBe(303);
    expect((await get('/konsoll', cookie)).statusCode).toBe(303);
  });

  it("shows the run: timeline chart with today's line, the progress matrix with counts, and what needs attention", async () => {
    const r = await get(`/konsoll/runs/${s.runId}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.body).toContain('<svg viewBox=');
    expect(r.body).toContain('class="today"');
    expect(r.body).toContain('<table class="matrix">');
    for (const orgnr of orgnrs) expect(r.body).toContain(`/barnehager/${orgnr}`);
    expect(r.body).toContain('Analysen så langt (modul 1 og 2)');
    expect(r.body).toMatch(/<span class="status open">åpen<\/span> 4/);
    expect(r.body).toContain('Trenger oppfølging');
    const filtered = await get(`/konsoll/runs/${s.runId}?kommune=m-ingen`);
    expect(filtered.body).toContain('0 barnehager');
  });

  it("shows a kindergarten's deliverables, emails and next emails", async () => {
    const r = await get(`/konsoll/runs/${s.runId}/barnehager/${orgnrs[0]}`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`Barnehage ${orgnrs[0]}`);
    expect(r.body).toContain('Neste e-post');
    expect(r.body).toContain('Sendt e-post');
  });

  it('refuses an action without the CSRF token, and refuses actions to readers', async () => {
    const r = await post(`/konsoll/runs/${s.runId}/handling/trekk`, { barnehage: orgnrs[2] as string, grunn: 'test' });
    expect(r.statusCode).toBe(403);
    const reader = await signIn('kommune@kongsvinger.example');
    expect((await get(`/konsoll/runs/${s.runId}/handling/pause?hva=pause`, reader)).statusCode).toBe(403);
    expect((await (await get(`/konsoll/runs/${s.runId}/barnehager/${orgnrs[2]}`)).body)).toContain('Barnehage');
    expect((await get(`/konsoll/runs/${s.runId}/barnehager/${orgnrs[2]}`)).statusCode).toBe(200);
  });

  it('previews a withdrawal, then withdraws through the same code path as the CLI, and writes the audit log', async () => {
    const orgnr = orgnrs[2] as string;
    const preview = await get(`/konsoll/runs/${s.runId}/handling/trekk?barnehage=${orgnr}&grunn=${encodeURIComponent('Flyttet <ut>')}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Dette endres');
    expect(preview.body).toContain('Flyttet &lt;ut&gt;');
    const done = await post(`/konsoll/runs/${s.runId}/handling/trekk`, { _csrf: await csrf(), barnehage: orgnr, grunn: 'Flyttet <ut>' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/konsoll/runs/${s.runId}/barnehager/${orgnr}?melding=trukket`);
    const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).query(kindergartenStatusQuery);
    expect(status.state).toBe('withdrawn');
    const audit = await s.accounts.listAudit(s.runId);
    expect(audit[0]).toMatchObject({ actor: 'kari@fylke.example', action: 'kindergarten-withdrawn', details: expect.objectContaining({ orgnr, reason: 'Flyttet <ut>' }) });
    // Written once, by the run workflow's Update: the console writes no second entry of its own.
    expect(audit.filter((a) => a.action === 'kindergarten-withdrawn')).toHaveLength(1);
    await expect(s.databaseUrl).toBeTruthy();
  });

  it('extends a deadline and re-issues a link after a preview', async () => {
    const orgnr = orgnrs[1] as string;
    const extend = await post(`/konsoll/runs/${s.runId}/handling/forleng`, { _csrf: await csrf(), barnehage: orgnr, leveranse: 'full-analysis', tid: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10) + 'T16:00' });
    expect(extend.statusCode).toBe(303);
    const st = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).query(kindergartenStatusQuery);
    expect(st.deliverables.find((d) => d.id === 'full-analysis')?.extended).toBe(true);
    const link = await post(`/konsoll/runs/${s.runId}/handling/ny-lenke`, { _csrf: await csrf(), barnehage: orgnr, leveranse: 'analysis-so-far' });
    expect(link.statusCode).toBe(303);
    expect(await s.submissions.linkTarget(s.runId, orgnr, 'analysis-so-far')).toMatchObject({ linkVersion: 2 });
    const actions = (await s.accounts.listAudit(s.runId)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['deadline-extended', 'upload-link-reissued']));
    // The audit log says it in sentences, with the kindergarten's name and Oslo dates; no JSON, no epoch milliseconds.
    const log = (await get(`/konsoll/runs/${s.runId}/revisjon`)).body;
    const name = (await new ConsoleRepository(s.pool).kindergarten(s.runId, orgnr))?.name as string;
    expect(log).toMatch(new RegExp(`Forlenget fristen for «[^»]+» for ${name} fra [a-zæøå]+dag \\d+\\. [a-zæøå]+ \\d{4} kl\\. \\d{2}\\.\\d{2} til `));
    expect(log).toContain(`Sendte ny innleveringslenke for «`);
    expect(log).not.toMatch(/\{"|\d{13}/);
  });

  /** Waits until the SMTP sink has received `n` messages that match. */
  async function received(match: (m: (typeof s.sink.messages)[number]) => boolean, n: number) {
    for (let i = 0; i < 300 && s.sink.messages.filter(match).length < n; i++) await new Promise((r) => setTimeout(r, 100));
    return s.sink.messages.filter(match);
  }

  it('changes a director after a preview: later emails and a re-issued link go to the new one, the old link stops working', async () => {
    const orgnr = orgnrs[3] as string;
    const oldTarget = await s.submissions.linkTarget(s.runId, orgnr, 'analysis-so-far');
    const oldToken = signUploadToken({ runId: s.runId, orgnr, deliverableId: 'analysis-so-far', expiresAt: oldTarget?.lateUntil as number, version: oldTarget?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const form = { barnehage: orgnr, hvem: 'styrer', navn: 'Nina Nystyrer', epost: 'nina.ny@barnehage.example' };
    const preview = await get(`/konsoll/runs/${s.runId}/handling/kontakt?${new URLSearchParams(form).toString()}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Nina Nystyrer, nina.ny@barnehage.example');
    expect(preview.body).toMatch(/får \d+ nye? innleveringslenke/);
    expect(preview.body).toContain('Analysen så langt (modul 1 og 2)');
    const done = await post(`/konsoll/runs/${s.runId}/handling/kontakt`, { _csrf: await csrf(), ...form });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/konsoll/runs/${s.runId}/barnehager/${orgnr}?melding=kontakt`);
    const links = await received((m) => m.rcptTo.includes('nina.ny@barnehage.example') && /Ny lenke/.test(m.mail.subject ?? ''), 1);
    expect(links.length).toBeGreaterThanOrEqual(1);
    expect(links[0]?.mail.text).toMatch(/Last opp her: http/);
    // The link the old director had is revoked; the page says so instead of taking files.
    const old = await fetch(`${s.baseUrl}/levering/${oldToken}`);
    expect(await old.text()).not.toContain('type="file"');
    const page = (await get(`/konsoll/runs/${s.runId}/barnehager/${orgnr}`)).body;
    expect(page).toContain('Nina Nystyrer, nina.ny@barnehage.example');
    const log = (await get(`/konsoll/runs/${s.runId}/revisjon`)).body;
    expect(log).toMatch(/Endret styrer for [^<]+ fra [^<]+ til Nina Nystyrer \(nina\.ny@barnehage\.example\); \d+ (åpen lenke|åpne lenker) sendt på nytt/);
    const same = await post(`/konsoll/runs/${s.runId}/handling/kontakt`, { _csrf: await csrf(), ...form });
    expect(same.statusCode).toBe(409);
    expect(same.body).toContain('har allerede dette navnet og denne e-postadressen');
  });

  it('messages everyone who has not submitted, once however often the form is sent', async () => {
    const form = { leveranse: 'analysis-so-far', emne: 'Husk analysen', tekst: 'Hei!\n\nVi venter på analysen deres.' };
    const preview = await get(`/konsoll/runs/${s.runId}/handling/melding?${new URLSearchParams(form).toString()}`);
    expect(preview.statusCode).toBe(200);
    const id = /name="melding-id" value="([^"]+)"/.exec(preview.body)?.[1] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const open = (await s.store.nonSubmitters(s.runId, 'analysis-so-far')).map((k) => k.orgnr);
    expect(open.length).toBeGreaterThan(0);
    expect(preview.body).toContain(`Barnehagene (${open.length})`);
    for (let i = 0; i < 2; i++) expect((await post(`/konsoll/runs/${s.runId}/handling/melding`, { _csrf: await csrf(), ...form, 'melding-id': id })).statusCode).toBe(303);
    const messages = await received((m) => m.mail.subject === 'Kultur for læring: Husk analysen', open.length);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.sink.messages.filter((m) => m.mail.subject === 'Kultur for læring: Husk analysen')).toHaveLength(open.length);
    expect(messages[0]?.mail.text).toContain('Vi venter på analysen deres.');
    expect(messages[0]?.mail.text).toMatch(/Fristen for «Analysen så langt \(modul 1 og 2\)» er /);
    const actions = (await s.accounts.listAudit(s.runId)).filter((a) => a.action === 'message-sent');
    expect(actions).toHaveLength(1);
    expect((await get(`/konsoll/runs/${s.runId}/revisjon`)).body).toContain(`Sendte en melding om «Analysen så langt (modul 1 og 2)» til ${open.length} barnehager som ikke har levert: «Husk analysen».`);
  });

  it('shows a refusal by the workflow instead of doing anything (a date in the past)', async () => {
    const r = await post(`/konsoll/runs/${s.runId}/handling/forleng`, { _csrf: await csrf(), barnehage: orgnrs[0] as string, leveranse: 'analysis-so-far', tid: '2020-01-01T16:00' });
    expect(r.statusCode).toBe(409);
    expect(r.body).toContain('Den nye fristen,');
    expect(r.body).toContain('har allerede vært.');
    expect(r.body).not.toMatch(/deadline|ApplicationFailure|Error/);
  });

  it('exports the status as CSV, and gives a municipal authority only its own kindergartens', async () => {
    const csv = await get(`/konsoll/runs/${s.runId}/status.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe(
      'Barnehage;Organisasjonsnummer;Kommune;Region;Workshopgruppe;Innlevering;Status;Frist (norsk tid);Sene innleveringer til (norsk tid);kommune_id;region_id;gruppe_id;innlevering_id;status_kode;frist_utc;sen_til_utc',
    );
    // A row a person reads: names, the state in words and Oslo time; then the ids, the code and UTC for programs.
    const cells = (lines[1] ?? '').split(';');
    expect(cells[6]).toMatch(/^(ikke åpnet|åpen|levert|levert sent|forfalt|ikke levert|trukket)$/);
    expect(cells[7]).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
    expect(cells[13]).toMatch(/^[a-z-]+$/);
    expect(cells[14]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const [day, month, year, hour, minute] = (cells[7] ?? '').split(/[. :]/).map(Number) as number[];
    const oslo = DateTime.fromObject({ year, month, day, hour, minute }, { zone: 'Europe/Oslo' });
    expect(oslo.toUTC().toFormat("yyyy-MM-dd'T'HH:mm")).toBe((cells[14] ?? '').slice(0, 16));
    expect(cells[0]).not.toMatch(/^\d+$/);
    expect(lines).toHaveLength(1 + orgnrs.length * 3);
    const other = await signIn('annen@kommune.example');
    const theirs = await get(`/konsoll/runs/${s.runId}`, other);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).toContain('0 barnehager');
    expect((await get(`/konsoll/runs/${s.runId}/barnehager/${orgnrs[0]}`, other)).statusCode).toBe(404);
    expect((await get(`/konsoll/runs/${s.runId}/status.csv`, other)).body.trim().split('\r\n')).toHaveLength(1);
    expect((await get('/konsoll/runs/arshjul-2030-annet', other)).statusCode).toBe(403);
  });

  it("exports a region's accepted submissions as one zip that an independent reader opens", async () => {
    const orgnr = orgnrs[0] as string;
    const target = await s.submissions.linkTarget(s.runId, orgnr, 'analysis-so-far');
    const token = signUploadToken({ runId: s.runId, orgnr, deliverableId: 'analysis-so-far', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const file = pdf('Analyse for zip', 200_000);
    const form = new FormData();
    form.append('filer', new Blob([file]), 'Analyse æøå.pdf');
    expect((await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form })).status).toBe(201);

    const r = await get(`/konsoll/runs/${s.runId}/regioner/kongsvinger/innleveringer.zip`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/zip');
    const path = join(mkdtempSync(join(tmpdir(), 'arshjul-zip-')), 'region.zip');
    writeFileSync(path, r.rawPayload);
    const listing = JSON.parse(
      execFileSync('python3', ['-c', 'import zipfile,sys,json,hashlib; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({"bad": z.testzip(), "files": {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}}))', path], { encoding: 'utf8' }),
    ) as { bad: string | null; files: Record<string, string> };
    expect(listing.bad).toBeNull();
    const entry = Object.entries(listing.files).find(([name]) => name.endsWith('Analyse æøå.pdf'));
    expect(entry?.[0]).toMatch(new RegExp(`^Kommune kongsvinger/Barnehage ${orgnr} ${orgnr}/analysis-so-far/v1 AH-\\d{6} Analyse æøå\\.pdf$`));
    expect(entry?.[1]).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('opens a submitted file from the kindergarten page, and not for an authority of another municipality', async () => {
    const page = (await get(`/konsoll/runs/${s.runId}/barnehager/${orgnrs[0]}`)).body;
    const href = /href="(\/konsoll\/runs\/[^"]+\/innleveringer\/[^"]+\/filer\/\d+)"/.exec(page)?.[1] as string;
    expect(href).toBeDefined();
    const file = await get(href);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(String(file.headers['content-disposition'])).toMatch(/^inline; filename=/);
    const [stored] = (await s.submissions.listFor(s.runId, orgnrs[0] as string, 'analysis-so-far')).flatMap((x) => x.files);
    expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(stored?.sha256);
    expect((await get(href, await signIn('annen@kommune.example'))).statusCode).toBe(404);
  });

  it("changes a municipal authority's contact after a preview naming the municipality and the contact now and next: the next email to the authority goes to the new address, and the audit log has it", async () => {
    const orgnr = orgnrs[0] as string;
    const form = { barnehage: orgnr, hvem: 'kommune', navn: 'Ola Omsorg', epost: 'ola.omsorg@kongsvinger.example' };
    const oldAddress = 'barnehage@kongsvinger.kommune.example';
    const preview = await get(`/konsoll/runs/${s.runId}/handling/kontakt?${new URLSearchParams(form).toString()}`);
    expect(preview.statusCode).toBe(200);
    const text = pageText(preview.body);
    expect(text).toContain('Ny kontakt hos barnehagemyndigheten i Kommune kongsvinger');
    expect(text).toContain(`Nå Myndighet kongsvinger, ${oldAddress} Ny Ola Omsorg, ola.omsorg@kongsvinger.example`);
    expect(text).toContain('All e-post som sendes heretter til barnehagemyndigheten i Kommune kongsvinger (for alle barnehagene i kommunen), går til den nye adressen.');
    expect(text).not.toMatch(ENGLISH);
    // The preview changes nothing.
    expect((await s.store.findRecipients(s.runId, { kind: 'authority-of', orgnr })).map((r) => r.email)).toEqual([oldAddress]);

    const done = await post(`/konsoll/runs/${s.runId}/handling/kontakt`, { _csrf: await csrf(), ...form });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/konsoll/runs/${s.runId}/barnehager/${orgnr}?melding=kontakt`);
    expect((await s.store.findRecipients(s.runId, { kind: 'authority-of', orgnr })).map((r) => r.email)).toEqual(['ola.omsorg@kongsvinger.example']);

    // The director sends the full analysis (addressed to the municipal authority, in its late window): the authority is told at its new address.
    const full = s.timeline.deliverables.find((d) => d.id === 'full-analysis');
    expect(full?.recipient).toBe('municipal-authority');
    const target = await s.submissions.linkTarget(s.runId, orgnr, 'full-analysis');
    const token = signUploadToken({ runId: s.runId, orgnr, deliverableId: 'full-analysis', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const upload = new FormData();
    upload.append('filer', new Blob([pdf('Full analyse', 10_000)]), 'Full analyse.pdf');
    expect((await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: upload })).status).toBe(201);
    const subject = `Barnehage ${orgnr} har levert ${full?.title}`;
    const [notice] = await received((m) => (m.mail.subject ?? '').includes(subject), 1);
    expect(notice?.rcptTo).toEqual(['ola.omsorg@kongsvinger.example']);
    expect(notice?.mail.text).toContain(`Barnehage ${orgnr} i Kommune kongsvinger har levert «${full?.title}».`);
    expect(s.sink.messages.filter((m) => (m.mail.subject ?? '').includes(subject) && m.rcptTo.includes(oldAddress))).toEqual([]);

    const [entry] = (await s.accounts.listAudit(s.runId)).filter((a) => a.action === 'contact-changed' && a.details.toEmail === 'ola.omsorg@kongsvinger.example');
    expect(entry).toMatchObject({ actor: 'kari@fylke.example', details: expect.objectContaining({ role: 'authority', fromName: 'Myndighet kongsvinger', fromEmail: oldAddress, toName: 'Ola Omsorg' }) });
    const log = pageText((await get(`/konsoll/runs/${s.runId}/revisjon`)).body);
    expect(log).toContain(`Endret barnehagemyndighetens kontakt i Kommune kongsvinger fra Myndighet kongsvinger (${oldAddress}) til Ola Omsorg (ola.omsorg@kongsvinger.example).`);
  });

  it('refuses a move of workshop 1 before the result portal opens: a 400 page giving the order rule in bokmål, both milestones by title, no English, and nothing moved', async () => {
    // A run with the example plan's whole timeline (the stack's run has no milestones).
    const plan = futurePlan(2027, 'konsollflytt');
    const roster = buildRoster(EXAMPLE_GROUPS, 1, 96_000_000);
    const timeline = resolveTimeline(plan);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    await s.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await s.env.client.workflow.start(runWorkflow, { workflowId: runId, taskQueue: s.control.taskQueue, args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });
    const before = await runPlan(s.control, runId);
    const portal = timeline.milestones.find((m) => m.id === 'result-portal-opens')?.occurrences[0]?.at as number;
    const early = DateTime.fromMillis(portal, { zone: 'Europe/Oslo' }).minus({ days: 1 }).set({ hour: 9, minute: 0 });
    const rule = `«Workshop 1: Tolke og analysere data» (${formatNorwegian(early.toMillis(), 'compact')}) må komme etter «Resultatportalen åpner» (${formatNorwegian(portal, 'compact')}) for Kongsvingerregionen`;
    const form = { milepel: 'workshop-1', region: 'kongsvinger', tid: early.toFormat("yyyy-MM-dd'T'HH:mm") };

    const preview = await get(`/konsoll/runs/${runId}/handling/flytt?${new URLSearchParams(form).toString()}`);
    expect(preview.statusCode).toBe(400);
    const text = pageText(preview.body);
    expect(text).toContain(`Kan ikke utføres Ugyldig: ${rule}`);
    expect(text).not.toMatch(ENGLISH);
    expect(preview.body).not.toContain('Bekreft');

    const confirmed = await post(`/konsoll/runs/${runId}/handling/flytt`, { _csrf: await csrf(), ...form, revisjon: String(before.revision) });
    expect(confirmed.statusCode).toBe(400);
    expect(pageText(confirmed.body)).toContain(`Ble ikke utført Ugyldig: ${rule}`);
    const after = await runPlan(s.control, runId);
    expect(after.revision).toBe(before.revision);
    expect(after.overrides).toEqual([]);
    expect((await s.accounts.listAudit(runId)).map((a) => a.action)).not.toContain('milestone-moved');
  });

  it('has the same effect from the CLI twin, and the CLI writes the same audit log; accounts are made with `user add`', async () => {
    const cli = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(process.execPath, [join(__dirname, '..', '..', 'bin', 'arshjul.js'), ...args], { env: { ...process.env, DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.env.address, TEMPORAL_TASK_QUEUE: s.control.taskQueue, ...env } });
    const orgnr = orgnrs[3] as string;
    // The authority's contact changes from the command line as from the console.
    const changed = await cli(['run', 'change-contact', '--run', s.runId, '--municipality', 'm-kongsvinger', '--name', 'Ny Kommunekontakt', '--email', 'ny@kongsvinger.example', '--ja', '--as', 'kari']);
    expect(changed.stdout).toMatch(/^endret fra .+ til Ny Kommunekontakt \(ny@kongsvinger\.example\)\n$/);
    expect((await s.store.findRecipients(s.runId, { kind: 'authority-of', orgnr })).map((r) => r.email)).toEqual(['ny@kongsvinger.example']);
    // A submission's files from the command line, checked against their SHA-256.
    const out = mkdtempSync(join(tmpdir(), 'arshjul-filer-'));
    const files = await cli(['run', 'files', '--run', s.runId, '--kindergarten', orgnrs[0] as string, '--deliverable', 'analysis-so-far', '--out', out], { UPLOAD_DIR: s.storageDir });
    expect(files.stdout).toMatch(/^AH-\d{6}  .+  versjon \d+/m);
    const [stored] = (await s.submissions.listFor(s.runId, orgnrs[0] as string, 'analysis-so-far')).filter((x) => x.state === 'accepted').slice(-1);
    const written = /^lastet ned (.+)$/m.exec(files.stdout)?.[1] as string;
    expect(createHash('sha256').update(readFileSync(written)).digest('hex')).toBe(stored?.files[0]?.sha256);
    const dry = await cli(['run', 'message', '--run', s.runId, '--deliverable', 'analysis-so-far', '--subject', 'x', '--text', 'y', '--dry-run']);
    expect(dry.stderr).toMatch(/«Analysen så langt \(modul 1 og 2\)»: \d+ barnehager? har ikke levert/);
    await cli(['run', 'withdraw', '--run', s.runId, '--kindergarten', orgnr, '--reason', 'Lagt ned', '--as', 'kari']);
    const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).query(kindergartenStatusQuery);
    expect(status.state).toBe('withdrawn');
    const [latest] = await s.accounts.listAudit(s.runId);
    expect(latest).toMatchObject({ actor: 'cli:kari', action: 'kindergarten-withdrawn', details: expect.objectContaining({ orgnr, reason: 'Lagt ned' }) });

    const added = await cli(['user', 'add', '--email', 'ola@fylke.example', '--name', 'Ola'], { ARSHJUL_PASSWORD: 'enda-et-langt-passord' });
    expect(added.stdout).toMatch(/konto nr\. \d+: ola@fylke\.example \(koordinator\)/);
    expect(await signIn('ola@fylke.example', 'enda-et-langt-passord')).toMatch(/^arshjul_sesjon=/);
    await expect(cli(['user', 'add', '--email', 'kort@fylke.example', '--name', 'Kort'], { ARSHJUL_PASSWORD: 'kort' })).rejects.toMatchObject({ code: 2 });
  });

  it('offers the roster template as a workbook and CSV, and takes a roster uploaded as .xlsx', async () => {
    const template = await get('/konsoll/mal/deltakerliste.xlsx');
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const csvTemplate = await get('/konsoll/mal/deltakerliste.csv');
    expect(csvTemplate.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('region;group;municipality;municipality_name;authority_name;authority_email;kindergarten;orgnr;director_name;director_email;participants;language');
    const form = new FormData();
    form.append('_csrf', await csrf());
    form.append('roster', new Blob([template.rawPayload]), 'deltakere.xlsx');
    const r = await fetch(`${s.baseUrl}/konsoll/ny`, { method: 'POST', body: form, headers: { cookie: coordinatorCookie } });
    const body = await r.text();
    expect(r.status).toBe(200);
    expect(body).toContain('Kontroller før start');
    expect(body).toMatch(/<dt>Barnehager<\/dt><dd>1<\/dd>/);
  });

  it('edits the plan in a form before anything starts: a refused save keeps every value and names the field, YAML to download', async () => {
    const form = new FormData();
    form.append('_csrf', await csrf());
    const made = await fetch(`${s.baseUrl}/konsoll/ny`, { method: 'POST', body: form, headers: { cookie: coordinatorCookie }, redirect: 'manual' });
    expect(made.status).toBe(303);
    const draft = (made.headers.get('location') ?? '').split('/').pop() as string;
    const editor = await get(`/konsoll/ny/${draft}/plan`);
    expect(editor.statusCode).toBe(200);
    const field = /name="(milestones\.\d+\.at\.groups\.kongsvinger)" value="([^"]+)"/.exec(editor.body.slice(editor.body.indexOf('Workshop 1: Tolke')));
    expect(field).not.toBeNull();
    const [, name, value] = field as unknown as [string, string, string];
    const bad = await post(`/konsoll/ny/${draft}/plan`, { _csrf: await csrf(), [name]: value.replace(/-\d\dT/, '-31T').replace(/-02-31T/, '-02-30T'), 'deliverables.0.reminders': '7, sju' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Planen ble ikke lagret');
    expect(bad.body).toContain('forventet et tall, fikk tekst');
    expect(bad.body).toContain('value="7, sju"');
    expect(bad.body).toMatch(new RegExp(`name="${name.replace(/\./g, '\\.')}" value="[^"]+" aria-invalid="true"`));
    const moved = value.replace(/T\d\d:\d\d$/, 'T11:30');
    const saved = await post(`/konsoll/ny/${draft}/plan`, { _csrf: await csrf(), [name]: moved, 'deliverables.0.reminders': '10, 3' });
    expect(saved.statusCode).toBe(303);
    const preview = await get(String(saved.headers.location));
    expect(preview.body).toContain('Planen er lagret.');
    expect(preview.body).toContain('kl. 11.30');
    const yaml = await get(`/konsoll/ny/${draft}/plan.yaml`);
    expect(yaml.headers['content-type']).toContain('application/yaml');
    const reread = parsePlan(yaml.body, 'plan.yaml');
    const index = Number(name.split('.')[1]);
    expect((reread.milestones[index]?.at as { groups: Record<string, string> }).groups.kongsvinger).toBe(moved);
    expect(reread.deliverables[0]?.reminders).toEqual([10, 3]);
  });

  it("starts next year's draft from a run: its plan rolled forward and its roster as it stands", async () => {
    // Last year's run as PostgreSQL keeps it: the example plan and roster, one kindergarten withdrawn since.
    const lastYear = loadExamplePlan();
    const roster = parseRoster(readFileSync(join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv'), 'utf8'), 'roster.csv', lastYear);
    await s.store.createRun('arshjul-2017-hedmark', lastYear, roster, [], '1.0.0');
    await s.store.withdrawKindergarten({ runId: 'arshjul-2017-hedmark', orgnr: roster.kindergartens[0]?.orgnr as string, reason: 'lagt ned', at: Date.now() });
    const page = await get('/konsoll/ny');
    expect(page.body).toContain('<option value="arshjul-2017-hedmark">');
    const made = await post('/konsoll/ny/fra-programar', { _csrf: await csrf(), programar: 'arshjul-2017-hedmark' });
    expect(made.statusCode).toBe(303);
    const preview = await get(String(made.headers.location));
    expect(preview.statusCode).toBe(200);
    const year = new Date().getUTCMonth() >= 6 ? new Date().getUTCFullYear() : new Date().getUTCFullYear() - 1;
    expect(preview.body).toContain(`<dd>arshjul-${year}-hedmark</dd>`);
    expect(preview.body).toContain(`<dt>Barnehager</dt><dd>${roster.kindergartens.length - 1}</dd>`);
  });

  it('lists every problem of an uploaded roster with file, row and column, and starts nothing', async () => {
    const rows = readFileSync(join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv'), 'utf8').split('\n');
    rows[2] = (rows[2] as string).replace('931514784', '931514785');
    const form = new FormData();
    form.append('_csrf', await csrf());
    form.append('roster', new Blob([rows.join('\n')], { type: 'text/csv' }), 'deltakere.csv');
    const r = await fetch(`${s.baseUrl}/konsoll/ny`, { method: 'POST', body: form, headers: { cookie: coordinatorCookie } });
    const body = await r.text();
    expect(r.status).toBe(400);
    expect(body).toContain('deltakere.csv, rad 3, kolonne «orgnr»');
    expect(body).toContain('Ingenting er startet.');
  });

  it('adds a kindergarten mid-year, and pauses and resumes the run, each after a preview', async () => {
    const preview = await get(`/konsoll/runs/${s.runId}/handling/legg-til?orgnr=974760673&navn=Nye+Solbakken&kommune=m-kongsvinger&styrer=Siri&epost=siri%40solbakken.example`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Nye Solbakken (974760673)');
    const added = await post(`/konsoll/runs/${s.runId}/handling/legg-til`, { _csrf: await csrf(), orgnr: '974760673', navn: 'Nye Solbakken', kommune: 'm-kongsvinger', styrer: 'Siri', epost: 'siri@solbakken.example' });
    expect(added.statusCode).toBe(303);
    for (let i = 0; i < 50; i++) {
      const st = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, '974760673')).query(kindergartenStatusQuery).catch(() => null);
      if (st) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, '974760673')).query(kindergartenStatusQuery)).state).toBe('active');
    expect((await get(`/konsoll/runs/${s.runId}`)).body).toContain('Nye Solbakken');

    expect((await post(`/konsoll/runs/${s.runId}/handling/pause`, { _csrf: await csrf(), hva: 'pause' })).headers.location).toBe(`/konsoll/runs/${s.runId}?melding=pause`);
    expect((await get(`/konsoll/runs/${s.runId}`)).body).toContain('<dd>på pause</dd>');
    const again = await post(`/konsoll/runs/${s.runId}/handling/pause`, { _csrf: await csrf(), hva: 'pause' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Programåret er allerede satt på pause.');
    expect((await post(`/konsoll/runs/${s.runId}/handling/pause`, { _csrf: await csrf(), hva: 'gjenoppta' })).statusCode).toBe(303);
    expect((await get(`/konsoll/runs/${s.runId}`)).body).toContain('<dd>aktivt</dd>');
    const actions = (await s.accounts.listAudit(s.runId)).map((a) => a.action);
    expect(actions.filter((a) => a === 'run-paused' || a === 'run-resumed')).toEqual(['run-resumed', 'run-paused']);
    expect(actions).toContain('kindergarten-added');
  });

  it('answers an outage of Temporal with a 503 page that says to try again, in bokmål, never with the internals', async () => {
    // The same console and database, with the API's kind of Temporal client, whose server does not answer.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: INTERACTIVE_GRPC_INTERCEPTORS });
    const client = new Client({ connection });
    const control = { ...s.control, client };
    const app = await buildApp(control, {
      console: { control, read: new ConsoleRepository(s.pool), drafts: new DraftRepository(s.pool), accounts: s.accounts, secureCookies: false, examples: exampleFiles() },
    });
    try {
      const signIn = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: new URLSearchParams({ epost: 'kari@fylke.example', passord: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
      const page = await app.inject({ method: 'GET', url: '/konsoll', headers: { cookie } });
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
      const action = await app.inject({ method: 'POST', url: `/konsoll/runs/${s.runId}/handling/pause`, payload: new URLSearchParams({ _csrf: token, hva: 'pause' }).toString(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
      const preview = await app.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/handling/flytt?milepel=workshop-1&region=&tid=2028-02-10T09:00`, headers: { cookie } });
      const api = await app.inject({ method: 'GET', url: `/api/runs/${s.runId}` });
      for (const answer of [action, preview]) {
        expect(answer.statusCode).toBe(503);
        expect(answer.body).toContain('Årshjul får ikke kontakt med arbeidsflytmotoren (Temporal) akkurat nå. Ingenting er endret. Prøv igjen om et minutt.');
        expect(answer.body).not.toMatch(/UNAVAILABLE|grpc|ECONNREFUSED|Error|at .*\.ts/);
      }
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBe('30');
      expect(api.json()).toEqual({ error: 'Årshjul får ikke kontakt med arbeidsflytmotoren (Temporal) akkurat nå. Ingenting er endret. Prøv igjen om et minutt.' });
      // The run page still shows what PostgreSQL knows.
      const run = await app.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}`, headers: { cookie } });
      expect(run.statusCode).toBe(200);
    } finally {
      await app.close();
      await connection.close();
    }
  });

  it('limits sign-in attempts', async () => {
    const attempts = [];
    for (let i = 0; i < 12; i++) {
      attempts.push(
        (await s.app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: 'epost=x%40y.example&passord=feil', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '10.9.8.7' })).statusCode,
      );
    }
    expect(attempts.filter((c) => c === 429).length).toBeGreaterThan(0);
  });
});
