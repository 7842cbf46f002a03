/**
 * Statistics against a month worked out by hand (issue 9): a demo hub on a clock the test sets,
 * every event driven through the real command pipeline, the figures read over HTTP. March 2026 in
 * China Standard Time is [2026-02-28T16:00Z, 2026-03-31T16:00Z): events just either side of both
 * midnights, one merged duplicate, one rejected report, one late hotline case, escalations to the
 * town, to law enforcement and to another department, one case in another town.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDeviceToken } from '../server/demo/district';
import { hotlineEventId } from '../server/hotline';
import { generateDistrict } from '../server/demo/generator';
import { cstDate } from '../shared/stats';
import { expectApplied, login, PLACES, postCommand, request, startTestHub, uid, type TestHub } from './helpers/hub';

/** A CST wall-clock time, e.g. cst('03-01 00:05') in 2026. */
const cst = (s: string) => Date.parse(`2026-${s.replace(' ', 'T')}:00+08:00`);
const MARCH = { from: cstDate(2026, 3), to: cstDate(2026, 4) };
const NOW = cst('04-02 12:00');
const LEADER = 'leader-0-0-0'; // grid-0-0-0, town-jinsha
const LEADER_X = 'leader-1-0-0'; // grid-1-0-0, town-xianfeng

let clock = cst('02-27 09:00');
let hub: TestHub;
let op: string;

async function at(time: string, token: string, command: Record<string, unknown>) {
  clock = cst(time);
  await expectApplied(postCommand(hub.url, token, { commandId: uid(String(command.type)), ...command }));
}

const report = (time: string, eventId: string, over: Record<string, unknown> = {}) =>
  at(time, op, { type: 'report', eventId, categoryId: 'municipal_facilities', description: `测试事件 ${eventId}`, position: PLACES.jinsha, source: 'phone', reportedAt: cst(time), ...over });

/** dispatch → acknowledge → feedback → review → close, the last at `closeAt` */
async function handle(eventId: string, leader: string, times: { dispatch: string; feedback: string; close: string }) {
  await at(times.dispatch, op, { type: 'dispatch', eventId, assigneeId: leader });
  await at(times.dispatch, demoDeviceToken(leader), { type: 'acknowledge', eventId });
  await at(times.feedback, demoDeviceToken(leader), { type: 'feedback', eventId, note: '已处置' });
  await at(times.feedback, op, { type: 'review', eventId });
  await at(times.close, op, { type: 'close', eventId });
}

