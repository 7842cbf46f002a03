/**
 * Ledgers (台账), the three-day bulletin (三天一通报) and the three rates (三率) against a month worked
 * out by hand: a demo hub (real SQLite file, loopback HTTP) on a clock the test sets, every fix,
 * report, visit and step of the closed loop sent through the real API, the figures read over HTTP.
 *
 * The people: LEADER (leader-0-0-0, grid-0-0-0, 金沙街道), PEER (leader-0-0-1, grid-0-0-1, 金沙),
 * LEADER_X (leader-1-0-0, grid-1-0-0, 先锋街道). grid-0-0-0 is 19 × 12 patrol cells, all inside.
 * The demo seed gives everyone a first fix at their grid's centre (cell 104) on 02-20 09:00.
 *
 * LEADER, in CST:
 *   02-28 23:50 fix cell 0 · 23:00 desk's lg-M dispatched to him · 03-01 00:10, 00:20 fixes cell 1 ·
 *   03-01 00:30 feedback on lg-M (late: due 02-28 24:00) · 09:00 reports lg-A · 09:30 reports lg-D
 *   (merged into lg-A) · 10:00 visit v-1 · 03-02 08:00 fix cell 21 · 03-03 15:00 visit v-2 ·
 *   03-05 12:00 feedback lg-B (on time), returned, 03-06 09:00 feedback again · 03-11 08:00 feedback
 *   lg-C (late: due 03-10 24:00) · 03-20 10:00 fix in PEER's grid · 03-29 16:00 fix cell 41 ·
 *   03-31 23:55 reports lg-F · 04-01 00:05 visit v-3.
 * March: duty days 03-01 02 03 05 06 11 20 29 31 = 9; cells 1, 21, 41 = 3 of 228; reported A, F = 2
 *   (D merged); visits 2; handled M, B, C = 3, on time B = 1.
 * PEER: reports lg-E 03-15; handles two 12345 cases (fed back 03-11, 03-12, on time; evaluated
 *   basically satisfied and dissatisfied). LEADER_X: a fix and a visit on 03-20.
 *
 * The fix of 03-29 prunes the history older than 30 days (the seed's 02-20 fixes), rolled up first;
 * later the fix of 04-02 prunes up to 03-03, and March still counts the same.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDeviceToken } from '../server/demo/district';
import { hotlineEventId } from '../server/hotline';
import { polygonBBox } from '../shared/geo';
import { cstDayNumber, patrolLattice } from '../shared/ledgers';
import { Bulletin, Ledger, Rates, type LedgerRow } from '../shared/schema/ledgers';
import { cstDate } from '../shared/stats';
import { demoGrid } from './helpers/demo';
import { expectApplied, login, onePixelPng, postCommand, request, startTestHub, uid, type TestHub } from './helpers/hub';

const cst = (s: string) => Date.parse(`2026-${s.replace(' ', 'T')}:00+08:00`);
const MARCH = { from: cstDate(2026, 3), to: cstDate(2026, 4) };
const NOW1 = cst('04-01 12:00');
const LEADER = 'leader-0-0-0';
const PEER = 'leader-0-0-1';
const LEADER_X = 'leader-1-0-0';
const dev = demoDeviceToken;

/** the centre of patrol cell (i, j) of a grid: far from every cell edge */
function cell(gridId: string, i: number, j: number) {
  const g = demoGrid(gridId);
  const [w, s, e, n] = polygonBBox(g.polygon);
  const l = patrolLattice(g.polygon);
  return { lng: Math.round((w + ((i + 0.5) * (e - w)) / l.nx) * 1e7) / 1e7, lat: Math.round((s + ((j + 0.5) * (n - s)) / l.ny) * 1e7) / 1e7 };
}
const G0 = (i: number, j: number) => cell('grid-0-0-0', i, j);

let clock = cst('02-20 09:00');
let t: TestHub;
let op: string;
let photo: string;

async function at(time: string, token: string, command: Record<string, unknown>) {
  clock = cst(time);
  return expectApplied(postCommand(t.url, token, { commandId: uid(String(command.type)), ...command }));
}
async function fix(time: string, person: string, position: { lng: number; lat: number }) {
  clock = cst(time);
  const r = await request(t.url, 'POST', '/api/field/position', { token: dev(person), json: { position, accuracy: 5, at: clock } });
  expect(r.status, r.text).toBe(204);
}
const visitBody = (visitId: string, time: string, over: Record<string, unknown> = {}) => ({
  visitId,
  household: '人民新村3幢201 张家',
  address: '金沙街道人民新村',
  note: '独居老人，身体尚好',
  position: G0(5, 5),
  at: cst(time),
  ...over,
});
async function visit(time: string, person: string, body: Record<string, unknown>) {
  clock = cst(time);
  return request(t.url, 'POST', '/api/field/visits', { token: dev(person), json: body });
}
const report = (time: string, token: string, eventId: string, position: { lng: number; lat: number }, source = 'field') =>
  at(time, token, { type: 'report', eventId, categoryId: 'municipal_facilities', description: `台账测试 ${eventId}`, position, source, reportedAt: cst(time) });
