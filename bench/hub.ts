/**
 * Hub figures: durable commands per second (over HTTP to a hub process, and through the pipeline
 * alone), and change fan-out latency to 20 live consoles. `npx tsx bench/hub.ts`
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { startHub } from '../server/hub';
import { CommandPipeline } from '../server/pipeline';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import type { LiveServerMessage } from '../shared/schema';
import { fmt, login, percentile, printTable, spawnHub, tempDir } from './lib';

const report = (i: number) => ({
  type: 'report',
  commandId: uuidv7(),
  eventId: uuidv7(),
  categoryId: 'sanitation',
  description: `bench report ${i}`,
  position: { lng: 121.001 + (i % 100) * 0.001, lat: 31.981 + (i % 70) * 0.001 },
  source: 'phone',
});

/** A hub process of its own, signed in as an operator, for the duration of `fn`. */
async function withHub<T>(prefix: string, fn: (url: string, headers: Record<string, string>) => Promise<T>): Promise<T> {
  const hub = await spawnHub(tempDir(prefix));
  try {
    const token = await login(hub.url, 'operator');
    return await fn(hub.url, { 'content-type': 'application/json', authorization: `Bearer ${token}` });
  } finally {
    await hub.stop();
  }
}

/**
 * Sends `total` reports in requests of `chunk` from `concurrency` loops; `send` posts one request
 * for reports [from, from + n) and answers how many were applied.
 */
async function drive(total: number, chunk: number, concurrency: number, send: (from: number, n: number) => Promise<number>) {
  let next = 0, ok = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const from = next;
        next += chunk;
        // not `ok += await …`: that reads `ok` before awaiting and loses the other loops' counts
        const applied = await send(from, Math.min(chunk, total - from));
        ok += applied;
      }
    }),
  );
  return { ok, perSec: ok / ((performance.now() - t0) / 1000) };
}

const httpThroughput = (total: number, concurrency: number) =>
  withHub('bench-hub', (url, headers) =>
    drive(total, 1, concurrency, async (i) => {
      const r = await fetch(`${url}/api/commands`, { method: 'POST', headers, body: JSON.stringify(report(i)) });
      await r.arrayBuffer();
      return r.ok ? 1 : 0;
    }),
  );

const batchThroughput = (total: number, batchSize: number, concurrency: number) =>
  withHub('bench-batch', (url, headers) =>
    drive(total, batchSize, concurrency, async (from, n) => {
      const commands = Array.from({ length: n }, (_, j) => report(from + j));
      const r = await fetch(`${url}/api/commands/batch`, { method: 'POST', headers, body: JSON.stringify({ commands }) });
      const body = (await r.json()) as { results: { status: string }[] };
      return body.results.filter((x) => x.status === 'applied').length;
    }),
  );

/** wrk (Debian's package) is a native load generator: it leaves the cores to the hub instead of a Node client. */
async function wrkThroughput(connections: number, seconds: number) {
  if (spawnSync('wrk', ['--version']).error) return undefined;
  return withHub('bench-wrk', async (url, headers) => {
    const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', 'bench/wrk-commands.lua', url], {
      env: { ...process.env, HUB_TOKEN: headers.authorization!.slice(7) },
      encoding: 'utf8',
    });
    const m = /WRK_RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out.stdout);
    if (!m) throw new Error(`wrk printed no result: ${out.stdout}${out.stderr}`);
    const [, requests, errors, secs, p50, p99] = m.map(Number) as number[];
    return { perSec: (requests! - errors!) / secs!, errors: errors!, p50: p50!, p99: p99! };
  });
}

