/**
 * Video call-back (issue 7): from the operator's click on "视频回访" to the first decoded frame of
 * the leader's picture on the console, over 20 calls, in Debian's Chromium with fake camera and
 * microphone, real WebRTC on loopback. The hub runs as its own process (as deployed), the console
 * host (with its core relaying the signalling) in this one; the field page is a second browser
 * context at 360×740 that answers as soon as it rings, so the figure is the system's own time
 * (the leader's reaction is not in it). Also the parts: click → the phone ringing, ring → answer
 * sent, and the answer → the first frame (offer, answer, ICE, DTLS, first key frame, decode).
 *
 * `npm run build` first. Then `npx tsx bench/callback.ts`, or `npm run bench -- callback`.
 * BENCH_CALLS=50 for more calls.
 */
import { existsSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { defaultRendererDir, startConsoleHost } from '../electron/core/host';
import { generateDistrict } from '../server/demo/generator';
import { polygonCentroid } from '../shared/geo';
import { launchChromium } from '../test/browser/chromium';
import { openConsolePage } from '../test/browser/console';
import { fmt, login, percentile, printTable, spawnHub, tempDir } from './lib';

const CALLS = Number(process.env.BENCH_CALLS ?? 20);
const LEADER = 'leader-0-0-0';

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(s, 50), 0)} ms, p95 ${fmt(percentile(s, 95), 0)} ms, min ${fmt(s[0] ?? NaN, 0)} ms, max ${fmt(s[s.length - 1] ?? NaN, 0)} ms`;
};

async function command(hubUrl: string, token: string, body: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${hubUrl}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ commandId: uuidv7(), ...body }) });
  const j = (await r.json()) as { status?: string };
  if (j.status !== 'applied') throw new Error(`command ${String(body.type)} refused: ${JSON.stringify(j)}`);
}

export async function main(): Promise<void> {
  if (!existsSync(join(defaultRendererDir(), 'console', 'index.html'))) throw new Error('the renderer is not built: npm run build');
  const hubDir = tempDir('bench-callback-hub');
  const hostDir = tempDir('bench-callback-host');
  const hub = await spawnHub(hubDir);
  const host = await startConsoleHost({ hubUrl: hub.url, dataDir: hostDir, port: 0 });
  const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  try {
    const op = await login(hub.url, 'operator2');
    const grid = generateDistrict().grids.find((g) => g.id === 'grid-0-0-0')!;
    const here = polygonCentroid(grid.polygon);
    const eventId = `bench-call-${uuidv7()}`;
    await command(hub.url, op, { type: 'report', eventId, categoryId: 'municipal_facilities', description: '雨水井盖破损，回访确认维修', position: here, source: 'phone' });
    await command(hub.url, op, { type: 'accept', eventId });
    await command(hub.url, op, { type: 'dispatch', eventId, assigneeId: LEADER });

    // the leader's phone: answers the moment it rings, and notes when that was (epoch ms)
    const field = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN', permissions: ['camera', 'microphone'] });
    await field.addInitScript(() => {
      const w = window as unknown as { __rings: number[] };
      w.__rings = [];
      new MutationObserver(() => {
        const btn = document.querySelector<HTMLButtonElement>('[data-testid=fcall-accept]');
        if (btn && !btn.dataset.benchSeen) {
          btn.dataset.benchSeen = '1';
          w.__rings.push(Date.now());
          btn.click();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const phone = await field.newPage();
    await phone.goto(`${hub.url}/field/?token=dev_demo_${LEADER}`);
    await phone.waitForSelector('[role=status][data-state=online]', { timeout: 20_000 });

    const { page } = await openConsolePage(browser, host.url, 'operator');
    await page.fill('input[name=search]', eventId);
    await page.getByTestId(`row-${eventId}`).click({ timeout: 20_000 });
    await page.getByTestId('act-vcall').waitFor({ timeout: 20_000 });

    const total: number[] = [];
    const toRing: number[] = [];
    const answerToFrame: number[] = [];
    const setup: number[] = [];
    for (let i = 0; i < CALLS + 1; i++) {
      await page.getByTestId('act-vcall').click();
      const panel = page.getByTestId('vcall-panel');
      await page.waitForFunction(() => {
        const p = document.querySelector('[data-testid=vcall-panel]');
        return p?.getAttribute('data-first-frame-ms') || p?.getAttribute('data-phase') === 'ended';
      }, undefined, { timeout: 30_000 });
      if ((await panel.getAttribute('data-phase')) === 'ended') throw new Error(`call ${i} ended: ${await panel.getAttribute('data-reason')}`);
      const m = await page.evaluate(() => {
        const c = (window as unknown as { __gridCall: { state: { placedAt: number }; firstFrameMs: number } }).__gridCall;
        return { clickEpoch: performance.timeOrigin + c.state.placedAt, firstFrameMs: c.firstFrameMs };
      });
      const ringEpoch = await phone.evaluate(() => (window as unknown as { __rings: number[] }).__rings.at(-1) ?? NaN);
      await page.waitForFunction(() => document.querySelector('[data-testid=vcall-panel]')?.getAttribute('data-phase') === 'connected', undefined, { timeout: 15_000 });
      // the first call warms up Chromium's media stack and the page's code paths: not counted
      if (i > 0) {
        total.push(m.firstFrameMs);
        toRing.push(ringEpoch - m.clickEpoch);
        answerToFrame.push(m.clickEpoch + m.firstFrameMs - ringEpoch);
      }
      await page.getByTestId('vcall-hangup').click();
      await page.getByTestId('vcall-close').click();
      await panel.waitFor({ state: 'detached' });
      await phone.waitForFunction(() => document.querySelector('[data-testid=fcall]')?.getAttribute('data-phase') !== 'connected', undefined, { timeout: 10_000 });
    }
    // the hub's own record of each call's set-up (console: accepted → media connected)
    type Page = { changes: { kind: string; data: { eventId?: string; data?: { phase?: string; setupMs?: number } } }[]; cursor: number; head: number };
    for (let after = 0; ; ) {
      const p = (await (await fetch(`${hub.url}/api/changes?after=${after}&limit=5000`, { headers: { authorization: `Bearer ${op}` } })).json()) as Page;
      for (const c of p.changes) if (c.kind === 'timeline' && c.data.eventId === eventId && c.data.data?.phase === 'connected') setup.push(c.data.data.setupMs ?? NaN);
      if (p.changes.length === 0 || p.cursor >= p.head) break;
      after = p.cursor;
    }

    printTable(`video call-back: click → first decoded frame of the leader's picture, ${CALLS} calls (after 1 warm-up), loopback`, [
      ['machine', `${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`],
      ['click → first decoded frame (aim < 1.5 s)', stats(total)],
      ['  click → the phone rings (hub relay, core, live sockets)', stats(toRing)],
      ['  ring → first frame (camera, offer/answer, ICE, DTLS, first frame)', stats(answerToFrame)],
      ['click → ICE connected, as recorded in the timeline', stats(setup.slice(1))],
    ]);
  } finally {
    await browser.close();
    await host.close();
    await hub.stop();
    rmSync(hubDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
