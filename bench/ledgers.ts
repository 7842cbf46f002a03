/**
 * Ledger query times (台账, 三天一通报, 三率): a quarter of a Tongzhou-sized district in a real hub
 * store (SQLite file, the same migrations): 1,100 grid leaders and dedicated-grid members patrolling
 * twice a day, 66,000 events with their feedback, two visits a leader a day, the district's
 * compliance and awareness entries.
 *
 * Fixes are written straight into position_track, a CST day at a time, as the field API leaves them
 * (driving 7 million fixes through HTTP would measure the API, not the ledgers). As on a live hub,
 * each day is rolled up once settled, and days older than the 30-day history are pruned after their
 * roll-up; the last hours of the quarter are read from the history. Each figure is the median and
 * the worst of 5 runs, warm.
 *
 *   npx tsx bench/ledgers.ts            (or npm run bench -- ledgers)
 *   BENCH_LEDGER_FIX_EVERY_MIN=1 …      a fix a minute while on patrol (default 5)
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generateDistrict } from '../server/demo/generator';
import { makeRng } from '../server/demo/random';
import { ledgerWorkbook } from '../server/ledger-export';
import { SqliteStore } from '../server/store/sqlite/store';
import { DEFAULT_TAXONOMY } from '../shared/taxonomy';
import { polygonBBox } from '../shared/geo';
import { bulletinWindow, cstDateString, daysBegun, daysIn, ledgerPeriod } from '../shared/ledgers';
import { fmt, percentile, printTable, tempDir } from './lib';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIX_EVERY_MIN = Number(process.env.BENCH_LEDGER_FIX_EVERY_MIN ?? 5);
const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 66_000);
const HISTORY_DAYS = 30;
const Q = ledgerPeriod('quarter', '2026-02-15');
/** the quarter's last afternoon: every earlier day settled, today's patrol under way */
const NOW = Q.to - 9 * HOUR;

function time(fn: () => unknown, runs = 5): { p50: number; max: number } {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), max: xs[xs.length - 1]! };
}
async function timeAsync(fn: () => Promise<unknown>, runs = 5): Promise<{ p50: number; max: number }> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentile(xs, 50), max: xs[xs.length - 1]! };
}
const ms = (r: { p50: number; max: number }) => `p50 ${fmt(r.p50, 1)} ms, max ${fmt(r.max, 1)} ms`;

