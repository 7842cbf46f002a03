import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { polygonCentroid } from '../shared/geo';
import type { Change, EventRecord, TimelineEntry } from '../shared/schema';
import { defaultRendererDir } from '../server/hub';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { demoGrid } from './helpers/demo';
import { allChanges, expectApplied, login, openEvent, postCommand, request, startTestHub, uid, type TestHub } from './helpers/hub';

/**
 * Video call-back end to end, in real Chromium with fake camera and microphone: the operator's
 * console (served by a console host, its core relaying signalling over its live link to the hub)
 * calls the assigned leader's field page (served by the hub, in another browser context, 360 px
 * wide); real WebRTC on loopback. Needs `npm run build` first.
 */
const LEADER = 'leader-0-0-0';
const OTHER = 'leader-0-0-1';
const fieldUrl = (hub: string, person = LEADER) => `${hub}/field/?token=dev_demo_${person}`;
/** long enough for a closed field page to be opened again within the retry's ring, on a loaded machine */
const RING_MS = 12_000;

let hub: TestHub;
let host: ConsoleHost;
let browser: Browser;
let fieldContext: BrowserContext;
let dir: string;
let op: string;
let consolePage: Page;
const pageErrors: string[] = [];

const timelineOf = async (eventId: string): Promise<TimelineEntry[]> =>
  (await allChanges(hub.url, op)).changes.filter((c): c is Extract<Change, { kind: 'timeline' }> => c.kind === 'timeline' && c.data.eventId === eventId).map((c) => c.data);
const eventOf = async (eventId: string): Promise<EventRecord | undefined> =>
  (await allChanges(hub.url, op)).changes.filter((c): c is Extract<Change, { kind: 'event' }> => c.kind === 'event' && c.id === eventId).at(-1)?.data;
const phases = async (eventId: string) => (await timelineOf(eventId)).filter((e) => e.kind === 'callback').map((e) => e.data?.phase);

/** An event dispatched to the leader, acknowledged and fed back: waiting for review (审核). */
async function eventAwaitingReview(to = LEADER): Promise<string> {
  const eventId = await openEvent(hub.url, op, { dispatchTo: to });
  for (const c of [{ type: 'acknowledge' }, { type: 'feedback', note: '已更换雨水井盖' }]) {
    await expectApplied(postCommand(hub.url, `dev_demo_${to}`, { ...c, commandId: uid(c.type), eventId }));
  }
  return eventId;
}

/**
 * Each test starts from a clean stage even when an earlier one failed half-way: no leader page
 * open, no call on the console's screen.
 */
async function clearCallPanel(): Promise<void> {
  for (const p of fieldContext.pages()) await p.close();
  if ((await consolePage.getByTestId('vcall-panel').count()) === 0) return;
  if (await consolePage.getByTestId('vcall-hangup').count()) await consolePage.getByTestId('vcall-hangup').click();
  await consolePage.getByTestId('vcall-close').click();
  await consolePage.getByTestId('vcall-panel').waitFor({ state: 'detached' });
}

async function openInConsole(eventId: string): Promise<void> {
  const page = consolePage;
  await page.fill('input[name=search]', eventId);
  const row = page.getByTestId(`row-${eventId}`);
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await page.locator(`[data-testid=detail][data-event="${eventId}"]`).waitFor();
  await page.getByTestId('act-vcall').waitFor({ timeout: 10_000 });
}

async function openField(person = LEADER): Promise<Page> {
  const page = await fieldContext.newPage();
  page.on('pageerror', (e) => pageErrors.push(`field: ${e.message}`));
  await page.goto(fieldUrl(hub.url, person));
  await page.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
  return page;
}

/** Frames presented by the console's <video> so far (requestVideoFrameCallback's count). */
const presentedFrames = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid=vcall-video]');
        if (!v) return reject(new Error('no call video'));
        const timer = setTimeout(() => resolve(-1), 3000);
        v.requestVideoFrameCallback((_now, meta) => {
          clearTimeout(timer);
          resolve(meta.presentedFrames);
        });
      }),
  );