/** desk report → accept → dispatch to `person` → acknowledged */
async function assigned(time: string, eventId: string, person: string, position = G0(10, 8)) {
  await report(time, op, eventId, position, 'phone');
  await at(time, op, { type: 'accept', eventId });
  await at(time, op, { type: 'dispatch', eventId, assigneeId: person });
  await at(time, dev(person), { type: 'acknowledge', eventId });
}
async function hotline(orderNo: string, day: string, satisfaction: string) {
  clock = cst(`${day} 14:00`);
  const order = {
    orderNo, receivedAt: clock, callerName: '陈先生', callerPhone: '13800000000', content: '路灯不亮', type: '市政设施-路灯',
    address: '人民路2号', position: cell('grid-0-0-1', 4, 4), deadline: cst('03-20 18:00'),
  };
  const r = await request(t.url, 'POST', '/api/intake/12345', { token: 'hotline_demo', json: order });
  expect(r.status, r.text).toBeLessThan(300);
  const id = hotlineEventId(orderNo);
  await at(`${day} 14:05`, op, { type: 'accept', eventId: id });
  await at(`${day} 14:10`, op, { type: 'dispatch', eventId: id, assigneeId: PEER });
  await at(`${day} 14:10`, dev(PEER), { type: 'acknowledge', eventId: id });
  const next = `03-${String(Number(day.slice(3)) + 1).padStart(2, '0')}`;
  await at(`${next} 09:00`, dev(PEER), { type: 'feedback', eventId: id, note: '已修复' });
  await at(`${next} 09:30`, op, { type: 'review', eventId: id });
  await at(`${next} 10:00`, op, { type: 'close', eventId: id });
  await at(`${next} 12:00`, op, { type: 'evaluate', eventId: id, satisfaction });
}

beforeAll(async () => {
  t = await startTestHub({ now: () => clock, sessionTtlMs: 400 * 24 * 3600_000 });
  op = await login(t.url, 'operator');
  const up = await request(t.url, 'POST', '/api/attachments?purpose=photo', { token: dev(LEADER), raw: onePixelPng(), contentType: 'image/png' });
  expect(up.status, up.text).toBe(201);
  photo = up.body.hash;

  // lg-M: dispatched just before midnight, fed back just after it, late
  await assigned('02-28 23:00', 'lg-M', LEADER);
  await fix('02-28 23:50', LEADER, G0(0, 0));
  await fix('03-01 00:10', LEADER, G0(1, 0));
  await fix('03-01 00:20', LEADER, G0(1, 0));
  await at('03-01 00:30', dev(LEADER), { type: 'feedback', eventId: 'lg-M', note: '已处置' });
  await report('03-01 09:00', dev(LEADER), 'lg-A', G0(12, 8));
  const dup = await report('03-01 09:30', dev(LEADER), 'lg-D', G0(12, 8));
  expect(dup.body.status === 'applied' && dup.body.changes.some((c) => c.kind === 'event' && c.data.state === 'merged')).toBe(true);
  const v1 = await visit('03-01 10:05', LEADER, visitBody('v-1', '03-01 10:00', { attachments: [photo] }));
  expect(v1.status, v1.text).toBe(201);
  await fix('03-02 08:00', LEADER, G0(2, 1));
  expect((await visit('03-03 15:00', LEADER, visitBody('v-2', '03-03 15:00', { household: '人民新村5幢102 李家', position: G0(6, 6) }))).status).toBe(201);
  // lg-B: fed back on time, returned, fed back again the next day (counted once)
  await assigned('03-05 09:00', 'lg-B', LEADER);
  await at('03-05 12:00', dev(LEADER), { type: 'feedback', eventId: 'lg-B', note: '已清理' });
  await at('03-05 13:00', op, { type: 'return', eventId: 'lg-B', note: '照片不清楚' });
  await at('03-06 08:50', dev(LEADER), { type: 'acknowledge', eventId: 'lg-B' });
  await at('03-06 09:00', dev(LEADER), { type: 'feedback', eventId: 'lg-B', note: '补拍照片' });
  // lg-C: accepted in the afternoon, due at midnight, fed back the next morning
  await assigned('03-10 16:00', 'lg-C', LEADER);
  await at('03-11 08:00', dev(LEADER), { type: 'feedback', eventId: 'lg-C', note: '已处置' });
  await hotline('GDLG0001', '03-10', 'basically_satisfied');
  await hotline('GDLG0002', '03-11', 'dissatisfied');
  await report('03-15 10:00', dev(PEER), 'lg-E', cell('grid-0-0-1', 3, 3));
  await fix('03-20 10:00', LEADER, cell('grid-0-0-1', 2, 2));
  await fix('03-20 11:00', LEADER_X, cell('grid-1-0-0', 1, 1));
  clock = cst('03-20 11:30');
  const vx = await request(t.url, 'POST', '/api/field/visits', {
    token: dev(LEADER_X),
    json: { visitId: 'v-x', household: '先锋村12组 王家', position: cell('grid-1-0-0', 2, 2), at: clock },
  });
  expect(vx.status, vx.text).toBe(201);
  await fix('03-29 16:00', LEADER, G0(3, 2));
  await report('03-31 23:55', dev(LEADER), 'lg-F', G0(14, 9));
  expect((await visit('04-01 00:06', LEADER, visitBody('v-3', '04-01 00:05', { household: '人民新村1幢 赵家' }))).status).toBe(201);
  clock = NOW1;
}, 180_000);

