import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import writeXlsxFile from 'write-excel-file/node';
import { loadPlan } from '../../planning/load-plan';
import { parseRoster } from '../../planning/roster-import';
import { rollPlanForward } from '../../planning/roll-forward';
import { parsePlan } from '../../planning/load-plan';
import { signUploadToken } from '../../security/upload-tokens';
import { hashPassword } from '../../security/passwords';
import { ARTEFACTS_DIR, axeViolations, launchChromium } from '../helpers/browser';
import { pdf } from '../helpers/documents';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack } from '../helpers/upload-stack';

jest.setTimeout(420_000);

const ROOT = join(__dirname, '..', '..');
const SOLSTUA = '976028082';
const SIZES = [
  { name: 'pc', width: 1366, height: 768 },
  { name: 'mobil', width: 390, height: 844 },
] as const;

/** English a coordinator must never read; any of these words in a page's text fails the test. */
const ENGLISH = ['must', 'expected', 'invalid', 'already exists', 'not found', 'error', 'unknown', 'required', 'failed', 'submitted', 'deadline', 'should', 'cannot', 'undefined', 'null', 'NaN'];

/** What the layout check finds: controls cut off or overlapping, and whether the page scrolls sideways. */
interface LayoutFindings {
  sideways: boolean;
  cutOff: string[];
  overlaps: string[];
}

/**
 * Runs in the page: every visible control (field, button, button-like link) must lie within the viewport's width
 * unless it is inside a box that scrolls on its own (a table), must not overlap another control, and the page itself
 * must not be wider than the viewport.
 */
const LAYOUT_CHECK = `(() => {
  const width = document.documentElement.clientWidth;
  const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a.button')]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; });
  const scrollsOnItsOwn = (el) => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') + ' «' + (el.textContent || el.value || '').trim().slice(0, 30) + '»';
  const cutOff = controls.filter((el) => { const r = el.getBoundingClientRect(); return !scrollsOnItsOwn(el) && (r.right > width + 1 || r.left < -1); }).map(name);
  const overlaps = [];
  for (let i = 0; i < controls.length; i++) for (let j = i + 1; j < controls.length; j++) {
    const a = controls[i].getBoundingClientRect(), b = controls[j].getBoundingClientRect();
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1 && !controls[i].contains(controls[j]) && !controls[j].contains(controls[i])) overlaps.push(name(controls[i]) + ' / ' + name(controls[j]));
  }
  return { sideways: document.documentElement.scrollWidth > width + 1, cutOff, overlaps };
})()`;

/**
 * A county coordinator's year in a real browser (Debian's chromium), in bokmål, at a desktop and a phone size:
 * next year from last year's run, dates edited in the plan form (a refused save first), a roster uploaded as .xlsx,
 * the year started; a workshop group's workshop moved, a deadline extended, a director changed; in the year under
 * way, a message to those who have not submitted and a submission opened; the research centre and a municipal
 * authority signed in by their emailed links, the authority returning a full analysis for revision; the audit log read. Every page at both
 * sizes: axe-core (no serious or critical violation), no control cut off or overlapping, no sideways scrolling, no
 * English phrase of the list above; screenshots in test-results/screenshots.
 */
