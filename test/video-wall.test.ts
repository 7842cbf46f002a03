/**
 * The video wall in real Chromium: the console host (console core, built renderer) against an
 * in-process demo hub that serves live LL-HLS made with ffmpeg from several media origins; real
 * hls.js in the page. Needs `npm run build` first (npm test does it) and ffmpeg.
 *
 * A 16-tile wall of demo cameras all playing with decoded frames rising; a camera cut at the hub
 * (registry offline, playlist frozen then refused) and a stream failing on the network, each
 * showing on its own tile only and recovering by itself; hidden tiles (covered by a full-screen
 * tile, the wall view switched away, the document hidden) not requesting segments; the player cap
 * queueing tiles visibly; a snapshot becoming an event's evidence; "report from this camera";
 * alarm linkage; saved layouts and the tour.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import type { WallLayout } from '../shared/schema';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { DEMO } from './helpers/demo';
import { expectApplied, login, postCommand, reportCmd, startTestHub, uid, type TestHub } from './helpers/hub';
import { until as untilDone } from './helpers/wait';

const CAMS = Array.from({ length: 16 }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);
const cameraAt = (id: string) => DEMO.cameras.find((c) => c.id === id)!;

interface TileView {
  index: number;
  state: string;
  camera: string;
  quality: string;
  frames: number;
}

async function tiles(page: Page): Promise<TileView[]> {
  return page.locator('.wall-grid > .tile').evaluateAll((els) =>
    els.map((el, index) => {
      const v = el.querySelector('video');
      return {
        index,
        state: el.getAttribute('data-state') ?? '',
        camera: el.getAttribute('data-camera') ?? '',
        quality: el.getAttribute('data-quality') ?? '',
        frames: v ? v.getVideoPlaybackQuality().totalVideoFrames : -1,
      };
    }),
  );
}

const diagnostics = (page: Page) => page.evaluate(() => window.gridConsoleWall!.diagnostics());

/** Polls `fn` until it answers; on timeout the error says what was awaited and, from `show`, what there was instead. */
const until = <T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000, show?: () => Promise<unknown>) =>
  untilDone(fn, what, timeoutMs, { everyMs: 250, retryErrors: true, ...(show ? { show } : {}) });

/** HLS requests the page makes: playlists and media (segments and parts), by camera and variant. */
class HlsLog {
  readonly entries: { at: number; camera: string; variant: string; kind: 'playlist' | 'media'; port: string }[] = [];
  constructor(page: Page) {
    page.on('request', (r: Request) => {
      const u = new URL(r.url());
      const m = /^\/hls\/([^/]+)\/(main|sub)(\.m3u8|\/.+\.ts)$/.exec(u.pathname);
      if (m) this.entries.push({ at: Date.now(), camera: m[1]!, variant: m[2]!, kind: m[3] === '.m3u8' ? 'playlist' : 'media', port: u.port });
    });
  }
  since(t: number, f: (e: HlsLog['entries'][number]) => boolean = () => true) {
    return this.entries.filter((e) => e.at >= t && f(e));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('video wall in Chromium', () => {
  let hub: TestHub;
  let host: ConsoleHost;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let log: HlsLog;
  let dir: string;
  let op2: string;
  const cspViolations: string[] = [];
  const playerLog: string[] = [];

  /** the tiles as they are, for a timeout's message */
  const wallState = async () => (await tiles(page)).map((t) => `${t.index}:${t.camera}:${t.state}:${t.quality}:${t.frames}`);

  beforeAll(async () => {
    hub = await startTestHub();
    const ff = await hub.hub.video.ffmpeg();
    if (!ff.ok) throw new Error(`the video wall test needs ffmpeg (apt-get install ffmpeg): ${ff.reason}`);
    // encode the loops before the clock starts (cached across runs in the shared HLS cache)
    await hub.hub.video.prepare(CAMS, ['sub']);
    await hub.hub.video.prepare(['cam-001'], ['main']);
    dir = mkdtempSync(join(tmpdir(), 'video-wall-'));
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: dir, port: 0 });
    // tiles are muted, which Chromium lets autoplay anyway; the flag keeps a headless run from depending on it
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    ({ page, errors } = await openConsolePage(browser, host.url));
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      // the players' own account of their errors, for a failure's message
      if (m.text().startsWith('video wall:')) playerLog.push(`${new Date().toISOString().slice(11, 23)} ${m.text()}`);
    });
    log = new HlsLog(page);
    op2 = await login(hub.url, 'operator2');
    await page.getByTestId('view-wall').click();
    await page.getByTestId('video-wall').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plays 16 demo cameras at once, every tile decoding new frames, spread over the media origins', async () => {
    await page.getByTestId('wall-size-16').click();
    await page.getByTestId('wall-fill').click();
    const all = await until(
      async () => {
        const t = await tiles(page);
        return t.length === 16 && t.every((x) => x.state === 'playing') && t;
      },
      'all 16 tiles playing',
      90_000,
      wallState,
    );
    expect(all.map((t) => t.camera)).toEqual(CAMS);
    expect(all.every((t) => t.quality === 'sub')).toBe(true);

    // frames keep rising on every tile: three samples 5 s apart
    const samples: number[][] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(5000);
      samples.push((await tiles(page)).map((t) => t.frames));
    }
    for (let tile = 0; tile < 16; tile++) {
      const [a, b, c] = samples.map((s) => s[tile]!);
      expect(b, `tile ${tile} frames over the first 5 s`).toBeGreaterThan(a!);
      expect(c, `tile ${tile} frames over the next 5 s`).toBeGreaterThan(b!);
    }
    // the demo streams run at 20 fps; on a loaded 2-core machine a tile still decodes a good part of them
    const decoded = samples[2]!.map((c, i) => c - samples[0]![i]!);
    expect(Math.min(...decoded)).toBeGreaterThan(10);

