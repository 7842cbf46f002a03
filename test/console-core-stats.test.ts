/**
 * The console core's statistics requests (the wall screen's and the report's data): asked of a real
 * hub over loopback, checked against the hub's own answer, kept and marked stale while the hub is
 * down, and a sub-centre desk held to its town through the core as through the hub.
 */
import { afterAll, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../server/hub';
import { ConsoleCore } from '../electron/core/console/core';
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

  // the hub goes away: the same question gets the kept answer, marked stale; a new one fails plainly
  await hub.close();
  hub = undefined;
  const kept = await core.handle({ id: 6, type: 'statsOverview', period });
  expect(kept.stale).toBe(true);
  expect(kept.data).toEqual(ov.data);
  expect(kept.fetchedAt).toBe(ov.fetchedAt);
  const fresh = core.handle({ id: 7, type: 'statsOverview', period: { from: period.from, to: period.to - 1 } });
  await expect(fresh).rejects.toBeInstanceOf(DomainError);
  await expect(fresh).rejects.toMatchObject({ code: 'unavailable' });
});