async function pipelineThroughput(total: number, synchronous: 'FULL' | 'NORMAL') {
  const hub = await startHub({ dataDir: tempDir('bench-pipe'), demo: true, synchronous });
  try {
    const token = await login(hub.url, 'operator');
    const ctx = await hub.auth.authenticate(token, Date.now());
    // reach the pipeline the way the route does, minus HTTP: many commands in flight at once
    const pipeline = new CommandPipeline({
      store: hub.store,
      taxonomy: () => DEFAULT_TAXONOMY,
      locate: (pt) => hub.district.locate(pt),
      onCommit: () => {},
    });
    const actor = { id: ctx.principal.personId, role: ctx.principal.role };
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: total }, (_, i) => pipeline.submit({ command: report(i) as never, actor, origin: 'bench' })),
    );
    const s = (performance.now() - t0) / 1000;
    return { ok: results.filter((r) => r.result.status === 'applied').length, perSec: total / s };
  } finally {
    await hub.close();
  }
}

async function fanOut(consoles: number, commands: number, ratePerSec: number) {
  const hub = await spawnHub(tempDir('bench-fan'));
  try {
    const token = await login(hub.url, 'operator');
    const lat: number[] = [];
    const sockets = await Promise.all(
      Array.from({ length: consoles }, async () => {
        const t = await login(hub.url, 'operator2');
        const ws = new WebSocket(hub.url.replace('http', 'ws') + '/api/live');
        await new Promise((r) => ws.once('open', r));
        ws.send(JSON.stringify({ type: 'hello', token: t, after: 0 }));
        let live = false;
        ws.on('message', (raw) => {
          const msg = JSON.parse(String(raw)) as LiveServerMessage;
          if (msg.type !== 'changes') return;
          const now = Date.now();
          for (const c of msg.changes) if (live && c.kind === 'event') lat.push(now - c.data.updatedAt);
          if (msg.changes.length === 0 || msg.changes[msg.changes.length - 1]!.seq >= msg.head) live = true;
        });
        return ws;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    for (let i = 0; i < commands; i++) {
      const r = await fetch(`${hub.url}/api/commands`, { method: 'POST', headers, body: JSON.stringify(report(i)) });
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 1000 / ratePerSec));
    }
    await new Promise((r) => setTimeout(r, 500));
    sockets.forEach((s) => s.close());
    lat.sort((a, b) => a - b);
    return { samples: lat.length, p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat[lat.length - 1] ?? NaN };
  } finally {
    await hub.stop();
  }
}

export async function main() {
  console.log(`hub benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  const wrk = await wrkThroughput(32, 10);
  const http = await httpThroughput(6000, 64);
  const batch = await batchThroughput(20000, 100, 4);
  const pipeFull = await pipelineThroughput(20000, 'FULL');
  const pipeNormal = await pipelineThroughput(20000, 'NORMAL');
  const fan = await fanOut(20, 400, 100);
  printTable('Durable commands (synchronous=FULL, group commit)', [
    [
      'one command a request, wrk, 32 connections, 10 s',
      wrk ? `${fmt(wrk.perSec, 0)} commands/s, latency p50 ${fmt(wrk.p50, 1)} ms, p99 ${fmt(wrk.p99, 1)} ms (${wrk.errors} non-2xx)` : 'wrk not installed (apt-get install wrk)',
    ],
    ['one command a request, Node fetch client, 64 in flight', `${fmt(http.perSec, 0)} commands/s (${http.ok} applied; the client shares the 2 cores)`],
    ['over HTTP, outbox batches of 100, 4 in flight', `${fmt(batch.perSec, 0)} commands/s (${batch.ok} applied)`],
    ['through the pipeline alone (no HTTP)', `${fmt(pipeFull.perSec, 0)} commands/s (${pipeFull.ok} applied)`],
    ['the same with synchronous=NORMAL (what FULL costs)', `${fmt(pipeNormal.perSec, 0)} commands/s`],
  ]);
  printTable('Change fan-out to 20 live consoles (commit → receipt, loopback, 100 commands/s)', [
    ['samples', String(fan.samples)],
    ['p50', `${fmt(fan.p50, 1)} ms`],
    ['p95', `${fmt(fan.p95, 1)} ms`],
    ['max', `${fmt(fan.max, 1)} ms`],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
