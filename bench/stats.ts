/**
 * Statistics query times (issue 9): a month of a Tongzhou-sized district (about 22,000 events) and
 * a year of a Putian-sized one (about 580,000), in a real hub store (SQLite file, the same
 * migrations), counted over the demo district's towns, communities, grids and leaders.
 *
 * The events are written straight into the store's tables with every column the store itself
 * writes (driving 580,000 events through the whole closed loop would take an hour and measure the
 * pipeline, not the statistics); the rollups of migration 0006 follow them through its triggers, as
 * they follow every write. Each figure is the median, the 95th percentile and the worst of 15 runs,
 * warm. Then the cost of the rollups to a write: events taken through report, accept, dispatch and
 * close by the store's own write path, one transaction each, with the rollups' triggers and without.
 *
 *   npx tsx bench/stats.ts            (or npm run bench -- stats)
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { generateDistrict } from '../server/demo/generator';
import { makeRng } from '../server/demo/random';
import { SqliteStore } from '../server/store/sqlite/store';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import { BREAKDOWN_DIMENSIONS } from '../shared/schema/stats';
import { cstDate } from '../shared/stats';
import type { EventRecord } from '../shared/schema';
import { fmt, percentile, printTable, tempDir } from './lib';

const HOUR = 3600_000;
const SIZES = [
  { name: 'a month, Tongzhou-sized', events: Number(process.env.BENCH_STATS_MONTH ?? 22_000), from: cstDate(2026, 3), to: cstDate(2026, 4) },
  { name: 'a year, Putian-sized', events: Number(process.env.BENCH_STATS_YEAR ?? 580_000), from: cstDate(2025, 1), to: cstDate(2026, 1) },
];

export async function fill(store: SqliteStore, n: number, from: number, to: number) {
  const d = generateDistrict();
  await store.upsertReference([
    ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
    ...d.departments.map((data) => ({ kind: 'department' as const, data })),
    ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
    ...d.people.map((data) => ({ kind: 'person' as const, data })),
  ]);
  const grids = d.grids.filter((g) => g.kind === 'comprehensive');
  const leaderOf = new Map(d.people.filter((p) => p.role === 'leader').map((p) => [p.gridIds[0]!, p.id]));
  const sources = ['field', 'field', 'field', 'hotline', 'hotline', 'camera', 'public', 'phone', 'inspection'] as const;
  const categories = DEFAULT_TAXONOMY.categories.map((c) => c.id);
  const insert = store.db.prepare(
    `INSERT INTO events (id, state, is_open, town_id, assignee_id, deadline, supervised_at, updated_at, data, category_id, lng, lat,
       reported_at, reporter_id, merged_into, source, tier, community_id, grid_id, accepted_at, closed_at, escalation_target, escalation_departments, satisfaction)
     VALUES (@id, @state, @isOpen, @town, @assignee, @deadline, NULL, @updated, @data, @category, @lng, @lat,
       @reported, @reporter, NULL, @source, @tier, @community, @grid, @accepted, @closed, @escTarget, @escDepts, @satisfaction)`,
  );
  // seeded: every run counts the same events
  const rnd = makeRng(n);
  // the JSON record a real row carries (~700 bytes): the statistics must not need to read it
  const filler = 'x'.repeat(600);
  const write = store.db.transaction((from_: number, count: number) => {
    for (let i = from_; i < from_ + count; i++) {
      const g = grids[Math.floor(rnd() * grids.length)]!;
      const reported = from + Math.floor(rnd() * (to - from));
      const source = sources[Math.floor(rnd() * sources.length)]!;
      const r = rnd();
      const accepted = r < 0.97 ? reported + Math.floor(rnd() * 30 * 60_000) : null;
      const escalate = rnd();
      const escTarget = accepted && escalate < 0.1 ? 'subcenter' : accepted && escalate < 0.2 ? 'departments' : null;
      const escDepts = escTarget === 'departments' ? JSON.stringify([escalate < 0.13 ? 'dept-enforcement' : 'dept-sanitation']) : null;
      const deadline = accepted ? accepted + (escTarget ? 72 : 20) * HOUR : null;
      const closed = accepted && rnd() < 0.95 ? accepted + Math.floor(rnd() * (escTarget ? 90 : 26) * HOUR) : null;
      const state = closed ? 'closed' : accepted ? 'dispatched' : r < 0.985 ? 'rejected' : 'reported';
      insert.run({
        id: `bench-${i}`,
        state,
        isOpen: state === 'closed' || state === 'rejected' ? 0 : 1,
        town: g.townId,
        assignee: accepted ? leaderOf.get(g.id) ?? null : null,
        deadline,
        updated: closed ?? accepted ?? reported,
        data: `{"id":"bench-${i}","pad":"${filler}"}`,
        category: categories[Math.floor(rnd() * categories.length)]!,
        lng: 120.9 + rnd() * 0.5,
        lat: 31.9 + rnd() * 0.3,
        reported,
        reporter: source === 'field' ? leaderOf.get(g.id) ?? null : null,
        source,
        tier: escTarget ? 'escalated' : rnd() < 0.03 ? 'special' : 'general',
        community: g.communityId,
        grid: g.id,
        accepted,
        closed,
        escTarget,
        escDepts,
        satisfaction: closed && source === 'hotline' ? (rnd() < 0.9 ? 'satisfied' : 'dissatisfied') : null,
      });
    }
  });
  for (let i = 0; i < n; i += 10_000) write(i, Math.min(10_000, n - i));
  store.db.exec('ANALYZE');
}

function time(fn: () => unknown): { p50: number; p95: number; max: number } {
  fn(); // warm: statements prepared, pages in the cache
  const xs: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs[xs.length - 1]! };
}

let district: ReturnType<typeof generateDistrict> | undefined;

/**
 * Microseconds per event write through the store's write path (the events upsert with its stats
 * columns, and whatever triggers fire), for `n` new events each reported, accepted, dispatched and
 * closed, every write its own transaction as a command batch of one would be.
 */