beforeAll(async () => {
  hub = await startTestHub({ now: () => clock, sessionTtlMs: 400 * 24 * 3600_000 });
  op = await login(hub.url, 'operator');

  // K: accepted in February, closed in March, late
  await report('02-27 10:00', 'st-K');
  await at('02-27 10:05', op, { type: 'accept', eventId: 'st-K' });
  await handle('st-K', LEADER, { dispatch: '02-27 10:10', feedback: '03-02 08:00', close: '03-02 09:00' });
  // A: reported before midnight into March, accepted just after; closed on time, in the grid
  await report('02-28 23:30', 'st-A');
  await at('03-01 00:10', op, { type: 'accept', eventId: 'st-A' });
  await handle('st-A', LEADER, { dispatch: '03-01 00:15', feedback: '03-01 08:00', close: '03-01 09:00' });
  // B: reported 5 minutes into March (still February in UTC); escalated to the town, closed after its 72 h
  await report('03-01 00:05', 'st-B');
  await at('03-01 00:20', op, { type: 'accept', eventId: 'st-B' });
  await at('03-01 00:30', op, { type: 'escalate', eventId: 'st-B', escalation: { target: 'subcenter', orgUnitId: 'town-jinsha' }, note: '需镇街协调' });
  await handle('st-B', LEADER, { dispatch: '03-01 01:00', feedback: '03-03 10:00', close: '03-04 10:00' });
  // H: reported, rejected
  await report('03-05 08:00', 'st-H', { source: 'public' });
  await at('03-05 08:10', op, { type: 'reject', eventId: 'st-H', reason: 'invalid' });
  // E: a 12345 order with its own deadline, closed late, evaluated satisfied
  clock = cst('03-10 14:00');
  const order = {
    orderNo: 'GDST0001', receivedAt: cst('03-10 14:00'), callerName: '陈先生', callerPhone: '13800000000', content: '井盖破损',
    type: '市政设施-井盖', address: '人民路1号', position: PLACES.jinsha, deadline: cst('03-11 18:00'),
  };
  const intake = await request(hub.url, 'POST', '/api/intake/12345', { token: 'hotline_demo', json: order });
  expect(intake.status).toBeLessThan(300);
  const E = hotlineEventId('GDST0001');
  await at('03-10 14:05', op, { type: 'accept', eventId: E });
  await handle(E, LEADER, { dispatch: '03-10 14:10', feedback: '03-12 09:00', close: '03-12 09:30' });
  await at('03-12 10:00', op, { type: 'evaluate', eventId: E, satisfaction: 'satisfied' });
  // F: escalated to law enforcement, closed in time
  await report('03-15 09:00', 'st-F');
  await at('03-15 09:10', op, { type: 'accept', eventId: 'st-F' });
  await at('03-15 09:20', op, { type: 'escalate', eventId: 'st-F', escalation: { target: 'departments', departmentIds: ['dept-enforcement'] }, note: '违建，需执法' });
  await handle('st-F', LEADER, { dispatch: '03-15 09:30', feedback: '03-16 10:00', close: '03-16 11:00' });
  // G: escalated to sanitation, still open at NOW and past its deadline; I: a leader's duplicate of it
  await report('03-20 10:00', 'st-G', { source: 'public' });
  await at('03-20 10:05', op, { type: 'accept', eventId: 'st-G' });
  await at('03-20 10:10', op, { type: 'escalate', eventId: 'st-G', escalation: { target: 'departments', departmentIds: ['dept-sanitation'] }, note: '需环卫清运' });
  await at('03-20 10:30', demoDeviceToken(LEADER), {
    type: 'report', eventId: 'st-I', categoryId: 'municipal_facilities', description: '同一处井盖', position: PLACES.jinsha, source: 'field', reportedAt: cst('03-20 10:30'),
  });
  // J: another town, closed on time
  await report('03-25 12:00', 'st-J', { position: PLACES.xianfeng });
  await at('03-25 12:05', op, { type: 'accept', eventId: 'st-J' });
  await handle('st-J', LEADER_X, { dispatch: '03-25 12:10', feedback: '03-25 14:00', close: '03-25 15:00' });
  // C: the last ten minutes of March, accepted in April; D: exactly at April's midnight
  await report('03-31 23:50', 'st-C');
  await at('04-01 00:10', op, { type: 'accept', eventId: 'st-C' });
  await report('04-01 00:00', 'st-D');
  clock = NOW;
}, 120_000);

afterAll(() => hub?.close());

const get = (path: string, token = op) => request(hub.url, 'GET', path, { token });
const q = (extra = '') => `from=${MARCH.from}&to=${MARCH.to}${extra}`;

