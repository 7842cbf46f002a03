/**
 * Wall screen memory over a simulated day (issue 9; aim: no growth beyond 10 %), in Debian's
 * Chromium driven over a bare DevTools connection (bench/raw-chromium.ts: Playwright's Network
 * instrumentation would keep every HLS segment in the renderer): the console host in this process with its embedded demo hub
 * and the field simulator at a high speed-up (default 300: a simulated day in under five real
 * minutes, ~700 reports with their dispatches, feedback and closures, a few thousand position
 * fixes), the wall page at 1920×1080 with WebGL (SwiftShader), live HLS tiles touring the cameras,
 * the statistics asked again on every burst of changes.
 *
 * After a warm-up, the page's JS heap is sampled every BENCH_WALL_SAMPLE_S seconds after a forced
 * garbage collection (CDP HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize),
 * with its DOM nodes and event listeners; the renderer's resident memory from /proc as a second
 * opinion (it includes decoded video frames and the map's GL buffers). Growth is end against start.
 *
 * `npm run build` first (and ffmpeg for the tiles). Then `npx tsx bench/wall-screen.ts` or
 * `npm run bench -- wall-screen`. BENCH_WALL_SPEEDUP (300), BENCH_WALL_HOURS (24 simulated hours),
 * BENCH_WALL_WARMUP_S (60), BENCH_WALL_SAMPLE_S (30), BENCH_WALL_CAMERAS (tour: the wall tours the cameras
 * every 20 s; fixed: the same three all day).
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startConsoleHost } from '../electron/core/host';
import { fmt, printTable, rssMiB, sleep, tempDir } from './lib';
import { launchRawChromium, type RawChromium, type RawPage } from './raw-chromium';

const SPEEDUP = Number(process.env.BENCH_WALL_SPEEDUP ?? 300);
const SIM_HOURS = Number(process.env.BENCH_WALL_HOURS ?? 24);
const WARMUP_S = Number(process.env.BENCH_WALL_WARMUP_S ?? 60);
const SAMPLE_S = Number(process.env.BENCH_WALL_SAMPLE_S ?? 30);
/** `tour` (the default: three new players every 20 s) or `fixed` (the same three cameras all day) */
const CAMERAS = process.env.BENCH_WALL_CAMERAS === 'fixed' ? 'fixed' : 'tour';
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const mib = (bytes: number) => bytes / 1024 / 1024;


interface Sample {
  realS: number;
  simH: number;
  heapMiB: number;
  nodes: number;
  listeners: number;
  rendererMiB: number;
  events: number;
  /** open events: the points on the wall's map */
  open: number;
  tiles: number;
}

async function sample(browser: RawChromium, page: RawPage, t0: number, simNow: () => number, sim0: number, events: () => { all: number; open: number }): Promise<Sample> {
  // twice: a first collection can leave what only a second frees (weak maps, finalizers)
  await page.send('HeapProfiler.collectGarbage');
  await page.send('HeapProfiler.collectGarbage');
  const { metrics } = await page.send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics');
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? NaN;
  const renderer = browser.rendererPids().reduce((s, pid) => s + rssMiB(pid), 0);
  const tiles = await page.evaluate<number>(`document.querySelectorAll('[data-panel=cameras] .tile[data-state=playing]').length`);
  return {
    realS: (Date.now() - t0) / 1000,
    simH: (simNow() - sim0) / 3_600_000,
    heapMiB: mib(m('JSHeapUsedSize')),
    nodes: m('Nodes'),
    listeners: m('JSEventListeners'),
    rendererMiB: renderer,
    events: events().all,
    open: events().open,
    tiles,
  };
}

