import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polygonCentroid } from '../shared/geo';
import { defaultRendererDir } from '../server/hub';
import { launchChromium } from './browser/chromium';
import { demoGrid } from './helpers/demo';
import { login, onePixelPng, request, startTestHub, type TestHub } from './helpers/hub';

/**
 * The field page's visit form (走访) in real Chromium on a 360 px phone: a leader logs a household
 * visit with a photo at the phone's position, the hub keeps it once, and it counts in the day's
 * ledger. Needs `npm run build` first (npm test does it).
 */
const LEADER = 'leader-0-0-0';

let t: TestHub;
let browser: Browser;
let page: Page;
let op: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(defaultRendererDir(), 'field', 'index.html'))) {
    throw new Error('The field page is not built (out/renderer/field/index.html); run: npm run build');
  }
  t = await startTestHub();
  op = await login(t.url, 'operator');
  const here = polygonCentroid(demoGrid('grid-0-0-0').polygon);
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: here.lng, latitude: here.lat, accuracy: 8 },
    permissions: ['geolocation'],
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('logging a visit from the field page', () => {
  it('asks for the household first, then logs the visit with its photo where the phone is', async () => {
    await page.goto(`${t.url}/field?token=dev_demo_${LEADER}`);
    await page.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
    await page.getByRole('tab', { name: '走访', exact: true }).click();
    await page.getByRole('button', { name: '登记走访' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('请填写走访对象');

    await page.fill('input[name=household]', '人民新村3幢201 张家');
    await page.fill('textarea[name=visit-note]', '独居老人，身体尚好');
    await page.setInputFiles('input[name=visit-photo]', { name: 'door.png', mimeType: 'image/png', buffer: onePixelPng([200, 120, 30, 255]) });
    await expect.poll(() => page.locator('.photo img').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: '登记走访' }).click();
    const done = page.getByTestId('visit-done');
    await done.waitFor({ timeout: 10_000 });
    expect(await done.textContent()).toContain('已登记走访 · 人民新村3幢201 张家');
    const visitId = await done.getAttribute('data-visit-id');

    const listed = await request(t.url, 'GET', '/api/ledgers/visits?period=day', { token: op });
    expect(listed.body.visits).toHaveLength(1);
    expect(listed.body.visits[0]).toMatchObject({ visitId, personId: LEADER, gridId: 'grid-0-0-0', household: '人民新村3幢201 张家', note: '独居老人，身体尚好' });
    expect(listed.body.visits[0].attachments).toHaveLength(1);
    // the form is empty again for the next household
    expect(await page.inputValue('input[name=household]')).toBe('');

    const ledger = await request(t.url, 'GET', '/api/stats/ledger?period=day&townId=town-jinsha', { token: op });
    expect(ledger.body.rows.find((r: { personId: string }) => r.personId === LEADER)).toMatchObject({ visits: 1, dutyDays: 1 });
    expect(pageErrors).toEqual([]);
  });

  it('reads in English too', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getByRole('tab', { name: 'Visit', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Log visit' }).count()).toBe(1);
  });
});
