import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { polygonContains } from '../shared/geo';
import type { LngLat } from '../shared/schema';
import { launchChromium } from './browser/chromium';
import { openConsolePage } from './browser/console';
import { DEMO, demoGrid, plainPointIn, pointIn } from './helpers/demo';
import { allChanges, expectApplied, login, postCommand, request, startTestHub, uid, type TestHub } from './helpers/hub';

/**
 * The console's map in real Chromium with real WebGL (SwiftShader, software), against the console
 * host and a demo hub: layers toggle on the map itself, a grid's panel names its leader, a leader's
 * track plays back, a spot picked on the map becomes an event in the grid that contains it, and a
 * dispatch from an event marker reaches the leader's field page. Needs `npm run build` first.
 *
 * Every assertion about what is shown reads the map's own state through the page's test hook
 * (window.__gridMap: the style's layout visibility, rendered features), never the page's React state.
 */

/** SwiftShader WebGL, explicitly: newer Chromium builds want the unsafe-swiftshader opt-in for the fallback. */
export const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const LEADER = 'leader-0-0-0';
const GRID = 'grid-0-0-0';
const leader = DEMO.people.find((p) => p.id === LEADER)!;

describe('the console map, in Chromium with WebGL', () => {
  let hub: TestHub;
  let host: ConsoleHost;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;
  let op2: string;

  beforeAll(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'map-ui-'));
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: dir, port: 0 });
    browser = await launchChromium(WEBGL_ARGS);
    op2 = await login(hub.url, 'operator2');
    ({ page, errors } = await openConsolePage(browser, host.url));
    if (process.env.MAP_DEBUG) page.on('console', (m) => console.log('page:', m.type(), m.text().slice(0, 300)));
    await page.getByTestId('view-map').click();
    await page.waitForSelector('[data-testid=map-view][data-ready=true]', { timeout: 60_000 });
    // the grids and people reach the map once the cache has them
    await page.waitForFunction((n) => window.__gridMap?.counts.grids === n, DEMO.grids.length, { timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Moves the map and resolves when it has drawn the new view. */
  const view = (center: LngLat, zoom: number) =>
    page.evaluate(
      ([c, z]) =>
        new Promise<void>((resolve) => {
          const m = window.__gridMap!.map;
          m.once('idle', () => resolve());
          m.jumpTo({ center: [c.lng, c.lat], zoom: z });
          m.triggerRepaint();
        }),
      [center, zoom] as const,
    );
  const idle = () =>
    page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const m = window.__gridMap!.map;
          m.once('idle', () => resolve());
          m.triggerRepaint();
        }),
    );
  const clickAt = async (p: LngLat) => {
    const { x, y } = await page.evaluate((q) => window.__gridMap!.pagePoint(q), p);
    await page.mouse.click(x, y);
  };
  const shown = (group: string) => page.evaluate((g) => window.__gridMap!.groupVisible(g as never), group);
  const rendered = (layers: string[]) => page.evaluate((l) => window.__gridMap!.rendered(l), layers);
  const setLayer = async (group: string, on: boolean) => {
    const box = page.getByTestId(`layer-${group}`);
    if ((await box.isChecked()) !== on) await box.click();
    await expect.poll(() => shown(group)).toBe(on);
    await idle();
  };

  it('on software WebGL draws at its learned lower resolution and without the grid outlines while moving, whole again at rest', async () => {
    await view({ lng: 120.98, lat: 32.0 }, 11);
    const seen = await page.evaluate(
      () =>
        new Promise<{ rest: number; ratio: number; moving: number; movingLines: number; ended: number; after: number; css: number; lines: unknown; afterLines: unknown }>((resolve) => {
          const m = window.__gridMap!.map;
          const ratio = window.__gridMap!.movingRatio();
          const canvas = m.getCanvas();
          const rest = canvas.width;
          const lines = m.getPaintProperty('grid-comp-line', 'line-opacity');
          let moving = 0;
          let movingLines = -1;
          m.once('move', () => {
            moving = canvas.width;
            movingLines = m.getPaintProperty('grid-comp-line', 'line-opacity') as number;
          });
          m.once('moveend', () => {
            // a moment's rest is not yet rest: a second move may follow (scroll-wheel zoom)
            const ended = canvas.width;
            setTimeout(() => resolve({ rest, ratio, moving, movingLines, ended, after: canvas.width, css: canvas.clientWidth, lines, afterLines: m.getPaintProperty('grid-comp-line', 'line-opacity') }), 600);
          });
          m.panBy([200, 0], { duration: 300 });
        }),
    );
    // SwiftShader here: the test's Chromium has no GPU
    expect(seen.rest).toBe(seen.css);
    expect(seen.ratio).toBeGreaterThanOrEqual(0.3);
    expect(seen.ratio).toBeLessThanOrEqual(0.5);
    expect(seen.moving).toBe(Math.floor(seen.css * seen.ratio));
    expect(seen.movingLines).toBe(0);
    expect(seen.ended).toBe(Math.floor(seen.css * seen.ratio));
    expect(seen.after).toBe(seen.css);
    expect(seen.afterLines).toEqual(seen.lines);
    // and the outlines are drawn again
    await idle();
    expect(await rendered(['grid-comp-line'])).toBeGreaterThan(0);
  });

  it('draws the layers and toggles them on the map itself', async () => {
    await view({ lng: 120.98, lat: 32.0 }, 11);
    for (const [group, layers] of [
      ['comprehensive', ['grid-comp-fill']],
      ['people', ['people-circle']],
      ['cameras', ['camera-points']],
      ['towns', ['town-line']],
    ] as const) {
      expect(await shown(group)).toBe(true);
      expect(await rendered([...layers])).toBeGreaterThan(0);
      await setLayer(group, false);
      expect(await rendered([...layers])).toBe(0);
      await setLayer(group, true);
      expect(await rendered([...layers])).toBeGreaterThan(0);
    }
    // the heat map starts off and comes on with its period's events
    expect(await shown('heat')).toBe(false);
    await setLayer('heat', true);
    expect(await shown('heat')).toBe(true);
    await setLayer('heat', false);
    expect(errors).toEqual([]);
  });

  it('clicking a grid shows its name, its leader with the phone number, and this week\'s patrol', async () => {
    const grid = demoGrid(GRID);
    // off-centre (the leader's dot sits at the centre) and clear of dedicated grids
    const spot = [pointIn(GRID, 0.15, 0.85), pointIn(GRID, 0.85, 0.15), pointIn(GRID, 0.15, 0.15)].find((p) => !DEMO.grids.some((g) => g.kind === 'dedicated' && polygonContains(g.polygon, p)))!;
    await view(spot, 15);
    await setLayer('cameras', false);
    await clickAt(spot);
    const panel = page.locator(`[data-testid=grid-panel][data-grid="${GRID}"]`);
    await panel.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('grid-name').textContent()).toBe(grid.name);
    const row = panel.locator(`li[data-person="${LEADER}"][data-role=leader]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(leader.name);
    expect(await row.textContent()).toContain(leader.phone!);
    // the leader's seeded fix lies inside the grid, in this week
    await panel.getByTestId('grid-patrol').waitFor({ timeout: 15_000 });
    expect(Number(await panel.getByTestId('grid-patrol').getAttribute('data-coverage'))).toBeGreaterThan(0);
    await setLayer('cameras', true);
    await page.getByTestId('map-panel-close').click();
  });

  it('a leader\'s track of the last hours plays back on the map', async () => {
    // the leader walks across the grid: eight fixes, ten minutes apart, the last one now (newer
    // than the fix the demo seeded at the hub's start, so the dot moves there)
    const [w, s, e, n] = [0.1, 0.1, 0.9, 0.9];
    const now = Date.now();
    const walk = Array.from({ length: 8 }, (_, i) => ({ p: pointIn(GRID, w + ((e - w) * i) / 7, s + ((n - s) * i) / 7), at: now - (7 - i) * 600_000 }));
    for (const f of walk) {
      const r = await request(hub.url, 'POST', '/api/field/position', { token: `dev_demo_${LEADER}`, json: { position: f.p, accuracy: 5, at: f.at } });
      expect(r.status).toBe(204);
    }
    const last = walk[walk.length - 1]!;
    // the console's cache hears the last fix through the feed; the dot moves there
    await expect
      .poll(
        () =>
          page.evaluate(
            ([id, p]) =>
              window.__gridMap!.map.querySourceFeatures('people').some((f) => {
                const c = (f.geometry as { coordinates: number[] }).coordinates;
                return f.properties?.id === id && Math.abs(c[0]! - p.lng) < 1e-6 && Math.abs(c[1]! - p.lat) < 1e-6;
              }),
            [LEADER, last.p] as const,
          ),
        { timeout: 20_000 },
      )
      .toBe(true);
    await setLayer('cameras', false);
    await setLayer('events', false);
    await view(last.p, 16);
    await clickAt(last.p);
    const panel = page.locator(`[data-testid=person-panel][data-person="${LEADER}"]`);
    await panel.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('person-name').textContent()).toBe(leader.name);
    const track = page.getByTestId('track');
    await track.waitFor({ timeout: 15_000 });
    const points = Number(await track.getAttribute('data-points'));
    // the eight fixes, and the fix the demo seeded at the hub's start
    expect(points).toBeGreaterThanOrEqual(8);
    expect(await rendered(['track-line'])).toBeGreaterThan(0);
    expect(await rendered(['track-labels'])).toBeGreaterThan(0);

    // back to the start with the slider, then play to the end
    await page.getByTestId('track-slider').fill('0');
    await expect.poll(() => track.getAttribute('data-index')).toBe('0');
    const first = await page.evaluate(() => window.__gridMap!.trackCursor());
    await page.getByTestId('track-play').click();
    await expect.poll(() => track.getAttribute('data-index'), { timeout: 20_000 }).toBe(String(points - 1));
    const end = await page.evaluate(() => window.__gridMap!.trackCursor());
    expect(end!.lng).toBeCloseTo(last.p.lng, 6);
    expect(end!.lat).toBeCloseTo(last.p.lat, 6);
    expect(first).not.toEqual(end);
    expect(Number(await page.getByTestId('track-time').getAttribute('data-at'))).toBe(last.at);
    await page.getByTestId('map-panel-close').click();
    await setLayer('cameras', true);
    await setLayer('events', true);
  });

  it('a spot picked on the map becomes a phoned-in event in the grid that contains it', async () => {
    const target = 'grid-1-0-0';
    const spot = plainPointIn(target);
    await view(spot, 15);
    await page.getByTestId('map-pick').click();
    await clickAt(spot);
    const form = page.getByTestId('call-form');
    await form.waitFor();
    await form.locator('select[name=category]').selectOption('municipal_facilities');
    await form.locator('textarea[name=description]').fill('来电：路灯杆倾斜，有倒塌风险');
    await form.locator('input[name=callerPhone]').fill('13900001234');
    await form.locator('button[type=submit]').click();
    const panel = page.locator('[data-testid=event-panel][data-event]');
    await panel.waitFor({ timeout: 15_000 });
    const eventId = (await panel.getAttribute('data-event'))!;
    // the hub places it: the grid that contains the picked spot
    await expect.poll(() => page.getByTestId('event-panel-grid').textContent(), { timeout: 20_000 }).toContain(demoGrid(target).name);
    const changes = (await allChanges(hub.url, op2, 0)).changes;
    const ev = changes.filter((c) => c.kind === 'event' && c.id === eventId).pop();
    expect(ev?.kind === 'event' && ev.data.gridIds).toContain(target);
    expect(ev?.kind === 'event' && ev.data.source).toBe('phone');
    const pos = ev?.kind === 'event' ? ev.data.position : undefined;
    // the click's pixel is a few metres wide at zoom 15
    expect(Math.abs(pos!.lng - spot.lng)).toBeLessThan(2e-5);
    expect(Math.abs(pos!.lat - spot.lat)).toBeLessThan(2e-5);
    await page.getByTestId('map-panel-close').click();
  });

  it('dispatch from an event marker draws the candidates and reaches the leader\'s field page', async () => {
    const eventId = uid('map-ev');
    const spot = pointIn(GRID, 0.3, 0.7);
    await expectApplied(
      postCommand(hub.url, op2, { type: 'report', commandId: uid(), eventId, categoryId: 'sanitation', description: '垃圾堆放多日未清运', position: spot, source: 'public' }),
    );
    await setLayer('people', false);
    await setLayer('cameras', false);
    await view(spot, 16);
    await expect.poll(() => page.evaluate((id) => window.__gridMap!.map.querySourceFeatures('events').some((f) => f.properties?.id === id), eventId), { timeout: 20_000 }).toBe(true);
    await idle();
    await clickAt(spot);
    const panel = page.locator(`[data-testid=event-panel][data-event="${eventId}"]`);
    await panel.waitFor({ timeout: 15_000 });
    const candidate = panel.locator(`li[data-person="${LEADER}"]`);
    await candidate.waitFor({ timeout: 15_000 });
    // the candidates drawn with lines to the event
    await expect.poll(() => rendered(['dispatch-lines'])).toBeGreaterThan(0);

    const field = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await field.goto(`${hub.url}/field/?token=dev_demo_${LEADER}`);
    await field.getByTestId('person-name').waitFor({ timeout: 20_000 });
    await page.getByTestId(`map-dispatch-${LEADER}`).click();
    const card = field.locator(`article.task[data-event-id="${eventId}"]`);
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getAttribute('data-state')).toBe('dispatched');
    await expect.poll(() => page.getByTestId('event-panel-state').textContent(), { timeout: 20_000 }).toBe('已派遣');
    await field.close();
    await setLayer('people', true);
    await setLayer('cameras', true);
    expect(errors).toEqual([]);
  });
  it('the event detail\'s small map shows the event\'s point and moves to the next event on the same map', async () => {
    const a = { id: uid('mini-a'), spot: pointIn(GRID, 0.4, 0.6) };
    const b = { id: uid('mini-b'), spot: plainPointIn('grid-1-0-0') };
    for (const ev of [a, b])
      await expectApplied(
        postCommand(hub.url, op2, { type: 'report', commandId: uid(), eventId: ev.id, categoryId: 'sanitation', description: '小地图测试', position: ev.spot, source: 'public' }),
      );
    await page.getByTestId('view-queue').click();
    const detailPoint = () => page.evaluate(() => window.__detailMap?.point() ?? null);
    const counts = () =>
      page.evaluate(() => ({
        canvases: document.querySelectorAll('canvas.maplibregl-canvas').length,
        inDetail: document.querySelectorAll('[data-testid=event-map] canvas.maplibregl-canvas').length,
        created: window.__detailMap?.created ?? 0,
        rendered: window.__detailMap?.renderedPoints() ?? 0,
      }));
    const open = async (ev: { id: string; spot: LngLat }) => {
      const row = page.getByTestId(`row-${ev.id}`);
      await row.waitFor({ timeout: 20_000 });
      await row.click();
      await page.locator(`[data-testid=event-map][data-event="${ev.id}"][data-ready=true]`).waitFor({ timeout: 30_000 });
      const p = await detailPoint();
      expect(p!.lng).toBeCloseTo(ev.spot.lng, 6);
      expect(p!.lat).toBeCloseTo(ev.spot.lat, 6);
      return counts();
    };
    const first = await open(a);
    expect(first).toMatchObject({ inDetail: 1, created: 1 });
    expect(first.rendered).toBeGreaterThan(0);
    const second = await open(b);
    // the same map, moved: no second WebGL canvas
    expect(second).toEqual({ ...first, rendered: second.rendered });
    expect(second.rendered).toBeGreaterThan(0);
    const again = await open(a);
    expect(again.created).toBe(1);
    expect(again.canvases).toBe(first.canvases);
    expect(errors).toEqual([]);
  });
});