afterAll(() => t?.close());

const get = (path: string, token = op) => request(t.url, 'GET', path, { token });
const rowOf = (rows: LedgerRow[], id: string) => {
  const r = rows.find((x) => x.personId === id);
  if (!r) throw new Error(`no ledger row for ${id}`);
  return r;
};
const ledger = async (query: string, token = op): Promise<Ledger> => {
  const r = await get(`/api/stats/ledger?${query}`, token);
  expect(r.status, r.text).toBe(200);
  return Ledger.parse(r.body);
};

describe('the ledger of March 2026 (CST), worked out by hand', () => {
  it('counts each leader of the district', async () => {
    const l = await ledger('period=month&date=2026-03-15');
    expect([l.from, l.to, l.days, l.daysBegun, l.date]).toEqual([MARCH.from, MARCH.to, 31, 31, '2026-03-15']);
    // every grid leader and dedicated-grid member of the demo district, no one else
    expect(l.rows).toHaveLength(1100);
    expect(rowOf(l.rows, LEADER)).toEqual({
      personId: LEADER,
      name: expect.any(String),
      role: 'leader',
      gridId: 'grid-0-0-0',
      gridName: expect.stringContaining('第1网格'),
      townId: 'town-jinsha',
      townName: '金沙街道',
      dutyDays: 9,
      patrol: { numerator: 3, denominator: 228, value: 3 / 228 },
      reported: 2,
      visits: 2,
      handled: 3,
      handledOnTime: { numerator: 1, denominator: 3, value: 1 / 3 },
    });
    expect(rowOf(l.rows, PEER)).toMatchObject({
      dutyDays: 3, // 03-11 and 03-12 (feedback), 03-15 (report)
      patrol: { numerator: 0, denominator: 228 },
      reported: 1,
      visits: 0,
      handled: 2,
      handledOnTime: { numerator: 2, denominator: 2, value: 1 },
    });
    expect(rowOf(l.rows, LEADER_X)).toMatchObject({ townId: 'town-xianfeng', dutyDays: 1, visits: 1, patrol: { numerator: 1, denominator: 120 } });
    // someone who did nothing: zero, and no rate where nothing was counted
    expect(rowOf(l.rows, 'leader-2-0-0')).toMatchObject({ dutyDays: 0, reported: 0, visits: 0, handled: 0, handledOnTime: { numerator: 0, denominator: 0, value: null } });
  });

  it('measures patrol on the same cells as the map’s patrol coverage', async () => {
    const map = await get(`/api/map/patrol?gridId=grid-0-0-0&from=${MARCH.from}&to=${MARCH.to}`);
    expect(map.status, map.text).toBe(200);
    const l = await ledger('period=month&date=2026-03-01');
    expect(rowOf(l.rows, LEADER).patrol).toMatchObject({ numerator: map.body.visitedCells, denominator: map.body.cells });
  });

  it('splits the days at CST midnight, not UTC', async () => {
    // 02-28 (CST): the 23:50 fix only; 03-01 begins at 2026-02-28T16:00Z
    const feb28 = rowOf((await ledger('period=day&date=2026-02-28')).rows, LEADER);
    expect(feb28).toMatchObject({ dutyDays: 1, patrol: { numerator: 1 }, reported: 0, visits: 0, handled: 0 });
    const mar1 = await ledger('period=day&date=2026-03-01');
    expect([mar1.from, mar1.to]).toEqual([Date.parse('2026-02-28T16:00:00Z'), Date.parse('2026-03-01T16:00:00Z')]);
    expect(rowOf(mar1.rows, LEADER)).toMatchObject({
      dutyDays: 1,
      patrol: { numerator: 1 }, // two fixes, one cell
      reported: 1, // lg-A; lg-D was merged into it
      visits: 1,
      handled: 1, // lg-M, fed back at 00:30, after its deadline
      handledOnTime: { numerator: 0, denominator: 1 },
    });
    // the report of 23:55 on the 31st is March's; the visit of 00:05 on April 1st is April's
    const mar31 = rowOf((await ledger('period=day&date=2026-03-31')).rows, LEADER);
    expect(mar31).toMatchObject({ dutyDays: 1, reported: 1, visits: 0 });
    const apr1 = rowOf((await ledger('period=day&date=2026-04-01')).rows, LEADER);
    expect(apr1).toMatchObject({ dutyDays: 1, reported: 0, visits: 1 });
  });

  it('counts a week from Monday', async () => {
    // Monday 03-02 to Sunday 03-08: fix 03-02, visit 03-03, feedback 03-05 and 03-06
    const w = await ledger('period=week&date=2026-03-04');
    expect([w.from, w.to, w.days]).toEqual([cst('03-02 00:00'), cst('03-09 00:00'), 7]);
    expect(rowOf(w.rows, LEADER)).toMatchObject({ dutyDays: 4, patrol: { numerator: 1 }, visits: 1, handled: 1, handledOnTime: { numerator: 1, denominator: 1 } });
  });
});

