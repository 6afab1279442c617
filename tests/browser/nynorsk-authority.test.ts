import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signUploadToken } from '../../security/upload-tokens';
import { ARTEFACTS_DIR, axeViolations, launchChromium } from '../helpers/browser';
import { pdf } from '../helpers/documents';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { type UploadStack, startUploadStack, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(240_000);

const SIZES = [
  { name: 'pc', width: 1366, height: 768 },
  { name: 'mobil', width: 390, height: 844 },
] as const;

/** A weekday written the nynorsk way (måndag, tysdag, …, laurdag), never the bokmål one. */
const NYNORSK_DATE = /(måndag|tysdag|onsdag|torsdag|fredag|laurdag|søndag) \d+\. [a-z]+ \d{4} kl\. \d\d\.\d\d/;

/**
 * A municipal authority whose municipality writes nynorsk (the roster's `language: nn`): signed in by the personal link
 * in its nynorsk email, it reads what is addressed to it in nynorsk (with bokmål one click away and back), sends its
 * group set-up — a spreadsheet refused first, naming row and column in nynorsk, then the form — gets the receipt in
 * nynorsk, and reviews a full analysis on its nynorsk review page. Each page at both sizes: `<html lang>`, axe-core (no
 * serious or critical violation), no sideways scrolling; screenshots test-results/screenshots/nynorsk-kommune-*.png.
 */
describe('a municipal authority whose municipality writes nynorsk, in a real browser', () => {
  let s: UploadStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'nynorskkommune', kindergartens: 2, groupSetup: true, roster: (r) => ({ ...r, municipalities: r.municipalities.map((m) => ({ ...m, language: 'nn' as const })) }) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function check(page: Page, name: string, lang: 'nb' | 'nn'): Promise<void> {
    expect({ page: name, lang: await page.getAttribute('html', 'lang') }).toEqual({ page: name, lang });
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.screenshot({ path: join(ARTEFACTS_DIR, `nynorsk-kommune-${name}-${size.name}.png`), fullPage: true });
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect({ page: name, size: size.name, serious }).toEqual({ page: name, size: size.name, serious: [] });
      const sideways = ((await page.evaluate('document.documentElement.scrollWidth')) as number) > size.width;
      expect({ page: name, size: size.name, sideways }).toEqual({ page: name, size: size.name, sideways: false });
    }
    await page.setViewportSize(SIZES[0]);
  }

  it('signs in by its emailed link and reads, switches, sends its group set-up and reviews in nynorsk', async () => {
    const municipality = s.roster.municipalities[0] as (typeof s.roster.municipalities)[number];
    const authority = municipality.authority.email;
    const [first, second] = s.roster.kindergartens as [(typeof s.roster.kindergartens)[number], (typeof s.roster.kindergartens)[number]];

    // A kindergarten sends its full analysis (to the authority, late), so there is something to review.
    const target = await s.submissions.linkTarget(s.runId, first.orgnr, 'full-analysis');
    const token = signUploadToken({ runId: s.runId, orgnr: first.orgnr, deliverableId: 'full-analysis', expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    const form = new FormData();
    form.append('filer', new Blob([pdf('Full pedagogisk analyse', 40_000)]), 'Full analyse.pdf');
    expect((await fetch(`${s.baseUrl}/api/uploads/${token}`, { method: 'POST', body: form })).status).toBe(201);

    // The group set-up's prompt is in nynorsk, with the personal sign-in link.
    const prompt = await waitForEmail(s.sink, (e) => e.to.includes(authority) && e.subject.includes('Send gruppeoppsettet til kompetansepakken innan'));
    expect(prompt.html).toContain('<html lang="nn">');
    const link = /Send gruppeoppsettet i Årshjul \(personleg lenkje, utan passord\): (http\S+\/mottaker\/\S+)/.exec(prompt.text)?.[1] as string;
    expect(link).toBeDefined();

    const context = await browser.newContext({ viewport: SIZES[0], locale: 'nn-NO', bypassCSP: true });
    const page = await context.newPage();
    const h1 = async () => (await page.locator('h1').first().textContent()) ?? '';
    const main = async () => (await page.locator('main').textContent()) ?? '';
    await page.goto(link);
    await page.waitForURL(/\/mottatt$/);
    expect(await h1()).toBe(`Til barnehagemyndigheita i ${municipality.name}`);
    expect(await main()).toContain('det barnehagane har sendt til dykk, og kven som ikkje har levert enno.');
    expect(await main()).toContain('De har ikkje sendt det enno.');
    expect(await main()).toContain('1 av 2 har levert. Vurder kvar analyse: godkjenn han, eller send han tilbake til revisjon med ein kommentar og ein ny frist.');
    expect(await page.locator('header').textContent()).toContain(`Barnehagemyndigheita i ${municipality.name}`);
    await check(page, 'mottatt', 'nn');

    // The switch: the same page in bokmål, and back.
    await Promise.all([page.waitForURL(/\/mottatt\?malform=nb$/), page.getByRole('link', { name: 'Les siden på bokmål' }).click()]);
    expect(await h1()).toBe(`Til barnehagemyndigheten i ${municipality.name}`);
    expect(await main()).toContain('Dere har ikke sendt det ennå.');
    await check(page, 'mottatt-bokmal', 'nb');
    await Promise.all([page.waitForURL(/\/mottatt\?malform=nn$/), page.getByRole('link', { name: 'Les sida på nynorsk' }).click()]);
    expect(await h1()).toBe(`Til barnehagemyndigheita i ${municipality.name}`);

    // The group set-up form, in nynorsk (the choice kept in the link).
    await Promise.all([page.waitForURL(/\/gruppeoppsett\/group-setup\?malform=nn$/), page.getByRole('link', { name: 'Send gruppeoppsettet' }).click()]);
    expect(await main()).toContain(`Barnehagemyndigheita i ${municipality.name}.`);
    expect(await main()).toContain('Blir teke imot til');
    expect(await main()).toContain(`Styrar: ${first.director.name}. Minst 2 deltakarar, styraren blant dei.`);
    await expect(page.getByLabel('Namn, deltakar 2').count()).resolves.toBe(2);
    expect(await page.getByLabel('Rolle, deltakar 2').first().locator('option:checked').textContent()).toBe('Pedagogisk leiar');
    await check(page, 'gruppeoppsett', 'nn');

    // A spreadsheet with a wrong address and a kindergarten with one participant: refused, row and column named, in
    // nynorsk, nothing stored, the page still nynorsk.
    const rows = [
      'orgnr;barnehage;navn;epost;rolle',
      `${first.orgnr};${first.name};${first.director.name};${first.director.email};Styrer`,
      `${second.orgnr};${second.name};${second.director.name};${second.director.email};Styrer`,
      `${second.orgnr};${second.name};Per Pedleiar;per1@barnehage;Pedagogisk leder`,
    ];
    await page.getByLabel('Rekneark (.xlsx) eller CSV').setInputFiles({ name: 'gruppeoppsett.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await Promise.all([page.waitForURL(/\/fil\?malform=nn$/), page.getByRole('button', { name: 'Last opp gruppeoppsettet' }).click()]);
    const refused = (await page.locator('#feil').textContent()) ?? '';
    expect(refused).toContain('Gruppeoppsettet vart ikkje lagra');
    expect(refused).toContain('Ingenting er lagra. Rett opp reknearket og last det opp på nytt, eller fyll ut skjemaet.');
    expect(refused).toContain('gruppeoppsett.csv, rad 4, kolonne «epost»: «per1@barnehage» er ikkje ei gyldig e-postadresse');
    expect(refused).toContain(`${first.name}: har éin deltakar; minst 2 må vere med, styraren blant dei`);
    expect(await s.store.latestGroupSetup(s.runId, municipality.id, 'group-setup')).toBeNull();
    await check(page, 'gruppeoppsett-feil', 'nn');

    // The form instead: the directors are filled in; a pedagogical leader for each kindergarten.
    for (const [i, k] of [first, second].entries()) {
      expect(await page.getByLabel('Namn, deltakar 1').nth(i).inputValue()).toBe(k.director.name);
      await page.getByLabel('Namn, deltakar 2').nth(i).fill(`Pedagogisk leiar ${i + 1}`);
      await page.getByLabel('E-post, deltakar 2').nth(i).fill(`pedleiar${i + 1}@barnehage.example`);
    }
    await Promise.all([page.waitForURL(/\/kvittering\/[0-9a-f-]{36}\?malform=nn$/), page.getByRole('button', { name: 'Send gruppeoppsettet' }).click()]);
    expect(await h1()).toBe('Kvittering');
    expect(await main()).toContain(`frå barnehagemyndigheita i ${municipality.name}.`);
    expect(await main()).toMatch(/Vi har fått .+ frå barnehagemyndigheita/);
    expect(await main()).toMatch(/Kvitteringsnummer\s*GS-\d{6}/);
    expect(await main()).toMatch(new RegExp(`Kom inn\\s*${NYNORSK_DATE.source}`));
    expect(await main()).toContain('Deltakarar4');
    expect(await main()).toContain('Pedagogisk leiar 1, pedagogisk leiar');
    await check(page, 'gruppeoppsett-kvittering', 'nn');
    expect((await s.store.latestGroupSetup(s.runId, municipality.id, 'group-setup'))?.participants).toHaveLength(4);

    // The review of the full analysis, from the page of what is addressed to it (its own standard, no choice made).
    await page.goto(`${s.baseUrl}/konsoll/runs/${s.runId}/mottatt`);
    expect(await main()).toMatch(new RegExp(`De sende versjon 1 ${NYNORSK_DATE.source}`));
    await Promise.all([page.waitForURL(/\/vurdering$/), page.getByRole('link', { name: 'Vurder', exact: true }).click()]);
    expect(await h1()).toBe(`Full pedagogisk analyse (modul 3 og 4): ${first.name}`);
    expect(await main()).toMatch(new RegExp(`versjon 1 \\(etter fristen\\), kom inn ${NYNORSK_DATE.source}`));
    expect(await page.locator('legend').textContent()).toBe('Vurderinga di');
    await check(page, 'vurdering', 'nn');
    // Sent without a verdict: refused beside the form, in nynorsk.
    await page.getByRole('button', { name: 'Lagre vurderinga' }).click();
    expect(await page.locator('[role=alert]').textContent()).toContain('Vel «Godkjend» eller «Send tilbake til revisjon».');
    await check(page, 'vurdering-feil', 'nn');
    await page.getByLabel('Godkjend').check();
    await Promise.all([page.waitForURL(/\/mottatt\?melding=vurdert$/), page.getByRole('button', { name: 'Lagre vurderinga' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Vurderinga er lagra, og styraren har fått melding på e-post.');
    expect(await main()).toMatch(new RegExp(`Godkjend ${NYNORSK_DATE.source} \\(versjon 1\\)`));
    await check(page, 'vurdert', 'nn');
    await context.close();
  });
});
