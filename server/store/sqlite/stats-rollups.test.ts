/**
 * The statistics rollups (migration 0006) against the plain definition: random histories of event
 * writes (reports, acceptances, closes, reopens, merges and splits, escalations, evaluations, moves
 * between towns and grids, reassignment, deletions) around CST midnights and month ends, then every
 * figure of every panel over periods aligned and unaligned to days and months, counted once from
 * the rollups and once from the event rows alone. The two must serialize to the same bytes, and
 * the rollups the triggers kept must be exactly what the migration's backfill makes from the rows.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate as runMigrations } from '../../../shared/migrate';
import { DAY_MS, HOUR_MS } from '../../../shared/deadline';
import { BREAKDOWN_DIMENSIONS } from '../../../shared/schema/stats';
import { SATISFACTION, SOURCES, TIERS, type EventRecord, type Escalation } from '../../../shared/schema/entities';
import { cstDate, cstParts, startOfDayCST } from '../../../shared/stats';
import { generateDistrict } from '../../demo/generator';
import { MIGRATIONS } from './migrations';
import { monthStartCST, planPeriod, SqliteStats } from './stats';
import { SqliteStore } from './store';

const MIN = 60_000;

/** Where an event can be: towns, communities, grids (a dedicated grid listed before its comprehensive one) */
const PLACES = [
  { townId: 'town-jinsha', communityId: 'comm-0-0', gridIds: ['grid-0-0-0'] },
  { townId: 'town-jinsha', communityId: 'comm-0-0', gridIds: ['grid-0-0-1'] },
  { townId: 'town-jinsha', communityId: 'comm-0-1', gridIds: ['grid-dedicated-001', 'grid-0-1-0'] },
  { townId: 'town-xianfeng', communityId: 'comm-1-0', gridIds: ['grid-1-0-0'] },
  { townId: undefined, communityId: undefined, gridIds: [] as string[] },
];
/** field staff, a chief, a desk (a reporter who is no leader) and nobody */
const PEOPLE = ['leader-0-0-0', 'leader-0-0-1', 'leader-0-1-0', 'leader-1-0-0', 'chief-0-0', 'desk-0', undefined];
const CATEGORIES = ['municipal_facilities', 'sanitation', 'fire_safety'];
const ESCALATIONS: (Escalation | undefined)[] = [
  undefined,
  { target: 'subcenter', orgUnitId: 'town-jinsha' },
  { target: 'departments', departmentIds: ['dept-enforcement'] },
  { target: 'departments', departmentIds: ['dept-sanitation', 'dept-enforcement'] },
  { target: 'departments', departmentIds: ['dept-sanitation'] },
  { target: 'district', orgUnitId: 'district' },
];

/** the weeks around the end of January and of February 2026, CST */
const W0 = cstDate(2026, 1, 26);
const W1 = cstDate(2026, 3, 6);
const MIDNIGHTS = Array.from({ length: (W1 - W0) / DAY_MS + 1 }, (_, i) => W0 + i * DAY_MS);