describe('the three-day bulletin', () => {
  const bulletin = async (query: string, token = op): Promise<Bulletin> => {
    const r = await get(`/api/stats/bulletin?${query}`, token);
    expect(r.status, r.text).toBe(200);
    return Bulletin.parse(r.body);
  };

  it('ranks every grid by its workers’ reports over the three days and flags the silent ones', async () => {
    const b = await bulletin('date=2026-03-01');
    expect([b.from, b.to]).toEqual([cst('02-27 00:00'), cst('03-02 00:00')]);
    expect(b.summary).toEqual({ grids: 1100, silent: 1099, reports: 1 });
    expect(b.rows[0]).toMatchObject({
      rank: 1,
      gridId: 'grid-0-0-0',
      kind: 'comprehensive',
      townId: 'town-jinsha',
      townName: '金沙街道',
      communityId: 'comm-0-0',
      reports: 1, // lg-A (lg-D merged; lg-M was the desk's)
      eventsInGrid: 2, // lg-M and lg-A
      silent: false,
    });
    expect(b.rows[0]!.staff).toHaveLength(1);
    expect(b.rows.slice(1).every((r) => r.silent && r.rank === 2 && r.reports === 0)).toBe(true);
    // dedicated grids are in it, with their members
    const dedicated = b.rows.find((r) => r.kind === 'dedicated')!;
    expect(dedicated.staff.length).toBeGreaterThan(0);
  });

  it('moves with its date, across midnight', async () => {
    expect((await bulletin('date=2026-03-15')).rows[0]).toMatchObject({ gridId: 'grid-0-0-1', reports: 1 });
    // lg-F at 23:55 on the 31st is in the three days ending 03-31, not in those ending 03-30
    expect((await bulletin('date=2026-03-31')).rows[0]).toMatchObject({ gridId: 'grid-0-0-0', reports: 1 });
    expect((await bulletin('date=2026-03-30')).summary.reports).toBe(0);
    // no date: the three days ending yesterday (NOW1 is April 1st)
    const dflt = await bulletin('');
    expect([dflt.date, dflt.to]).toEqual(['2026-03-31', cst('04-01 00:00')]);
  });
});

