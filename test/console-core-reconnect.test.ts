/**
 * The console core through a hub restart: the link goes to reconnecting, a command made meanwhile
 * waits in the outbox, and once the hub is back the feed catches up and the command is settled.
 */
import { afterAll, expect, it } from 'vitest';
import type { ConsoleNotice } from '../shared/schema';
import { coreOnHub, type CoreOnHub } from './helpers/core-offline';
import { until } from './helpers/wait';

let t: CoreOnHub | undefined;
afterAll(async () => t?.close());

it('keeps working through a hub restart and sends what waited', async () => {
  t = await coreOnHub('console-reconnect');
  const { core: c, notices, eventId } = t;
  await t.hubDown();

  // made while the hub is away: stored and shown, not lost
  const res = await c.handle({ id: 2, type: 'dispatchTop', eventId, assigneeId: 'leader-0-0-0' });
  expect(c.cache.event(eventId)).toMatchObject({ state: 'dispatched', assigneeId: 'leader-0-0-0' });
  expect(c.session().outbox).toBe(2);

  const hub = await t.hubUp();
  await until(() => c.session().link === 'online', 'the link back', 30_000);
  await until(() => c.session().outbox === 0, 'the outbox drained', 30_000);
  const settled = notices.filter((n): n is Extract<ConsoleNotice, { type: 'settled' }> => n.type === 'settled');
  expect(settled.map((s) => [s.commandId, s.status])).toEqual(res.commandIds.map((id) => [id, 'applied']));
  expect(await hub.store.getEvent(eventId)).toMatchObject({ state: 'dispatched', assigneeId: 'leader-0-0-0' });
  await until(() => c.cache.event(eventId)?.timelineLength === 3 && !c.cache.isPending(eventId), 'the hub record in the cache');
});