function writePath(store: SqliteStore, n: number, tag: string, from: number, to: number): Record<'report' | 'accept' | 'dispatch' | 'close', number> {
  const d = (district ??= generateDistrict());
  const grids = d.grids.filter((g) => g.kind === 'comprehensive');
  const leaderOf = new Map(d.people.filter((p) => p.role === 'leader').map((p) => [p.gridIds[0]!, p.id]));
  const write = (store as unknown as { writeEvent(e: EventRecord): void }).writeEvent.bind(store);
  const rnd = makeRng(n + tag.length);
  const spent = { report: 0, accept: 0, dispatch: 0, close: 0 };
  const step = (k: keyof typeof spent, e: EventRecord) => {
    const t = performance.now();
    store.db.transaction(() => write(e))();
    spent[k] += performance.now() - t;
  };
  for (let i = 0; i < n; i++) {
    const g = grids[Math.floor(rnd() * grids.length)]!;
    const at = from + Math.floor(rnd() * (to - from));
    let e: EventRecord = {
      id: `write-${tag}-${i}`, categoryId: 'sanitation', tier: 'general', source: 'phone', state: 'reported', description: 'bench',
      position: { lng: 121, lat: 32 }, gridIds: [g.id], communityId: g.communityId, townId: g.townId, reportedAt: at, attachments: [],
      timelineLength: 1, updatedAt: at,
    };
    step('report', e);
    e = { ...e, state: 'accepted', acceptedAt: at + 60_000, deadline: at + 20 * HOUR, timelineLength: 2, updatedAt: at + 60_000 };
    step('accept', e);
    e = { ...e, state: 'dispatched', assigneeId: leaderOf.get(g.id)!, timelineLength: 3, updatedAt: at + 120_000 };
    step('dispatch', e);
    e = { ...e, state: 'closed', closedAt: at + 5 * HOUR, timelineLength: 4, updatedAt: at + 5 * HOUR };
    step('close', e);
  }
  const us = (ms: number) => (ms * 1000) / n;
  return { report: us(spent.report), accept: us(spent.accept), dispatch: us(spent.dispatch), close: us(spent.close) };
}

