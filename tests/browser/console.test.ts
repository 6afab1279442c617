import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../security/passwords';
import { kindergartenWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { ARTEFACTS_DIR, type AxeViolation, axeViolations, launchChromium } from '../helpers/browser';
import { type UploadStack, startUploadStack } from '../helpers/upload-stack';

jest.setTimeout(240_000);

const SOLSTUA = '976028082';


/**
 * The coordinator in a real browser: signs in, starts the example year from the example plan and roster, sees the
 * matrix, moves workshop 1 for Kongsvinger and sees the timeline and a kindergarten's next emails move, withdraws a
 * kindergarten. Every page is scanned with axe-core (no serious or critical violation) and photographed.
 */
describe('the coordinator console in a real browser', () => {
  let s: UploadStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const scanned: Record<string, AxeViolation[]> = {};

  beforeAll(async () => {
    s = await startUploadStack({ label: 'konsoll', kindergartens: 1 });
    await s.accounts.addUser({ email: 'kari@fylke.example', name: 'Kari Koordinator', passwordHash: await hashPassword('korrekt-hest-batteri-stift'), role: 'coordinator', runId: null, municipalityId: null });
    browser = await launchChromium();
    // axe is evaluated into each page; the console's CSP allows no scripts of its own.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO', bypassCSP: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.close();
  });

  async function check(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTEFACTS_DIR, `konsoll-${name}.png`), fullPage: true });
    const violations = await axeViolations(page);
    scanned[name] = violations;
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  }

  const h1 = () => page.locator('h1').first().textContent();

  it('signs in, starts the example year, moves a workshop, withdraws a kindergarten; every page passes axe', async () => {
    await page.goto(`${s.baseUrl}/konsoll`);
    expect(page.url()).toContain('/konsoll/logg-inn');
    await check('logg-inn');
    await page.getByLabel('E-post').fill('kari@fylke.example');
    await page.getByLabel('Passord').fill('korrekt-hest-batteri-stift');
    await Promise.all([page.waitForURL(/\/konsoll$/), page.getByRole('button', { name: 'Logg inn' }).click()]);
    await check('oversikt');

    await page.getByRole('link', { name: 'Start et nytt programår' }).click();
    await check('ny');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Kontroller og vis tidslinjen' }).click()]);
    expect(await h1()).toBe('Kontroller før start');
    expect(await page.locator('main').textContent()).toContain('61');
    await check('forhandsvisning');
    await Promise.all([page.waitForURL(/\/konsoll\/runs\/arshjul-\d{4}-hedmark/), page.getByRole('button', { name: 'Start programåret' }).click()]);
    const runUrl = page.url().split('?')[0] as string;
    const runId = runUrl.split('/').pop() as string;
    expect(await page.locator('[role=status]').textContent()).toContain('Programåret er startet.');
    expect(await page.locator('table.matrix caption').textContent()).toContain('61 barnehager');
    await check('run');

    // Kongsvinger's kindergartens only, then Solstua's page with its next emails.
    await page.getByLabel('Region').selectOption('kongsvinger');
    await page.getByRole('button', { name: 'Vis', exact: true }).click();
    await page.waitForURL(/region=kongsvinger/);
    const kongsvinger = await page.locator('table.matrix tbody tr').count();
    expect(kongsvinger).toBeGreaterThan(0);
    expect(kongsvinger).toBeLessThan(61);
    await page.goto(`${runUrl}/barnehager/${SOLSTUA}`);
    expect(await h1()).toBe('Solstua barnehage');
    const before = (await page.locator('ul.upcoming').textContent()) ?? '';
    await check('barnehage');

    // Move workshop 1 for Kongsvinger: preview, then confirm.
    await page.goto(runUrl);
    await page.getByLabel('Milepæl', { exact: true }).selectOption('workshop-1');
    await page.getByLabel('For', { exact: true }).selectOption('kongsvinger');
    const year = Number(runId.split('-')[1]) + 1;
    await page.getByLabel('Ny tid (lokal tid)').fill(`${year}-02-10T09:00`);
    await page.getByRole('button', { name: 'Vis endringen' }).first().click();
    await page.waitForURL(/handling\/flytt/);
    expect(await page.locator('main').textContent()).toContain('Workshop 1: Tolke og analysere data (Kongsvingerregionen)');
    await check('flytt');
    await Promise.all([page.waitForURL(/melding=flyttet/), page.getByRole('button', { name: 'Bekreft' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Milepælen er flyttet.');
    await page.locator('details summary').first().click();
    expect(await page.locator('details').first().textContent()).toContain(`onsdag 10. februar ${year} kl. 09.00 (flyttet)`);

    await page.goto(`${runUrl}/barnehager/${SOLSTUA}`);
    const after = (await page.locator('ul.upcoming').textContent()) ?? '';
    expect(after).not.toBe(before);
    expect(after).toContain(`Workshop 1: Tolke og analysere data» (onsdag 10. februar ${year} kl. 09.00)`);

    // Withdraw Solstua: preview, confirm, and the workflow is withdrawn.
    await page.getByLabel('Begrunnelse').fill('Barnehagen er lagt ned');
    await page.getByRole('button', { name: 'Vis endringen' }).last().click();
    await page.waitForURL(/handling\/trekk/);
    await check('trekk');
    await Promise.all([page.waitForURL(/melding=trukket/), page.getByRole('button', { name: 'Bekreft' }).click()]);
    expect(await page.locator('main').textContent()).toContain('Barnehagen er lagt ned');
    await check('barnehage-trukket');
    const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(runId, SOLSTUA)).query(kindergartenStatusQuery);
    expect(status.state).toBe('withdrawn');

    await page.goto(`${runUrl}/revisjon`);
    const audit = (await page.locator('tbody').textContent()) ?? '';
    expect(audit).toContain('Trakk en barnehage');
    expect(audit).toContain('Flyttet en milepæl');
    expect(audit).toContain('Startet programåret');
    await check('revisjon');

    // Every page scanned; minor and moderate findings are reported here, not hidden.
    const minor = Object.entries(scanned).flatMap(([name, vs]) => vs.map((v) => `${name}: ${v.id} (${v.impact})`));
    process.stdout.write(`axe: ${Object.keys(scanned).length} pages scanned; other findings: ${minor.length ? minor.join(', ') : 'none'}\n`);
  });
});
