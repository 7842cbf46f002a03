import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polygonCentroid } from '../shared/geo';
import type { Change, EventRecord, LngLat, TimelineEntry } from '../shared/schema';
import { defaultRendererDir } from '../server/hub';
import { launchChromium } from './browser/chromium';
import { allChanges, expectApplied, login, onePixelPng, openEvent, postCommand, REPO_ROOT, request, startTestHub, uid, type TestHub } from './helpers/hub';

/**
 * The grid leader's field page in real Chromium on a 360 px phone screen, served by the hub at
 * /field/: sign in with the device token from the URL, report an event with a photo, receive a
 * dispatch live, and take it through 签收 → 到场 → 反馈. Needs `npm run build` first (npm test does it).
 * With SCREENSHOTS=1 it also writes docs/screenshots/field.png.
 */
const LEADER = 'leader-0-0-0';
const TOKEN = `dev_demo_${LEADER}`;

let t: TestHub;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let op: string;
let here: LngLat;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

async function changesSince(after: number): Promise<Change[]> {
  return (await allChanges(t.url, op, after)).changes;
}
const lastEvent = (changes: Change[], id: string): EventRecord | undefined =>
  changes.filter((c): c is Extract<Change, { kind: 'event' }> => c.kind === 'event' && c.id === id).at(-1)?.data;
const timelineOf = (changes: Change[], id: string): TimelineEntry[] =>
  changes.filter((c): c is Extract<Change, { kind: 'timeline' }> => c.kind === 'timeline' && c.data.eventId === id).map((c) => c.data);

