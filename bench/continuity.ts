/**
 * Continuity figures (issue 5), against a standalone hub process and the console core in this one:
 *
 * - catch-up: a console away while 20,000 changes happened signs in again; time until its cache is
 *   at the hub's head, and how the core answers queue requests meanwhile (the page's view of it);
 * - outbox drain: 1,000 actions queued with the link cut, then the link restored: drain rate;
 * - time from the link restored to the first confirmation.
 *
 * `npm run bench -- continuity`; CHANGES=n and QUEUED=n change the sizes.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConsoleCore } from '../electron/core/console/core';
import type { Command } from '../shared/schema';
import { FaultProxy } from '../test/faults/proxy';
import { plainPointIn, DEMO } from '../test/helpers/demo';
import { fmt, login, percentile, printTable, sleep, spawnHub, tempDir } from './lib';

const CHANGES = Number(process.env.CHANGES ?? 20_000);
const QUEUED = Number(process.env.QUEUED ?? 1_000);


async function until(fn: () => boolean, what: string, timeoutMs = 120_000, stepMs = 2): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

const grids = DEMO.grids.filter((g) => g.kind === 'comprehensive');
const report = (i: number): Command =>
  ({
    type: 'report',
    commandId: `bench-r-${randomUUID()}`,
    eventId: `bench-ev-${randomUUID()}`,
    categoryId: 'municipal_facilities',
    description: `continuity bench ${i}`,
    position: plainPointIn(grids[i % grids.length]!.id),
    source: 'phone',
    attachments: [],
  }) as Command;

async function postBatch(url: string, token: string, commands: Command[]): Promise<void> {
  const r = await fetch(`${url}/api/commands/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ commands }),
  });
  if (!r.ok) throw new Error(`batch failed: ${r.status} ${await r.text()}`);
}

export async function main(): Promise<void> {
  const hubDir = tempDir('bench-continuity-hub');
  const consoleDir = tempDir('bench-continuity-console');
  const hub = await spawnHub(hubDir);
  const proxy = new FaultProxy(Number(new URL(hub.url).port));
  await proxy.listen();
  const cacheFile = join(consoleDir, 'cache.db');
  const op2 = await login(hub.url, 'operator2');
  try {
    /* ---------- catch-up after CHANGES missed changes ---------- */
    let core = new ConsoleCore({ hubUrl: proxy.url, cacheFile });
    await core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
    await until(() => core.session().link === 'online' && core.session().cursor >= core.session().head && core.session().head > 0, 'the first fill');
    const before = core.session().cursor;
    await core.close();

    // every report is two changes (the event and its timeline entry)
    const reports = Math.ceil(CHANGES / 2);
    for (let i = 0; i < reports; i += 500) await postBatch(hub.url, op2, Array.from({ length: Math.min(500, reports - i) }, (_, k) => report(i + k)));
    const head = ((await (await fetch(`${hub.url}/api/changes?after=0&limit=1`, { headers: { authorization: `Bearer ${op2}` } })).json()) as { head: number }).head;

    core = new ConsoleCore({ hubUrl: proxy.url, cacheFile });
    const c1 = core;
    // the page's view while catching up: queue requests every 16 ms, and the event loop's lag
    const queueMs: number[] = [];
    let lagMax = 0;
    let catching = true;
    const t0 = performance.now();
    const pager = (async () => {
      while (catching) {
        const t = performance.now();
        await c1.handle({ id: 2, type: 'queue', filter: {}, sort: 'urgency', offset: 0, limit: 60 });
        queueMs.push(performance.now() - t);
        const s = performance.now();
        await sleep(16);
        const lag = performance.now() - s - 16;
        if (process.env.LAG_DEBUG && lag > 40) console.log(`lag ${lag.toFixed(0)} ms at +${(performance.now() - t0).toFixed(0)} ms, cursor ${c1.session().cursor}`);
        lagMax = Math.max(lagMax, lag);
      }
    })();
    await core.handle({ id: 3, type: 'login', username: 'operator', password: 'operator' });
    await until(() => c1.session().cursor >= head, 'catch-up', 120_000);
    const catchUpMs = performance.now() - t0;
    catching = false;
    await pager;
    queueMs.sort((a, b) => a - b);

    printTable(`catch-up after ${head - before} missed changes (cursor ${before} → ${head})`, [
      ['time to current', `${fmt(catchUpMs / 1000)} s (aim < 5 s)`],
      ['rate', `${fmt((head - before) / (catchUpMs / 1000), 0)} changes/s`],
      ['queue requests meanwhile', `${queueMs.length}: p50 ${fmt(percentile(queueMs, 50), 1)} ms, p95 ${fmt(percentile(queueMs, 95), 1)} ms, max ${fmt(queueMs.at(-1) ?? NaN, 1)} ms`],
      ['event-loop lag, worst', `${fmt(lagMax, 1)} ms (a frame is 16.7 ms; aim < 50 ms)`],
    ]);

    /* ---------- QUEUED actions made with the link cut, then the link restored ---------- */
    await until(() => c1.session().link === 'online', 'online again');
    proxy.down = true;
    proxy.cut();
    await until(() => c1.session().link !== 'online', 'the link to drop', 30_000, 10);
    const tq = performance.now();
    for (let i = 0; i < QUEUED; i++) await c1.handle({ id: 10 + i, type: 'command', command: report(1_000_000 + i) });
    const queueTime = performance.now() - tq;
    if (c1.session().outbox !== QUEUED) throw new Error(`expected ${QUEUED} queued, found ${c1.session().outbox}`);
    // let the outbox and the feed fail a few times, as in a real outage
    await sleep(3_000);

    let firstSettled = 0;
    const off = c1.onNotice((n) => {
      if (n.type === 'settled' && firstSettled === 0) firstSettled = performance.now();
    });
    const tr = performance.now();
    proxy.heal();
    let onlineAt = 0;
    await until(() => {
      if (!onlineAt && c1.session().link === 'online') onlineAt = performance.now();
      return c1.session().outbox === 0;
    }, 'the outbox drained', 300_000, 5);
    const drained = performance.now();
    off();
    await until(() => {
      if (!onlineAt && c1.session().link === 'online') onlineAt = performance.now();
      return onlineAt > 0;
    }, 'the feed online', 60_000, 5);
    const drainMs = drained - (firstSettled || tr);
    printTable(`outbox: ${QUEUED} actions queued with the link cut, then the link restored`, [
      ['queueing offline', `${fmt(queueTime / QUEUED, 2)} ms per action`],
      ['link restored → feed online', `${fmt((onlineAt - tr) / 1000, 2)} s`],
      ['link restored → first confirmation', `${fmt((firstSettled - tr) / 1000, 2)} s`],
      ['drain (first → last confirmation)', `${fmt(drainMs / 1000, 2)} s, ${fmt(QUEUED / (drainMs / 1000), 0)} actions/s`],
      ['link restored → outbox empty', `${fmt((drained - tr) / 1000, 2)} s`],
    ]);
    await c1.close();
  } finally {
    await proxy.close();
    await hub.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
