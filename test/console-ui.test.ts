import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { startRelay, type Relay } from './helpers/relay';
import { allChanges, login, onePixelPng, PLACES, postCommand, expectApplied, request, startTestHub, uid, type TestHub } from './helpers/hub';

/**
 * The operator console as an operator uses it, in real Chromium: the page talks to the console
 * core over the host's /api/core, the core to a demo hub through a TCP relay the test can cut, so
 * that a command can be queued while the hub is out of reach and then refused by it. Needs
 * `npm run build` first (npm test does it).
 */

describe('operator console on the console core, in Chromium', () => {
  let hub: TestHub;
  let relay: Relay;
  let host: ConsoleHost;
  let browser: Browser;
  let dir: string;
  let token2: string;

  beforeAll(async () => {
    hub = await startTestHub();
    relay = await startRelay(new URL(hub.url));
    dir = mkdtempSync(join(tmpdir(), 'console-ui-'));
    host = await startConsoleHost({ hubUrl: relay.url, dataDir: dir, port: 0 });
    browser = await launchChromium();
    token2 = await login(hub.url, 'operator2');
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await relay?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const report = async (eventId: string, description = '井盖破损') =>
    expectApplied(
      postCommand(hub.url, token2, {
        type: 'report', commandId: uid('report'), eventId, categoryId: 'municipal_facilities', description, position: PLACES.jinsha, source: 'phone',
      }),
    );

  /** The event as the hub has it, read from its change feed as operator2. */
  async function hubEvent(eventId: string) {
    const page = await allChanges(hub.url, token2);
    const last = page.changes.filter((c) => c.kind === 'event' && c.id === eventId).pop();
    return last?.kind === 'event' ? last.data : undefined;
  }

  const signIn = () => openConsolePage(browser, host.url);

  it('signs in through the core, sees a report arrive, opens it and dispatches it with one click', async () => {
    const { page, errors } = await signIn();
    await page.getByTestId('queue-total').waitFor();

    await report('ui-e1');
    const row = page.getByTestId('row-ui-e1');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('市政设施');
    expect(await row.textContent()).toContain('金沙街道');
    expect(await row.getAttribute('data-state')).toBe('reported');

    await row.click();
    const detail = page.locator('[data-testid=detail][data-event=ui-e1]');
    await detail.waitFor();
    const top = page.getByTestId('dispatch-top');
    await top.waitFor({ timeout: 10_000 });
    const topName = (await page.getByTestId('candidate-top').locator('b').first().textContent())!;
    expect(await top.textContent()).toContain(topName);
    await top.click();

    // accepted and dispatched in one step, first as pending, then confirmed by the hub
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('dispatched');
    await expect.poll(async () => (await hubEvent('ui-e1'))?.state, { timeout: 10_000 }).toBe('dispatched');
    const onHub = await hubEvent('ui-e1');
    expect(onHub?.assigneeId).toBeTruthy();
    await expect.poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain(topName);
    const timeline = (await page.getByTestId('timeline').textContent())!;
    for (const step of ['上报', '立案', '派遣']) expect(timeline).toContain(step);
    expect(timeline).toContain('调度员');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('goes the same way with the keyboard only: j/k, Enter, d', async () => {
    const { page, errors } = await signIn();
    await report('ui-k1', '路灯不亮');
    await report('ui-k2', '路面塌陷');
    await page.getByTestId('row-ui-k2').waitFor({ timeout: 10_000 });
    await page.getByTestId('sort-select').selectOption('newest');
    // Esc leaves the select; k to the top of the list, the newest report
    await page.keyboard.press('Escape');
    for (let i = 0; i < 5; i++) await page.keyboard.press('k');
    await expect.poll(() => page.locator('[role=row][aria-selected=true]').getAttribute('data-testid')).toBe('row-ui-k2');
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('[role=row][aria-selected=true]').getAttribute('data-testid')).toBe('row-ui-k1');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    const detail = page.locator('[data-testid=detail][data-event=ui-k1]');
    await detail.waitFor({ timeout: 10_000 });
    await page.getByTestId('dispatch-top').waitFor({ timeout: 10_000 });
    await page.keyboard.press('d');
    await expect.poll(async () => (await hubEvent('ui-k1'))?.state, { timeout: 10_000 }).toBe('dispatched');
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('dispatched');
    // the other one was left alone
    expect((await hubEvent('ui-k2'))?.state).toBe('reported');

    await page.keyboard.press('?');
    await page.getByTestId('help').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('help').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reviews and closes with keys once the leader has fed back; the timeline shows every step', async () => {
    const { page, errors } = await signIn();
    await report('ui-c1', '窨井盖缺失');
    const row = page.getByTestId('row-ui-c1');
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    const detail = page.locator('[data-testid=detail][data-event=ui-c1]');
    await page.getByTestId('dispatch-top').waitFor({ timeout: 10_000 });
    await page.getByTestId('dispatch-top').click();
    await expect.poll(async () => (await hubEvent('ui-c1'))?.state, { timeout: 10_000 }).toBe('dispatched');

    // the leader works it from the field page's API, with the phone's device token
    const leader = (await hubEvent('ui-c1'))!.assigneeId!;
    const device = `dev_demo_${leader}`;
    await expectApplied(postCommand(hub.url, device, { type: 'acknowledge', commandId: uid('ack'), eventId: 'ui-c1' }));
    await expectApplied(postCommand(hub.url, device, { type: 'arrive', commandId: uid('arr'), eventId: 'ui-c1', position: PLACES.jinsha }));
    const photo = await request<{ hash: string }>(hub.url, 'POST', '/api/attachments?purpose=photo', { token: device, raw: onePixelPng(), contentType: 'image/png' });
    await expectApplied(postCommand(hub.url, device, { type: 'feedback', commandId: uid('fb'), eventId: 'ui-c1', note: '已更换井盖', attachments: [photo.body.hash] }));
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('feedback');
    // the feedback photo shows in the timeline, served by the console host with the core's session
    const img = page.locator(`[data-testid=timeline] [data-testid=att-${photo.body.hash}] img`);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 10_000 }).toBe(1);

    await page.keyboard.press('r');
    await expect.poll(async () => (await hubEvent('ui-c1'))?.state, { timeout: 10_000 }).toBe('reviewed');
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('reviewed');
    await page.keyboard.press('c');
    await expect.poll(async () => (await hubEvent('ui-c1'))?.state, { timeout: 10_000 }).toBe('closed');
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('closed');

    const kinds = await page.getByTestId('timeline').locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds).toEqual(['report', 'accept', 'dispatch', 'acknowledge', 'arrive', 'feedback', 'review', 'close']);
    const timeline = (await page.getByTestId('timeline').textContent())!;
    expect(timeline).toContain('已更换井盖');
    expect(timeline).toContain('调度员');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('escalates to departments with a note from the dialog (网格吹哨、部门报到)', async () => {
    const { page, errors } = await signIn();
    await report('ui-x1', '多部门联合处置');
    const row = page.getByTestId('row-ui-x1');
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByTestId('act-accept').click();
    await expect.poll(async () => (await hubEvent('ui-x1'))?.state, { timeout: 10_000 }).toBe('accepted');
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    const dialog = page.getByTestId('dialog-escalate');
    await dialog.waitFor();
    await dialog.locator('input[value=departments]').check();
    // the category's usual department (市政设施 → 住建) comes ticked
    await dialog.getByLabel('环卫').check();
    await dialog.locator('textarea[name=note]').fill('需住建、环卫联合处置');
    await dialog.locator('button[type=submit]').click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(async () => (await hubEvent('ui-x1'))?.state, { timeout: 10_000 }).toBe('escalated');
    expect((await hubEvent('ui-x1'))?.escalation).toEqual({ target: 'departments', departmentIds: ['dept-housing', 'dept-sanitation'] });
    await expect.poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain('需住建、环卫联合处置');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('rolls back a command the hub refuses and says why', async () => {
    const { page, errors } = await signIn();
    await report('ui-r1', '违规占道');
    const row = page.getByTestId('row-ui-r1');
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByTestId('act-accept').waitFor({ timeout: 10_000 });

    // the hub goes out of reach; this console accepts, another one rejects on the hub meanwhile
    relay.cut();
    await page.getByTestId('act-accept').click();
    await expect.poll(() => row.getAttribute('data-pending'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => row.getAttribute('data-state')).toBe('accepted');
    await expectApplied(postCommand(hub.url, token2, { type: 'reject', commandId: uid('reject'), eventId: 'ui-r1', reason: 'invalid' }));
    relay.restore();

    const toast = page.getByTestId('toast-bad');
    await toast.waitFor({ timeout: 20_000 });
    expect(await toast.textContent()).toContain('已回滚');
    // the toast fades; the rolled-back action stays listed with its reason until the operator clears it
    const listed = page.getByTestId('conflicts');
    await listed.waitFor();
    expect(await listed.textContent()).toContain('已回滚的操作');
    expect(await listed.textContent()).toContain('ui-r1');
    expect(await toast.textContent()).toMatch(/rejected|reported|accept/);
    // the hub's word stands: the event is rejected here too, and no longer pending
    await expect.poll(() => page.locator('[data-testid=detail][data-event=ui-r1]').getAttribute('data-state'), { timeout: 10_000 }).toBe('rejected');
    expect((await hubEvent('ui-r1'))?.state).toBe('rejected');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a search live: a report matching it appears while the operator is searching', async () => {
    const { page, errors } = await signIn();
    const word = `测速${Date.now().toString(36)}`;
    await page.locator('input[name=search]').fill(word);
    await expect.poll(async () => (await page.getByTestId('queue-total').locator('b').textContent())?.trim(), { timeout: 10_000 }).toBe('0');
    await report('ui-s1', `${word} 路口井盖破损`);
    await page.getByTestId('row-ui-s1').waitFor({ timeout: 10_000 });
    await report('ui-s2', `${word.toUpperCase()} 第二起`);
    await page.getByTestId('row-ui-s2').waitFor({ timeout: 10_000 });
    await page.locator('input[name=search]').fill('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the catch-up as a progress bar after the hub was out of reach, then the queue holds everything', async () => {
    const { page, errors } = await signIn();
    const before = Number((await page.getByTestId('queue-total').locator('b').textContent())!.replace(/\D/g, ''));
    // every state the bar is drawn in, recorded by the page itself: the catch-up takes well under a second
    await page.evaluate(() => {
      const w = window as unknown as { __catchUp: string[] };
      w.__catchUp = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid=catch-up]');
        if (bar) w.__catchUp.push(bar.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    relay.cut();
    // 1,500 reports (3,000 changes: three pages of the feed) while this console cannot hear them
    const N = 1500;
    const commands = Array.from({ length: N }, (_, i) => ({
      type: 'report', commandId: uid('bulk'), eventId: `ui-bulk-${i}`, categoryId: 'sanitation', description: `积存垃圾 ${i}`, position: PLACES.jinsha, source: 'phone',
    }));
    for (let i = 0; i < N; i += 500) {
      const r = await request(hub.url, 'POST', '/api/commands/batch', { token: token2, json: { commands: commands.slice(i, i + 500) } });
      expect(r.status).toBe(200);
    }
    relay.restore();

    await expect.poll(async () => Number((await page.getByTestId('queue-total').locator('b').textContent())!.replace(/\D/g, '')), { timeout: 30_000 }).toBe(before + N);
    const seen = await page.evaluate(() => (window as unknown as { __catchUp: string[] }).__catchUp);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatch(/同步中.*\d+%/);
    // caught up: the bar is gone
    await expect.poll(() => page.getByTestId('catch-up').count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes a phone call: the caller, the category and a spot picked on the map become a report', async () => {
    const { page, errors } = await signIn();
    await page.keyboard.press('n');
    const form = page.getByTestId('call-form');
    await form.waitFor();
    await form.locator('select[name=category]').selectOption('sanitation');
    await form.locator('textarea[name=description]').fill('楼道堆放杂物，来电请求清理');
    await form.locator('input[name=callerName]').fill('王先生');
    await form.locator('input[name=callerPhone]').fill('13800001234');
    await form.locator('select[name=town]').selectOption({ label: '金沙街道' });
    const map = page.getByTestId('call-map');
    await map.waitFor();
    await map.click();
    await form.locator('button[type=submit]').click();
    await page.getByTestId('toast-ok').waitFor({ timeout: 10_000 });
    await expect.poll(() => form.count()).toBe(0);

    const detail = page.getByTestId('detail');
    await expect.poll(() => detail.getAttribute('data-event'), { timeout: 10_000 }).toBeTruthy();
    const eventId = (await detail.getAttribute('data-event'))!;
    await expect.poll(async () => (await hubEvent(eventId))?.state, { timeout: 10_000 }).toBe('reported');
    const ev = await hubEvent(eventId);
    expect(ev?.source).toBe('phone');
    expect(ev?.categoryId).toBe('sanitation');
    expect(ev?.reporterContact).toEqual({ name: '王先生', phone: '13800001234' });
    expect(ev?.townId).toBe('town-jinsha');
    expect(ev?.positionUnconfirmed).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });
});
