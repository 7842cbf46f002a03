/**
 * The console core's statistics requests (the wall screen's and the report's data, and the
 * three-day bulletin (三天一通报) with its workbook through the host's route): asked of a real hub
 * over loopback, checked against the hub's own answer, kept and marked stale while the hub is
 * down, and a sub-centre desk held to its town through the core as through the hub.
 */
import ExcelJS from 'exceljs';
import Fastify from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../server/hub';
import { demoDeviceToken } from '../server/demo/district';
import { ConsoleCore } from '../electron/core/console/core';
import { BULLETIN_EXPORT_ROUTE, registerStatsExportRoutes } from '../electron/core/console/stats-export-route';
import { cstDateString } from '../shared/ledgers';
import { DAY_MS } from '../shared/deadline';
import { BulletinQuery, LedgerQuery, type Bulletin } from '../shared/schema/ledgers';
import { periodOf } from '../shared/stats';
import { DomainError } from '../shared/errors';
import { expectApplied, login, PLACES, postCommand, removeDir, reportCmd, request, tempDir } from './helpers/hub';

let hub: RunningHub | undefined;
const cores: ConsoleCore[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const c of cores) await c.close();
  await hub?.close();
  if (dir) await removeDir(dir);
});

const newCore = (url: string) => {
  const c = new ConsoleCore({ hubUrl: url, cacheFile: ':memory:', feed: { retryMs: 50, maxRetryMs: 300 }, outbox: { retryMs: 50, maxRetryMs: 300 } });
  cores.push(c);
  return c;
};