describe('the district’s entries and the three rates', () => {
  const post = (path: string, json: unknown, token = op) => request(t.url, 'POST', path, { token, json });

  it('records compliance and awareness entries, once per id', async () => {
    const compliance = [
      { entryId: 'c-1', gridId: 'grid-0-0-0', date: '2026-03-10', compliant: false, score: 72, note: '台账不全' },
      { entryId: 'c-2', gridId: 'grid-0-0-0', date: '2026-03-25', compliant: true, score: 91 },
      { entryId: 'c-3', gridId: 'grid-0-0-1', date: '2026-03-10', compliant: false },
      { entryId: 'c-4', gridId: 'grid-1-0-0', date: '2026-03-12', compliant: true },
      { entryId: 'c-5', gridId: 'grid-0-1-0', date: '2026-02-15', compliant: true },
    ];
    for (const e of compliance) {
      const r = await post('/api/ledgers/compliance', e);
      expect(r.status, r.text).toBe(201);
      expect(r.body.entry).toMatchObject({ ...e, townId: e.gridId.startsWith('grid-0') ? 'town-jinsha' : 'town-xianfeng', recordedBy: 'operator-1' });
    }
    const again = await post('/api/ledgers/compliance', compliance[0]);
    expect([again.status, again.body.replay]).toEqual([200, true]);
    const reused = await post('/api/ledgers/compliance', { ...compliance[0], compliant: true });
    expect([reused.status, reused.body.error.code, reused.body.error.field]).toEqual([409, 'already_exists', 'entryId']);

    const chief = await login(t.url, 'chief');
    for (const [e, token] of [
      [{ entryId: 'a-1', unitId: 'comm-0-0', date: '2026-03-15', asked: 50, aware: 40 }, op],
      [{ entryId: 'a-2', unitId: 'grid-0-0-1', date: '2026-03-16', asked: 30, aware: 15, note: '入户问卷' }, chief],
      [{ entryId: 'a-3', unitId: 'comm-1-0', date: '2026-03-20', asked: 20, aware: 19 }, op],
    ] as const) {
      const r = await post('/api/ledgers/awareness', e, token);
      expect(r.status, r.text).toBe(201);
    }
    const a2 = (await get('/api/ledgers/awareness?period=month&date=2026-03-01')).body.entries.find((e: { entryId: string }) => e.entryId === 'a-2');
    expect(a2).toMatchObject({ unitLevel: 'grid', townId: 'town-jinsha', recordedBy: 'chief-duty' });
  });

  it('names the field of a bad entry and stores nothing', async () => {
    const bad: [unknown, number, string, string][] = [
      [{ entryId: 'c-x', gridId: 'grid-nowhere', date: '2026-03-10', compliant: true }, 422, 'unknown_reference', 'gridId'],
      [{ entryId: 'c-x', gridId: 'grid-0-0-0', date: '2026-02-30', compliant: true }, 400, 'invalid', 'date'],
      [{ entryId: 'c-x', gridId: 'grid-0-0-0', date: '2026-04-02', compliant: true }, 400, 'invalid', 'date'],
      [{ entryId: 'c-x', gridId: 'grid-0-0-0', date: '2026-03-10' }, 400, 'invalid', 'compliant'],
      [{ entryId: 'c-x', gridId: 'grid-0-0-0', date: '2026-03-10', compliant: 'yes' }, 400, 'invalid', 'compliant'],
    ];
    for (const [body, status, code, field] of bad) {
      const r = await post('/api/ledgers/compliance', body);
      expect([r.status, r.body.error.code, r.body.error.field], JSON.stringify(body)).toEqual([status, code, field]);
      expect(r.body.error.message.length).toBeGreaterThan(10);
    }
    const survey: [unknown, number, string][] = [
      [{ entryId: 'a-x', unitId: 'comm-0-0', date: '2026-03-10', asked: 10, aware: 11 }, 400, 'aware'],
      [{ entryId: 'a-x', unitId: 'comm-0-0', date: '2026-03-10', asked: 0, aware: 0 }, 400, 'asked'],
      [{ entryId: 'a-x', unitId: 'town-jinsha', date: '2026-03-10', asked: 10, aware: 5 }, 422, 'unitId'],
    ];
    for (const [body, status, field] of survey) {
      const r = await post('/api/ledgers/awareness', body);
      expect([r.status, r.body.error.field], JSON.stringify(body)).toEqual([status, field]);
    }
    const listed = await get('/api/ledgers/compliance?period=year&date=2026-01-01');
    expect(listed.body.entries.map((e: { entryId: string }) => e.entryId).sort()).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
  });

  it('gives the three rates of March, for the district and per town', async () => {
    const r = await get('/api/stats/rates?period=month&date=2026-03-01');
    expect(r.status, r.text).toBe(200);
    const rates = Rates.parse(r.body);
    // the re-inspection of grid-0-0-0 on 03-25 supersedes 03-10; c-5 is February's
    expect(rates.total).toEqual({
      name: '通州区',
      grids: 1100,
      compliance: { numerator: 2, denominator: 3, value: 2 / 3 },
      awareness: { numerator: 74, denominator: 100, value: 0.74 },
      satisfaction: { numerator: 1, denominator: 2, value: 0.5 },
    });
    expect(rates.towns).toHaveLength(12);
    const town = (id: string) => rates.towns.find((x) => x.townId === id)!;
    expect(town('town-jinsha')).toEqual({
      townId: 'town-jinsha',
      name: '金沙街道',
      grids: 66,
      compliance: { numerator: 1, denominator: 2, value: 0.5 },
      awareness: { numerator: 55, denominator: 80, value: 55 / 80 },
      satisfaction: { numerator: 1, denominator: 2, value: 0.5 },
    });
    expect(town('town-xianfeng')).toMatchObject({
      compliance: { numerator: 1, denominator: 1, value: 1 },
      awareness: { numerator: 19, denominator: 20 },
      satisfaction: { numerator: 0, denominator: 0, value: null },
    });
    // the quarter takes February's inspection of grid-0-1-0 in
    const q = (await get('/api/stats/rates?date=2026-03-01')).body;
    expect([q.period, q.total.compliance]).toEqual(['quarter', { numerator: 3, denominator: 4, value: 0.75 }]);
  });
});