describe('statistics for March 2026 (CST), worked out by hand', () => {
  it('the merged duplicate really was merged (the fixture is what it says)', async () => {
    const r = await get('/api/stats/overdue');
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual(['st-G', 'st-C']);
  });

  it('counts the district overview', async () => {
    const r = await get(`/api/stats/overview?${q()}`);
    expect(r.status).toBe(200);
    const o = r.body;
    // B C E F G H J (A is February, D is April, I was merged into G, K is February)
    expect(o.intake).toBe(7);
    // A B E F G J (C was accepted in April, H rejected, K in February)
    expect(o.accepted).toBe(6);
    // A B E F J of those are closed
    expect(o.closureRate).toEqual({ numerator: 5, denominator: 6, value: 5 / 6 });
    // closed in March: K A B E F J; on time: A F J (K, B, E late)
    expect(o.closed).toBe(6);
    expect(o.onTimeRate).toEqual({ numerator: 3, denominator: 6, value: 0.5 });
    expect(o.satisfactionRate).toEqual({ numerator: 1, denominator: 1, value: 1 });
    expect(o.endedBy).toEqual({ grid: 4, town: 1, departments: 0, enforcement: 1 });
    expect(o.bySource).toEqual([
      { source: 'phone', count: 4 },
      { source: 'public', count: 2 },
      { source: 'hotline', count: 1 },
    ]);
    expect(o.byCategory).toEqual([{ categoryId: 'municipal_facilities', count: 7 }]);
    const hours = (key: 'count' | 'weekBefore') => Object.fromEntries(o.intakeByHour.filter((h: any) => h[key] > 0).map((h: any) => [h.hour, h[key]]));
    expect(hours('count')).toEqual({ 0: 1, 8: 1, 9: 1, 10: 1, 12: 1, 14: 1, 23: 1 });
    // a month is not compared hour by hour with the week before it
    expect(o.intakeByHour.every((h: any) => h.weekBefore === null)).toBe(true);
    // open now: G (escalated), C (accepted), D (reported); overdue: G and C (its deadline was the end of April 1)
    expect(o.open.reduce((n: number, x: any) => n + x.count, 0)).toBe(3);
    expect(Object.fromEntries(o.open.map((x: any) => [x.state, x.count]))).toEqual({ escalated: 1, accepted: 1, reported: 1 });
    expect(o.overdue).toBe(2);
    const walkers = generateDistrict().people.filter((p) => p.role === 'leader' || p.role === 'dedicated_member');
    expect(o.leadersOnDuty).toEqual({ total: walkers.length, onDuty: walkers.filter((p) => p.onDuty).length });
  });

  it('breaks the month down by town and by leader', async () => {
    const towns = (await get(`/api/stats/breakdown?${q('&by=town')}`)).body.rows;
    expect(towns).toEqual([
      {
        id: 'town-jinsha', name: '金沙街道', intake: 6, accepted: 5, closed: 5,
        closureRate: { numerator: 4, denominator: 5, value: 0.8 }, onTimeRate: { numerator: 2, denominator: 5, value: 0.4 }, open: 3, overdue: 2,
      },
      {
        id: 'town-xianfeng', name: '先锋街道', intake: 1, accepted: 1, closed: 1,
        closureRate: { numerator: 1, denominator: 1, value: 1 }, onTimeRate: { numerator: 1, denominator: 1, value: 1 }, open: 0, overdue: 0,
      },
    ]);
    const leaders = (await get(`/api/stats/breakdown?${q('&by=leader')}`)).body.rows;
    // the desk that reported most events is no leader: only field staff are listed
    expect(leaders.map((r: { id: string }) => r.id)).toEqual([LEADER, LEADER_X]);
    expect(leaders[0]).toMatchObject({ intake: 0, accepted: 4, closed: 5, closureRate: { numerator: 4, denominator: 4 }, onTimeRate: { numerator: 2, denominator: 5 } });
    expect(leaders[1]).toMatchObject({ accepted: 1, closed: 1 });
    const grids = (await get(`/api/stats/breakdown?${q('&by=grid')}`)).body.rows;
    expect(grids.map((r: { id: string }) => r.id)).toEqual(['grid-0-0-0', 'grid-1-0-0']);
  });

  it('compares a week hour by hour with the week before', async () => {
    const week = `from=${cst('03-09 00:00')}&to=${cst('03-16 00:00')}`;
    const o = (await get(`/api/stats/overview?${week}`)).body;
    const hours = (key: 'count' | 'weekBefore') => Object.fromEntries(o.intakeByHour.filter((h: any) => h[key] > 0).map((h: any) => [h.hour, h[key]]));
    expect(hours('count')).toEqual({ 14: 1, 9: 1 }); // E, F
    expect(hours('weekBefore')).toEqual({ 8: 1 }); // H, on the 5th
  });

  it('counts a period that is one CST day, across the UTC date line', async () => {
    const day = `from=${cst('03-01 00:00')}&to=${cst('03-02 00:00')}`;
    const o = (await get(`/api/stats/overview?${day}`)).body;
    expect(o.intake).toBe(1); // B
    expect(o.accepted).toBe(2); // A, B
    expect(o.closed).toBe(1); // A
  });
});