it('answers the hub figures, keeps them while the hub is down, and holds a desk to its town', async () => {
  dir = await tempDir('console-stats');
  hub = await startHub({ demo: true, dataDir: dir, port: 0, deadlineSweepMs: 3600_000 });
  const url = hub.url;
  const period = periodOf('this_month', Date.now());
  const op = await login(url, 'operator');
  for (const position of [PLACES.jinsha, PLACES.jinsha, PLACES.dongshe]) await expectApplied(postCommand(url, op, reportCmd({ position })));
  const core = newCore(url);
  await core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });

  const direct = await request(url, 'GET', `/api/stats/overview?from=${period.from}&to=${period.to}`, { token: op });
  expect(direct.status).toBe(200);
  const ov = await core.handle({ id: 2, type: 'statsOverview', period });
  expect(ov.stale).toBe(false);
  // the hub's "at" moment differs between the two asks; every counted figure is the same
  expect({ ...ov.data, at: 0 }).toEqual({ ...direct.body, at: 0 });
  expect(ov.data.intake).toBe(3);

  const towns = await core.handle({ id: 3, type: 'statsBreakdown', by: 'town', period });
  expect(towns.data.rows.length).toBeGreaterThan(1);
  expect(towns.data.rows.reduce((n, r) => n + r.intake, 0)).toBe(ov.data.intake);
  const overdue = await core.handle({ id: 4, type: 'statsOverdue', limit: 5 });
  expect(overdue.data.length).toBeLessThanOrEqual(5);

  // a malformed period is refused by the core's schema, naming the field
  const bad = await core.request({ id: 5, type: 'statsOverview', period: { from: period.to, to: period.from } });
  expect(bad).toMatchObject({ ok: false, error: { error: { code: 'invalid', field: 'period.to' } } });

  // a desk through the core: its own town only, another town refused by the hub
  const desk = newCore(url);
  await desk.handle({ id: 1, type: 'login', username: 'desk-jinsha', password: 'desk-jinsha' });
  const own = await desk.handle({ id: 2, type: 'statsOverview', period });
  expect(own.data.townId).toBe('town-jinsha');
  const jinsha = towns.data.rows.find((r) => r.id === 'town-jinsha');
  expect(own.data.intake).toBe(jinsha?.intake);
  expect(own.data.intake).toBe(2);
  const other = towns.data.rows.find((r) => r.id !== 'town-jinsha')!;
  await expect(desk.handle({ id: 3, type: 'statsOverview', period: { ...period, townId: other.id } })).rejects.toMatchObject({ code: 'out_of_scope' });

  // the three-day bulletin (三天一通报): a grid leader reports from the field today; the bulletin
  // ending today counts it for the leader's grid, the others are silent (another category: not a
  // duplicate of the operator's reports at the same spot)
  await expectApplied(postCommand(url, demoDeviceToken('leader-0-0-0'), reportCmd({ position: PLACES.jinsha, source: 'field', categoryId: 'sanitation', description: '路边垃圾堆放未清运' })));
  const today = cstDateString(Date.now());
  const hubBulletin = await request<Bulletin>(url, 'GET', `/api/stats/bulletin?date=${today}`, { token: op });
  expect(hubBulletin.status).toBe(200);
  const bulletin = await core.handle({ id: 8, type: 'statsBulletin', query: { date: today } });
  expect(bulletin.stale).toBe(false);
  expect({ ...bulletin.data, at: 0 }).toEqual({ ...hubBulletin.body, at: 0 });
  expect(bulletin.data.date).toBe(today);
  expect(bulletin.data.to - bulletin.data.from).toBe(3 * DAY_MS);
  const reporting = bulletin.data.rows.find((r) => r.gridId === 'grid-0-0-0')!;
  expect(reporting).toMatchObject({ rank: 1, reports: 1, silent: false });
  expect(bulletin.data.summary.reports).toBe(1);
  expect(bulletin.data.summary.grids).toBe(bulletin.data.rows.length);
  expect(bulletin.data.summary.silent).toBe(bulletin.data.rows.length - 1);
  // by default the three days ending yesterday, as the hub says
  const byDefault = await core.handle({ id: 9, type: 'statsBulletin', query: {} });
  const hubDefault = await request<Bulletin>(url, 'GET', '/api/stats/bulletin', { token: op });
  expect({ ...byDefault.data, at: 0 }).toEqual({ ...hubDefault.body, at: 0 });
  expect(byDefault.data.date).toBe(cstDateString(Date.now() - DAY_MS));
  // a bad date is refused by the core's schema, naming the field
  const badDate = await core.request({ id: 10, type: 'statsBulletin', query: { date: '2026-02-31' } });
  expect(badDate).toMatchObject({ ok: false, error: { error: { code: 'invalid', field: 'query.date' } } });
  // a desk gets its own town's grids, and another town is refused
  const deskBulletin = await desk.handle({ id: 4, type: 'statsBulletin', query: { date: today } });
  expect(deskBulletin.data.townId).toBe('town-jinsha');
  expect(deskBulletin.data.rows.length).toBeGreaterThan(0);
  expect(deskBulletin.data.rows.every((r) => r.townId === 'town-jinsha')).toBe(true);
  expect(deskBulletin.data.rows.find((r) => r.gridId === 'grid-0-0-0')?.reports).toBe(1);
  await expect(desk.handle({ id: 5, type: 'statsBulletin', query: { date: today, townId: other.id } })).rejects.toMatchObject({ code: 'out_of_scope' });

  // its workbook through the host's route (the one the console page downloads): the console's own page only, the query checked
  const app = Fastify();
  registerStatsExportRoutes(app, core, () => 'http://127.0.0.1:1', LedgerQuery, BulletinQuery);
  try {
    const own = { 'sec-fetch-site': 'same-origin' };
    const res = await app.inject({ method: 'GET', url: `${BULLETIN_EXPORT_ROUTE}?date=${today}`, headers: own });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="bulletin.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('三天一通报')!;
    expect(ws.getRow(1).getCell(1).value).toBe('排名');
    expect(ws.rowCount - 1).toBe(bulletin.data.rows.length);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(3).value === 'grid-0-0-0')!;
    expect(row.getCell(1).value).toBe(1);
    expect(row.getCell(8).value).toBe(1);
    const silentRow = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(8).value === 0)!;
    expect(silentRow.getCell(10).value).toBe('是');
    const about = wb.getWorksheet('说明与口径')!;
    expect(about.getRow(2).values).toEqual(expect.arrayContaining(['通报日期', today]));

    const foreign = await app.inject({ method: 'GET', url: `${BULLETIN_EXPORT_ROUTE}?date=${today}` });
    expect(foreign.statusCode).toBe(403);
    const bad = await app.inject({ method: 'GET', url: `${BULLETIN_EXPORT_ROUTE}?date=2026-13-01`, headers: own });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid', field: 'date' } });
    const deskApp = Fastify();
    registerStatsExportRoutes(deskApp, desk, () => 'http://127.0.0.1:1', LedgerQuery, BulletinQuery);
    const otherTown = await deskApp.inject({ method: 'GET', url: `${BULLETIN_EXPORT_ROUTE}?date=${today}&townId=${other.id}`, headers: own });
    expect(otherTown.statusCode).toBe(403);
    expect(otherTown.json()).toMatchObject({ error: { code: 'out_of_scope' } });
    await deskApp.close();
  } finally {
    await app.close();
  }

  // the hub goes away: the same question gets the kept answer, marked stale; a new one fails plainly
  await hub.close();
  hub = undefined;
  const kept = await core.handle({ id: 6, type: 'statsOverview', period });
  expect(kept.stale).toBe(true);
  expect(kept.data).toEqual(ov.data);
  expect(kept.fetchedAt).toBe(ov.fetchedAt);
  const keptBulletin = await core.handle({ id: 11, type: 'statsBulletin', query: { date: today } });
  expect(keptBulletin.stale).toBe(true);
  expect(keptBulletin.data).toEqual(bulletin.data);
  expect(keptBulletin.fetchedAt).toBe(bulletin.fetchedAt);
  // a workbook is never answered from memory
  await expect(core.statsWorkbook('bulletin', new URLSearchParams({ date: today }))).rejects.toMatchObject({ code: 'unavailable' });
  const fresh = core.handle({ id: 7, type: 'statsOverview', period: { from: period.from, to: period.to - 1 } });
  await expect(fresh).rejects.toBeInstanceOf(DomainError);
  await expect(fresh).rejects.toMatchObject({ code: 'unavailable' });
});