const instant = fc.oneof(
  fc.integer({ min: W0, max: W1 }),
  // on, just before and just after a CST midnight (a month's first among them)
  fc.tuple(fc.constantFrom(...MIDNIGHTS), fc.constantFrom(-HOUR_MS, -MIN, -1, 0, 1, MIN, HOUR_MS, 23 * HOUR_MS)).map(([m, d]) => m + d),
);
/** how long after acceptance a close comes: minutes to most of a year, or (clocks disagree) a little before */
const lag = fc.oneof(
  fc.integer({ min: -3 * HOUR_MS, max: 23 * HOUR_MS }),
  fc.integer({ min: DAY_MS, max: 20 * DAY_MS }),
  fc.integer({ min: 20 * DAY_MS, max: 300 * DAY_MS }),
);

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
const nth = fc.nat();

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('report' as const), place: nth, reporter: pick(PEOPLE), source: pick(SOURCES), category: pick(CATEGORIES), at: instant, tier: pick(TIERS) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('accept' as const), i: nth, at: instant, deadline: fc.option(fc.integer({ min: 0, max: 5 * DAY_MS }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('dispatch' as const), i: nth, person: pick(PEOPLE) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('close' as const), i: nth, lag }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const), i: nth }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('merge' as const), i: nth, j: nth }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('split' as const), i: nth }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('escalate' as const), i: nth, esc: pick(ESCALATIONS), deadline: fc.option(instant, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('evaluate' as const), i: nth, satisfaction: fc.option(pick(SATISFACTION), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('move' as const), i: nth, place: nth }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('touch' as const), i: nth }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), i: nth }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** A period: whole days, whole months with days either side, any instants, under a day across midnight, long. */
const period = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: MIDNIGHTS.length - 2 }), fc.integer({ min: 1, max: 40 })).map(([a, n]) => ({ from: MIDNIGHTS[a]!, to: MIDNIGHTS[a]! + n * DAY_MS })),
  fc.tuple(fc.constantFrom(0, 1, 2, 3, 5), fc.constantFrom(0, 1, 2, 4)).map(([before, after]) => ({ from: cstDate(2026, 2, 1) - before * DAY_MS, to: cstDate(2026, 3, 1) + after * DAY_MS })),
  fc.tuple(instant, instant).filter(([a, b]) => a !== b).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })),
  fc.tuple(fc.constantFrom(...MIDNIGHTS), fc.integer({ min: 1, max: 5 * HOUR_MS }), fc.integer({ min: 1, max: 5 * HOUR_MS })).map(([m, a, b]) => ({ from: m - a, to: m + b })),
  fc.tuple(instant, fc.integer({ min: 30 * DAY_MS, max: 400 * DAY_MS })).map(([from, n]) => ({ from, to: from + n })),
);

let store: SqliteStore;
let fast: SqliteStats;
let slow: SqliteStats;

beforeAll(async () => {
  store = new SqliteStore({ file: ':memory:' });
  const d = generateDistrict();
  await store.upsertReference([
    ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
    ...d.departments.map((data) => ({ kind: 'department' as const, data })),
    ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
    ...d.people.map((data) => ({ kind: 'person' as const, data })),
  ]);
  fast = new SqliteStats(store.db);
  slow = new SqliteStats(store.db, { rollups: false });
});
afterAll(() => store?.close());

/** the store's own event write (the upsert with every stats column), as a command would make it */
const write = (e: EventRecord) => (store as unknown as { writeEvent(e: EventRecord): void }).writeEvent(e);

/** Plays `ops` as writes to the store; answers the events as last written. */
function play(ops: readonly Op[]): Map<string, EventRecord> {
  const events = new Map<string, EventRecord>();
  let n = 0;
  const ids = () => [...events.keys()];
  const of = (i: number) => {
    const all = ids();
    return all.length === 0 ? undefined : events.get(all[i % all.length]!)!;
  };
  const put = (e: EventRecord) => {
    // the workflow's records carry no undefined keys
    const clean = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as EventRecord;
    events.set(clean.id, clean);
    write(clean);
  };
  for (const o of ops) {
    if (o.t === 'report') {
      const place = PLACES[o.place % PLACES.length]!;
      put({
        id: `ev-${n++}`,
        categoryId: o.category,
        tier: o.tier,
        source: o.source,
        state: 'reported',
        description: 'd',
        position: { lng: 121, lat: 32 },
        ...place,
        gridIds: place.gridIds,
        reportedAt: o.at,
        reporterId: o.reporter,
        attachments: [],
        timelineLength: 1,
        updatedAt: o.at,
      });
      continue;
    }
    const e = of(o.i);
    if (!e) continue;
    switch (o.t) {
      case 'accept':
        put({ ...e, state: 'accepted', acceptedAt: o.at, deadline: o.deadline === undefined ? undefined : o.at + o.deadline });
        break;
      case 'dispatch':
        put({ ...e, state: 'dispatched', assigneeId: o.person });
        break;
      case 'close':
        put({ ...e, state: 'closed', closedAt: Math.max(0, (e.acceptedAt ?? e.reportedAt) + o.lag) });
        break;
      case 'reopen':
        put({ ...e, state: 'returned', closedAt: undefined, satisfaction: undefined });
        break;
      case 'merge': {
        const into = of(o.j)!;
        if (into.id !== e.id) put({ ...e, state: 'merged', mergedInto: into.id });
        break;
      }
      case 'split':
        put({ ...e, state: 'reported', mergedInto: undefined });
        break;
      case 'escalate':
        put({ ...e, escalation: o.esc, tier: o.esc ? 'escalated' : e.tier, deadline: o.deadline });
        break;
      case 'evaluate':
        put({ ...e, satisfaction: o.satisfaction });
        break;
      case 'move': {
        const place = PLACES[o.place % PLACES.length]!;
        put({ ...e, townId: place.townId, communityId: place.communityId, gridIds: place.gridIds });
        break;
      }
      case 'touch':
        put({ ...e, timelineLength: e.timelineLength + 1, updatedAt: e.updatedAt + 1 });
        break;
      case 'delete':
        // the hub never deletes an event, but the rollups must follow whatever happens to the rows
        store.db.prepare('DELETE FROM events WHERE id = ?').run(e.id);
        events.delete(e.id);
        break;
    }
  }
  return events;
}