    // one player per tile, no element left over
    const d = await diagnostics(page);
    expect(d.tiles).toHaveLength(16);
    expect(await page.locator('video').count()).toBe(16);
    expect(d.videos.created).toBeLessThanOrEqual(d.slots.capacity);
    // several origins share the load (Chromium opens 6 connections per origin)
    const ports = new Set(log.entries.filter((e) => e.kind === 'media').map((e) => e.port));
    expect(ports.size).toBe(hub.hub.mediaOrigins.length);
    // hls.js transmuxes in its worker, loaded from the page's own origin under the page's CSP
    expect(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/assets\/hls\.worker-[\w-]+\.js$/.test(e.name)))).toBe(true);
    expect(cspViolations).toEqual([]);
    expect(errors).toEqual([]);
  }, 150_000);

  it('shows a camera cut at the hub on its own tile only, greyed, and resumes it after the restore', async () => {
    const before = await diagnostics(page);
    const rebuildsBefore = new Map(before.tiles.map((t) => [t.tile, t.rebuilds]));
    const framesBefore = (await tiles(page)).map((t) => t.frames);
    await hub.hub.video.cut('cam-005');
    try {
      await until(async () => ['stalled', 'offline'].includes((await tiles(page))[4]!.state), 'tile 5 stalled or offline', 15_000, wallState);
      await until(async () => (await tiles(page))[4]!.state === 'offline', 'tile 5 offline', 20_000, wallState);
      // the last picture stays, greyed
      expect(await page.locator('.wall-grid > .tile').nth(4).locator('canvas.tile-poster[data-kept]').count()).toBe(1);
      await sleep(3000);
      const during = await tiles(page);
      for (const t of during) {
        if (t.index === 4) continue;
        expect(['offline', 'error'], `tile ${t.index} during another camera's cut`).not.toContain(t.state);
        expect(t.frames, `tile ${t.index} kept decoding; players said: ${playerLog.slice(-20).join(' | ')}`).toBeGreaterThan(framesBefore[t.index]!);
      }
      const mid = await diagnostics(page);
      for (const t of mid.tiles) if (t.tile !== 4) expect(t.rebuilds, `tile ${t.tile} untouched; players said: ${playerLog.slice(-20).join(' | ')}`).toBe(rebuildsBefore.get(t.tile));
    } catch (err) {
      // the next tests need the camera back
      await hub.hub.video.restore('cam-005');
      throw err;
    }
    const restoredAt = Date.now();
    await hub.hub.video.restore('cam-005');
    await until(async () => (await tiles(page))[4]!.state === 'playing', 'tile 5 playing again', 20_000, wallState);
    const back = (await tiles(page))[4]!.frames;
    await sleep(2000);
    expect((await tiles(page))[4]!.frames).toBeGreaterThan(back);
    // "within seconds": the registry's change reaches the page and the player starts at the live edge
    expect(Date.now() - restoredAt).toBeLessThan(15_000);
  }, 90_000);

  it('recovers a stream failing on the network by itself, with backoff, without touching the other tiles', async () => {
    const before = new Map((await diagnostics(page)).tiles.map((t) => [t.tile, t.rebuilds]));
    // the network between the page and one camera's origin fails; the hub and the registry know nothing of it
    await page.route('**/hls/cam-006/**', (route) => route.abort('connectionreset'));
    const failedAt = Date.now();
    try {
      await until(async () => ['stalled', 'offline'].includes((await tiles(page))[5]!.state), 'tile 6 stalled', 20_000, wallState);
      await until(async () => (await tiles(page))[5]!.state === 'offline', 'tile 6 offline after failed rebuilds', 60_000, wallState);
      // backoff: a handful of attempts, not a storm
      const attempts = log.since(failedAt, (e) => e.camera === 'cam-006' && e.kind === 'playlist').length;
      expect(attempts).toBeLessThan(40);
    } finally {
      await page.unroute('**/hls/cam-006/**');
    }
    await until(async () => (await tiles(page))[5]!.state === 'playing', 'tile 6 playing again', 30_000, wallState);
    const after = await diagnostics(page);
    for (const t of after.tiles) if (t.tile !== 5) expect(t.rebuilds, `tile ${t.tile} untouched; players said: ${playerLog.slice(-20).join(' | ')}`).toBe(before.get(t.tile));
    expect(after.tiles.find((t) => t.tile === 5)!.rebuilds).toBeGreaterThan(before.get(5)!);
  }, 120_000);

  it('stops requesting segments for tiles nobody can see, and resumes them at the live edge', async () => {
    const quiet = async (what: string, f: (e: HlsLog['entries'][number]) => boolean) => {
      // a request already under way may finish; after a second nothing new may start
      await sleep(1500);
      const t = Date.now();
      await sleep(5000);
      expect(log.since(t, f), what).toEqual([]);
    };

    // full screen: tile 1 on the main stream, the 15 tiles under it stop
    await page.locator('.wall-grid > .tile').first().dblclick();
    await until(async () => (await tiles(page))[0]!.quality === 'main' && (await tiles(page))[0]!.state === 'playing', 'tile 1 full screen on the main stream', 30_000, wallState);
    await quiet('sub-stream requests while one tile is full screen', (e) => e.variant === 'sub');
    expect(log.since(Date.now() - 5000, (e) => e.camera === 'cam-001' && e.variant === 'main' && e.kind === 'media').length).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await until(async () => (await tiles(page)).every((t) => t.state === 'playing' && t.quality === 'sub'), 'all tiles back on the sub stream', 40_000, wallState);
    // back at the live edge, not where they stopped
    const d = await diagnostics(page);
    for (const t of d.tiles) expect(t.latency ?? 99, `tile ${t.tile} latency after resuming`).toBeLessThan(8);

    // the queue view in front: the wall stops entirely
    await page.getByTestId('view-queue').click();
    await quiet('HLS requests while the wall view is hidden', () => true);
    await page.getByTestId('view-wall').click();
    await until(async () => (await tiles(page)).every((t) => t.state === 'playing'), 'all tiles playing after the wall is shown again', 40_000, wallState);

    // the document hidden (a minimised window or a background tab), emulated in the page: headless
    // Chromium never hides a page by itself
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await quiet('HLS requests while the document is hidden', () => true);
    expect((await tiles(page)).every((t) => t.state === 'suspended')).toBe(true);
    await page.evaluate(() => {
      delete (document as { visibilityState?: unknown }).visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(async () => (await tiles(page)).every((t) => t.state === 'playing'), 'all tiles playing after the document is visible again', 40_000, wallState);
    // players were given back while hidden and made anew: never more elements than slots
    const after = await diagnostics(page);
    expect(after.videos.created).toBeLessThanOrEqual(after.slots.capacity);
    expect(await page.locator('video').count()).toBe(16);
  }, 180_000);

  it('saves and loads named layouts through the core, and tours cameras through the tiles', async () => {
    await page.getByTestId('wall-size-4').click();
    await until(async () => (await tiles(page)).length === 4, '4 tiles');
    await page.locator('input[name=layoutName]').fill('值班四分屏');
    await page.getByTestId('wall-save').click();
    await page.getByTestId('toast-ok').filter({ hasText: '值班四分屏' }).waitFor();
    const saved = (await host.core.handle({ id: 0, type: 'wallLayouts' })).layouts as WallLayout[];
    expect(saved.find((l) => l.name === '值班四分屏')).toMatchObject({ size: 4, tiles: CAMS.slice(0, 4) });

    // fewer tiles give their players back
    await until(async () => (await diagnostics(page)).tiles.length === 4, 'players of the dropped tiles released', 15_000);
    await page.getByTestId('wall-size-9').click();
    await page.getByTestId('wall-layouts').selectOption('值班四分屏');
    await until(async () => (await tiles(page)).map((t) => t.camera).join() === CAMS.slice(0, 4).join(), 'the saved layout back', 30_000, wallState);

    // the tour pages the online cameras through the 4 tiles
    await page.getByTestId('wall-tour-interval').selectOption('10');
    await page.getByTestId('wall-tour').check();
    try {
      const first = (await tiles(page)).map((t) => t.camera).join();
      await until(async () => (await tiles(page)).map((t) => t.camera).join() === 'cam-005,cam-006,cam-007,cam-008', 'the next tour page', 20_000, wallState);
      expect(first).toBe(CAMS.slice(0, 4).join());
      await until(async () => (await tiles(page)).every((t) => t.state === 'playing'), 'the toured cameras playing', 30_000, wallState);
    } finally {
      await page.getByTestId('wall-tour').uncheck();
    }
    // the tour over, the layout's own cameras are back
    await until(async () => (await tiles(page)).map((t) => t.camera).join() === CAMS.slice(0, 4).join(), 'the layout after the tour', 10_000, wallState);
  }, 90_000);

  it('attaches a snapshot from a tile to the open event as evidence', async () => {
    // the rest needs fewer tiles: less for the shared 2 cores to decode
    await page.getByTestId('wall-size-4').click();
    const eventId = uid('snap');
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId, description: '视频核查 check on camera' })));
    await page.getByTestId('view-queue').click();
    const row = page.getByTestId(`row-${eventId}`);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.locator(`[data-testid=detail][data-event=${eventId}]`).waitFor();
    await page.getByTestId('view-wall').click();
    await expect.poll(() => page.getByTestId('wall-target').textContent()).toContain(eventId.slice(0, 13));
    await until(async () => (await tiles(page))[1]!.state === 'playing', 'tile 2 playing', 30_000, wallState);
    await page.locator('.wall-grid > .tile').nth(1).click();
    await page.getByTestId('tile-snapshot-1').click();
    const outcome = page.getByTestId('toast-ok').filter({ hasText: eventId.slice(0, 13) }).or(page.getByTestId('toast-bad'));
    await outcome.first().waitFor({ timeout: 30_000 });
    expect(await outcome.first().textContent()).toContain(eventId.slice(0, 13));

    // the hub confirms the note with the snapshot (the core's cache holds the hub's timeline)
    const entry = await until(
      async () => host.core.cache.timeline(eventId).find((e) => e.kind === 'note' && e.attachments.length === 1),
      'the snapshot note in the cached timeline',
      15_000,
    );
    expect(entry.note).toContain('cam-002');
    const hash = entry.attachments[0]!;
    const got = await fetch(`${hub.url}/api/attachments/${hash}`, { headers: { authorization: `Bearer ${op2}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await got.arrayBuffer());
    // a real frame of the 640×360 sub stream: JPEG SOF0 carries the size
    const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect([bytes.readUInt16BE(sof + 7), bytes.readUInt16BE(sof + 5)]).toEqual([640, 360]);
    expect(bytes.length).toBeGreaterThan(5000);
  }, 90_000);

  it('reports from a camera: the new-event form at the camera, source camera, snapshot attached', async () => {
    const cam = cameraAt('cam-003');
    await until(async () => (await tiles(page))[2]!.state === 'playing', 'tile 3 playing', 30_000, wallState);
    await page.getByTestId('toast-ok').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
    await page.locator('.wall-grid > .tile').nth(2).click();
    await page.getByTestId('tile-report-2').click();
    const form = page.getByTestId('call-form');
    try {
      await form.waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('toast-bad').count()).toBe(0);
      await expect.poll(() => form.getByTestId('call-camera').textContent()).toContain('cam-003');
      expect(await form.getByTestId('call-snapshot').count()).toBe(1);
      await form.locator('select[name=category]').selectOption('illegal_construction');
      await form.locator('textarea[name=description]').fill('摄像机发现违法搭建 illegal building seen on camera');
      await form.locator('button[type=submit]').click();
      await form.waitFor({ state: 'detached' });
    } finally {
      // a form left open would hold the keyboard and the pointer for the tests after this one
      if (await form.count()) await page.keyboard.press('Escape');
    }
    // the event as the hub stores it (the core's cache finds its id by the words typed)
    const ev = await until(
      async () => {
        const page = await host.core.handle({ id: 0, type: 'queue', filter: { text: 'illegal building seen on camera', sources: ['camera'] }, sort: 'newest', offset: 0, limit: 5 });
        const id = page.rows[0]?.event.id;
        return id ? await hub.hub.store.getEvent(id) : undefined;
      },
      'the camera report at the hub',
      15_000,
    );
    expect(ev.position).toEqual(cam.position);
    expect(ev.address).toContain('cam-003');
    expect(ev.categoryId).toBe('illegal_construction');
    expect(ev.attachments).toHaveLength(1);
    // a camera's report (and an urgent one: illegal building is escalated) links its camera to the alarm tile
    const alarmTile = page.locator('[data-alarm-tile]');
    await until(async () => (await alarmTile.getAttribute('data-alarm-event')) === ev.id, 'the camera report on the alarm tile', 15_000, wallState);
    expect(await alarmTile.getAttribute('data-camera')).toBe('cam-003');
  }, 90_000);

  it('puts the camera nearest a new urgent event on the alarm tile, marked', async () => {
    const cam = cameraAt('cam-007');
    const eventId = uid('fire');
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId, categoryId: 'fire_safety', description: '冒烟 smoke', position: cam.position })));
    const alarmTile = page.locator('[data-alarm-tile]');
    await until(async () => (await alarmTile.getAttribute('data-alarm-event')) === eventId, 'the alarm on the alarm tile', 15_000);
    expect(await alarmTile.getAttribute('data-camera')).toBe('cam-007');
    expect(await alarmTile.getAttribute('data-testid')).toBe('tile-3');
    await until(async () => (await alarmTile.getAttribute('data-state')) === 'playing', 'the alarm camera playing', 30_000);
    // a general event far from any camera links nothing
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId: uid('plain') })));
    await sleep(1500);
    expect(await alarmTile.getAttribute('data-alarm-event')).toBe(eventId);
  }, 60_000);

  it('queues tiles beyond the player cap visibly, and gives a full-screen tile a slot first', async () => {
    const capped = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    try {
      await capped.goto(`${host.url}?maxPlayers=2`);
      await capped.getByTestId('view-wall').click();
      await capped.getByTestId('wall-size-4').click();
      await capped.getByTestId('wall-layouts').selectOption('值班四分屏');
      const states = async () => (await tiles(capped)).map((t) => t.state).join();
      await until(async () => (await states()) === 'playing,playing,queued,queued', 'two playing and two queued', 40_000);
      await expect.poll(() => capped.getByTestId('wall-summary').textContent()).toContain('2');
      expect(await capped.locator('video').count()).toBe(2);
      // full screen on a queued tile: it takes a slot from the last holder
      await capped.locator('.wall-grid > .tile').nth(3).dblclick();
      await until(async () => (await tiles(capped))[3]!.state === 'playing' && (await tiles(capped))[3]!.quality === 'main', 'the full-screen tile playing', 30_000);
      expect(await capped.locator('video').count()).toBeLessThanOrEqual(2);
      const d = await diagnostics(capped);
      expect(d.videos.created).toBeLessThanOrEqual(2);
    } finally {
      await capped.close();
    }
  }, 90_000);
});
