/**
 * The map's figures (issue 8), in Debian's Chromium with WebGL in software (SwiftShader), against
 * the console host and a standalone demo hub process:
 *
 *  - the whole demo district on the map: 1,100 grids (1,030 comprehensive, 70 dedicated), 250
 *    communities and 12 towns, 1,402 field staff of whom 1,100 grid leaders and members move and
 *    send a fix every 30 s through the field API (this process plays their phones), 30 cameras,
 *    and 10,000 open events written through the hub's batch endpoint;
 *  - time to first map paint: from the click on the map tab to the basemap drawn (MapLibre's
 *    `load`), and to every layer drawn with its data (the first `idle` after the data arrived);
 *  - frame times (requestAnimationFrame deltas) while the map pans and zooms: first moves on a
 *    new profile, while the map learns its moving resolution; then, after a reload (a new session
 *    on the same machine), at district scale (events clustered) and at street scale, with the
 *    leaders updating underneath; and the share of each frame spent in MapLibre's own JavaScript
 *    (what a hardware GPU would not take away).
 *
 * Chromium is driven over a bare DevTools connection (bench/raw-chromium.ts), as an Electron
 * window has none: Playwright's Network domain would copy every tile into the renderer.
 *
 * `npm run build` first. Then `npx tsx bench/map.ts` or `npm run bench -- map`.
 * BENCH_MAP_EVENTS=10000, BENCH_MAP_SECONDS=12 (per phase), BENCH_MAP_FIRST_MOVES_S=6,
 * BENCH_MAP_UPDATE_S=30; for finding costs, BENCH_MAP_BARE, BENCH_MAP_HIDE, BENCH_MAP_PHASES and
 * BENCH_MAP_TRACE (below).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { defaultRendererDir, startConsoleHost } from '../electron/core/host';
import { generateDistrict } from '../server/demo/generator';
import { polygonBBox } from '../shared/geo';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import { fmt, login, percentile, printTable, sleep, spawnHub, tempDir } from './lib';
import { launchRawChromium, type RawChromium } from './raw-chromium';

const EVENTS = Number(process.env.BENCH_MAP_EVENTS ?? 10_000);
const PHASE_S = Number(process.env.BENCH_MAP_SECONDS ?? 12);
const UPDATE_S = Number(process.env.BENCH_MAP_UPDATE_S ?? 30);
/** BENCH_MAP_BARE=1: the same pans and zooms over the basemap alone (every overlay hidden), for the floor */
const BARE = process.env.BENCH_MAP_BARE === '1';
const LAYER_GROUPS = ['towns', 'communities', 'comprehensive', 'dedicated', 'dynamic', 'people', 'events', 'cameras', 'heat'];
/** BENCH_MAP_HIDE=people,events: hides those layer groups only, to find what a frame costs */
const HIDE = BARE ? LAYER_GROUPS : (process.env.BENCH_MAP_HIDE ?? '').split(',').filter(Boolean);
/**
 * BENCH_MAP_PHASES=district: only those phases. `first-moves` is district-scale moving on a profile
 * that has not yet learned its moving resolution (renderer/map/software.ts): what a new machine's
 * first seconds cost. The phases after it run at the resolution it learned, kept as it would be
 * across sessions.
 */
const PHASES = (process.env.BENCH_MAP_PHASES ?? 'first-moves,district,street').split(',').filter((p): p is 'first-moves' | 'district' | 'street' => ['first-moves', 'district', 'street'].includes(p));
const FIRST_MOVES_S = Number(process.env.BENCH_MAP_FIRST_MOVES_S ?? 6);
/** BENCH_MAP_TRACE=/tmp/map: writes a Chromium trace of each phase to /tmp/map.<phase>.json (open it in DevTools' Performance panel) */
const TRACE = process.env.BENCH_MAP_TRACE;
const VIEWPORT = { width: 1440, height: 900 };
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
};
const ms = (x: number) => `${fmt(x, 1)} ms`;

async function seedEvents(hubUrl: string, token: string, total: number) {
  const district = generateDistrict();
  const grids = district.grids.filter((g) => g.kind === 'comprehensive');
  const categories = DEFAULT_TAXONOMY.categories.map((c) => c.id);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const t0 = performance.now();
  for (let from = 0; from < total; from += 500) {
    const commands = Array.from({ length: Math.min(500, total - from) }, (_, j) => {
      const i = from + j;
      const [w, s, e, n] = polygonBBox(grids[(i * 7919) % grids.length]!.polygon);
      const fx = ((i * 37) % 97) / 97, fy = ((i * 53) % 89) / 89;
      return {
        type: 'report',
        commandId: uuidv7(),
        eventId: `mapbench-${i}`,
        categoryId: categories[(i * 13) % categories.length]!,
        description: `压测事件 ${i}`,
        position: { lng: w + (e - w) * (0.05 + 0.9 * fx), lat: s + (n - s) * (0.05 + 0.9 * fy) },
        source: (['phone', 'public', 'hotline', 'inspection'] as const)[i % 4],
      };
    });
    const r = await fetch(`${hubUrl}/api/commands/batch`, { method: 'POST', headers, body: JSON.stringify({ commands }) });
    if (!r.ok) throw new Error(`batch: ${r.status} ${await r.text()}`);
  }
  return (performance.now() - t0) / 1000;
}

