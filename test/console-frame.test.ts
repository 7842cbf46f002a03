import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { PLACES } from './helpers/hub';

/**
 * The console frame in real Chromium, served by the console host with an embedded demo hub (the
 * simulator off, so nothing but the test moves): sign in through the console core, see the queue
 * follow the hub live, switch language, and split a merged report out again. Needs
 * `npm run build` first (npm test does it).
 */
describe('console host and page in Chromium', () => {
  let host: ConsoleHost;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-frame-'));
    host = await startConsoleHost({ dataDir: dir, port: 0, demo: true, sim: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hubToken(username: string): Promise<string> {
    const login = await fetch(`${host.hubUrl}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: username }),
    });
    return ((await login.json()) as { token: string }).token;
  }

  const openConsole = async (): Promise<Page> => (await openConsolePage(browser, host.url)).page;

  it('serves the page with a strict CSP and tells it where the hub is', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cfg = (await (await fetch(new URL('/config.json', host.url))).json()) as { hubUrl: string };
    expect(cfg.hubUrl).toBe(host.hubUrl);
  });

  it('signs in, goes online, shows a newly reported event live, and switches to English', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await page.fill('input[name=username]', 'operator');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('[role=alert]').textContent()).toBeTruthy();

    await page.fill('input[name=password]', 'operator');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
    // the cache has caught up with the district from the hub's feed
    await expect.poll(async () => Number(await page.getByTestId('head').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);

    // a report made by another operator through the hub reaches this page live
    const token = await hubToken('operator2');
    const r = await fetch(`${host.hubUrl}/api/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'report', commandId: 'frame-c1', eventId: 'frame-e1', categoryId: 'municipal_facilities', description: '井盖破损', position: PLACES.jinsha, source: 'phone' }),
    });
    expect(r.status).toBe(200);
    const row = page.getByTestId('row-frame-e1');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('市政设施');
    expect(await row.textContent()).toContain('金沙街道');
    expect(await row.textContent()).toContain('已上报');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent()).toContain('Online');
    expect(await row.textContent()).toContain('Municipal facilities');
    expect(await row.textContent()).toContain('Reported');
    await page.getByRole('button', { name: '中文' }).click();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a field report merged into an earlier one, and the operator splits it out again', async () => {
    const page = await openConsole();

    const report = (token: string, eventId: string, dLat: number) =>
      fetch(`${host.hubUrl}/api/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          type: 'report', commandId: `c-${eventId}`, eventId, categoryId: 'sanitation', description: '垃圾堆放',
          position: { lng: PLACES.jinsha.lng, lat: PLACES.jinsha.lat + dLat }, source: 'field',
        }),
      });
    expect((await report('dev_demo_leader-0-0-0', 'frame-e2', 0)).status).toBe(200);
    expect((await report('dev_demo_leader-0-0-1', 'frame-e3', 0.0002)).status).toBe(200);

    // the case shows one linked report; the merged report itself is not a case in the open queue
    const parent = page.getByTestId('row-frame-e2');
    await parent.waitFor({ timeout: 10_000 });
    await expect.poll(() => parent.textContent(), { timeout: 10_000 }).toContain('+1');
    expect(await page.getByTestId('row-frame-e3').count()).toBe(0);

    await parent.click();
    const merged = page.getByTestId('merged-frame-e3');
    await merged.waitFor({ timeout: 10_000 });
    await merged.getByRole('button', { name: '拆分' }).click();

    // the split comes back through the core: the report is its own case again
    const split = page.getByTestId('row-frame-e3');
    await split.waitFor({ timeout: 10_000 });
    await expect.poll(() => split.textContent(), { timeout: 10_000 }).toContain('已上报');
    await expect.poll(() => parent.textContent(), { timeout: 10_000 }).not.toContain('+1');
    await page.close();
  });
});