export async function main() {
  console.log(`ledgers benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const dir = tempDir('bench-ledgers');
  const store = new SqliteStore({ file: join(dir, 'hub.db'), synchronous: 'NORMAL' });
  const db = store.db;
  try {
    const d = generateDistrict();
    await store.upsertReference([
      ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
      ...d.departments.map((data) => ({ kind: 'department' as const, data })),
      ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
      ...d.people.map((data) => ({ kind: 'person' as const, data })),
    ]);
    const grids = new Map(d.grids.map((g) => [g.id, g]));
    const walkers = d.people.filter((p) => p.role === 'leader' || p.role === 'dedicated_member');
    const comprehensive = d.grids.filter((g) => g.kind === 'comprehensive');
    const leaderOf = new Map(walkers.map((p) => [p.gridIds[0]!, p]));
    const rnd = makeRng(7);

    /* ---- events with their feedback, visits, entries ---- */
    const t0 = performance.now();
    const insertEvent = db.prepare(
      `INSERT INTO events (id, state, is_open, town_id, assignee_id, deadline, supervised_at, updated_at, data, category_id, lng, lat,
         reported_at, reporter_id, merged_into, source, tier, community_id, grid_id, accepted_at, closed_at, escalation_target, escalation_departments, satisfaction)
       VALUES (@id, @state, @isOpen, @town, @assignee, @deadline, NULL, @updated, @data, @category, 121, 32,
         @reported, @reporter, NULL, @source, 'general', @community, @grid, @accepted, @closed, NULL, NULL, @satisfaction)`,
    );
    const insertTimeline = db.prepare('INSERT INTO timeline (id, event_id, idx, at, data) VALUES (?, ?, ?, ?, ?)');
    const categories = DEFAULT_TAXONOMY.categories.map((c) => c.id);
    const filler = 'x'.repeat(400);
    db.transaction(() => {
      for (let i = 0; i < EVENTS; i++) {
        const g = comprehensive[Math.floor(rnd() * comprehensive.length)]!;
        const leader = leaderOf.get(g.id)!;
        const reported = Q.from + Math.floor(rnd() * (NOW - Q.from));
        const field = rnd() < 0.4;
        const accepted = reported + 10 * 60_000;
        const deadline = accepted + 14 * HOUR;
        const fed = accepted + Math.floor(rnd() * 20 * HOUR);
        const done = fed < NOW;
        const closed = done && rnd() < 0.95 ? fed + HOUR : null;
        const id = `ev-${i}`;
        insertEvent.run({
          id, state: closed ? 'closed' : done ? 'feedback' : 'dispatched', isOpen: closed ? 0 : 1, town: g.townId, assignee: leader.id, deadline, updated: closed ?? accepted,
          data: `{"id":"${id}","pad":"${filler}"}`, category: categories[i % categories.length]!, reported, reporter: field ? leader.id : null,
          source: field ? 'field' : rnd() < 0.5 ? 'hotline' : 'phone', community: g.communityId, grid: g.id, accepted, closed,
          satisfaction: closed && !field && rnd() < 0.5 ? (rnd() < 0.9 ? 'satisfied' : 'dissatisfied') : null,
        });
        // a timeline like a real one: report, accept, dispatch, acknowledge, feedback, review, close
        const steps: [string, string, number][] = [
          ['report', 'operator-1', reported], ['accept', 'operator-1', accepted], ['dispatch', 'operator-1', accepted + 60_000], ['acknowledge', leader.id, accepted + 120_000],
        ];
        if (done) steps.push(['feedback', leader.id, fed], ['review', 'operator-1', fed + 30 * 60_000]);
        if (closed) steps.push(['close', 'operator-1', closed]);
        steps.forEach(([kind, actorId, at], idx) =>
          insertTimeline.run(`${id}-${idx}`, id, idx, at, JSON.stringify({ id: `${id}-${idx}`, eventId: id, index: idx, kind, actorId, actorRole: 'leader', at, attachments: [], commandId: `c-${id}-${idx}`, note: '已处置，现场照片见附件' })),
        );
      }
    })();
    const insertVisit = db.prepare('INSERT INTO visits (id, person_id, town_id, grid_id, at, recorded_at, content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    let visits = 0;
    db.transaction(() => {
      for (let day = Q.from; day < NOW; day += DAY) {
        for (const p of walkers) {
          for (let k = 0; k < 2; k++) {
            const at = day + (9 + k * 6) * HOUR + Math.floor(rnd() * HOUR);
            if (at >= NOW) continue;
            const id = `v-${p.id}-${at}`;
            insertVisit.run(id, p.id, p.townId ?? null, p.gridIds[0]!, at, at, 'h', JSON.stringify({ visitId: id, household: '人民新村3幢201 张家', position: { lng: 121, lat: 32 }, at, attachments: [], personId: p.id, recordedAt: at }));
            visits++;
          }
        }
      }
    })();
    const insertCompliance = db.prepare('INSERT INTO compliance_entries (id, grid_id, town_id, day_start, compliant, recorded_at, content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insertAwareness = db.prepare('INSERT INTO awareness_entries (id, unit_id, town_id, day_start, asked, aware, recorded_at, content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let m = 0; m < 3; m++) {
        const day = Q.from + (m * 30 + 10) * DAY;
        for (const g of d.grids) insertCompliance.run(`c-${g.id}-${m}`, g.id, g.townId, day, rnd() < 0.9 ? 1 : 0, day, 'h', '{}');
        for (const c of d.orgUnits.filter((u) => u.level === 'community')) insertAwareness.run(`a-${c.id}-${m}`, c.id, c.parentId!, day, 40, 30 + Math.floor(rnd() * 10), day, 'h', '{}');
      }
    })();
    const filledRecords = performance.now() - t0;

    /* ---- the quarter's patrol, a day at a time, rolled up and pruned as a live hub does ---- */
    const insertFix = db.prepare('INSERT INTO position_track (person_id, at, lng, lat, accuracy) VALUES (?, ?, ?, ?, 10)');
    const prune = db.prepare('DELETE FROM position_track WHERE at < ?');
    const boxes = new Map(walkers.map((p) => [p.id, polygonBBox(grids.get(p.gridIds[0]!)!.polygon)]));
    const rollups: { ms: number; fixes: number; stall: number }[] = [];
    const ledgers = (store as unknown as { ledgers: import('../server/store/sqlite/ledgers').SqliteLedgers }).ledgers;
    let fixes = 0;
    const t1 = performance.now();
    for (let day = Q.from; day < NOW; day += DAY) {
      let n = 0;
      db.transaction(() => {
        for (const p of walkers) {
          const [w, s, e, nn] = boxes.get(p.id)!;
          let lng = (w + e) / 2, lat = (s + nn) / 2;
          for (const [h0, h1] of [[8, 11], [14, 17]] as const) {
            for (let at = day + h0 * HOUR; at < day + h1 * HOUR && at < NOW; at += FIX_EVERY_MIN * 60_000) {
              lng = Math.min(e, Math.max(w, lng + (rnd() - 0.5) * (e - w) * 0.2));
              lat = Math.min(nn, Math.max(s, lat + (rnd() - 0.5) * (nn - s) * 0.2));
              insertFix.run(p.id, at + Math.floor(rnd() * 30_000), lng, lat);
              n++;
            }
          }
        }
      })();
      fixes += n;
      if (day + DAY + 2 * HOUR <= NOW) {
        // the day settles: the background timer rolls it up, a quarter hour of fixes at a time; the longest
        // stretch between two pauses is how long the hub's other requests would wait
        let stall = 0;
        let resumed = performance.now();
        const pause = async () => {
          stall = Math.max(stall, performance.now() - resumed);
          await new Promise((r) => setImmediate(r));
          resumed = performance.now();
        };
        const t = performance.now();
        await ledgers.rollUpSettled(day + DAY + 3 * HOUR, 1, pause);
        stall = Math.max(stall, performance.now() - resumed);
        rollups.push({ ms: performance.now() - t, fixes: n, stall });
        prune.run(day + DAY - HISTORY_DAYS * DAY);
      }
    }
    const filledFixes = performance.now() - t1;
    db.exec('ANALYZE');
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    const roll = rollups.reduce((a, r) => ({ ms: a.ms + r.ms, fixes: a.fixes + r.fixes }), { ms: 0, fixes: 0 });

    printTable(
      `The quarter ${cstDateString(Q.from)} – ${cstDateString(Q.to - 1)}, now ${new Date(NOW + 8 * HOUR).toISOString().slice(0, 16)} CST: ` +
        `${walkers.length.toLocaleString('en')} walkers, ${EVENTS.toLocaleString('en')} events, ${visits.toLocaleString('en')} visits, ` +
        `${fixes.toLocaleString('en')} fixes (one per ${FIX_EVERY_MIN} min on patrol, 6 h a day)`,
      [
        ['records written in', `${fmt(filledRecords / 1000, 1)} s`],
        ['fixes written, rolled up and pruned in', `${fmt(filledFixes / 1000, 1)} s`],
        ['rows now: position_track (30-day history) / patrol_days / timeline', `${count('SELECT count(*) FROM position_track').toLocaleString('en')} / ${count('SELECT count(*) FROM patrol_days').toLocaleString('en')} / ${count('SELECT count(*) FROM timeline').toLocaleString('en')}`],
        ['roll-up of one settled day (the background timer, once a day)', `${fmt(roll.ms / rollups.length, 0)} ms mean for ${Math.round(roll.fixes / rollups.length).toLocaleString('en')} fixes (${fmt((roll.ms * 1000) / roll.fixes, 1)} µs a fix), worst ${fmt(Math.max(...rollups.map((r) => r.ms)), 0)} ms`],
        ['  longest stretch without yielding (15 min of fixes, or the write)', `${fmt(Math.max(...rollups.map((r) => r.stall)), 0)} ms worst, ${fmt(rollups.reduce((a, r) => a + r.stall, 0) / rollups.length, 0)} ms mean`],
      ],
    );

    const day = ledgerPeriod('day', cstDateString(NOW));
    const week = ledgerPeriod('week', cstDateString(NOW));
    const month = ledgerPeriod('month', cstDateString(NOW));
    const bw = bulletinWindow(cstDateString(NOW - DAY));
    let rows = 0;
    const ledgerQ = (p: { from: number; to: number }, town?: string) => async () => {
      rows = (await store.ledger(p.from, p.to, town, NOW)).length;
    };
    const quarterLedger = await timeAsync(ledgerQ(Q));
    const quarterRows = rows;
    const results: [string, string][] = [
      [`ledger, the quarter (${daysIn(Q)} days, ${daysBegun(Q, NOW)} begun), district: ${quarterRows.toLocaleString('en')} rows`, ms(quarterLedger)],
      ['ledger, the quarter, one town', ms(await timeAsync(ledgerQ(Q, 'town-dongshe')))],
      ['ledger, this month, district', ms(await timeAsync(ledgerQ(month)))],
      ['ledger, this week (5 rolled-up days and today from the history), district', ms(await timeAsync(ledgerQ(week)))],
      ['ledger, today (all from the history), district', ms(await timeAsync(ledgerQ(day)))],
      ['three-day bulletin, district (1,100 grids ranked)', ms(await timeAsync(() => store.bulletin(bw.from, bw.to, undefined)))],
      ['three rates, the quarter, district and 12 towns', ms(await timeAsync(() => store.rates(Q.from, Q.to, undefined)))],
    ];
    const l = await store.ledger(Q.from, Q.to, undefined, NOW);
    const r = await store.rates(Q.from, Q.to, undefined);
    const ledger = { period: 'quarter' as const, date: cstDateString(NOW), from: Q.from, to: Q.to, at: NOW, days: daysIn(Q), daysBegun: daysBegun(Q, NOW), rows: l };
    const rates = { period: 'quarter' as const, date: cstDateString(NOW), from: Q.from, to: Q.to, at: NOW, ...r };
    let bytes = 0;
    results.push([
      'ledger.xlsx of the quarter (the ledger, the three rates, the definitions)',
      `${ms(await timeAsync(async () => void (bytes = (await ledgerWorkbook(ledger, rates)).length)))}, ${fmt(bytes / 1024, 0)} KiB`,
    ]);
    // a hub upgraded mid-quarter, or one whose timer has not run: the first ledger rolls up what is settled
    db.exec(`DELETE FROM patrol_rollups WHERE day >= ${Math.floor((NOW - HISTORY_DAYS * DAY + 8 * HOUR) / DAY)}`);
    const unrolled = count(`SELECT count(*) FROM position_track WHERE at < ${NOW - 2 * HOUR - ((NOW - 2 * HOUR + 8 * HOUR) % DAY)}`);
    const cold = performance.now();
    await store.ledger(Q.from, Q.to, undefined, NOW);
    results.push([`ledger, the quarter, cold: 29 settled days of history (${unrolled.toLocaleString('en')} fixes) not yet rolled up (once)`, `${fmt(performance.now() - cold, 0)} ms`]);
    // what the ledgers' triggers cost the write path: timeline entries and new events, with them and without
    const writes = (tag: string) => {
      const n = 5_000;
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        const id = `w-${tag}-${i}`;
        db.transaction(() => {
          insertEvent.run({
            id, state: 'reported', isOpen: 1, town: 'town-jinsha', assignee: null, deadline: null, updated: NOW, data: `{"id":"${id}","pad":"${filler}"}`, category: categories[0]!,
            reported: NOW, reporter: 'leader-0-0-0', source: 'field', community: 'comm-0-0', grid: 'grid-0-0-0', accepted: null, closed: null, satisfaction: null,
          });
          for (const [idx, kind] of ['report', 'feedback'].entries()) {
            insertTimeline.run(`${id}-${idx}`, id, idx, NOW, JSON.stringify({ id: `${id}-${idx}`, eventId: id, index: idx, kind, actorId: 'leader-0-0-0', actorRole: 'leader', at: NOW, attachments: [], commandId: `c-${id}-${idx}`, note: '已处置，现场照片见附件' }));
          }
        })();
      }
      return ((performance.now() - t) * 1000) / n;
    };
    const withTriggers = writes('with');
    for (const name of ['ledger_feedback', 'ledger_report', 'ledger_visit']) db.exec(`DROP TRIGGER ${name}`);
    const without = writes('without');
    results.push(['a new event and two timeline entries, one transaction (synchronous=NORMAL): with the ledgers’ triggers / without', `${fmt(withTriggers, 0)} µs / ${fmt(without, 0)} µs`]);
    printTable('Queries (aim: a quarter of the district < 1 s) and the write path', results);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...sql.split('?').slice(1).map(() => 0)) as { detail: string }[]).map((p) => p.detail).join('; ');
    printTable('Query plans', [
      ['feedback by time', plan('SELECT person_id, event_id, min(at), deadline FROM feedbacks WHERE at >= ? AND at < ? GROUP BY person_id, event_id')],
      ['duty days', plan('SELECT person_id, count(*) FROM duty_days WHERE day >= ? AND day < ? GROUP BY person_id')],
      ['visits by time', plan('SELECT person_id, count(*) FROM visits WHERE at >= ? AND at < ? GROUP BY person_id')],
      ['patrol days', plan("SELECT person_id, grid_id, lattice, cells FROM patrol_days WHERE day >= ? AND day < ? AND grid_id != ''")],
    ]);
  } finally {
    await store.close();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true }); else console.log("kept", dir);
  }
  console.log('\ncommand: npx tsx bench/ledgers.ts   (or npm run bench -- ledgers)');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
