/**
 * Intake figures with the field simulator: (a) the demo district at 100× speed-up against an
 * in-process hub, (b) saturation: many leaders' phones reporting as fast as a hub process accepts,
 * (c) a simulated month in discrete-event mode. Latency is from a phone's POST /api/commands
 * (report) being sent to the `changes` message carrying that event reaching a console's /api/live
 * WebSocket (signed in as operator).
 *
 * `npx tsx bench/intake.ts [--minutes 3] [--speedup 100] [--seconds 15] [--concurrency 64] [--days 30] [--only abc]`
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../shared/deadline';
import type { LiveServerMessage } from '../shared/schema';
import { startHub } from '../server/hub';
import { generateDistrict } from '../server/demo/generator';
import { makeRng } from '../server/demo/random';
import { DiscreteClock, RealtimeClock, RESERVED_LEADERS, startSimulator, formatStats, type SimStats } from '../server/demo/sim/index';
import { DESCRIPTIONS } from '../server/demo/sim/content';
import { FIELD_CATEGORY_WEIGHTS, weightedPick } from '../server/demo/sim/rhythm';
import { fmt, login, percentile, printTable, spawnHub, tempDir } from './lib';

/** A console on /api/live that notes when each event first reaches it. */
async function consoleSocket(url: string, token: string, seen: (eventId: string, at: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/live');
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const welcomed = new Promise<void>((res) =>
    ws.on('message', (raw) => {
      const at = performance.now();
      const msg = JSON.parse(String(raw)) as LiveServerMessage;
      if (msg.type === 'welcome') res();
      if (msg.type === 'changes') for (const c of msg.changes) if (c.kind === 'event') seen(c.id, at);
    }),
  );
  ws.send(JSON.stringify({ type: 'hello', token, after: 0 }));
  await welcomed;
  return ws;
}

/** Send times by event id, and the latencies of those the console received. */
function latencyMeter() {
  const sent = new Map<string, number>();
  const lat: number[] = [];
  return {
    sent: (id: string) => sent.set(id, performance.now()),
    seen: (id: string, at: number) => {
      const t = sent.get(id);
      if (t === undefined) return;
      sent.delete(id);
      lat.push(at - t);
    },
    summary: () => {
      const s = [...lat].sort((a, b) => a - b);
      return { samples: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
    },
  };
}

/** The next 08:00 CST: a sped-up run starts at the morning peak, and ahead of the wall clock (live sessions are checked against it). */
function nextMorning(): number {
  const now = Date.now();
  let t = Math.floor((now + CST_OFFSET_MS) / DAY_MS) * DAY_MS + 8 * HOUR_MS - CST_OFFSET_MS;
  if (t <= now) t += DAY_MS;
  return t;
}

async function spedUp(minutes: number, speedup: number) {
  const clock = new RealtimeClock(speedup, nextMorning());
  const hub = await startHub({ dataDir: tempDir('bench-intake-rt'), demo: true, port: 0, now: clock.now, deadlineSweepMs: Math.max(250, 15_000 / speedup) });
  const meter = latencyMeter();
  const ws = await consoleSocket(hub.url, await login(hub.url, 'operator'), meter.seen);
  const sim = await startSimulator({ hubUrl: hub.url, clock, onReportSent: meter.sent });
  const t0 = performance.now();
  const s0 = sim.stats();
  await new Promise((r) => setTimeout(r, minutes * 60_000));
  const s = sim.stats();
  const secs = (performance.now() - t0) / 1000;
  await sim.stop();
  ws.close();
  await hub.close();
  const accepted = s.reports.applied - s0.reports.applied + s.hotline.applied - s0.hotline.applied;
  const requests = Object.values(s.requests).reduce((a, b) => a + b, 0) - Object.values(s0.requests).reduce((a, b) => a + b, 0);
  return { secs, accepted, perSec: accepted / secs, requestsPerSec: requests / secs, stats: s, lat: meter.summary() };
}

async function saturation(seconds: number, concurrency: number) {
  const hub = await spawnHub(tempDir('bench-intake-sat'));
  try {
    const meter = latencyMeter();
    const ws = await consoleSocket(hub.url, await login(hub.url, 'operator'), meter.seen);
    const d = generateDistrict();
    const leaders = d.people.filter((p) => p.role === 'leader' && !RESERVED_LEADERS.includes(p.id));
    const grids = new Map(d.grids.map((g) => [g.id, g]));
    const rng = makeRng(11);
    let ok = 0, refused = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const p = leaders[Math.floor(rng() * leaders.length)]!;
          const ring = grids.get(p.gridIds[0]!)!.polygon.coordinates[0]!;
          const [w, s] = ring[0]!, [e, n] = ring[2]!;
          const categoryId = weightedPick(FIELD_CATEGORY_WEIGHTS, rng);
          const eventId = uuidv7();
          const body = JSON.stringify({
            type: 'report',
            commandId: uuidv7(),
            eventId,
            categoryId,
            description: DESCRIPTIONS[categoryId]![0],
            position: { lng: Math.min(w, e) + Math.abs(e - w) * rng(), lat: Math.min(s, n) + Math.abs(n - s) * rng() },
            source: 'field',
          });
          meter.sent(eventId);
          const r = await fetch(`${hub.url}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer dev_demo_${p.id}` }, body });
          await r.arrayBuffer();
          if (r.ok) ok++;
          else refused++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // the last pushes
    ws.close();
    return { perSec: ok / secs, ok, refused, lat: meter.summary() };
  } finally {
    await hub.stop();
  }
}

