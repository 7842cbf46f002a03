/**
 * Video tiles left playing (issue 6: a wall that stays up): the console's video wall with N tiles of
 * the demo cameras' sub streams for a while, the renderer's resident memory sampled every 15 s, in
 * Debian's Chromium. BENCH_SOAK_DRIVER=raw (the default) drives the page over a bare DevTools
 * connection, as an Electron window runs with nothing attached; =playwright drives it through
 * Playwright, whose Network domain keeps a copy of every response body in the renderer: run both to
 * see what the harness adds.
 *
 * `npm run build` first (and ffmpeg for the streams). Then `npm run bench -- tile-soak`.
 * BENCH_SOAK_TILES (4), BENCH_SOAK_S (600), BENCH_SOAK_DRIVER (raw | playwright).
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startConsoleHost } from '../electron/core/host';
import { launchChromium } from '../test/browser/chromium';
import { fmt, printTable, rssMiB, sleep, spawnHub, streamsReady, tempDir } from './lib';
import { launchRawChromium } from './raw-chromium';

const TILES = Number(process.env.BENCH_SOAK_TILES ?? 4);
const DURATION_S = Number(process.env.BENCH_SOAK_S ?? 600);
const DRIVER = process.env.BENCH_SOAK_DRIVER === 'playwright' ? 'playwright' : 'raw';
const SAMPLE_MS = 15_000;
const ARGS = ['--autoplay-policy=no-user-gesture-required'];


/** What the soak needs of a page, whichever driver opens it. */
interface SoakPage {
  evaluate<T>(expression: string): Promise<T>;
  /** the largest renderer's RSS (the wall page's) */
  rendererMiB(): Promise<number>;
  close(): Promise<void>;
}

async function openRaw(url: string): Promise<SoakPage> {
  const browser = await launchRawChromium(ARGS);
  const page = await browser.open(url, { width: 1440, height: 900 });
  return {
    evaluate: (e) => page.evaluate(e),
    rendererMiB: async () => Math.max(...browser.rendererPids().map(rssMiB)),
    close: () => browser.close(),
  };
}

async function openPlaywright(url: string): Promise<SoakPage> {
  const browser = await launchChromium(ARGS);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const cdp = await browser.newBrowserCDPSession();
  await page.goto(url);
  return {
    evaluate: (e) => page.evaluate(e),
    rendererMiB: async () => {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
      return Math.max(...processInfo.filter((p) => p.type === 'renderer').map((p) => rssMiB(p.id)));
    },
    close: () => browser.close(),
  };
}

export async function main(): Promise<void> {
  const hubDir = tempDir('bench-soak-hub');
  const hostDir = tempDir('bench-soak-host');
  const hub = await spawnHub(hubDir);
  let host: Awaited<ReturnType<typeof startConsoleHost>> | undefined;
  let page: SoakPage | undefined;
  try {
    await streamsReady(hub.url, Array.from({ length: TILES }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`));
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: hostDir, port: 0 });
    await host.core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
    page = await (DRIVER === 'raw' ? openRaw : openPlaywright)(`${host.url}?ll=auto`);
    const until = async (expr: string, what: string) => {
      for (const end = Date.now() + 60_000; ; await sleep(250)) {
        if (await page!.evaluate<boolean>(`!!(${expr})`).catch(() => false)) return;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      }
    };
    const click = async (testId: string) => {
      await until(`document.querySelector('[data-testid=${testId}]')`, testId);
      await page!.evaluate(`document.querySelector('[data-testid=${testId}]').click()`);
    };
    await until(`document.querySelector('[role=status][data-state=online]')`, 'the console online');
    await click('view-wall');
    await click(`wall-size-${TILES}`);
    await click('wall-fill');
    await until(`[...document.querySelectorAll('.wall-grid > .tile')].filter((e) => e.getAttribute('data-state') === 'playing').length === ${TILES}`, 'every tile playing');
    console.log(`${TILES} tiles playing, driver ${DRIVER}; sampling every ${SAMPLE_MS / 1000} s for ${DURATION_S} s`);
    const t0 = Date.now();
    const samples: { s: number; mib: number; frames: number; dropped: number }[] = [];
    for (;;) {
      const q = await page.evaluate<{ frames: number; dropped: number }>(
        `[...document.querySelectorAll('video')].reduce((a, v) => { const q = v.getVideoPlaybackQuality(); return { frames: a.frames + q.totalVideoFrames, dropped: a.dropped + q.droppedVideoFrames }; }, { frames: 0, dropped: 0 })`,
      );
      const s = { s: (Date.now() - t0) / 1000, mib: await page.rendererMiB(), ...q };
      samples.push(s);
      console.log(`  t=${fmt(s.s, 0).padStart(4)} s  renderer RSS ${fmt(s.mib, 0)} MiB  frames ${s.frames}  dropped ${s.dropped}`);
      if (s.s >= DURATION_S) break;
      await sleep(Math.min(SAMPLE_MS, Math.max(0, t0 + DURATION_S * 1000 - Date.now())));
    }
    // the first minute fills buffers and caches; the trend is what follows
    const settled = samples.filter((x) => x.s >= 60);
    const first = settled[0] ?? samples[0]!;
    const last = samples[samples.length - 1]!;
    const slope = last.s > first.s ? (last.mib - first.mib) / (last.s - first.s) : NaN;
    printTable(`Video tiles left playing (${TILES} tiles, ${DRIVER} driver)`, [
      ['machine', `${cpus().length} × ${cpus()[0]?.model ?? '?'}; load at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`],
      ['renderer RSS after the first minute → end', `${fmt(first.mib, 0)} → ${fmt(last.mib, 0)} MiB over ${fmt((last.s - first.s) / 60, 1)} min: ${fmt(slope * 60, 2)} MiB a minute (samples between ${fmt(Math.min(...settled.map((x) => x.mib)), 0)} and ${fmt(Math.max(...settled.map((x) => x.mib)), 0)} MiB)`],
      ['frames decoded / dropped', `${last.frames} / ${last.dropped}`],
    ]);
  } finally {
    await page?.close();
    await host?.close();
    await hub.stop();
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
