/**
 * The console core through a hub restart: the link goes to reconnecting, a command made meanwhile
 * waits in the outbox, and once the hub is back the feed catches up and the command is settled.
 */
import { afterAll, expect, it } from 'vitest';
import type { ConsoleNotice } from '../shared/schema';
import { startHub, type RunningHub } from '../server/hub';
import { ConsoleCore } from '../electron/core/console/core';
import { expectApplied, login, PLACES, postCommand, removeDir, reportCmd, tempDir } from './helpers/hub';
import { until } from './helpers/wait';

let hub: RunningHub | undefined;
let core: ConsoleCore | undefined;
let dir: string | undefined;

afterAll(async () => {
  await core?.close();
  await hub?.close();
  if (dir) await removeDir(dir);
});

it('keeps working through a hub restart and sends what waited', async () => {
  dir = await tempDir('console-reconnect');
  const opts = { demo: true, dataDir: dir, deadlineSweepMs: 3600_000 } as const;
  hub = await startHub({ ...opts, port: 0 });
  const port = hub.port;
  const url = hub.url;
  core = new ConsoleCore({ hubUrl: url, cacheFile: ':memory:', feed: { retryMs: 50, maxRetryMs: 300 }, outbox: { retryMs: 50, maxRetryMs: 300 } });
  const notices: ConsoleNotice[] = [];
  core.onNotice((n) => notices.push(n));
  const op2 = await login(url, 'operator2');
  const rep = reportCmd({ position: PLACES.jinsha });
  const eventId = rep.eventId as string;
  await expectApplied(postCommand(url, op2, rep));

  const c = core;
  await c.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
  await until(() => c.session().link === 'online' && c.cache.event(eventId), 'online with the report');

  await hub.close();
  hub = undefined;
  await until(() => c.session().link !== 'online', 'the link to drop');

  // made while the hub is away: stored and shown, not lost
  const res = await c.handle({ id: 2, type: 'dispatchTop', eventId, assigneeId: 'leader-0-0-0' });
  expect(c.cache.event(eventId)).toMatchObject({ state: 'dispatched', assigneeId: 'leader-0-0-0' });
  expect(c.session().outbox).toBe(2);

  hub = await startHub({ ...opts, port });
  await until(() => c.session().link === 'online', 'the link back', 30_000);
  await until(() => c.session().outbox === 0, 'the outbox drained', 30_000);
  const settled = notices.filter((n): n is Extract<ConsoleNotice, { type: 'settled' }> => n.type === 'settled');
  expect(settled.map((s) => [s.commandId, s.status])).toEqual(res.commandIds.map((id) => [id, 'applied']));
  expect(await hub.store.getEvent(eventId)).toMatchObject({ state: 'dispatched', assigneeId: 'leader-0-0-0' });
  await until(() => c.cache.event(eventId)?.timelineLength === 3 && !c.cache.isPending(eventId), 'the hub record in the cache');
});
