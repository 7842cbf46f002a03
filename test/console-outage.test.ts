/**
 * The operator works through an outage, in real Chromium (issue 5): the hub stops, the top bar says
 * so with the time it happened and the actions waiting, the operator accepts and dispatches anyway
 * (pending marks on the row and the timeline, the dispatch marked undelivered with the leader's
 * phone number), and once the hub is back everything is confirmed. Needs `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { startHub, type RunningHub } from '../server/hub';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { DEMO } from './helpers/demo';
import { allChanges, expectApplied, login, PLACES, postCommand, removeDir, tempDir, uid } from './helpers/hub';

let hub: RunningHub | undefined;
let host: ConsoleHost | undefined;
let browser: Browser | undefined;
let hubDir: string | undefined;
let consoleDir: string | undefined;

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await hub?.close();
  if (hubDir) await removeDir(hubDir);
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

it('shows the outage, keeps working offline and confirms everything once the hub is back', { timeout: 120_000 }, async () => {
  hubDir = await tempDir('outage-hub');
  const hubOpts = { demo: true, dataDir: hubDir, deadlineSweepMs: 3600_000 } as const;
  hub = await startHub({ ...hubOpts, port: 0 });
  const port = hub.port;
  const hubUrl = hub.url;
  consoleDir = mkdtempSync(join(tmpdir(), 'console-outage-'));
  host = await startConsoleHost({ hubUrl, dataDir: consoleDir, port: 0 });
  browser = await launchChromium();
  const token2 = await login(hubUrl, 'operator2');
  const eventId = uid('out');
  await expectApplied(
    postCommand(hubUrl, token2, { type: 'report', commandId: uid('report'), eventId, categoryId: 'municipal_facilities', description: '路灯不亮', position: PLACES.jinsha, source: 'phone' }),
  );

  const { page, errors } = await openConsolePage(browser, host.url);
  const row = page.getByTestId(`row-${eventId}`);
  await row.waitFor({ timeout: 15_000 });
  const pill = page.locator('header [role=status]');
  expect(await pill.getAttribute('data-state')).toBe('online');

  // the hub goes down
  await hub.close();
  hub = undefined;
  await expect.poll(() => pill.getAttribute('data-state'), { timeout: 20_000 }).not.toBe('online');
  const since = page.getByTestId('link-since');
  await since.waitFor({ timeout: 5_000 });
  expect(await since.textContent()).toMatch(/\d{1,2}:\d{2}/);

  // offline, the operator accepts and dispatches from the cache
  await row.click();
  const detail = page.locator(`[data-testid=detail][data-event="${eventId}"]`);
  await detail.waitFor();
  await page.getByTestId('act-accept').click();
  await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('accepted');
  await expect.poll(() => row.getAttribute('data-pending'), { timeout: 10_000 }).toBe('true');
  await expect.poll(() => page.getByTestId('tl-pending').count(), { timeout: 10_000 }).toBe(1);
  await expect.poll(() => page.getByTestId('outbox').textContent(), { timeout: 10_000 }).toContain('1');

  const top = page.getByTestId('dispatch-top');
  await top.waitFor({ timeout: 10_000 });
  await top.click();
  await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('dispatched');
  await expect.poll(() => page.getByTestId('tl-pending').count(), { timeout: 10_000 }).toBe(2);
  await expect.poll(() => page.getByTestId('outbox').textContent(), { timeout: 10_000 }).toContain('2');
  // the leader cannot be reached through the hub: call them
  const undelivered = page.getByTestId('undelivered');
  await undelivered.waitFor({ timeout: 10_000 });
  expect(await undelivered.textContent()).toContain('未送达 — 请电话联系');
  const phone = await page.getByTestId('undelivered-phone').textContent();
  expect(DEMO.people.some((p) => p.phone === phone)).toBe(true);
  await page.screenshot({ path: process.env.OUTAGE_SCREENSHOT ?? join(consoleDir, 'outage.png') });

  // the hub returns on the same address and store
  hub = await startHub({ ...hubOpts, port });
  await expect.poll(() => pill.getAttribute('data-state'), { timeout: 30_000 }).toBe('online');
  await expect.poll(() => page.getByTestId('outbox').count(), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => page.getByTestId('tl-pending').count(), { timeout: 15_000 }).toBe(0);
  await expect.poll(() => page.getByTestId('undelivered').count(), { timeout: 15_000 }).toBe(0);
  await expect.poll(() => row.getAttribute('data-pending'), { timeout: 15_000 }).toBe(null);
  const confirmed = await page.getByTestId('tl-confirmed').count();
  expect(confirmed).toBe(await page.locator('[data-testid=timeline] > li').count());
  expect(confirmed).toBeGreaterThanOrEqual(3);
  expect(await page.getByTestId('link-since').count()).toBe(0);

  // and the hub has it, once
  const changes = (await allChanges(hubUrl, token2)).changes;
  const ev = changes.filter((c) => c.kind === 'event' && c.id === eventId).pop();
  expect(ev?.kind === 'event' && ev.data.state).toBe('dispatched');
  const kinds = changes.filter((c) => c.kind === 'timeline' && c.data.eventId === eventId).map((c) => (c.kind === 'timeline' ? c.data.kind : ''));
  expect(kinds).toEqual(['report', 'accept', 'dispatch']);
  expect(errors).toEqual([]);
  await page.close();
});