describe("the coordinator's year in a real browser, at 1366×768 and 390×844", () => {
  let s: UploadStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const checked: string[] = [];

  beforeAll(async () => {
    s = await startUploadStack({ label: 'aaret', kindergartens: 3, groupSetup: true });
    await s.accounts.addUser({ email: 'kari@fylke.example', name: 'Kari Koordinator', passwordHash: await hashPassword('korrekt-hest-batteri-stift'), role: 'coordinator', runId: null, municipalityId: null });
    // Last year's run, as PostgreSQL keeps it: the example plan rolled to the last school year, the example roster.
    const now = new Date();
    const year = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
    const example = join(ROOT, 'examples', 'kfl-2017-2018.yaml');
    const lastYear = parsePlan(rollPlanForward(readFileSync(example, 'utf8'), year - 1).text, 'plan.yaml');
    const roster = parseRoster(readFileSync(join(ROOT, 'examples', 'roster-hedmark-2017.csv'), 'utf8'), 'roster.csv', loadPlan(example));
    await s.store.createRun(`arshjul-${year - 1}-hedmark`, lastYear, roster, [], '1.0.0');
    browser = await launchChromium();
    // axe is evaluated into each page; the console's CSP allows no scripts of its own.
    context = await browser.newContext({ viewport: SIZES[0], locale: 'nb-NO', bypassCSP: true, acceptDownloads: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.close();
  });

  /** The page at both sizes: screenshot, axe, layout and language; back at the desktop size afterwards. */
  async function check(name: string): Promise<void> {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.screenshot({ path: join(ARTEFACTS_DIR, `aar-${name}-${size.name}.png`), fullPage: true });
      const violations = await axeViolations(page);
      expect({ page: name, size: size.name, axe: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ page: name, size: size.name, axe: [] });
      const layout = (await page.evaluate(LAYOUT_CHECK)) as LayoutFindings;
      expect({ page: name, size: size.name, ...layout }).toEqual({ page: name, size: size.name, sideways: false, cutOff: [], overlaps: [] });
      const text = (await page.locator('body').innerText()).toLowerCase();
      const english = ENGLISH.filter((phrase) => new RegExp(`(^|[^a-zæøå-])${phrase.toLowerCase()}([^a-zæøå-]|$)`).test(text));
      expect({ page: name, english }).toEqual({ page: name, english: [] });
      checked.push(`${name}-${size.name}`);
    }
    await page.setViewportSize(SIZES[0]);
  }

  const h1 = () => page.locator('h1').first().textContent();
  const main = async () => (await page.locator('main').textContent()) ?? '';
  const confirm = async (done: RegExp) => Promise.all([page.waitForURL(done), page.getByRole('button', { name: 'Bekreft' }).click()]);

  it('goes through the year', async () => {
    await page.goto(`${s.baseUrl}/konsoll`);
    await page.getByLabel('E-post').fill('kari@fylke.example');
    await page.getByLabel('Passord').fill('korrekt-hest-batteri-stift');
    await Promise.all([page.waitForURL(/\/konsoll$/), page.getByRole('button', { name: 'Logg inn' }).click()]);
    await check('oversikt');

    // Next year from last year's run: its plan rolled forward and its roster as it stands.
    await page.getByRole('link', { name: 'Start et nytt programår' }).click();
    await check('ny');
    await page.getByLabel('Programår').selectOption(`arshjul-${Number(new Date().getUTCMonth() >= 6 ? new Date().getUTCFullYear() : new Date().getUTCFullYear() - 1) - 1}-hedmark`);
    await Promise.all([page.waitForURL(/\/konsoll\/ny\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Lag utkast for neste år' }).click()]);
    const draftUrl = page.url();
    expect(await h1()).toBe('Kontroller før start');
    expect(await main()).toContain('Allerede passert');
    expect(await page.locator('dl.facts').textContent()).toContain('Barnehager61');
    await check('forhandsvisning');

    // This year's roster as a workbook (.xlsx): Gaupestua barnehage has left the programme. A workbook with a broken
    // organisation number is refused first, naming sheet, row and column; the draft keeps its roster.
    const rows = readFileSync(join(ROOT, 'examples', 'roster-hedmark-2017.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
    const newRoster = rows.filter((r) => r[6] !== 'Gaupestua barnehage');
    const broken = newRoster.map((r, i) => (i === 3 ? r.map((cell, c) => (c === 7 ? '123456789' : cell)) : r));
    const workbook = async (data: string[][]) => ({ name: 'deltakere.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await writeXlsxFile([{ sheet: 'Barnehager', data }]).toBuffer() });
    await page.getByLabel('Bytt deltakerliste (Excel, CSV eller JSON)').setInputFiles(await workbook(broken));
    await page.getByRole('button', { name: 'Kontroller og bytt listen' }).click();
    await page.waitForSelector('[role=alert]');
    const refusal = (await page.locator('[role=alert]').textContent()) ?? '';
    expect(refusal).toMatch(/deltakere\.xlsx/);
    expect(refusal).toMatch(/Barnehager/);
    expect(refusal).toMatch(/rad 4/);
    expect(refusal).toMatch(/orgnr/);
    expect(refusal).toContain('Utkastet har fortsatt deltakerlisten det hadde.');
    expect(await page.locator('dl.facts').textContent()).toContain('Barnehager61');
    await check('deltakerliste-feil');
    await page.getByLabel('Bytt deltakerliste (Excel, CSV eller JSON)').setInputFiles(await workbook(newRoster));
    await Promise.all([page.waitForURL(/melding=deltakerliste-lagret/), page.getByRole('button', { name: 'Kontroller og bytt listen' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Deltakerlisten er byttet.');
    expect(await page.locator('dl.facts').textContent()).toContain('Barnehager60');
    expect(page.url().split('?')[0]).toBe(draftUrl);
    await page.getByRole('link', { name: 'Rediger datoer og frister' }).click();
    expect(await h1()).toBe('Rediger planen');
    await check('plan');
    const workshop = page.locator('fieldset', { hasText: 'Milepæl: Workshop 1: Tolke og analysere data' });
    const kongsvinger = workshop.getByLabel('Kongsvingerregionen');
    const planned = await kongsvinger.inputValue();
    // A save the rules refuse: workshop 1 before the result portal opens, and a reminder that is not a number.
    const early = planned.replace(/^(\d{4})-\d\d-\d\d/, '$1-01-01');
    await kongsvinger.fill(early);
    const reminders = page.locator('fieldset', { hasText: 'Innlevering: Analysen så langt' }).getByLabel('Påminnelser (dager før fristen, skilt med komma)');
    await reminders.fill('7, sju');
    await page.getByRole('button', { name: 'Lagre og vis tidslinjen' }).click();
    await page.waitForSelector('.field-error');
    expect(await main()).toContain('Planen ble ikke lagret');
    expect(await reminders.getAttribute('aria-invalid')).toBe('true');
    expect(await reminders.inputValue()).toBe('7, sju');
    expect(await kongsvinger.inputValue()).toBe(early);
    await check('plan-feil');
    // The form as it was typed; with the reminders right, the order rule speaks, beside the workshop.
    await reminders.fill('7, 2');
    await page.getByRole('button', { name: 'Lagre og vis tidslinjen' }).click();
    await page.waitForSelector('fieldset .field-error');
    expect(await workshop.locator('.field-error').first().textContent()).toMatch(/må komme etter «Resultatportalen/);
    expect(await kongsvinger.inputValue()).toBe(early);
    const moved = planned.replace(/T\d\d:\d\d$/, 'T10:00');
    await kongsvinger.fill(moved);
    await Promise.all([page.waitForURL(/melding=plan-lagret/), page.getByRole('button', { name: 'Lagre og vis tidslinjen' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Planen er lagret.');
    await Promise.all([page.waitForURL(/\/konsoll\/runs\/arshjul-\d{4}-hedmark/), page.getByRole('button', { name: 'Start programåret' }).click()]);
    const runUrl = page.url().split('?')[0] as string;
    expect(await page.locator('table.matrix caption').textContent()).toContain('60 barnehager');
    await check('programar');

    // Move workshop 1 for one workshop group: the preview names the emails that change.
    await page.getByLabel('Milepæl', { exact: true }).selectOption('workshop-1');
    await page.getByLabel('For', { exact: true }).selectOption('hedmarken/hamar-stange');
    const year = Number(runUrl.split('-').at(-2)) + 1;
    await page.getByLabel('Ny tid (lokal tid)').fill(`${year}-01-28T09:00`);
    await page.locator('form.action', { hasText: 'Flytt en milepæl' }).getByRole('button', { name: 'Vis endringen' }).click();
    await page.waitForURL(/handling\/flytt/);
    expect(await main()).toContain('Hedmarkregionen, Hamar og Stange');
    expect(await main()).toMatch(/E-post som endres/);
    await check('flytt');
    await confirm(/melding=flyttet/);

    // Solstua: extend a deadline, then a new director.
    await page.goto(`${runUrl}/barnehager/${SOLSTUA}`);
    await check('barnehage');
    const extend = page.locator('form.action', { hasText: 'Forleng en frist' });
    await extend.getByLabel('Innlevering').selectOption('full-analysis');
    await extend.getByLabel('Ny frist (lokal tid)').fill(`${year}-06-14T16:00`);
    await extend.getByRole('button', { name: 'Vis endringen' }).click();
    await page.waitForURL(/handling\/forleng/);
    // The preview names the deliverable by its title and gives the new deadline, late window and reminders in Oslo time.
    const extension = await main();
    expect(extension).toContain('Full pedagogisk analyse (modul 3 og 4)');
    expect(extension).toContain(`14. juni ${year} kl. 16.00`);
    expect(extension).toMatch(/Forsinket innlevering\s*tas imot til/);
    expect(extension).not.toContain('full-analysis');
    await check('forleng');
    await confirm(/melding=forlenget/);
    const director = page.locator('form.action', { hasText: 'Ny styrer' });
    await director.getByLabel('Navn').fill('Nina Nystyrer');
    await director.getByLabel('E-post').fill('nina@solstua.barnehage.example');
    await director.getByRole('button', { name: 'Vis endringen' }).click();
    await page.waitForURL(/handling\/kontakt/);
    await check('ny-styrer');
    await confirm(/melding=kontakt/);
    expect(await main()).toContain('Nina Nystyrer, nina@solstua.barnehage.example');

    // The year under way (the test stack's run, its analysis open now): one kindergarten submits, the coordinator
    // messages the others and opens the submission.
    const submitter = s.roster.kindergartens[0]?.orgnr as string;
    const target = await s.submissions.linkTarget(s.runId, submitter, 'analysis-so-far');
    const token = signUploadToken({ runId: s.runId, orgnr: submitter, deliverableId: 'analysis-so-far', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const form = new FormData();
    form.append('filer', new Blob([pdf('Analysen vår', 50_000)]), 'Analyse Solbakken.pdf');
    expect((await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form })).status).toBe(201);
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}`);
    const message = page.locator('form.action', { hasText: 'Melding til dem som ikke har levert' });
    await message.getByLabel('Innlevering').selectOption('analysis-so-far');
    await message.getByLabel('Emne').fill('Husk analysen');
    await message.getByLabel('Tekst').fill('Hei!\n\nVi venter fortsatt på analysen deres.');
    await message.getByRole('button', { name: 'Vis endringen' }).click();
    await page.waitForURL(/handling\/melding/);
    expect(await main()).toContain('som ikke har levert ennå');
    await check('melding');
    await confirm(/melding=melding/);
    for (let i = 0; i < 100 && s.sink.messages.filter((m) => m.mail.subject === 'Kultur for læring: Husk analysen').length < 2; i++) await page.waitForTimeout(100);
    expect(s.sink.messages.filter((m) => m.mail.subject === 'Kultur for læring: Husk analysen').map((m) => m.rcptTo).flat().sort()).toEqual(
      s.roster.kindergartens.slice(1).map((k) => k.director.email).sort(),
    );
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/barnehager/${submitter}`);
    await check('innlevert');
    const [response] = await Promise.all([page.waitForResponse(/\/innleveringer\/.+\/filer\/\d+/), page.getByRole('link', { name: 'Analyse Solbakken.pdf' }).click()]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');

    // The research centre opens the notice's personal link in its own browser: signed in, no password, on the page
    // of what is sent to it, and opens the file.
    let notice = s.sink.messages.find((m) => m.rcptTo.includes(s.plan.contacts.researchCentre.email) && /har levert/.test(m.mail.subject ?? ''));
    for (let i = 0; i < 100 && !notice; i++) {
      await page.waitForTimeout(100);
      notice = s.sink.messages.find((m) => m.rcptTo.includes(s.plan.contacts.researchCentre.email) && /har levert/.test(m.mail.subject ?? ''));
    }
    const personal = /(http\S+\/mottaker\/\S+)/.exec(notice?.mail.text ?? '')?.[1] as string;
    expect(personal).toBeDefined();
    const centre = await browser.newContext({ viewport: SIZES[0], locale: 'nb-NO', bypassCSP: true });
    const coordinatorPage = page;
    page = await centre.newPage();
    await page.goto(personal);
    await page.waitForURL(/\/mottatt$/);
    expect(await h1()).toBe('Til forskningssenteret');
    expect(await main()).toContain('1 av 3 har levert.');
    await check('mottatt');
    const [centreFile] = await Promise.all([page.waitForResponse(/\/innleveringer\/.+\/filer\/\d+/), page.getByRole('link', { name: 'Analyse Solbakken.pdf' }).click()]);
    expect(centreFile.status()).toBe(200);
    // Its guidance is owed; it writes it on the submission's page: a blank text is refused beside the form, then the
    // text with a file goes to the director by email (the file attached) and shows on the director's page.
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/mottatt`);
    expect(await main()).toMatch(/Veiledning skyldes innen [a-zæøå]+dag/);
    await Promise.all([page.waitForURL(/\/veiledning$/), page.getByRole('link', { name: 'Gi veiledning' }).click()]);
    const submitterName = s.roster.kindergartens[0]?.name as string;
    expect(await h1()).toBe(`Veiledning: ${submitterName}`);
    await check('veiledning');
    await page.getByLabel('Veiledning til styreren').fill('   ');
    await page.getByRole('button', { name: 'Send veiledningen til styreren' }).click();
    expect(await page.locator('[role=alert]').textContent()).toContain('Skriv veiledningen: styreren får teksten på e-post.');
    await check('veiledning-feil');
    const guidanceText = 'Dere beskriver godt hva dataene viser om språkmiljøet.\n\nTil workshop 2: velg ett område å arbeide videre med.';
    await page.getByLabel('Veiledning til styreren').fill(guidanceText);
    await page.getByLabel(/^Vedlegg/).setInputFiles({ name: 'Kommentarer SePU.pdf', mimeType: 'application/pdf', buffer: pdf('Kommentarer fra SePU', 20_000) });
    await Promise.all([page.waitForURL(/melding=veiledning/), page.getByRole('button', { name: 'Send veiledningen til styreren' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Veiledningen er lagret og sendt til styreren på e-post.');
    expect(await main()).toMatch(/Veiledning gitt [a-zæøå]+dag/);
    await check('veiledning-gitt');
    await centre.close();
    // The director opens the email's link (here in the coordinator's browser: the link is all it takes).
    page = coordinatorPage;
    const submitterDirector = s.roster.kindergartens[0]?.director.email as string;
    let guided = s.sink.messages.find((m) => m.rcptTo.includes(submitterDirector) && /^Kultur for læring: Veiledning fra/.test(m.mail.subject ?? ''));
    for (let i = 0; i < 100 && !guided; i++) {
      await new Promise((r) => setTimeout(r, 100));
      guided = s.sink.messages.find((m) => m.rcptTo.includes(submitterDirector) && /^Kultur for læring: Veiledning fra/.test(m.mail.subject ?? ''));
    }
    expect(guided?.mail.text).toContain(guidanceText);
    expect(guided?.mail.attachments.map((a) => [a.filename, a.mimeType])).toEqual([['Kommentarer SePU.pdf', 'application/pdf']]);
    expect(Buffer.from(guided?.mail.attachments[0]?.content as ArrayBuffer).equals(pdf('Kommentarer fra SePU', 20_000))).toBe(true);
    await page.goto(/innleveringssiden: (http\S+\/levering\/\S+)/.exec(guided?.mail.text ?? '')?.[1] as string);
    expect(await main()).toContain('Veiledning fra forskningssenteret');
    expect(await main()).toContain('Til workshop 2: velg ett område å arbeide videre med.');
    const [directorFile] = await Promise.all([page.waitForResponse(/\/veiledning\/.+\/filer\/1$/), page.getByRole('link', { name: 'Kommentarer SePU.pdf' }).click()]);
    expect(directorFile.status()).toBe(200);
    await check('styrer-veiledning');

    // A kindergarten sends its full analysis (late); its municipal authority opens the notice's personal link, finds
    // the analysis, tries to return it without saying why (refused, nothing lost), then returns it with a comment and
    // the offered new deadline; the director is emailed why.
    const reviser = s.roster.kindergartens[1] as (typeof s.roster.kindergartens)[number];
    const fullTarget = await s.submissions.linkTarget(s.runId, reviser.orgnr, 'full-analysis');
    const fullToken = signUploadToken({ runId: s.runId, orgnr: reviser.orgnr, deliverableId: 'full-analysis', expiresAt: fullTarget?.lateUntil as number, version: fullTarget?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const fullForm = new FormData();
    fullForm.append('filer', new Blob([pdf('Full pedagogisk analyse', 60_000)]), 'Full analyse.pdf');
    expect((await fetch(`${s.baseUrl}/api/uploads/${fullToken}`, { method: 'POST', body: fullForm })).status).toBe(201);
    const authorityEmail = s.roster.municipalities.find((m) => m.id === reviser.municipalityId)?.authority.email as string;
    const authorityNotice = async () => s.sink.messages.find((m) => m.rcptTo.includes(authorityEmail) && /har levert Full pedagogisk analyse/.test(m.mail.subject ?? ''));
    for (let i = 0; i < 100 && !(await authorityNotice()); i++) await new Promise((r) => setTimeout(r, 100));
    const authorityLink = /(http\S+\/mottaker\/\S+)/.exec((await authorityNotice())?.mail.text ?? '')?.[1] as string;
    expect(authorityLink).toBeDefined();
    const authority = await browser.newContext({ viewport: SIZES[0], locale: 'nb-NO', bypassCSP: true });
    page = await authority.newPage();
    await page.goto(authorityLink);
    await page.waitForURL(/\/mottatt$/);
    expect(await h1()).toMatch(/^Til barnehagemyndigheten i /);
    // Its group set-up: a spreadsheet with a wrong address and a kindergarten with one participant is refused with
    // the rows and columns named, nothing stored; then the form, prefilled with the directors, gets a pedagogical
    // leader for each kindergarten, and the receipt follows (on the page and by email).
    expect(await main()).toContain('Dere har ikke sendt det ennå.');
    await Promise.all([page.waitForURL(/\/gruppeoppsett\/group-setup$/), page.getByRole('link', { name: 'Send gruppeoppsettet' }).click()]);
    await check('gruppeoppsett');
    const ks = s.roster.kindergartens.filter((k) => k.municipalityId === reviser.municipalityId);
    const directorOf = (k: (typeof ks)[number]) => k.director;
    const csvRows = ['orgnr;barnehage;navn;epost;rolle', ...ks.flatMap((k, i) => (i === 0 ? [`${k.orgnr};${k.name};${directorOf(k).name};${directorOf(k).email};Styrer`] : [`${k.orgnr};${k.name};${directorOf(k).name};${directorOf(k).email};Styrer`, `${k.orgnr};${k.name};Per Pedleder ${i};per${i}@barnehage;Pedagogisk leder`]))];
    await page.getByLabel('Regneark (.xlsx) eller CSV').setInputFiles({ name: 'gruppeoppsett.csv', mimeType: 'text/csv', buffer: Buffer.from(csvRows.join('\n')) });
    await page.getByRole('button', { name: 'Last opp gruppeoppsettet' }).click();
    await page.waitForLoadState('load');
    const refusedSetup = (await page.locator('#feil').textContent()) ?? '';
    expect(refusedSetup).toContain('gruppeoppsett.csv, rad 4, kolonne «epost»: «per1@barnehage» er ikke en gyldig e-postadresse');
    expect(refusedSetup).toContain(`${ks[0]?.name as string}: har én deltaker; minst 2 må være med, styreren blant dem`);
    expect(await s.store.latestGroupSetup(s.runId, reviser.municipalityId, 'group-setup')).toBeNull();
    await check('gruppeoppsett-feil');
    for (const [i, k] of ks.entries()) {
      expect(await page.getByLabel('Navn, deltaker 1').nth(i).inputValue()).toBe(directorOf(k).name);
      await page.getByLabel('Navn, deltaker 2').nth(i).fill(`Pedagogisk leder ${i + 1}`);
      await page.getByLabel('E-post, deltaker 2').nth(i).fill(`pedleder${i + 1}@barnehage.example`);
    }
    await Promise.all([page.waitForURL(/\/kvittering\//), page.getByRole('button', { name: 'Send gruppeoppsettet' }).click()]);
    expect(await h1()).toBe('Kvittering');
    expect(await main()).toMatch(/Kvitteringsnummer\s*GS-\d{6}/);
    await check('gruppeoppsett-kvittering');
    const stored = await s.store.latestGroupSetup(s.runId, reviser.municipalityId, 'group-setup');
    expect(stored?.version).toBe(1);
    expect(stored?.participants.map((p) => p.email).sort()).toEqual([...ks.map((k) => directorOf(k).email), ...ks.map((_, i) => `pedleder${i + 1}@barnehage.example`)].sort());
    let setupReceipt = s.sink.messages.find((m) => m.rcptTo.includes(authorityEmail) && /Kvittering GS-\d+: gruppeoppsettet er mottatt/.test(m.mail.subject ?? ''));
    for (let i = 0; i < 100 && !setupReceipt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      setupReceipt = s.sink.messages.find((m) => m.rcptTo.includes(authorityEmail) && /Kvittering GS-\d+: gruppeoppsettet er mottatt/.test(m.mail.subject ?? ''));
    }
    expect(setupReceipt?.mail.text).toContain(`• Pedagogisk leder 1, pedagogisk leder, pedleder1@barnehage.example`);
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/mottatt`);
    expect(await main()).toMatch(/Dere sendte versjon 1 [a-zæøå]+dag/);
    await Promise.all([page.waitForURL(/\/vurdering$/), page.getByRole('link', { name: 'Vurder' }).click()]);
    expect(await h1()).toBe(`Full pedagogisk analyse (modul 3 og 4): ${reviser.name}`);
    await check('vurdering');
    await page.getByLabel('Send tilbake til revisjon').check();
    await page.getByRole('button', { name: 'Lagre vurderingen' }).click();
    expect(await page.locator('[role=alert]').textContent()).toContain('Skriv hvorfor «Full pedagogisk analyse (modul 3 og 4)» sendes tilbake');
    expect(await page.getByLabel('Send tilbake til revisjon').isChecked()).toBe(true);
    await check('vurdering-feil');
    await page.getByLabel(/Kommentar til styreren/).fill('Analysen mangler tiltakene dere vil prøve ut. Se kapittel 3.');
    await Promise.all([page.waitForURL(/melding=vurdert/), page.getByRole('button', { name: 'Lagre vurderingen' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Vurderingen er lagret');
    expect(await main()).toMatch(/Sendt tilbake [a-zæøå]+dag \d+\. [a-zæøå]+ \d{4} kl\. \d\d\.\d\d \(versjon 1\), ny frist/);
    await check('vurdert');
    let returned = s.sink.messages.find((m) => m.rcptTo.includes(reviser.director.email) && /sendt tilbake til revisjon/.test(m.mail.subject ?? ''));
    for (let i = 0; i < 100 && !returned; i++) {
      await page.waitForTimeout(100);
      returned = s.sink.messages.find((m) => m.rcptTo.includes(reviser.director.email) && /sendt tilbake til revisjon/.test(m.mail.subject ?? ''));
    }
    expect(returned?.mail.text).toContain('Kommentar fra barnehagemyndigheten:\nAnalysen mangler tiltakene dere vil prøve ut. Se kapittel 3.');
    expect(returned?.mail.text).toMatch(/Last opp her: http\S+\/levering\//);
    // The director's link in that email opens the deliverable again, with the verdict beside version 1.
    await page.goto(/Last opp her: (http\S+\/levering\/\S+)/.exec(returned?.mail.text ?? '')?.[1] as string);
    expect(await main()).toMatch(/Sendt tilbake [a-zæøå]+dag .*, ny frist [a-zæøå]+dag .*: «Analysen mangler tiltakene dere vil prøve ut\. Se kapittel 3\.»/);
    await check('styrer-tilbake');
    // The verdict stays on the receipt of version 1 too.
    await Promise.all([page.waitForURL(/\/kvittering\//), page.getByRole('link', { name: /^AH-\d{6}$/ }).first().click()]);
    expect(await h1()).toBe('Kvittering');
    expect(await main()).toMatch(/Barnehagemyndighetens vurdering\s*Sendt tilbake [a-zæøå]+dag .*, ny frist [a-zæøå]+dag .*: «Analysen mangler tiltakene dere vil prøve ut\. Se kapittel 3\.»/);
    await check('styrer-kvittering-vurdert');
    await authority.close();
    page = coordinatorPage;
    // The coordinator sees who has sent the group set-up, and its participants.
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}`);
    expect(await main()).toContain('1 av 1 kommune har sendt.');
    await Promise.all([page.waitForURL(/\/oversikt$/), page.getByRole('link', { name: 'Se gruppeoppsettene' }).click()]);
    expect(await main()).toMatch(/sendt\s*versjon 1, [a-zæøå]+dag .*, 6 deltakere/);
    await check('gruppeoppsett-oversikt');
    const participantsCsv = await page.request.get(`${s.baseUrl}/konsoll/runs/${s.runId}/gruppeoppsett/group-setup/deltakere.csv`);
    expect(participantsCsv.status()).toBe(200);
    expect((await participantsCsv.text()).split('\r\n').filter((l) => l.includes('@'))).toHaveLength(6);
    // The coordinator sees the guidance in the matrix and on the kindergarten's page, and the verdict on its page.
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}#oversikt`);
    expect(await page.locator('table.matrix').textContent()).toContain('Veiledning gitt');
    await check('matrise-veiledning');
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/barnehager/${submitter}`);
    expect(await main()).toContain('Veiledning fra forskningssenteret');
    expect(await main()).toContain('Dere beskriver godt hva dataene viser om språkmiljøet.');
    // … and its participants in the group set-up the authority sent.
    expect(await main()).toMatch(/Deltakere i kompetansepakken\s*.*Pedagogisk leder 1, pedagogisk leder \(pedleder1@barnehage\.example\)/s);
    // The coordinator saw this page before the guidance (check 'innlevert'); the guidance is under the submissions.
    // The coordinator sees the verdict on the kindergarten's page.
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/barnehager/${reviser.orgnr}`);
    expect(await main()).toMatch(/versjon 1 \(sent\)\s*sendt tilbake av barnehagemyndigheten [a-zæøå]+dag .*, ny frist .*: «Analysen mangler tiltakene/);
    await check('barnehage-vurdert');

    // The audit log, in sentences.
    await page.goto(`${runUrl}/revisjon`);
    const audit = (await page.locator('tbody').textContent()) ?? '';
    expect(audit).toMatch(/Flyttet «Workshop 1: Tolke og analysere data» for Hedmarkregionen, Hamar og Stange fra [a-zæøå]+dag \d+\. januar \d{4} kl\. \d\d\.\d\d til [a-zæøå]+dag 28\. januar/);
    expect(audit).toContain('Forlenget fristen for «Full pedagogisk analyse (modul 3 og 4)» for Solstua barnehage');
    expect(audit).toMatch(/Endret styrer for Solstua barnehage fra Kristin Grønli \(styrer@solstua\.barnehage\.example\) til Nina Nystyrer/);
    expect(audit).toContain('Startet programåret med 60 barnehager i 4 regioner');
    await check('revisjon');
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/revisjon`);
    const thisYear = (await page.locator('tbody').textContent()) ?? '';
    expect(thisYear).toContain('Sendte en melding om «Analysen så langt (modul 1 og 2)» til 2 barnehager som ikke har levert: «Husk analysen».');
    expect(thisYear).toContain(`Ga veiledning på «Analysen så langt (modul 1 og 2)» fra ${s.roster.kindergartens[0]?.name as string} (versjon 1), med 1 vedlegg.`);
    expect(thisYear).toMatch(new RegExp(`Sendte «Full pedagogisk analyse \\(modul 3 og 4\\)» fra ${reviser.name} \\(versjon 1\\) tilbake til revisjon med ny frist [a-zæøå]+dag`));
    process.stdout.write(`coordinator year: ${checked.length} page views checked (${checked.join(', ')})\n`);
  });
});
