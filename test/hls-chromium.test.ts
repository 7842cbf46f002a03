/**
 * The demo cameras' streams in real Chromium with hls.js, from a page on another loopback origin
 * (as the console's is): low-latency HLS (parts, blocking reloads) plays under 3 s behind the wall
 * clock, plain HLS under 8 s. Latency is measured the way a player can: now minus hls.js's
 * `playingDate`, the program date-time of the frame on screen.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFfmpeg } from '../server/video/segments';
import { CHROMIUM, launchChromium } from './browser/chromium';
import { REPO_ROOT, startTestHub, type TestHub } from './helpers/hub';

const ffmpeg = await detectFfmpeg(process.env.GCC_FFMPEG || 'ffmpeg');
const skip = !CHROMIUM ? 'no Chromium' : !ffmpeg.ok ? ffmpeg.reason : undefined;
if (skip) console.warn(`hls-chromium: skipped: ${skip}`);

const PAGE = `<!doctype html><meta charset=utf-8><title>players</title>
<video id=ll muted playsinline width=320 height=180></video><video id=plain muted playsinline width=320 height=180></video>
<script src="/hls.js"></script>
<script>
  window.players = {};
  window.play = (id, src, config) => {
    const v = document.getElementById(id);
    const hls = new Hls(config);
    const s = { parts: 0, segments: 0, fatal: [] };
    hls.on(Hls.Events.FRAG_LOADED, (_, d) => (d.part ? s.parts++ : s.segments++));
    hls.on(Hls.Events.ERROR, (_, d) => d.fatal && s.fatal.push(d.details));
    hls.loadSource(src);
    hls.attachMedia(v);
    v.play().catch(() => {});
    window.players[id] = { hls, v, s };
  };
  window.sample = (id) => {
    const { hls, v, s } = window.players[id];
    const q = v.getVideoPlaybackQuality();
    const date = hls.playingDate;
    return { t: v.currentTime, latency: date ? (Date.now() - date.getTime()) / 1000 : null, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames, ...s };
  };
</script>`;

describe.skipIf(!!skip)('hub HLS in Chromium with hls.js', () => {
  let ll: TestHub;
  let plain: TestHub;
  let page: Server;
  let pageUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    ll = await startTestHub();
    plain = await startTestHub({ video: { lowLatency: false } });
    await ll.hub.video.prepare(['cam-003'], ['sub']);
    await plain.hub.video.prepare(['cam-004'], ['sub']);
    const hlsJs = await readFile(`${REPO_ROOT}/node_modules/hls.js/dist/hls.min.js`);
    page = createServer((req, res) => {
      res.setHeader('content-type', req.url === '/hls.js' ? 'text/javascript' : 'text/html');
      res.end(req.url === '/hls.js' ? hlsJs : PAGE);
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => page?.close(r));
    await ll?.close();
    await plain?.close();
  });

  it('plays low-latency HLS under 3 s behind the clock and plain HLS under 8 s, frames rising', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(pageUrl);
    // each from a media origin of its hub, not the page's: CORS must let hls.js read them
    await tab.evaluate(
      ([llSrc, plainSrc]) => {
        const w = window as unknown as { play: (id: string, src: string, config: object) => void };
        // catch up (up to 1.5× speed) when behind the target latency, as a live wall should
        w.play('ll', llSrc!, { lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5 });
        w.play('plain', plainSrc!, { lowLatencyMode: false, maxLiveSyncPlaybackRate: 1.5 });
      },
      [`${ll.hub.mediaOrigins[1]}/hls/cam-003/sub.m3u8`, `${plain.hub.mediaOrigins[2]}/hls/cam-004/sub.m3u8`],
    );
    type Sample = { t: number; latency: number | null; frames: number; dropped: number; parts: number; segments: number; fatal: string[] };
    const sample = (id: string) => tab.evaluate((x) => (window as unknown as { sample: (id: string) => Sample }).sample(x), id);
    await tab.waitForFunction(() => ['ll', 'plain'].every((id) => (document.getElementById(id) as HTMLVideoElement).currentTime > 0), undefined, { timeout: 20_000 });
    // let both settle on their target latency, then watch for four seconds
    await new Promise((r) => setTimeout(r, 4000));
    const seen: Record<string, Sample[]> = { ll: [], plain: [] };
    for (let i = 0; i < 5; i++) {
      for (const id of ['ll', 'plain']) seen[id]!.push(await sample(id));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const report = (id: string) => {
      const s = seen[id]!;
      const first = s[0]!;
      const last = s[s.length - 1]!;
      return { latency: median(s.map((x) => x.latency ?? Infinity)), frames: last.frames - first.frames, dropped: last.dropped - first.dropped, parts: last.parts, segments: last.segments, fatal: last.fatal };
    };
    const a = report('ll');
    const b = report('plain');
    console.log(`hls-chromium: low-latency ${JSON.stringify(a)}; plain ${JSON.stringify(b)}`);
    expect(errors).toEqual([]);
    expect([a.fatal, b.fatal]).toEqual([[], []]);
    // 20 fps for four seconds
    expect(a.frames).toBeGreaterThan(50);
    expect(b.frames).toBeGreaterThan(50);
    // low latency came part by part; plain by whole segments
    expect(a.parts).toBeGreaterThan(10);
    expect([b.parts, b.segments > 3]).toEqual([0, true]);
    expect(a.latency).toBeLessThan(3);
    expect(b.latency).toBeLessThan(8);
    await tab.close();
  });
});
