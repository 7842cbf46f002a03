/**
 * Video wall figures (issue 6), in Debian's Chromium driven over a bare DevTools connection
 * (bench/raw-chromium.ts: Playwright's Network instrumentation would copy every segment into the
 * renderer, inflating its memory and CPU): the console host
 * in this process, a standalone demo hub as its own process serving the demo cameras' live HLS
 * (640×360 sub streams, 20 fps, 1 s segments of two 0.5 s parts, LL-HLS tags) from its media
 * origins; real hls.js in the page.
 *
 * For 4, 9 and 16 tiles of sub streams (the wall's default low-latency choice: LL-HLS while at most
 * two streams share an origin, else whole segments; plus 16 tiles forced to LL-HLS and 4 forced to
 * plain HLS, to compare):
 *  - decoded and dropped frames per second per tile (getVideoPlaybackQuality, over the window);
 *  - CPU of Chromium's renderer process(es) (CDP SystemInfo.getProcessInfo cpuTime deltas), of all
 *    Chromium processes together, and of the hub process; the renderer's resident memory (/proc);
 *  - latency from the playlist's EXT-X-PROGRAM-DATE-TIME of the frame on screen (hls.js playingDate)
 *    to the page's clock: what an operator sees lags the camera by this much (the demo's burned-in
 *    clock is the same time base).
 *
 * `npm run build` first. Then `npx tsx bench/video-wall.ts` or `npm run bench -- video-wall`.
 * BENCH_WALL_SECONDS (default 20) sets the measuring window per configuration.
 */
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startConsoleHost } from '../electron/core/host';
import { fmt, percentile, printTable, rssMiB, sleep, spawnHub, streamsReady, tempDir } from './lib';
import { launchRawChromium, type RawChromium, type RawPage } from './raw-chromium';

const WINDOW_S = Number(process.env.BENCH_WALL_SECONDS ?? 20);
const WARMUP_MS = 6000;
const CAMS = Array.from({ length: 16 }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);

interface Run {
  label: string;
  tiles: 4 | 9 | 16;
  ll: 'auto' | 'on' | 'off';
}
const RUNS: Run[] = [
  { label: '4 tiles', tiles: 4, ll: 'auto' },
  { label: '9 tiles', tiles: 9, ll: 'auto' },
  { label: '16 tiles', tiles: 16, ll: 'auto' },
  { label: '16 tiles, LL-HLS forced', tiles: 16, ll: 'on' },
  { label: '4 tiles, plain HLS forced', tiles: 4, ll: 'off' },
];

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Chromium's processes with their CPU seconds so far (CDP SystemInfo.getProcessInfo). */
async function processes(browser: RawChromium): Promise<{ type: string; id: number; cpuTime: number }[]> {
  const r = await browser.send<{ processInfo: { type: string; id: number; cpuTime: number }[] }>('SystemInfo.getProcessInfo');
  return r.processInfo;
}


/** CPU seconds of a process from /proc (user + system). */
const procCpuS = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
};

interface TileSample {
  tile: number;
  cameraId: string;
  state: string;
  frames: number;
  dropped: number;
  playingDate: number | null;
  latency: number | null;
  lowLatency: boolean;
}

const sample = (page: RawPage) =>
  page.call(() => {
    const d = window.gridConsoleWall!.diagnostics();
    return { now: Date.now(), tiles: d.tiles.map((t) => ({ tile: t.tile, cameraId: t.cameraId, state: t.state, frames: t.frames, dropped: t.dropped, playingDate: t.playingDate, latency: t.latency, lowLatency: t.lowLatency })) as TileSample[] };
  });

async function waitPlaying(page: RawPage, n: number, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const states = await page.call(() => [...document.querySelectorAll('.wall-grid > .tile')].map((e) => e.getAttribute('data-state')));
    if (states.length === n && states.every((s) => s === 'playing')) return;
    if (Date.now() > end) throw new Error(`not all ${n} tiles playing: ${states.join(',')}`);
    await sleep(250);
  }
}

const click = (page: RawPage, testId: string) =>
  page.waitFor(`document.querySelector('[data-testid=${testId}]')`, 30_000, testId).then(() => page.evaluate(`document.querySelector('[data-testid=${testId}]').click()`));