/** The console's picture really decodes: frames keep coming and have a size. */
async function expectDecoding(page: Page): Promise<void> {
  const a = await presentedFrames(page);
  await page.waitForTimeout(700);
  const b = await presentedFrames(page);
  expect(a).toBeGreaterThan(0);
  expect(b).toBeGreaterThan(a);
  const size = await page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid=vcall-video]')!;
    return { w: v.videoWidth, h: v.videoHeight };
  });
  expect(size.w).toBeGreaterThan(0);
  expect(size.h).toBeGreaterThan(0);
}

const panel = () => consolePage.getByTestId('vcall-panel');
const waitPhase = (phase: string, timeout = 15_000) => expect.poll(() => panel().getAttribute('data-phase'), { timeout }).toBe(phase);

beforeAll(async () => {
  if (!existsSync(join(defaultRendererDir(), 'console', 'index.html'))) throw new Error('The renderer is not built; run: npm run build');
  hub = await startTestHub({ callRingTimeoutMs: RING_MS });
  op = await login(hub.url, 'operator2');
  dir = mkdtempSync(join(tmpdir(), 'callback-ui-'));
  host = await startConsoleHost({ hubUrl: hub.url, dataDir: dir, port: 0 });
  browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  const here = polygonCentroid(demoGrid('grid-0-0-0').polygon);
  fieldContext = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: here.lng, latitude: here.lat, accuracy: 8 },
    permissions: ['geolocation', 'camera', 'microphone'],
  });
  const c = await openConsolePage(browser, host.url);
  consolePage = c.page;
  consolePage.on('pageerror', (e) => pageErrors.push(`console: ${e.message}`));
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('video call-back, console ↔ field page', () => {
  beforeEach(clearCallPanel);
  it('calls from the event; the leader answers with the rear camera; snapshot, recording and a confirmed end that counts as the review', async () => {
    const eventId = await eventAwaitingReview();
    const field = await openField();
    // the leader's page shares its position: the snapshot will carry it
    await field.getByTestId('position-status').waitFor({ timeout: 10_000 });
    await openInConsole(eventId);
    expect(await consolePage.locator(`[data-testid=detail][data-event="${eventId}"]`).getAttribute('data-state')).toBe('feedback');

    await consolePage.getByTestId('act-vcall').click();
    await waitPhase('ringing');
    const ring = field.locator('[data-testid=fcall][data-phase=ringing]');
    await ring.waitFor({ timeout: 10_000 });
    expect(await ring.textContent()).toContain('市政设施');
    // the phone screen: nothing wider than 360 px
    expect(await field.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await field.getByTestId('fcall-accept').click();

    await waitPhase('connected');
    expect(await field.getByTestId('fcall').getAttribute('data-facing')).toBe('environment');
    await expect.poll(() => field.getByTestId('fcall').getAttribute('data-phase'), { timeout: 10_000 }).toBe('connected');
    await expectDecoding(consolePage);
    // the click-to-first-frame figure the benchmark reads
    expect(Number(await panel().getAttribute('data-first-frame-ms'))).toBeGreaterThan(0);

    // the leader turns to the front camera: the same call keeps its picture
    await field.getByTestId('fcall-switch').click();
    await expect.poll(() => field.getByTestId('fcall').getAttribute('data-facing')).toBe('user');
    await expectDecoding(consolePage);

    // recording: the leader is told on screen; the file lands on the event
    await consolePage.getByTestId('vcall-record').click();
    await field.getByTestId('fcall-recorded').waitFor({ timeout: 5000 });
    await consolePage.waitForTimeout(2500);
    await consolePage.getByTestId('vcall-record').click();
    await expect.poll(() => phases(eventId), { timeout: 15_000 }).toContain('recording');
    const rec = (await timelineOf(eventId)).find((e) => e.data?.phase === 'recording')!;
    expect(rec.attachments).toHaveLength(1);
    const recFile = await request(hub.url, 'GET', `/api/attachments/${rec.attachments[0]}`, { token: op });
    expect(recFile.headers.get('content-type')).toBe('video/webm');
    expect(Number(rec.data?.durationMs)).toBeGreaterThan(1500);

    // a snapshot from the picture, with time and the leader's last position
    const before = Date.now();
    await consolePage.getByTestId('vcall-snapshot').click();
    await expect.poll(() => consolePage.getByTestId('vcall-msg').textContent(), { timeout: 10_000 }).toContain('截图已存入');
    await expect.poll(() => phases(eventId), { timeout: 10_000 }).toContain('snapshot');
    const snap = (await timelineOf(eventId)).find((e) => e.data?.phase === 'snapshot')!;
    expect(snap.attachments).toHaveLength(1);
    const img = await request(hub.url, 'GET', `/api/attachments/${snap.attachments[0]}`, { token: op });
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(snap.data?.takenAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(snap.data?.position).toMatchObject({ lng: expect.any(Number), lat: expect.any(Number) });
    // and it is in the console's own timeline of the event, as a photo
    await expect
      .poll(() => consolePage.locator(`[data-testid=timeline] li[data-kind=callback] [data-testid="att-${snap.attachments[0]}"]`).getAttribute('data-kind'), { timeout: 10_000 })
      .toBe('image');

    // the operator ends the call as confirmed on site, with a note
    await consolePage.fill('[data-testid=vcall-panel] textarea[name=vcall-note]', '井盖已更换，现场已清理');
    await consolePage.getByTestId('vcall-confirm').click();
    await waitPhase('ended');
    expect(await panel().getAttribute('data-reason')).toBe('hangup_operator');
    await expect.poll(() => consolePage.getByTestId('vcall-saved').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('confirmed');
    await field.locator('[data-testid=fcall][data-phase=ended]').waitFor({ timeout: 10_000 });

    // the review step is recorded: the confirmed call-back moved the event feedback → reviewed
    await expect.poll(async () => (await eventOf(eventId))?.state, { timeout: 10_000 }).toBe('reviewed');
    const tl = await timelineOf(eventId);
    const outcome = tl.find((e) => e.data?.phase === 'outcome')!;
    expect(outcome).toMatchObject({ kind: 'callback', fromState: 'feedback', toState: 'reviewed', note: '井盖已更换，现场已清理', actorRole: 'operator', data: { outcome: 'confirmed', review: true } });
    expect(await phases(eventId)).toEqual(expect.arrayContaining(['started', 'connected', 'recording', 'snapshot', 'ended', 'outcome']));
    const connected = tl.find((e) => e.data?.phase === 'connected')!;
    expect(Number(connected.data?.setupMs)).toBeGreaterThan(0);
    await expect.poll(() => consolePage.locator(`[data-testid=detail][data-event="${eventId}"]`).getAttribute('data-state'), { timeout: 10_000 }).toBe('reviewed');

    await consolePage.getByTestId('vcall-close').click();
    await panel().waitFor({ state: 'detached' });
    await field.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('a phone nobody answers times out and says so; a device that is not the assigned leader cannot answer it', async () => {
    const eventId = await eventAwaitingReview();
    const field = await openField();
    const stranger = await openField(OTHER);
    await openInConsole(eventId);
    const t0 = Date.now();
    await consolePage.getByTestId('act-vcall').click();
    await field.locator('[data-testid=fcall][data-phase=ringing]').waitFor({ timeout: 10_000 });
    // another leader's page, with its own device token, tries to answer the call: refused
    const callId = await consolePage.evaluate(() => (window as unknown as { __gridCall: { state: { callId: string } } }).__gridCall.state.callId);
    const refusal = await stranger.evaluate(
      ({ callId, token }) =>
        new Promise<unknown>((resolve) => {
          const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/live`);
          ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token, after: 1e9 }));
          ws.onmessage = (m) => {
            const msg = JSON.parse(String(m.data));
            if (msg.type === 'welcome') ws.send(JSON.stringify({ type: 'call', call: { kind: 'accept', callId } }));
            if (msg.type === 'call') resolve(msg.call);
          };
        }),
      { callId, token: `dev_demo_${OTHER}` },
    );
    expect(refusal).toMatchObject({ kind: 'error', refused: 'accept', error: { code: 'not_assignee' } });
    expect((refusal as { error: { message: string } }).error.message).toContain(`not the leader assigned to event ${eventId}`);
    // the stranger's page never rang
    expect(await stranger.getByTestId('fcall').count()).toBe(0);
    expect(await panel().getAttribute('data-phase')).toBe('ringing');

    await waitPhase('ended', RING_MS + 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(RING_MS - 500);
    expect(await panel().getAttribute('data-reason')).toBe('no_answer');
    const status = await consolePage.getByTestId('vcall-status').textContent();
    expect(status).toContain('无人接听');
    expect(status).toContain('预约回访');
    // the leader's phone stopped ringing
    await expect.poll(() => field.getByTestId('fcall').getAttribute('data-phase').catch(() => 'gone'), { timeout: 5000 }).not.toBe('ringing');
    await expect.poll(() => phases(eventId)).toEqual(['started', 'ended']);
    expect((await timelineOf(eventId)).find((e) => e.data?.phase === 'ended')?.data).toMatchObject({ reason: 'no_answer' });
    await consolePage.getByTestId('vcall-close').click();
    await Promise.all([field.close(), stranger.close()]);
  }, 60_000);

  it('the field page closed mid-call: the console shows the loss, retries once, and the leader back online picks up; a second loss ends the call as lost', async () => {
    const eventId = await eventAwaitingReview();
    let field = await openField();
    await openInConsole(eventId);
    await consolePage.getByTestId('act-vcall').click();
    await field.getByTestId('fcall-accept').click({ timeout: 10_000 });
    await waitPhase('connected');
    await expectDecoding(consolePage);

    await field.close();
    // lost → the one automatic retry: the phone is rung again (attempt 2)
    await expect.poll(() => panel().getAttribute('data-retried'), { timeout: 10_000 }).toBe('true');
    expect(await panel().getAttribute('data-attempt')).toBe('2');
    await expect.poll(() => panel().getAttribute('data-phase'), { timeout: 10_000 }).toMatch(/retrying|ringing/);
    expect(await consolePage.getByTestId('vcall-phase').textContent()).toMatch(/重拨|等待网格长接听/);

    // the leader opens the page again within the ring time and answers the retry
    field = await openField();
    await field.getByTestId('fcall-accept').click({ timeout: 10_000 });
    await waitPhase('connected');
    expect(await panel().getAttribute('data-attempt')).toBe('2');
    await expectDecoding(consolePage);

    // lost again: no second retry; the call ends as lost, with what to do
    await field.close();
    await waitPhase('ended', RING_MS + 15_000);
    expect(await panel().getAttribute('data-reason')).toBe('lost');
    expect(await consolePage.getByTestId('vcall-status').textContent()).toContain('连接中断');
    await expect.poll(() => phases(eventId), { timeout: 10_000 }).toEqual(['started', 'connected', 'lost', 'connected', 'ended']);
    const tl = await timelineOf(eventId);
    expect(tl.filter((e) => e.data?.phase === 'connected').map((e) => e.data?.attempt)).toEqual([1, 2]);
    expect(tl.find((e) => e.data?.phase === 'ended')?.data).toMatchObject({ reason: 'lost', attempt: 2 });
    await consolePage.getByTestId('vcall-close').click();
  }, 90_000);

  it('the leader declining, and a leader whose page is closed, are told apart', async () => {
    const eventId = await eventAwaitingReview();
    await openInConsole(eventId);
    await consolePage.getByTestId('act-vcall').click();
    await waitPhase('ended');
    expect(await panel().getAttribute('data-reason')).toBe('offline');
    expect(await consolePage.getByTestId('vcall-status').textContent()).toMatch(/不在线[\s\S]*现场页面未连接|现场页面/);
    await consolePage.getByTestId('vcall-close').click();

    const field = await openField();
    await consolePage.getByTestId('act-vcall').click();
    await field.getByTestId('fcall-decline').click({ timeout: 10_000 });
    await waitPhase('ended');
    expect(await panel().getAttribute('data-reason')).toBe('declined');
    expect(await consolePage.getByTestId('vcall-status').textContent()).toContain('拒绝');
    await consolePage.getByTestId('vcall-close').click();
    await field.close();
  }, 60_000);

  it('camera permission denied on the phone is reported to the operator as such', async () => {
    // a browser without the fake permission prompt, where the leader has blocked the camera and
    // microphone for the field page's site: the page's request is really refused by Chromium
    const strict = await launchChromium(['--use-fake-device-for-media-stream']);
    try {
      const ctx = await strict.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN', permissions: [] });
      const field = await ctx.newPage();
      const cdp = await ctx.newCDPSession(field);
      for (const name of ['camera', 'microphone']) {
        await cdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin: new URL(hub.url).origin });
      }
      await field.goto(fieldUrl(hub.url));
      await field.waitForSelector('[role=status][data-state=online]', { timeout: 15_000 });
      const eventId = await eventAwaitingReview();
      await openInConsole(eventId);
      await consolePage.getByTestId('act-vcall').click();
      await field.getByTestId('fcall-accept').click({ timeout: 10_000 });
      await field.locator('[data-testid=fcall-ended][data-ended=camera_denied]').waitFor({ timeout: 15_000 });
      expect(await field.getByTestId('fcall-ended').textContent()).toContain('允许本页面使用摄像头');
      await waitPhase('ended');
      expect(await panel().getAttribute('data-reason')).toBe('camera_denied');
      expect(await consolePage.getByTestId('vcall-status').textContent()).toContain('允许现场页面使用摄像头');
      await consolePage.getByTestId('vcall-close').click();
    } finally {
      await strict.close();
    }
  }, 60_000);

  it('a call-back scheduled for 15 minutes shows in the reminders and survives a restart of the console', async () => {
    const eventId = await eventAwaitingReview();
    await openInConsole(eventId);
    await consolePage.getByTestId('vcall-schedule').click();
    const scheduled = consolePage.getByTestId('vcall-scheduled');
    await scheduled.waitFor({ timeout: 10_000 });
    const dueAt = Number(await scheduled.getAttribute('data-due-at'));
    expect(dueAt - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(dueAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    // coming up in 15 minutes: a pill with the count, the list on a click
    await consolePage.getByTestId('vcall-reminders-toggle').click({ timeout: 15_000 });
    const reminder = consolePage.getByTestId(`vcall-due-${eventId}`);
    await reminder.waitFor({ timeout: 15_000 });
    expect(await reminder.getAttribute('data-due')).toBe('soon');
    await expect.poll(async () => (await eventOf(eventId))?.callbackDueAt).toBe(dueAt);

    // the console restarts on the same data folder: the schedule is still there, from its cache and the hub
    await consolePage.close();
    await host.close();
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: dir, port: 0 });
    consolePage = (await openConsolePage(browser, host.url)).page;
    consolePage.on('pageerror', (e) => pageErrors.push(`console: ${e.message}`));
    await consolePage.getByTestId('vcall-reminders-toggle').click({ timeout: 20_000 });
    await consolePage.getByTestId(`vcall-due-${eventId}`).waitFor({ timeout: 10_000 });

    // cancelling clears it everywhere
    await openInConsole(eventId);
    await consolePage.getByTestId('vcall-unschedule').click();
    await consolePage.getByTestId('vcall-reminders').waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(async () => (await eventOf(eventId))?.callbackDueAt).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