describe('visits from the field', () => {
  it('keeps a visit with where it was and answers a retry with the first record', async () => {
    const listed = await get('/api/ledgers/visits?period=day&date=2026-03-01');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.visits).toHaveLength(1);
    const v = listed.body.visits[0];
    expect(v).toMatchObject({
      visitId: 'v-1', personId: LEADER, townId: 'town-jinsha', communityId: 'comm-0-0', gridId: 'grid-0-0-0', household: '人民新村3幢201 张家',
      attachments: [photo], at: cst('03-01 10:00'), recordedAt: cst('03-01 10:05'),
    });
    clock = cst('03-01 10:06');
    const retry = await request(t.url, 'POST', '/api/field/visits', { token: dev(LEADER), json: visitBody('v-1', '03-01 10:00', { attachments: [photo] }) });
    expect([retry.status, retry.body.replay, retry.body.visit.recordedAt]).toEqual([200, true, cst('03-01 10:05')]);
    const reused = await request(t.url, 'POST', '/api/field/visits', { token: dev(LEADER), json: visitBody('v-1', '03-01 10:00', { household: '另一户' }) });
    expect([reused.status, reused.body.error.code, reused.body.error.field]).toEqual([409, 'already_exists', 'visitId']);
    // another person's retry of the same id is no retry of theirs
    const other = await request(t.url, 'POST', '/api/field/visits', { token: dev(PEER), json: visitBody('v-1', '03-01 10:00', { attachments: [photo] }) });
    expect(other.status).toBe(409);
    clock = NOW1;
  });

  it('refuses bad input with the field to blame, and stores nothing', async () => {
    clock = cst('03-20 12:00');
    const bad: [Record<string, unknown>, number, string, string][] = [
      [{ household: undefined }, 400, 'invalid', 'household'],
      [{ household: '   ' }, 400, 'invalid', 'household'],
      [{ position: { lng: 116.4, lat: 39.9 } }, 400, 'invalid', 'position'],
      [{ position: { lng: 121 } }, 400, 'invalid', 'position.lat'],
      [{ at: cst('03-20 13:00') }, 400, 'invalid', 'at'],
      [{ at: cst('03-12 11:00') }, 400, 'invalid', 'at'],
      [{ attachments: ['f'.repeat(64)] }, 422, 'unknown_reference', 'attachments.0'],
      [{ attachments: ['not-a-hash'] }, 400, 'invalid', 'attachments.0'],
      [{ mood: 'fine' }, 400, 'invalid', ''],
    ];
    for (const [over, status, code, field] of bad) {
      const body = visitBody('v-bad', '03-20 11:50', over);
      const r = await request(t.url, 'POST', '/api/field/visits', { token: dev(LEADER), json: body });
      expect([r.status, r.body.error.code, r.body.error.field ?? ''], JSON.stringify(over)).toEqual([status, code, field]);
      expect(r.body.error.message, JSON.stringify(over)).toMatch(field ? new RegExp(field.split('.')[0]!) : /mood/);
    }
    const desk = await request(t.url, 'POST', '/api/field/visits', { token: op, json: visitBody('v-desk', '03-20 11:50') });
    expect([desk.status, desk.body.error.code]).toEqual([403, 'forbidden']);
    clock = NOW1;
    const all = await get('/api/ledgers/visits?period=quarter&date=2026-03-01');
    expect(all.body.visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(['v-1', 'v-2', 'v-x']);
    const april = await get('/api/ledgers/visits?period=day&date=2026-04-01&personId=' + LEADER);
    expect(april.body.visits.map((v: { visitId: string }) => v.visitId)).toEqual(['v-3']);
  });
});

describe('the workbooks', () => {
  const workbook = async (path: string, token = op) => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    return { wb, disposition: decodeURIComponent(res.headers.get('content-disposition')!) };
  };

  it('exports the March ledger with the three rates, reopened and read cell by cell', async () => {
    const { wb, disposition } = await workbook('/api/stats/ledger.xlsx?period=month&date=2026-03-01');
    expect(disposition).toContain('台账-2026-03-01至2026-03-31.xlsx');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['台账', '三率', '说明与口径']);
    const ws = wb.getWorksheet('台账')!;
    expect(ws.getRow(1).values).toEqual([
      undefined, '序号', '姓名', '人员编号', '岗位', '网格', '镇街', '在岗天数', '巡查覆盖率', '已巡单元', '网格单元', '上报事件', '走访户次', '处置任务', '按时处置', '按时处置率',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount).toBe(1 + 1100);
    let leader: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.getCell(3).value === LEADER) leader = row;
    });
    expect(leader!.getCell(4).value).toBe('网格长');
    expect(leader!.getCell(6).value).toBe('金沙街道');
    expect([7, 9, 10, 11, 12, 13, 14].map((c) => leader!.getCell(c).value)).toEqual([9, 3, 228, 2, 2, 3, 1]);
    expect(leader!.getCell(8).value).toBeCloseTo(3 / 228, 12);
    expect(leader!.getCell(8).numFmt).toBe('0.0%');
    expect(leader!.getCell(15).value).toBeCloseTo(1 / 3, 12);
    expect(leader!.getCell(15).numFmt).toBe('0.0%');
    expect(leader!.getCell(7).numFmt).toBe('0');
    // nothing handled: a dash, not 0 %
    let idle: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.getCell(3).value === 'leader-2-0-0') idle = row;
    });
    expect(idle!.getCell(15).value).toBe('—');

    const rates = wb.getWorksheet('三率')!;
    expect(rates.getRow(2).getCell(1).value).toBe('通州区');
    expect([3, 4, 5, 6, 7, 8, 9, 10, 11].map((c) => rates.getRow(2).getCell(c).value)).toEqual([2 / 3, 2, 3, 0.74, 74, 100, 0.5, 1, 2]);
    expect(rates.getRow(2).getCell(3).numFmt).toBe('0.0%');
    expect(rates.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });

    const about = wb.getWorksheet('说明与口径')!;
    const byName = new Map<string, ExcelJS.Row>();
    about.eachRow((row) => byName.set(String(row.getCell(1).value), row));
    expect(byName.get('统计期间')!.getCell(2).value).toBe('2026-03-01 至 2026-03-31');
    expect(byName.get('台账类型')!.getCell(2).value).toBe('月台账');
    expect(String(byName.get('网格达标率')!.getCell(3).value)).toContain('达标网格 ÷ 检查网格');
    expect(String(byName.get('在岗天数')!.getCell(3).value)).toContain('定位');
  });

  it('exports a town’s bulletin with the silent grids marked', async () => {
    const desk = await login(t.url, 'desk-jinsha');
    const { wb, disposition } = await workbook('/api/stats/bulletin.xlsx?date=2026-03-01', desk);
    expect(disposition).toContain('三天一通报-2026-03-01.xlsx');
    const ws = wb.getWorksheet('三天一通报')!;
    expect(ws.getRow(1).values).toEqual([undefined, '排名', '网格', '网格编号', '类型', '社区', '镇街', '网格员', '上报事件', '网格内事件', '零上报']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount).toBe(1 + 66);
    const first = ws.getRow(2);
    expect([first.getCell(1).value, first.getCell(3).value, first.getCell(4).value, first.getCell(8).value, first.getCell(9).value, first.getCell(10).value]).toEqual([
      1, 'grid-0-0-0', '综合网格', 1, 2, null,
    ]);
    const second = ws.getRow(3);
    expect([second.getCell(1).value, second.getCell(8).value, second.getCell(10).value]).toEqual([2, 0, '是']);
    expect((second.getCell(2).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFDE2E1');
    const about = wb.getWorksheet('说明与口径')!;
    const values = new Map<string, unknown>();
    about.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect([values.get('零上报网格数'), values.get('网格数'), values.get('统计时段')]).toEqual([65, 66, '2026-02-27 至 2026-03-01']);
  });
});