export async function main() {
  console.log(`stats benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  for (const size of SIZES) {
    const dir = tempDir('bench-stats');
    const store = new SqliteStore({ file: join(dir, 'hub.db'), synchronous: 'NORMAL' });
    try {
      const t0 = performance.now();
      await fill(store, size.events, size.from, size.to);
      const filled = performance.now() - t0;
      const now = size.to + 2 * HOUR;
      const s = (store as unknown as { stats: import('../server/store/sqlite/stats').SqliteStats }).stats;
      const row = (label: string, fn: () => unknown): [string, string] => {
        const r = time(fn);
        return [label, `p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms, max ${fmt(r.max, 1)} ms`];
      };
      // a period cut anywhere: part-days at both ends, whole days up to the months
      const [skip, cut] = size.to - size.from > 60 * 24 * HOUR ? [14, 17] : [3, 5];
      const odd = { from: size.from + (skip * 24 + 10.5) * HOUR, to: size.to - (cut * 24 + 7.25) * HOUR };
      const rollups = store.db.prepare('SELECT span, count(*) AS n FROM stats_rollups GROUP BY span ORDER BY span').all() as { span: number; n: number }[];
      const title =
        `Statistics, ${size.name}: ${size.events.toLocaleString('en')} events (written in ${fmt(filled / 1000, 1)} s; rollup rows: ` +
        `${rollups.map((r) => `${r.n.toLocaleString('en')} ${r.span === 0 ? 'daily' : 'monthly'}`).join(', ')}); aim: every panel < 200 ms`;
      printTable(title, [
        row('overview of the period, district (all panels: intake, by hour vs the week before, by source, by category, closure, on time, satisfaction, where cases ended, open by tier and state, overdue, leaders on duty)', () =>
          s.overview(size.from, size.to, undefined, now),
        ),
        row('overview of the period, one town', () => s.overview(size.from, size.to, 'town-jinsha', now)),
        row('overview of one CST day (today vs the same day last week)', () => s.overview(size.to - 24 * HOUR, size.to, undefined, now)),
        row('overview of the last 7 CST days (vs the week before)', () => s.overview(size.to - 7 * 24 * HOUR, size.to, undefined, now)),
        ...BREAKDOWN_DIMENSIONS.map((by) => row(`breakdown by ${by}, district`, () => s.breakdown(by, size.from, size.to, undefined, now))),
        row(`overview of a period cut mid-day at both ends (${skip} d 10:30 after the start to ${cut} d 07:15 before the end)`, () => s.overview(odd.from, odd.to, undefined, now)),
        row('breakdown by leader, the same cut period', () => s.breakdown('leader', odd.from, odd.to, undefined, now)),
        row('overdue list (督办), first 100', () => s.overdueList(undefined, now, 100)),
      ]);
      const n = Number(process.env.BENCH_STATS_WRITES ?? 1000);
      // what the rollups cost a write: the same writes with their triggers and without, in turns so that
      // a busy moment on a shared machine falls on both (the rows written without them are not counted)
      const triggers = store.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'stats_rollups_%'").all() as { name: string; sql: string }[];
      const withRollups = { report: 0, accept: 0, dispatch: 0, close: 0 };
      const without = { ...withRollups };
      const add = (into: typeof withRollups, x: typeof withRollups) => (Object.keys(into) as (keyof typeof into)[]).forEach((k) => (into[k] += x[k] / 4));
      for (let turn = 0; turn < 4; turn++) {
        add(withRollups, writePath(store, n / 4, `with-${turn}`, size.from, size.to));
        for (const t of triggers) store.db.exec(`DROP TRIGGER ${t.name}`);
        add(without, writePath(store, n / 4, `without-${turn}`, size.from, size.to));
        for (const t of triggers) store.db.exec(t.sql);
      }
      const us = (x: number) => `${fmt(x, 0)} µs`;
      printTable(`Event writes at this size (${n.toLocaleString('en')} events, each write its own transaction, synchronous=NORMAL): with the rollups' triggers / without`, [
        ['report (a new event)', `${us(withRollups.report)} / ${us(without.report)}`],
        ['accept', `${us(withRollups.accept)} / ${us(without.accept)}`],
        ['dispatch (the accepted count moves to the assignee)', `${us(withRollups.dispatch)} / ${us(without.dispatch)}`],
        ['close', `${us(withRollups.close)} / ${us(without.close)}`],
      ]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\ncommand: npx tsx bench/stats.ts   (or npm run bench -- stats)');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