const rollupRows = (db: Database.Database) => db.prepare('SELECT * FROM stats_rollups ORDER BY kind, span, bucket, town_id, k1, k2, k3').all();

/** The rollups migration 0006 makes from the same rows in a hub that had none. */
function backfilled(): unknown[] {
  const db = new Database(':memory:');
  try {
    runMigrations(db, MIGRATIONS.filter((m) => m.version <= 5), () => 'too new');
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('events') as string[]).join(', ');
    const rows = store.db.prepare(`SELECT ${columns} FROM events`).raw().all() as unknown[][];
    const insert = db.prepare(`INSERT INTO events (${columns}) VALUES (${columns.split(', ').map(() => '?').join(', ')})`);
    db.transaction(() => rows.forEach((r) => insert.run(...r)))();
    runMigrations(db, MIGRATIONS.filter((m) => m.version <= 6), () => 'too new');
    return rollupRows(db);
  } finally {
    db.close();
  }
}

const same = (a: unknown, b: unknown) => {
  expect(a).toEqual(b);
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
};

describe('statistics rollups (migration 0006)', () => {
  it('split a period into part-days, whole days and whole CST months', () => {
    const feb = cstDate(2026, 2, 1);
    const mar = cstDate(2026, 3, 1);
    expect(planPeriod(feb, mar)).toEqual({ raw: [], days: [], months: [{ lo: feb, hi: mar }], whole: { lo: feb, hi: mar } });
    expect(planPeriod(feb - DAY_MS - HOUR_MS, mar + DAY_MS + HOUR_MS)).toEqual({
      raw: [{ lo: feb - DAY_MS - HOUR_MS, hi: feb - DAY_MS }, { lo: mar + DAY_MS, hi: mar + DAY_MS + HOUR_MS }],
      days: [{ lo: feb - DAY_MS, hi: feb }, { lo: mar, hi: mar + DAY_MS }],
      months: [{ lo: feb, hi: mar }],
      whole: { lo: feb - DAY_MS, hi: mar + DAY_MS },
    });
    // across one midnight, no whole day: all from the rows
    expect(planPeriod(feb - HOUR_MS, feb + HOUR_MS)).toEqual({ raw: [{ lo: feb - HOUR_MS, hi: feb + HOUR_MS }], days: [], months: [], whole: null });
    expect(planPeriod(feb + DAY_MS, mar - DAY_MS)).toEqual({ raw: [], days: [{ lo: feb + DAY_MS, hi: mar - DAY_MS }], months: [], whole: { lo: feb + DAY_MS, hi: mar - DAY_MS } });
  });

  it('reckons CST months in integers as the triggers do, to the last timestamp the schema allows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8.64e15 - 9 * HOUR_MS }), (t) => {
        const p = cstParts(t);
        expect(monthStartCST(t)).toBe(cstDate(p.year, p.month));
      }),
    );
    const db = store.db;
    const last = 8.64e15;
    write({
      id: 'far', categoryId: 'sanitation', tier: 'general', source: 'phone', state: 'reported', description: 'd', position: { lng: 121, lat: 32 },
      gridIds: [], reportedAt: last, attachments: [], timelineLength: 1, updatedAt: last,
    });
    const buckets = db.prepare("SELECT span, bucket FROM stats_rollups WHERE kind = 'sc' AND bucket > ? ORDER BY span").all(cstDate(9999, 1)) as { span: number; bucket: number }[];
    expect(buckets).toEqual([{ span: 0, bucket: startOfDayCST(last) }, { span: 1, bucket: monthStartCST(last) }]);
    db.prepare("DELETE FROM events WHERE id = 'far'").run();
    expect(db.prepare('SELECT count(*) FROM stats_rollups').pluck().get()).toBe(0);
  });

  it('give every figure of every panel exactly as the event rows do, over random histories and periods', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 80 }),
        fc.array(period, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: W0, max: W1 + 30 * DAY_MS }),
        (ops, periods, now) => {
          store.db.prepare('DELETE FROM events').run();
          // the delete trigger empties them as it goes
          expect(store.db.prepare('SELECT count(*) FROM stats_rollups').pluck().get()).toBe(0);
          play(ops);
          for (const { from, to } of periods)
            for (const town of [undefined, 'town-jinsha']) {
              same(fast.overview(from, to, town, now), slow.overview(from, to, town, now));
              for (const by of BREAKDOWN_DIMENSIONS) same(fast.breakdown(by, from, to, town, now), slow.breakdown(by, from, to, town, now));
            }
        },
      ),
      { numRuns: 80 },
    );
    // a few seconds alone; the machine is often shared with other suites
  }, 120_000);

  it('are kept by the triggers exactly as the migration builds them from the rows (no empty rows left behind)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        store.db.prepare('DELETE FROM events').run();
        play(ops);
        const kept = rollupRows(store.db);
        expect(kept).toEqual(backfilled());
        expect(store.db.prepare('SELECT count(*) FROM stats_rollups WHERE intake = 0 AND accepted = 0 AND closed = 0').pluck().get()).toBe(0);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('count a hand-made history the same both ways: a close, a reopen, a merge, a late evaluation, a move', () => {
    store.db.prepare('DELETE FROM events').run();
    const feb1 = cstDate(2026, 2, 1);
    const ops: Op[] = [
      { t: 'report', place: 0, reporter: 'leader-0-0-0', source: 'field', category: 'sanitation', at: feb1 - MIN, tier: 'general' },
      { t: 'accept', i: 0, at: feb1 + MIN, deadline: HOUR_MS },
      { t: 'dispatch', i: 0, person: 'leader-0-0-0' },
      { t: 'close', i: 0, lag: 2 * DAY_MS },
      { t: 'evaluate', i: 0, satisfaction: 'basically_satisfied' },
      { t: 'report', place: 1, reporter: 'leader-0-0-1', source: 'field', category: 'sanitation', at: feb1 + 2 * HOUR_MS, tier: 'general' },
      { t: 'merge', i: 1, j: 0 },
      { t: 'reopen', i: 0 },
      { t: 'close', i: 0, lag: 30 * DAY_MS },
      { t: 'move', i: 0, place: 3 },
    ];
    play(ops);
    const now = feb1 + 40 * DAY_MS;
    for (const [from, to] of [
      [feb1, cstDate(2026, 3, 1)],
      [feb1 - DAY_MS, feb1 + 10 * DAY_MS],
      [feb1 - HOUR_MS, feb1 + 31 * DAY_MS + HOUR_MS],
    ] as const) {
      same(fast.overview(from, to, undefined, now), slow.overview(from, to, undefined, now));
      for (const by of BREAKDOWN_DIMENSIONS) same(fast.breakdown(by, from, to, undefined, now), slow.breakdown(by, from, to, undefined, now));
    }
    const o = fast.overview(feb1, cstDate(2026, 3, 1), undefined, now);
    // the duplicate is not intake; the reopened case closed again in March, so February closes nothing
    expect(o).toMatchObject({ intake: 0, accepted: 1, closed: 0, closureRate: { numerator: 0, denominator: 1 } });
    expect(fast.breakdown('town', feb1, cstDate(2026, 4, 1), undefined, now).map((r) => [r.id, r.accepted, r.closed])).toEqual([['town-xianfeng', 1, 1]]);
  });
});