describe('who may ask', () => {
  let desk: string;
  beforeAll(async () => {
    desk = await login(t.url, 'desk-jinsha');
  });

  it('holds a sub-centre desk to its own town in every query', async () => {
    const l = await ledger('period=month&date=2026-03-01', desk);
    expect(l.townId).toBe('town-jinsha');
    expect(l.rows).toHaveLength(66);
    expect(l.rows.every((r) => r.townId === 'town-jinsha')).toBe(true);
    expect(rowOf(l.rows, LEADER).dutyDays).toBe(9);
    const b = (await get('/api/stats/bulletin?date=2026-03-01', desk)).body;
    expect([b.townId, b.summary.grids]).toEqual(['town-jinsha', 66]);
    const r = (await get('/api/stats/rates?period=month&date=2026-03-01', desk)).body;
    expect(r.towns.map((x: { townId: string }) => x.townId)).toEqual(['town-jinsha']);
    expect([r.total.name, r.total.compliance.denominator, r.total.awareness.denominator]).toEqual(['金沙街道', 2, 80]);
    const visits = (await get('/api/ledgers/visits?period=month&date=2026-03-01', desk)).body.visits;
    expect(visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(['v-1', 'v-2']);
    const c = (await get('/api/ledgers/compliance?period=month&date=2026-03-01', desk)).body.entries;
    expect(c.map((e: { entryId: string }) => e.entryId).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    const a = (await get('/api/ledgers/awareness?period=month&date=2026-03-01', desk)).body.entries;
    expect(a.map((e: { entryId: string }) => e.entryId).sort()).toEqual(['a-1', 'a-2']);
  });

  it('refuses another town to a sub-centre desk, everywhere', async () => {
    for (const path of [
      '/api/stats/ledger?townId=town-xianfeng',
      '/api/stats/ledger.xlsx?townId=town-xianfeng',
      '/api/stats/bulletin?townId=town-xianfeng',
      '/api/stats/bulletin.xlsx?townId=town-xianfeng',
      '/api/stats/rates?townId=town-xianfeng',
      '/api/ledgers/visits?townId=town-xianfeng',
      `/api/ledgers/visits?personId=${LEADER_X}&period=month&date=2026-03-01`,
      '/api/ledgers/compliance?townId=town-xianfeng',
      '/api/ledgers/awareness?townId=town-xianfeng',
    ]) {
      const r = await get(path, desk);
      expect([r.status, r.body?.error?.code], path).toEqual([403, 'out_of_scope']);
      expect(r.body.error.message, path).toContain('town-jinsha');
    }
    // an operator may ask for any town
    expect((await get('/api/stats/ledger?townId=town-xianfeng')).body.rows.every((r: LedgerRow) => r.townId === 'town-xianfeng')).toBe(true);
  });

  it('leaves the entries to the district, and the ledgers to desks', async () => {
    for (const [path, body] of [
      ['/api/ledgers/compliance', { entryId: 'c-desk', gridId: 'grid-0-0-0', date: '2026-03-10', compliant: true }],
      ['/api/ledgers/awareness', { entryId: 'a-desk', unitId: 'comm-0-0', date: '2026-03-10', asked: 10, aware: 9 }],
    ] as const) {
      const r = await request(t.url, 'POST', path, { token: desk, json: body });
      expect([r.status, r.body.error.code], path).toEqual([403, 'forbidden']);
      expect(r.body.error.message).toContain('district');
      const field = await request(t.url, 'POST', path, { token: dev(LEADER), json: body });
      expect(field.status, path).toBe(403);
    }
    for (const path of ['/api/stats/ledger', '/api/stats/bulletin', '/api/stats/rates', '/api/ledgers/visits', '/api/ledgers/compliance']) {
      const r = await get(path, dev(LEADER));
      expect([r.status, r.body.error.code], path).toEqual([403, 'forbidden']);
      expect((await request(t.url, 'GET', path)).status, path).toBe(401);
    }
    const c = (await get('/api/ledgers/compliance?period=year&date=2026-03-01')).body.entries;
    expect(c.some((e: { entryId: string }) => e.entryId === 'c-desk')).toBe(false);
  });

  it('names what is wrong with a query', async () => {
    const cases: [string, string][] = [
      ['/api/stats/ledger?period=fortnight', 'period'],
      ['/api/stats/ledger?date=2026-02-30', 'date'],
      ['/api/stats/ledger?date=yesterday', 'date'],
      ['/api/stats/bulletin?date=2026-3-1', 'date'],
      ['/api/stats/rates?from=0', ''],
      ['/api/ledgers/visits?limit=all', 'limit'],
    ];
    for (const [path, field] of cases) {
      const r = await get(path);
      expect([r.status, r.body.error.code, r.body.error.field ?? ''], path).toEqual([400, 'invalid', field]);
    }
  });
});

describe('beyond the position history', () => {
  it('kept the seed’s day when its fixes were pruned, and counts the quarter', async () => {
    const db = t.hub.store.db;
    const seedDay = cstDayNumber(cst('02-20 09:00'));
    // the fix of 03-29 pruned everything before 02-27 16:00, after rolling it up
    expect(db.prepare('SELECT count(*) FROM position_track WHERE at < ?').pluck().get(cst('02-27 00:00'))).toBe(0);
    expect(db.prepare('SELECT count(*) FROM patrol_rollups WHERE day = ?').pluck().get(seedDay)).toBe(1);

    // a new day: two fixes this morning, which prune the history up to 03-03 09:00
    await fix('04-02 09:00', LEADER, G0(4, 3));
    await fix('04-02 09:30', LEADER, G0(5, 3));
    clock = cst('04-02 12:00');
    expect(db.prepare('SELECT count(*) FROM position_track WHERE at < ?').pluck().get(cst('03-03 00:00'))).toBe(0);

    // the background roll-up (a quarter hour of fixes at a time) takes the settled day the ledgers have not asked for yet
    expect(db.prepare('SELECT count(*) FROM patrol_rollups WHERE day = ?').pluck().get(cstDayNumber(cst('04-01 12:00')))).toBe(0);
    expect(await t.hub.store.rollUpPatrolDays(clock, 31)).toBe(1);
    expect(db.prepare('SELECT count(*) FROM patrol_rollups WHERE day = ?').pluck().get(cstDayNumber(cst('04-01 12:00')))).toBe(1);
    expect(await t.hub.store.rollUpPatrolDays(clock, 31)).toBe(0);
    // today is read from the history as it stands
    const today = rowOf((await ledger('period=day')).rows, LEADER);
    expect(today).toMatchObject({ dutyDays: 1, patrol: { numerator: 2, denominator: 228 } });
    // Monday 03-30 to Sunday 04-05: rolled-up days (03-31 report, 04-01 visit) and today's fixes
    const week = rowOf((await ledger('period=week&date=2026-04-02')).rows, LEADER);
    expect(week).toMatchObject({ dutyDays: 3, patrol: { numerator: 2 }, reported: 1, visits: 1 });
    // March is what it was, though its first days' fixes are gone
    const march = rowOf((await ledger('period=month&date=2026-03-01')).rows, LEADER);
    expect(march).toMatchObject({ dutyDays: 9, patrol: { numerator: 3, denominator: 228 } });
    // the first quarter: March, 02-28 (cell 0) and the seed's 02-20 (the grid's centre, cell 104)
    const quarter = await ledger('period=quarter&date=2026-02-01');
    expect([quarter.days, quarter.daysBegun]).toEqual([90, 90]);
    expect(rowOf(quarter.rows, LEADER)).toMatchObject({
      dutyDays: 11,
      patrol: { numerator: 5, denominator: 228 },
      reported: 2,
      visits: 2,
      handled: 3,
      handledOnTime: { numerator: 1, denominator: 3 },
    });
    // everyone else with a seed fix has that one day
    expect(rowOf(quarter.rows, 'leader-2-0-0')).toMatchObject({ dutyDays: 1, patrol: { numerator: 1 } });
    // the second quarter so far: 04-01 (visit) and today
    const q2 = await ledger('period=quarter&date=2026-04-02');
    expect([q2.days, q2.daysBegun]).toEqual([91, 2]);
    expect(rowOf(q2.rows, LEADER)).toMatchObject({ dutyDays: 2, visits: 1, patrol: { numerator: 2 } });
  });
});