describe('statistics as an Excel workbook', () => {
  it('exports the month, reopened and read cell by cell', async () => {
    const res = await fetch(`${hub.url}/api/stats/export.xlsx?${q()}`, { headers: { authorization: `Bearer ${op}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('统计-2026-03-01.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概览', '来源与类别', '按镇街', '按社区', '按网格', '按网格员', '督办清单']);

    const ov = wb.getWorksheet('概览')!;
    const byName = new Map<string, ExcelJS.Row>();
    ov.eachRow((row) => byName.set(String(row.getCell(1).value), row));
    expect(ov.getRow(1).values).toEqual([undefined, '指标', '数值', '分子', '分母', '口径']);
    expect(byName.get('受理量')!.getCell(2).value).toBe(7);
    const closure = byName.get('办结率')!;
    expect(closure.getCell(2).value).toBeCloseTo(5 / 6, 10);
    expect(closure.getCell(2).numFmt).toBe('0.0%');
    expect([closure.getCell(3).value, closure.getCell(4).value]).toEqual([5, 6]);
    expect(String(closure.getCell(5).value)).toContain('结案数 ÷ 立案数');
    expect(byName.get('执法办结')!.getCell(2).value).toBe(1);
    expect(byName.get('统计期间')!.getCell(2).value).toBe('2026-03-01 至 2026-03-31');

    const towns = wb.getWorksheet('按镇街')!;
    expect(towns.getRow(1).values).toEqual([undefined, '名称', '编号', '受理量', '立案数', '结案数', '办结率', '按时办结率', '在办', '督办']);
    expect(towns.getRow(2).values).toEqual([undefined, '金沙街道', 'town-jinsha', 6, 5, 5, 0.8, 0.4, 3, 2]);
    expect(towns.getRow(2).getCell(7).numFmt).toBe('0.0%');

    const overdue = wb.getWorksheet('督办清单')!;
    expect(overdue.rowCount).toBe(3);
    const g = overdue.getRow(2);
    expect(g.getCell(1).value).toBe('st-G');
    expect(g.getCell(3).value).toBe('提级');
    expect(g.getCell(4).value).toBe('已提级');
    expect(g.getCell(5).value).toBe('金沙街道');
    // escalated at 03-20 10:10 CST: due 72 h later, shown as the CST wall-clock time
    expect((g.getCell(7).value as Date).toISOString()).toBe('2026-03-23T10:10:00.000Z');
    expect(g.getCell(7).numFmt).toBe('yyyy-mm-dd hh:mm');
  });
});

describe('statistics: who may ask, and bad questions', () => {
  it('holds a sub-centre desk to its own town', async () => {
    const desk = await login(hub.url, 'desk-jinsha');
    const own = await get(`/api/stats/overview?${q()}`, desk);
    expect(own.status).toBe(200);
    expect(own.body.townId).toBe('town-jinsha');
    expect(own.body.intake).toBe(6);
    expect(own.body.overdue).toBe(2);
    const other = await get(`/api/stats/overview?${q('&townId=town-xianfeng')}`, desk);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('out_of_scope');
    const rows = (await get(`/api/stats/breakdown?${q('&by=town')}`, desk)).body.rows;
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['town-jinsha']);
    const overdue = await get('/api/stats/overdue?townId=town-dongshe', desk);
    expect(overdue.status).toBe(403);
  });

  it('refuses field staff and names what is wrong with a query', async () => {
    const field = await get(`/api/stats/overview?${q()}`, demoDeviceToken(LEADER));
    expect(field.status).toBe(403);
    expect(field.body.error.code).toBe('forbidden');
    const backwards = await get(`/api/stats/overview?from=${MARCH.to}&to=${MARCH.from}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatchObject({ code: 'invalid', field: 'to' });
    const words = await get('/api/stats/overview?from=yesterday&to=1');
    expect(words.status).toBe(400);
    expect(words.body.error.message).toContain('from');
    const dim = await get(`/api/stats/breakdown?${q('&by=planet')}`);
    expect(dim.status).toBe(400);
    expect(dim.body.error.field).toBe('by');
    const long = await get(`/api/stats/overview?from=0&to=${MARCH.to}`);
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('400 days');
    expect((await request(hub.url, 'GET', `/api/stats/overview?${q()}`)).status).toBe(401);
  });
});
