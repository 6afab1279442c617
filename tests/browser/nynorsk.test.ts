import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTEFACTS_DIR, axeViolations, launchChromium } from '../helpers/browser';
import { pdf } from '../helpers/documents';
import { type UploadStack, startUploadStack, uploadLinkIn, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(180_000);

const SIZES = [
  { name: 'pc', width: 1366, height: 768 },
  { name: 'mobil', width: 390, height: 844 },
] as const;

/**
 * A director in a municipality that writes nynorsk (the roster's `language: nn`): the prompt email, the upload page,
 * the receipt page and the receipt email are in nynorsk; the page offers bokmål and keeps the choice through the form.
 * Each page at both sizes: axe-core (no serious or critical violation), no sideways scrolling; screenshots.
 */
describe('a director whose municipality writes nynorsk, in a real browser', () => {
  let s: UploadStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'nynorsk', kindergartens: 1, roster: (r) => ({ ...r, municipalities: r.municipalities.map((m) => ({ ...m, language: 'nn' as const })) }) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function check(page: Page, name: string, lang: 'nb' | 'nn'): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.screenshot({ path: join(ARTEFACTS_DIR, `nynorsk-${name}-${size.name}.png`), fullPage: true });
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect({ page: name, size: size.name, serious }).toEqual({ page: name, size: size.name, serious: [] });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(size.width);
    }
  }

  it('reads the prompt, the page, the receipt and the receipt email in nynorsk, with bokmål one click away', async () => {
    const orgnr = s.roster.kindergartens[0]?.orgnr as string;
    const director = `styrer-${orgnr}@barnehage.example`;
    const prompt = await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(director));
    expect(prompt.text).toContain('No kan du sende inn «Analysen så langt (modul 1 og 2)»');
    expect(prompt.text).toContain('Venleg helsing');
    expect(prompt.html).toContain('<html lang="nn">');
    const link = uploadLinkIn(prompt);

    const context = await browser.newContext({ viewport: SIZES[0], locale: 'nn-NO', bypassCSP: true });
    const page = await context.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    const main = async () => (await page.locator('main').textContent()) ?? '';
    expect(await main()).toContain('Forseinka innlevering');
    expect(await main()).toContain('Tidlegare innleveringar');
    await expect(page.getByLabel('Kommentar (valfritt)').count()).resolves.toBe(1);
    await check(page, 'innlevering', 'nn');

    // The switch: the same page in bokmål, and back.
    await Promise.all([page.waitForURL(/malform=nb/), page.getByRole('link', { name: 'Les siden på bokmål' }).click()]);
    expect(await main()).toContain('Tidligere innleveringer');
    await expect(page.getByLabel('Kommentar (valgfritt)').count()).resolves.toBe(1);
    await check(page, 'innlevering-bokmal', 'nb');
    await Promise.all([page.waitForURL(/malform=nn/), page.getByRole('link', { name: 'Les sida på nynorsk' }).click()]);
    expect(await main()).toContain('Tidlegare innleveringar');

    // Sent in nynorsk: the receipt page and the receipt email are in nynorsk.
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-nynorsk-'));
    writeFileSync(join(dir, 'Analyse.pdf'), pdf('Analysen så langt', 20_000));
    await page.getByLabel('Filer').setInputFiles(join(dir, 'Analyse.pdf'));
    await Promise.all([page.waitForURL(/\/kvittering\/.*malform=nn/), page.getByRole('button', { name: 'Send inn' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Kvittering');
    expect(await main()).toContain('Vi har fått Analysen så langt (modul 1 og 2).');
    expect(await main()).toContain('Kom inn');
    await check(page, 'kvittering', 'nn');
    const receipt = await waitForEmail(s.sink, (e) => e.to.includes(director) && e.subject.includes('Kvittering'));
    expect(receipt.subject).toMatch(/^Kultur for læring: Kvittering AH-\d{6}: vi har fått Analysen så langt/);
    expect(receipt.text).toContain('Innleveringa går vidare til');
    await context.close();
  });
});
