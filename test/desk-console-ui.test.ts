import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { expectApplied, login, PLACES, postCommand, reportCmd, startTestHub, type TestHub } from './helpers/hub';

/**
 * The sub-centre desk's console (金沙街道), in real Chromium on the console core against a demo
 * hub: the same console, scoped by the desk's sign-in. Its queue holds its town's events only, its
 * dispatch candidates are its town's people, and it sends a case up to the district. Needs
 * `npm run build` first (npm test does it).
 */
describe('the sub-centre desk console, in Chromium', () => {
  let hub: TestHub;
  let host: ConsoleHost;
  let browser: Browser;
  let dir: string;
  let op: string;

  beforeAll(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'desk-ui-'));
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: dir, port: 0 });
    browser = await launchChromium();
    op = await login(hub.url, 'operator');
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows its town's queue only, dispatches within it and escalates up to the district", async () => {
    const mine = reportCmd({ eventId: 'desk-ui-own', position: PLACES.jinsha, description: '金沙井盖破损' });
    const theirs = reportCmd({ eventId: 'desk-ui-other', position: PLACES.dongshe, description: '东沙井盖破损' });
    await expectApplied(postCommand(hub.url, op, mine));
    await expectApplied(postCommand(hub.url, op, theirs));

    const { page, errors } = await openConsolePage(browser, host.url, 'desk-jinsha');
    await expect.poll(() => page.getByTestId('desk-town').textContent(), { timeout: 10_000 }).toBe('金沙街道');
    const own = page.getByTestId('row-desk-ui-own');
    await own.waitFor({ timeout: 10_000 });
    // the other town's report never reaches this console's cache, so no row and no search hit
    expect(await page.getByTestId('row-desk-ui-other').count()).toBe(0);
    expect(host.core.cache.event('desk-ui-other')).toBeUndefined();

    await own.click();
    await page.locator('[data-testid=detail][data-event=desk-ui-own]').waitFor();
    await page.getByTestId('candidate-top').waitFor({ timeout: 10_000 });
    const candidates = await page.locator('[data-testid^=candidate-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    const people = candidates.filter((id) => id !== 'candidate-top').map((id) => id!.slice('candidate-'.length));
    expect(people.length).toBeGreaterThan(0);
    for (const id of people) expect((await hub.hub.store.getPerson(id))?.townId, id).toBe('town-jinsha');

    await page.getByTestId('act-accept').click();
    await expect.poll(async () => (await hub.hub.store.getEvent('desk-ui-own'))?.state, { timeout: 10_000 }).toBe('accepted');
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    const dialog = page.getByTestId('dialog-escalate');
    await dialog.waitFor();
    // a desk sends cases up or to departments; handing one to another town is not offered
    expect(await dialog.locator('input[value=subcenter]').count()).toBe(0);
    await dialog.locator('input[value=district]').check();
    await dialog.locator('textarea[name=note]').fill('涉及跨镇街，需区级协调');
    await dialog.locator('button[type=submit]').click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await hub.hub.store.getEvent('desk-ui-own'))?.escalation, { timeout: 10_000 }).toEqual({ target: 'district' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the district's console core holds both towns' reports and the desk's case as sent up to it", async () => {
    const other = new (await import('../electron/core/console/core')).ConsoleCore({ hubUrl: hub.url, cacheFile: ':memory:' });
    try {
      await other.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
      await expect.poll(() => Boolean(other.cache.event('desk-ui-own') && other.cache.event('desk-ui-other')), { timeout: 10_000 }).toBe(true);
      // a sub-centre desk's escalation is shown to the district as sent up to it
      await expect.poll(() => other.cache.event('desk-ui-own')?.escalation, { timeout: 10_000 }).toEqual({ target: 'district' });
    } finally {
      await other.close();
    }
  });
});