beforeAll(async () => {
  if (!existsSync(join(defaultRendererDir(), 'field', 'index.html'))) {
    throw new Error('The field page is not built (out/renderer/field/index.html); run: npm run build');
  }
  t = await startTestHub();
  op = await login(t.url, 'operator');
  const me = await request(t.url, 'GET', '/api/field/me', { token: TOKEN });
  expect(me.status).toBe(200);
  here = polygonCentroid(me.body.grids.find((g: { id: string }) => g.id === 'grid-0-0-0').polygon);
  // a fake microphone, so the voice note is really recorded by MediaRecorder
  browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: here.lng, latitude: here.lat, accuracy: 8 },
    permissions: ['geolocation', 'microphone'],
  });
  // count the new-task signals: the beep's oscillators and the vibration
  await context.addInitScript(() => {
    const w = window as unknown as { __beeps: number; __vibrations: number };
    w.__beeps = 0;
    w.__vibrations = 0;
    const osc = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.__beeps++;
      return osc.call(this);
    };
    navigator.vibrate = () => (w.__vibrations++, true);
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('field page on a phone', () => {
  it('is served at /field/ with a strict CSP that lets the page use the camera, microphone and position', async () => {
    const r = await fetch(`${t.url}/field/`);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/media-src [^;]*blob:/);
    expect(r.headers.get('permissions-policy')).toMatch(/camera=\(self\).*microphone=\(self\).*geolocation=\(self\)/);
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await r.text();
    const asset = /src="(\.\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    expect((await fetch(new URL(asset!, `${t.url}/field/`))).status).toBe(200);
  });

  it('signs in with the token from the URL once, keeps it, and strips it from the address', async () => {
    await page.goto(`${t.url}/field?token=${TOKEN}`);
    await page.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).pathname).toBe('/field/');
    expect(await page.evaluate(() => localStorage.getItem('gridField.token'))).toBe(TOKEN);
    expect(await page.getByTestId('person-name').textContent()).toBeTruthy();
    // nothing overflows a 360 px screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // a reload signs in from storage
    await page.reload();
    await page.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
  });

  it('reports an event with a photo and a voice note at the phone position; the hub places it in the leader grid', async () => {
    const from = (await allChanges(t.url, op)).head;
    await page.getByRole('tab', { name: '上报', exact: true }).click();
    await page.selectOption('select[name=category]', 'environment');
    await page.fill('textarea[name=description]', '河边有人倾倒建筑垃圾');
    await page.setInputFiles('input[name=report-photo]', { name: 'scene.png', mimeType: 'image/png', buffer: onePixelPng([30, 120, 200, 255]) });
    await expect.poll(() => page.locator('.photo img').count()).toBe(1);
    await page.getByRole('button', { name: '录音' }).click();
    await page.getByRole('button', { name: '停止录音' }).waitFor();
    await page.waitForTimeout(1200);
    await page.getByRole('button', { name: '停止录音' }).click();
    await page.locator('.voice audio').waitFor();
    await expect.poll(() => page.getByTestId('spot').textContent()).toContain('网格内');
    // the form, the photo strip and the map fit the phone's width
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: '上报事件' }).click();
    const done = page.getByTestId('report-done');
    await done.waitFor({ timeout: 10_000 });
    expect(await done.textContent()).toContain('已上报');
    const eventId = await done.getAttribute('data-event-id');
    expect(eventId).toBeTruthy();

    const changes = await changesSince(from);
    const ev = lastEvent(changes, eventId!);
    expect(ev).toMatchObject({ state: 'reported', source: 'field', reporterId: LEADER, categoryId: 'environment', townId: 'town-jinsha' });
    expect(ev!.gridIds).toContain('grid-0-0-0');
    expect(ev!.attachments).toHaveLength(2);
    expect(Math.abs(ev!.position.lng - here.lng)).toBeLessThan(1e-6);
    // the photo and the voice note are stored as what they are
    const types = await Promise.all(
      ev!.attachments.map(async (h) => (await request(t.url, 'GET', `/api/attachments/${h}`, { token: op })).headers.get('content-type')),
    );
    expect(types[0]).toBe('image/png');
    expect(types[1]).toMatch(/^(audio|video)\/(webm|ogg|mp4)/);
    // and the page told the centre where the leader was when reporting
    expect(changes.some((c) => c.kind === 'position' && c.data.personId === LEADER)).toBe(true);
  });

  it('a second report of the same thing nearby shows as joined to the first event, not as an error', async () => {
    const first = await page.getByTestId('report-done').getAttribute('data-event-id');
    // a tap on the map picks the spot: the middle of the leader's grid
    const map = page.getByTestId('grid-map');
    await map.click();
    await expect.poll(() => page.getByTestId('spot').textContent()).toContain('网格内');
    await page.selectOption('select[name=category]', 'environment');
    await page.fill('textarea[name=description]', '同一处建筑垃圾，还在倾倒');
    await page.getByRole('button', { name: '上报事件' }).click();
    const done = page.getByTestId('report-done');
    await expect.poll(() => done.textContent(), { timeout: 10_000 }).toContain('已并入事件');
    expect(await done.locator('[title]').getAttribute('title')).toBe(first);
    expect(await page.locator('[role=alert]').count()).toBe(0);
  });

  it("receives an operator's dispatch live, with the task on screen, and takes it through 签收 → 到场 → 反馈", async () => {
    await page.getByRole('tab', { name: '任务', exact: true }).click();
    const from = (await allChanges(t.url, op)).head;
    const eventId = uid('ev');
    await expectApplied(
      postCommand(t.url, op, {
        type: 'report',
        commandId: uid(),
        eventId,
        categoryId: 'municipal_facilities',
        description: '路口雨水井盖破损，有行人绊倒风险，请核实处置',
        address: '育才社区人民路与学府路路口',
        position: here,
        source: 'phone',
      }),
    );
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: LEADER }));

    await page.getByTestId('new-task').waitFor({ timeout: 10_000 });
    const card = page.locator(`article.task[data-event-id="${eventId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('dispatched');
    expect(await card.textContent()).toContain('市政设施');
    // heard and felt, not only seen
    const signals = () =>
      page.evaluate(() => {
        const w = window as unknown as { __beeps: number; __vibrations: number };
        return { __beeps: w.__beeps, __vibrations: w.__vibrations };
      });
    await expect.poll(async () => (await signals()).__beeps).toBeGreaterThan(0);
    expect((await signals()).__vibrations).toBeGreaterThan(0);
    if (process.env.SCREENSHOTS === '1') {
      mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, 'docs', 'screenshots', 'field.png') });
    }

    await card.getByRole('button', { name: '签收' }).click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('acknowledged');
    await card.getByRole('button', { name: '到场' }).click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('on_site');
    await card.getByRole('button', { name: '反馈' }).click();
    await card.locator('textarea[name=note]').fill('井盖已更换，现场恢复通行');
    await card.locator('input[name=feedback-photo]').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: onePixelPng([0, 160, 60, 255]) });
    await card.getByRole('button', { name: '提交反馈' }).click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('feedback');
    expect(await card.getByRole('button').count()).toBe(0);

    const changes = await changesSince(from);
    expect(lastEvent(changes, eventId)).toMatchObject({ state: 'feedback', assigneeId: LEADER });
    const steps = timelineOf(changes, eventId);
    expect(steps.map((s) => s.kind)).toEqual(['report', 'accept', 'dispatch', 'acknowledge', 'arrive', 'feedback']);
    for (const s of steps.slice(3)) {
      expect(s.actorId).toBe(LEADER);
      expect(s.origin).toBe(`device:device-${LEADER}`);
    }
    const arrive = steps[4]!;
    expect(arrive.data).toMatchObject({ position: { lng: here.lng, lat: here.lat } });
    const feedback = steps[5]!;
    expect(feedback.note).toBe('井盖已更换，现场恢复通行');
    expect(feedback.attachments).toHaveLength(1);
  });

  it('drops the task the hub takes back, and shows nothing of other leaders’ events', async () => {
    const other = await openEvent(t.url, op, { position: here, categoryId: 'fire_safety', dispatchTo: 'leader-0-0-1' });
    const mine = await openEvent(t.url, op, { position: here, categoryId: 'work_safety', dispatchTo: LEADER });
    const card = page.locator(`article.task[data-event-id="${mine}"]`);
    await card.waitFor({ timeout: 10_000 });
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId: mine, assigneeId: 'leader-0-0-1' }));
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator(`[data-event-id="${other}"]`).count()).toBe(0);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('switches to English', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toContain('Online');
    expect(await page.getByRole('tab', { name: 'Tasks' }).count()).toBe(1);
    await page.getByRole('button', { name: '中文' }).click();
  });
});