async function measure(browser: RawChromium, hostUrl: string, hubPid: number, run: Run): Promise<[string, string][]> {
  const page = await browser.open(`${hostUrl}?ll=${run.ll}`, { width: 1440, height: 900 });
  try {
    await page.waitFor(`document.querySelector('[role=status][data-state=online]')`, 30_000, 'the console online');
    await click(page, 'view-wall');
    await click(page, `wall-size-${run.tiles}`);
    await click(page, 'wall-fill');
    const started = Date.now();
    await waitPlaying(page, run.tiles);
    const startupMs = Date.now() - started;
    await sleep(WARMUP_MS);

    const p0 = await processes(browser);
    const hub0 = procCpuS(hubPid);
    const s0 = await sample(page);
    const t0 = performance.now();
    const latencies: number[] = [];
    const behindEdge: number[] = [];
    let stalledSamples = 0;
    let samples = 0;
    while (performance.now() - t0 < WINDOW_S * 1000) {
      await sleep(500);
      const s = await sample(page);
      for (const t of s.tiles) {
        samples++;
        if (t.state !== 'playing') stalledSamples++;
        if (t.playingDate !== null) latencies.push((s.now - t.playingDate) / 1000);
        if (t.latency !== null) behindEdge.push(t.latency);
      }
    }
    const s1 = await sample(page);
    const wall = (performance.now() - t0) / 1000;
    const p1 = await processes(browser);
    const hub1 = procCpuS(hubPid);

    const perTile = s1.tiles.map((t) => {
      const before = s0.tiles.find((x) => x.tile === t.tile)!;
      const decoded = (t.frames - before.frames) / wall;
      const dropped = (t.dropped - before.dropped) / wall;
      return { tile: t.tile, decoded, dropped, ll: t.lowLatency };
    });
    const decoded = perTile.map((t) => t.decoded).sort((a, b) => a - b);
    const droppedPct = perTile.map((t) => (t.decoded > 0 ? (100 * t.dropped) / t.decoded : NaN)).sort((a, b) => a - b);
    const totalDropped = perTile.reduce((a, t) => a + t.dropped, 0);
    const totalDecoded = perTile.reduce((a, t) => a + t.decoded, 0);

    const cpu = (type: string | null) => {
      let sum = 0;
      for (const p of p1) {
        if (type !== null && p.type !== type) continue;
        const before = p0.find((x) => x.id === p.id);
        sum += p.cpuTime - (before?.cpuTime ?? 0);
      }
      return (100 * sum) / wall;
    };
    const renderers = p1.filter((p) => p.type === 'renderer');
    const rss = renderers.map((p) => rssMiB(p.id)).filter(Number.isFinite);
    const heap = await page.call(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN);
    const lat = [...latencies].sort((a, b) => a - b);
    const edge = [...behindEdge].sort((a, b) => a - b);
    const llTiles = perTile.filter((t) => t.ll).length;
    return [
      [`${run.label}: mode`, `${llTiles} of ${run.tiles} tiles on LL-HLS parts, the rest on whole segments; all playing after ${fmt(startupMs / 1000, 1)} s`],
      [`${run.label}: decoded fps per tile`, `min ${fmt(decoded[0]!, 1)}, median ${fmt(percentile(decoded, 50), 1)}, max ${fmt(decoded[decoded.length - 1]!, 1)} (source 20 fps)`],
      [`${run.label}: dropped`, `${fmt(totalDropped / run.tiles, 2)} fps per tile on average = ${fmt((100 * totalDropped) / Math.max(1, totalDecoded), 2)} % of decoded; worst tile ${fmt(droppedPct[droppedPct.length - 1]!, 2)} %`],
      [`${run.label}: tiles not playing`, `${fmt((100 * stalledSamples) / Math.max(1, samples), 1)} % of ${samples} tile samples`],
      [`${run.label}: renderer CPU`, `${fmt(cpu('renderer'), 0)} % of one core (${renderers.length} renderer process${renderers.length === 1 ? '' : 'es'}); all Chromium processes ${fmt(cpu(null), 0)} %; hub process ${fmt((100 * (hub1 - hub0)) / wall, 0)} %`],
      [`${run.label}: renderer memory`, `RSS ${rss.map((x) => `${fmt(x, 0)} MiB`).join(' + ')}; JS heap ${fmt(heap / 1048576, 0)} MiB`],
      [`${run.label}: latency PDT → screen`, `p50 ${fmt(percentile(lat, 50))} s, p95 ${fmt(percentile(lat, 95))} s, max ${fmt(lat[lat.length - 1] ?? NaN)} s; behind the live edge (hls.js) p50 ${fmt(percentile(edge, 50))} s`],
    ];
  } finally {
    await page.close();
  }
}

export async function main(): Promise<void> {
  const hubDir = tempDir('bench-wall-hub');
  const hostDir = tempDir('bench-wall-host');
  const hub = await spawnHub(hubDir);
  let browser: RawChromium | undefined;
  let host: Awaited<ReturnType<typeof startConsoleHost>> | undefined;
  try {
    // make the loops before the clock starts (cached across runs): a playlist answers once its loop exists
    const t0 = performance.now();
    await streamsReady(hub.url, CAMS);
    const encodeS = (performance.now() - t0) / 1000;
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: hostDir, port: 0 });
    browser = await launchRawChromium(['--autoplay-policy=no-user-gesture-required']);
    // sign in once: the core keeps the session for every page after
    await host.core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });

    const rows: [string, string][] = [
      ['machine', `${cpus().length} × ${cpus()[0]?.model ?? '?'}; load before ${load()}`],
      ['streams', `demo cameras' sub streams 640×360 H.264 20 fps 400 kb/s from ${hub.url} and its media origins; loops ready in ${fmt(encodeS, 1)} s`],
      ['window', `${WINDOW_S} s per configuration after ${WARMUP_MS / 1000} s of warm-up; Chromium headless, --disable-gpu (software decode and compositing)`],
    ];
    for (const run of RUNS) {
      rows.push(...(await measure(browser, host.url, hub.child.pid!, run)));
      rows.push([`${run.label}: load average after`, load()]);
    }
    printTable('Video wall in Chromium (npm run bench -- video-wall)', rows);
  } finally {
    await browser?.close();
    await host?.close();
    await hub.stop();
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