export async function main(): Promise<void> {
  const dir = tempDir('bench-wall-screen');
  console.log(`load before: ${load()}; speed-up ${SPEEDUP}×, ${SIM_HOURS} simulated hours ≈ ${fmt((SIM_HOURS * 3600) / SPEEDUP / 60, 1)} real minutes after a ${WARMUP_S} s warm-up; cameras: ${CAMERAS}`);
  const host = await startConsoleHost({ dataDir: dir, port: 0, demo: true, sim: true, speedup: SPEEDUP });
  const browser = await launchRawChromium([...WEBGL_ARGS, '--autoplay-policy=no-user-gesture-required']);
  try {
    const sim = host.simulator;
    if (!sim) throw new Error('the demo host started without its simulator');
    await host.core.handle({ id: 1, type: 'login', username: 'chief', password: 'chief' });
    await host.core.handle({
      id: 2,
      type: 'setWallScreen',
      patch: { cameras: CAMERAS === 'fixed' ? { mode: 'fixed', cameraIds: ['cam-001', 'cam-002', 'cam-003'] } : { mode: 'tour', intervalS: 20 } },
    });
    const OPEN = ['reported', 'accepted', 'dispatched', 'acknowledged', 'on_site', 'feedback', 'returned', 'reviewed', 'escalated'] as const;
    const count = (states: readonly string[]) => host.core.cache.queue({ states: [...states] as never }, 'newest', 0, 1, Date.now()).total;
    const events = () => ({ all: count([...OPEN, 'closed', 'evaluated', 'rejected', 'merged']), open: count(OPEN) });

    const page = await browser.open(`${host.origin}/wall/`, { width: 1920, height: 1080 });
    await page.send('Performance.enable');
    await page.send('HeapProfiler.enable');
    await page.waitFor(`document.querySelector('[data-testid=wall-screen]')`, 30_000, 'the wall screen');
    await sleep(WARMUP_S * 1000);

    const t0 = Date.now();
    const sim0 = sim.clock.now();
    const samples: Sample[] = [await sample(browser, page, t0, sim.clock.now, sim0, events)];
    const endAt = t0 + ((SIM_HOURS * 3_600_000) / SPEEDUP);
    const show = (s: Sample) =>
      console.log(
        `  t=${fmt(s.realS, 0).padStart(4)} s  sim +${fmt(s.simH, 1).padStart(4)} h  heap ${fmt(s.heapMiB, 1)} MiB  nodes ${s.nodes}  listeners ${s.listeners}  renderer RSS ${fmt(s.rendererMiB, 0)} MiB  events ${s.events} (open ${s.open})  tiles playing ${s.tiles}  load ${load()}`,
      );
    show(samples[0]!);
    while (Date.now() < endAt) {
      await sleep(Math.min(SAMPLE_S * 1000, Math.max(0, endAt - Date.now())));
      const s = await sample(browser, page, t0, sim.clock.now, sim0, events);
      samples.push(s);
      show(s);
    }
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const peak = Math.max(...samples.map((s) => s.heapMiB));
    const growth = (last.heapMiB / first.heapMiB - 1) * 100;
    const rssGrowth = (last.rendererMiB / first.rendererMiB - 1) * 100;
    // the day's data fills the wall in the first hours; a leak would go on growing in the second half
    const mid = samples.reduce((best, x) => (Math.abs(x.simH - last.simH / 2) < Math.abs(best.simH - last.simH / 2) ? x : best), first);
    const pct = (a: number, b: number) => { const g = (b / a - 1) * 100; return `${g >= 0 ? '+' : ''}${fmt(g, 1)} %`; };
    // resident memory swings by tens of MiB between samples (caches filled and purged): the first
    // quarter's median against the last quarter's says more than two single samples
    const median = (xs: number[]) => { const o = [...xs].sort((p, q) => p - q); return o[Math.floor(o.length / 2)] ?? NaN; };
    const q = Math.max(1, Math.floor(samples.length / 4));
    const rssHead = median(samples.slice(0, q).map((x) => x.rendererMiB));
    const rssTail = median(samples.slice(-q).map((x) => x.rendererMiB));
    const heapHead = median(samples.slice(0, q).map((x) => x.heapMiB));
    const heapTail = median(samples.slice(-q).map((x) => x.heapMiB));
    const panels = await page.evaluate<string[]>(`[...document.querySelectorAll('[data-panel]')].map((e) => e.getAttribute('data-panel') + ':' + e.getAttribute('data-state'))`);
    const pageErrors = await page.errors();
    const st = sim.stats();
    printTable(`Wall screen memory over a simulated day (1920×1080, cameras ${CAMERAS}, after forced GC)`, [
      ['simulated', `${fmt(last.simH, 1)} h in ${fmt(last.realS / 60, 1)} real minutes (${SPEEDUP}×)`],
      ['events in the cache', `${first.events} → ${last.events} (+${last.events - first.events}), open (on the map) ${first.open} → ${mid.open} at half time → ${last.open}; simulator: ${st.reports.applied} reports, ${st.positions} fixes`],
      ['JS heap used', `${fmt(first.heapMiB, 1)} → ${fmt(last.heapMiB, 1)} MiB (peak ${fmt(peak, 1)}): ${growth >= 0 ? '+' : ''}${fmt(growth, 1)} % ${Math.abs(growth) <= 10 ? '(within the 10 % aim)' : '(OVER the 10 % aim)'}`],
      ['first quarter → last quarter (medians)', `JS heap ${fmt(heapHead, 1)} → ${fmt(heapTail, 1)} MiB (${pct(heapHead, heapTail)}), renderer RSS ${fmt(rssHead, 0)} → ${fmt(rssTail, 0)} MiB (${pct(rssHead, rssTail)}), ${q} samples each`],
      ['second half alone', `sim +${fmt(mid.simH, 1)} h → +${fmt(last.simH, 1)} h: JS heap ${fmt(mid.heapMiB, 1)} → ${fmt(last.heapMiB, 1)} MiB (${pct(mid.heapMiB, last.heapMiB)}), renderer RSS ${fmt(mid.rendererMiB, 0)} → ${fmt(last.rendererMiB, 0)} MiB (${pct(mid.rendererMiB, last.rendererMiB)})`],
      ['DOM nodes', `${first.nodes} → ${last.nodes}`],
      ['JS event listeners', `${first.listeners} → ${last.listeners}`],
      ['renderer RSS', `${fmt(first.rendererMiB, 0)} → ${fmt(last.rendererMiB, 0)} MiB: ${rssGrowth >= 0 ? '+' : ''}${fmt(rssGrowth, 1)} % (samples between ${fmt(Math.min(...samples.map((s) => s.rendererMiB)), 0)} and ${fmt(Math.max(...samples.map((s) => s.rendererMiB)), 0)} MiB)`],
      ['panels at the end', panels.join(' ')],
      ['page errors', pageErrors.length === 0 ? 'none' : pageErrors.slice(0, 3).join(' | ')],
      ['load average at the end', load()],
    ]);
  } finally {
    await browser.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
