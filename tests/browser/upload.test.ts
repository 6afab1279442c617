import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { kindergartenWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { ARTEFACTS_DIR, launchChromium } from '../helpers/browser';
import { pdf } from '../helpers/documents';
import { type UploadStack, startUploadStack, uploadLinkIn, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(180_000);

/**
 * A director on a phone: opens the link in the prompt the SMTP server received, picks a PDF, sends it, and sees the
 * receipt; the receipt email arrives and the kindergarten's workflow shows the submission.
 */
describe('a director uploads in a real browser', () => {
  let s: UploadStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'browser', kindergartens: 1 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('goes from the email link to a receipt, by keyboard, on a phone-sized screen', async () => {
    const orgnr = s.roster.kindergartens[0]?.orgnr as string;
    const prompt = await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(`styrer-${orgnr}@barnehage.example`));
    const link = uploadLinkIn(prompt);

    const file = pdf('Analysen så langt – modul 1 og 2', 300_000);
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-browser-'));
    const path = join(dir, 'Analyse modul 1-2.pdf');
    writeFileSync(path, file);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'nb-NO' });
    const page = await context.newPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Analysen så langt (modul 1 og 2)');
    await expect(page.getByLabel('Filer').count()).resolves.toBe(1);
    await expect(page.getByLabel('Kommentar (valgfritt)').count()).resolves.toBe(1);
    // Nothing wider than the screen: the page works on a phone without sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTEFACTS_DIR, 'upload-page.png'), fullPage: true });

    await page.getByLabel('Filer').setInputFiles(path);
    await page.getByLabel('Kommentar (valgfritt)').fill('Her er analysen så langt. <b>Takk</b> for veiledningen!');
    // Submit with the keyboard: focus the button and press Enter.
    await page.getByRole('button', { name: 'Send inn' }).focus();
    await Promise.all([page.waitForURL(/\/kvittering\//), page.keyboard.press('Enter')]);

    await expect(page.locator('h1').textContent()).resolves.toBe('Kvittering');
    const body = (await page.locator('main').textContent()) ?? '';
    const receiptNumber = /AH-\d{6}/.exec(body)?.[0];
    expect(receiptNumber).toBeDefined();
    expect(body).toContain('Analyse modul 1-2.pdf');
    expect(body).toContain(createHash('sha256').update(file).digest('hex'));
    expect(body).toContain('Her er analysen så langt. <b>Takk</b> for veiledningen!');
    await page.screenshot({ path: join(ARTEFACTS_DIR, 'upload-receipt.png'), fullPage: true });
    expect(existsSync(join(ARTEFACTS_DIR, 'upload-receipt.png'))).toBe(true);

    const email = await waitForEmail(s.sink, (e) => e.subject.includes(`Kvittering ${receiptNumber as string}`));
    expect(email.to).toEqual([`styrer-${orgnr}@barnehage.example`]);
    expect(email.text).toContain(`SHA-256: ${createHash('sha256').update(file).digest('hex')}`);

    const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(s.runId, orgnr)).query(kindergartenStatusQuery);
    expect(status.deliverables.find((d) => d.id === 'analysis-so-far')).toMatchObject({ status: 'submitted', submissions: 1 });

    // Reloading the receipt shows it again and sends nothing twice.
    await page.reload();
    await expect(page.locator('h1').textContent()).resolves.toBe('Kvittering');
    expect((await s.submissions.listFor(s.runId, orgnr, 'analysis-so-far')).length).toBe(1);
    await context.close();
  });
});