async function month(days: number): Promise<{ stats: SimStats; wallS: number }> {
  const start = Date.UTC(2026, 9, 1) - CST_OFFSET_MS; // 1 October, 00:00 CST
  const clock = new DiscreteClock(start);
  const t0 = performance.now();
  const hub = await startHub({ dataDir: tempDir('bench-intake-month'), demo: true, port: 0, now: clock.now, synchronous: 'NORMAL', deadlineSweepMs: 100 });
  const sim = await startSimulator({ hubUrl: hub.url, clock, seed: 2026 });
  for (let d = 1; d <= days; d++) {
    await sim.runUntil(start + d * DAY_MS);
    if (d % 5 === 0 || d === days) {
      await sim.sync();
      const c = sim.stats().closure;
      console.log(`  day ${d}: ${c.received} received, ${c.closed} closed, wall ${fmt((performance.now() - t0) / 1000, 0)} s`);
    }
  }
  await sim.sync();
  const stats = sim.stats();
  await sim.stop();
  await hub.close();
  return { stats, wallS: (performance.now() - t0) / 1000 };
}

export async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    allowPositionals: true,
    options: { minutes: { type: 'string' }, seconds: { type: 'string' }, concurrency: { type: 'string' }, days: { type: 'string' }, speedup: { type: 'string' }, only: { type: 'string' } },
  });
  const only = String(values.only ?? 'abc');
  const minutes = Number(values.minutes ?? 3), seconds = Number(values.seconds ?? 15), concurrency = Number(values.concurrency ?? 64);
  const days = Number(values.days ?? 30), speedup = Number(values.speedup ?? 100);
  console.log(`intake benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);

  if (only.includes('a')) {
    const rt = await spedUp(minutes, speedup);
    printTable(`(a) the demo district at ${speedup}× speed-up, ${fmt(rt.secs, 0)} s real = ${fmt(rt.stats.simulatedHours, 1)} simulated hours from 08:00 CST, in-process hub (synchronous=FULL)`, [
      ['items accepted (field reports + 12345 orders)', `${rt.accepted} = ${fmt(rt.perSec, 2)}/s (all hub requests: ${fmt(rt.requestsPerSec, 0)}/s)`],
      ['report POST → console live push (field reports)', `p50 ${fmt(rt.lat.p50, 1)} ms, p95 ${fmt(rt.lat.p95, 1)} ms, p99 ${fmt(rt.lat.p99, 1)} ms, max ${fmt(rt.lat.max, 1)} ms (${rt.lat.samples} samples)`],
      ['what the simulator did', formatStats(rt.stats).split('\n').slice(1, 3).join('; ')],
    ]);
  }

  if (only.includes('b')) {
    const sat = await saturation(seconds, concurrency);
    printTable(`(b) saturation: ${concurrency} leaders' phones reporting back to back for ${seconds} s, hub process (synchronous=FULL)`, [
      ['reports accepted', `${fmt(sat.perSec, 0)}/s (${sat.ok} applied, ${sat.refused} refused)`],
      ['report POST → console live push', `p50 ${fmt(sat.lat.p50, 1)} ms, p95 ${fmt(sat.lat.p95, 1)} ms, p99 ${fmt(sat.lat.p99, 1)} ms (${sat.lat.samples} samples)`],
    ]);
  }

  if (!only.includes('c')) return;
  const m = await month(days);
  const c = m.stats.closure;
  printTable(`(c) a simulated ${days}-day month, discrete-event mode, in-process hub (synchronous=NORMAL)`, [
    ['items received', `${c.received + c.merged} (${c.merged} merged as duplicates, ${c.rejected} rejected; field ${m.stats.reports.applied}, 12345 ${m.stats.hotline.applied}); seed district: 21,816`],
    ['closed at the end of the month', `${c.closed} of ${c.received - c.rejected} = ${fmt(c.closureRate * 100, 1)} % (seed district: 98.6 %); open ${c.open}, supervised ${c.supervised}, escalated ${c.escalated}`],
    ['positions, photos', `${m.stats.positions}, ${m.stats.photos}`],
    ['wall time', `${fmt(m.wallS, 0)} s`],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
