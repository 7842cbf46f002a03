/**
 * Statistics query times (issue 9): a month of a Tongzhou-sized district (about 22,000 events) and
 * a year of a Putian-sized one (about 580,000), in a real hub store (SQLite file, the same
 * migrations), counted over the demo district's towns, communities, grids and leaders.
 *
 * The events are written straight into the store's tables with every column the store itself
 * writes (driving 580,000 events through the whole closed loop would take an hour and measure the
 * pipeline, not the statistics). Each figure is the median and the worst of 7 runs, warm.
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
import { fmt, percentile, printTable, tempDir } from './lib';

const HOUR = 3600_000;
const SIZES = [
  { name: 'a month, Tongzhou-sized', events: Number(process.env.BENCH_STATS_MONTH ?? 22_000), from: cstDate(2026, 3), to: cstDate(2026, 4) },
  { name: 'a year, Putian-sized', events: Number(process.env.BENCH_STATS_YEAR ?? 580_000), from: cstDate(2025, 1), to: cstDate(2026, 1) },
];

async function fill(store: SqliteStore, n: number, from: number, to: number) {
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

function time(fn: () => unknown): { p50: number; max: number } {
  fn(); // warm: statements prepared, pages in the cache
  const xs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), max: xs[xs.length - 1]! };
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
        return [label, `p50 ${fmt(r.p50, 1)} ms, max ${fmt(r.max, 1)} ms`];
      };
      printTable(`Statistics, ${size.name}: ${size.events.toLocaleString('en')} events (written in ${fmt(filled / 1000, 1)} s); aim: every panel < 200 ms`, [
        row('overview of the period, district (all panels: intake, by hour vs the week before, by source, by category, closure, on time, satisfaction, where cases ended, open by tier and state, overdue, leaders on duty)', () =>
          s.overview(size.from, size.to, undefined, now),
        ),
        row('overview of the period, one town', () => s.overview(size.from, size.to, 'town-jinsha', now)),
        row('overview of one CST day (today vs the same day last week)', () => s.overview(size.to - 24 * HOUR, size.to, undefined, now)),
        ...BREAKDOWN_DIMENSIONS.map((by) => row(`breakdown by ${by}, district`, () => s.breakdown(by, size.from, size.to, undefined, now))),
        row('overdue list (督办), first 100', () => s.overdueList(undefined, now, 100)),
      ]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\ncommand: npx tsx bench/stats.ts   (or npm run bench -- stats)');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