/** 1,100 phones: each grid leader and dedicated member walks inside its grid and sends a fix every UPDATE_S seconds. */
function movePhones(hubUrl: string) {
  const district = generateDistrict();
  const gridById = new Map(district.grids.map((g) => [g.id, g]));
  const movers = district.people
    .filter((p) => (p.role === 'leader' || p.role === 'dedicated_member') && p.gridIds[0])
    .map((p, i) => ({ id: p.id, box: polygonBBox(gridById.get(p.gridIds[0]!)!.polygon), phase: i }));
  let stop = false;
  let sent = 0, failed = 0;
  const perTick = Math.ceil(movers.length / (UPDATE_S * 10));
  let next = 0, tick = 0;
  const timer = setInterval(() => {
    if (stop) return;
    tick++;
    for (let k = 0; k < perTick; k++) {
      const m = movers[next++ % movers.length]!;
      const [w, s, e, n] = m.box;
      const a = (tick / 50 + m.phase) % (2 * Math.PI);
      const position = { lng: (w + e) / 2 + ((e - w) / 3) * Math.cos(a), lat: (s + n) / 2 + ((n - s) / 3) * Math.sin(a) };
      void fetch(`${hubUrl}/api/field/position`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer dev_demo_${m.id}` },
        body: JSON.stringify({ position, accuracy: 8, at: Date.now() }),
      }).then(
        (r) => (r.ok ? sent++ : failed++),
        () => failed++,
      );
    }
  }, 100);
  return {
    movers: movers.length,
    stats: () => ({ sent, failed }),
    stop: () => {
      stop = true;
      clearInterval(timer);
    },
  };
}

/** Runs `script` in the page while recording frame deltas and MapLibre's JS render time per frame. */
const FRAME_PROBE = `
  window.__probe = (seconds, phase) => new Promise((resolve) => {
    const hook = window.__gridMap; const map = hook.map;
    const deltas = []; const renders = []; const longTasks = [];
    const lt = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
    lt.observe({ type: 'longtask' });
    // MapLibre's own frame work on the main thread (layout, placement, draw calls): stays with a GPU
    const orig = map._render.bind(map);
    map._render = (t) => { const a = performance.now(); const r = orig(t); renders.push(performance.now() - a); return r; };
    let last = performance.now(); let live = true;
    const tick = (t) => { deltas.push(t - last); last = t; if (live) requestAnimationFrame(tick); };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
    const center = map.getCenter(); const z0 = phase === 'street' ? 15 : 11;
    map.jumpTo({ center, zoom: z0 });
    const moves = [
      () => map.panBy([320, 0], { duration: 900 }), () => map.panBy([0, 220], { duration: 900 }),
      () => map.zoomTo(z0 + 1.5, { duration: 900 }), () => map.panBy([-320, -120], { duration: 900 }),
      () => map.zoomTo(z0 - 0.5, { duration: 900 }), () => map.panBy([-200, 200], { duration: 900 }),
      () => map.zoomTo(z0, { duration: 900 }), () => map.panBy([200, -300], { duration: 900 }),
    ];
    let i = 0;
    const step = () => { if (!live) return; moves[i++ % moves.length](); };
    step();
    const h = setInterval(step, 1000);
    setTimeout(() => { live = false; clearInterval(h); map._render = orig; lt.disconnect(); resolve({ deltas: deltas.slice(2), renders, longTasks }); }, seconds * 1000);
  });`;

/** Chromium's timeline trace (what DevTools' Performance panel records), started on the browser connection. */
async function startTrace(browser: RawChromium) {
  const chunks: unknown[] = [];
  const off = browser.on('Tracing.dataCollected', (p: { value: unknown[] }) => chunks.push(...p.value));
  await browser.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing', 'gpu', 'viz', 'cc'] },
    transferMode: 'ReportEvents',
  });
  return {
    async stop(file: string) {
      const done = new Promise<void>((resolve) => {
        const offDone = browser.on('Tracing.tracingComplete', () => {
          offDone();
          resolve();
        });
      });
      await browser.send('Tracing.end');
      await done;
      off();
      writeFileSync(file, JSON.stringify({ traceEvents: chunks }));
      return file;
    },
  };
}

export async function main() {
  if (!existsSync(join(defaultRendererDir(), 'console', 'index.html'))) throw new Error('Build the renderer first: npm run build');
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const hubDir = tempDir('mapbench-hub');
  const consoleDir = tempDir('mapbench-console');
  const hub = await spawnHub(hubDir);
  let host: Awaited<ReturnType<typeof startConsoleHost>> | undefined;
  let phones: ReturnType<typeof movePhones> | undefined;
  // a bare DevTools connection (bench/raw-chromium.ts): Playwright's Network domain would copy every
  // tile and every overlay response into the renderer as the map pans, which an Electron window never does
  const browser = await launchRawChromium(WEBGL_ARGS);
  try {
    const op = await login(hub.url, 'operator');
    const seedS = await seedEvents(hub.url, op, EVENTS);
    console.log(`seeded ${EVENTS} events in ${fmt(seedS, 1)} s`);
    phones = movePhones(hub.url);
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: consoleDir, port: 0 });
    await host.core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
    // the cache catches up with the hub (10,000 events) before the map is opened
    const t0 = Date.now();
    for (;;) {
      const s = await host.core.handle({ id: 0, type: 'mapEvents', query: { scope: 'open', limit: 50_000 } });
      if (s.events.length >= EVENTS) break;
      if (Date.now() - t0 > 300_000) throw new Error(`the console cache has ${s.events.length} of ${EVENTS} events after 5 min`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`console cache caught up in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    const page = await browser.open(host.url, VIEWPORT);
    const pageErrors: string[] = [];
    /** the console online, with the bench's frame probe in the page */
    const ready = async () => {
      await page.waitFor(`document.querySelector('[role=status][data-state=online]')`, 60_000, 'the console online');
      await page.evaluate(FRAME_PROBE);
    };
    /** clicks the map tab: ms to the basemap drawn, and to every layer drawn with its data */
    const openMapTab = async () => {
      const clickAt = await page.evaluate<number>(`(document.querySelector('[data-testid=view-map]').click(), performance.now())`);
      await page.call(
        () =>
          new Promise<void>((resolve, reject) => {
            const end = performance.now() + 120_000;
            const wait = () => (window.__gridMap ? resolve() : performance.now() > end ? reject(new Error('the map did not load in 120 s')) : requestAnimationFrame(wait));
            wait();
          }),
      );
      const loadAt = await page.evaluate<number>('performance.now()');
      const drawnAt = await page.call(
        (n) =>
          new Promise<number>((resolve) => {
            const wait = () => {
              const h = window.__gridMap!;
              if ((h.counts.events ?? 0) >= n && (h.counts.grids ?? 0) > 0 && (h.counts.people ?? 0) > 0) {
                h.map.once('idle', () => resolve(performance.now()));
                h.map.triggerRepaint();
              } else setTimeout(wait, 20);
            };
            wait();
          }),
        EVENTS,
      );
      return { load: loadAt - clickAt, drawn: drawnAt - clickAt };
    };
    await ready();
    await sleep(3000);

    // time to first paint, twice: cold (first open of the page's map code) and warm (reopened)
    const paints: { load: number; drawn: number }[] = [];
    for (let round = 0; round < 2; round++) {
      if (round > 0) {
        await page.evaluate(`document.querySelector('[data-testid=view-queue]').click()`);
        await sleep(1500);
      }
      paints.push(await openMapTab());
    }
    const counts = await page.call(() => window.__gridMap!.counts);

    const hideGroups = () =>
      page.call((groups) => {
        for (const g of groups) {
          const box = document.querySelector<HTMLInputElement>(`[data-testid=layer-${g}]`);
          if (!box) throw new Error(`no layer switch ${g}`);
          if (box.checked) box.click();
        }
      }, HIDE);
    if (HIDE.length > 0) {
      await hideGroups();
      await sleep(1000);
    }
    type Probe = { deltas: number[]; renders: number[]; longTasks: number[] };
    const phases: Record<string, Probe & { cpu: Record<string, number>; ratio: number; ratioAtStart: number; seconds: number }> = {};
    const cpuByType = async () => {
      const { processInfo } = (await browser.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
      const out: Record<string, number> = {};
      for (const p of processInfo) out[p.type] = (out[p.type] ?? 0) + p.cpuTime;
      return out;
    };
    let reloaded = false;
    for (const phase of PHASES) {
      if (phase !== 'first-moves' && phases['first-moves'] && !reloaded) {
        // a new session on the same machine: the learned resolution kept, the tiles in memory gone
        pageErrors.push(...(await page.errors()));
        await page.evaluate('window.__probe = undefined');
        await page.send('Page.reload');
        await page.waitFor(`document.readyState === 'complete' && window.__probe === undefined`, 30_000, 'the reloaded page');
        await ready();
        await openMapTab();
        if (HIDE.length > 0) await hideGroups();
        await sleep(2000);
        reloaded = true;
      }
      const tracing = TRACE ? await startTrace(browser) : undefined;
      const c0 = await cpuByType();
      const ratioAtStart = await page.call(() => window.__gridMap!.movingRatio());
      const t = performance.now();
      const seconds = phase === 'first-moves' ? FIRST_MOVES_S : PHASE_S;
      const probe = await page.call(([s, p]) => (window as unknown as { __probe: (s: number, p: string) => Promise<Probe> }).__probe(s, p), [seconds, phase] as const);
      const wall = (performance.now() - t) / 1000;
      const c1 = await cpuByType();
      // CPU of each kind of Chromium process over the phase, in % of one core: where a frame's time goes
      const cpu = Object.fromEntries(Object.entries(c1).map(([k, v]) => [k, (100 * (v - (c0[k] ?? 0))) / wall]));
      phases[phase] = { ...probe, cpu, seconds, ratioAtStart, ratio: await page.call(() => window.__gridMap!.movingRatio()) };
      if (tracing) console.log(`trace of ${phase}: ${await tracing.stop(`${TRACE}.${phase}.json`)}`);
    }
    const moved = phones.stats();

    printTable('Map: time to first paint (click on the map tab →)', [
      ['basemap drawn (MapLibre load), cold / warm', `${ms(paints[0]!.load)} / ${ms(paints[1]!.load)}`],
      ['every layer drawn with its data, cold / warm', `${ms(paints[0]!.drawn)} / ${ms(paints[1]!.drawn)}`],
      ['on the map', `${counts.grids} grids, ${counts.communities} communities, ${counts.people} people, ${counts.events} open events, ${counts.cameras} cameras`],
    ]);
    const rows: [string, string][] = [];
    for (const [name, r] of Object.entries(phases)) {
      const f = stats(r.deltas);
      const j = stats(r.renders);
      const slow = r.deltas.filter((d) => d > 33.4).length;
      rows.push([`${name}: frame interval`, `p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, p99 ${ms(f.p99)}, max ${ms(f.max)} (${f.n} frames, ${slow} over 33 ms)`]);
      // when the late frames came: the first seconds also pay for learning the resolution
      const bySecond: number[] = [];
      let at = 0;
      for (const d of r.deltas) {
        at += d;
        if (d > 30) bySecond[Math.floor(at / 1000)] = (bySecond[Math.floor(at / 1000)] ?? 0) + 1;
      }
      rows.push([`${name}: frames of two refreshes or more, by second`, Array.from({ length: r.seconds }, (_, i) => bySecond[i] ?? 0).join(' ')]);
      rows.push([`${name}: resolution while moving (learned)`, `${fmt(r.ratioAtStart, 2)} → ${fmt(r.ratio, 2)} of the device's pixel ratio (phase start → end)`]);
      rows.push([`${name}: MapLibre JS per frame`, `p50 ${ms(j.p50)}, p95 ${ms(j.p95)}, max ${ms(j.max)} (${j.n} renders)`]);
      const lt = r.longTasks;
      rows.push([`${name}: main-thread tasks over 50 ms`, `${lt.length}, ${ms(lt.reduce((a, b) => a + b, 0))} in all, longest ${ms(Math.max(0, ...lt))}`]);
      rows.push([`${name}: CPU by process (% of one core)`, Object.entries(r.cpu).filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')]);
    }
    rows.push(['leaders moving', `${phones.movers} phones, a fix every ${UPDATE_S} s each: ${moved.sent} fixes sent during the run (${moved.failed} failed)`]);
    printTable(`Map: panning and zooming for ${PHASE_S} s a scale, ${FIRST_MOVES_S} s of first moves (SwiftShader, ${VIEWPORT.width}×${VIEWPORT.height})${BARE ? ', basemap only' : HIDE.length ? `, hidden: ${HIDE.join(' ')}` : ''}`, rows);
    pageErrors.push(...(await page.errors()));
    if (pageErrors.length > 0) console.warn(`page errors: ${pageErrors.join('; ')}`);
    console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    phones?.stop();
    await browser.close().catch(() => {});
    await host?.close().catch(() => {});
    await hub.stop();
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(consoleDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
