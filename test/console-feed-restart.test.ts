/**
 * The console's change feed stopped and started again while it was waiting to reconnect (a kept
 * session restored at start, then a sign-in over it) still reconnects by itself once the hub is
 * reachable: a real hub on loopback, down and then up on the same port.
 */
import { afterAll, expect, it } from 'vitest';
import type { CoreLink } from '../shared/schema';
import { ConsoleCache } from '../electron/core/console/cache';
import { Feed } from '../electron/core/console/feed';
import { HubClient } from '../electron/core/console/hub-client';
import { startHub, type RunningHub } from '../server/hub';
import { login, removeDir, tempDir } from './helpers/hub';
import { until } from './helpers/wait';

let hub: RunningHub | undefined;
let dir: string | undefined;
afterAll(async () => {
  await hub?.close();
  if (dir) await removeDir(dir);
});

it('reconnects after a stop and a start made while a reconnect was pending', async () => {
  dir = await tempDir('feed-restart');
  hub = await startHub({ demo: true, dataDir: dir, port: 0 });
  const { port, url } = hub;
  const client = new HubClient(url);
  client.token = await login(url, 'operator');
  await hub.close();
  hub = undefined;

  const cache = new ConsoleCache({ file: ':memory:' });
  const links: CoreLink[] = [];
  const feed = new Feed(client, cache, { onLink: (l) => links.push(l), onApplied: () => {}, onRejected: () => {} }, { retryMs: 50, maxRetryMs: 200 });
  try {
    feed.start();
    // a few failed attempts: the feed is now waiting on its backoff timer
    await until(() => links.includes('offline'), 'the feed giving up for now and waiting to retry');
    // what a sign-in over a restored session does
    feed.stop();
    feed.start();
    await new Promise((r) => setTimeout(r, 300));
    hub = await startHub({ demo: true, dataDir: dir, port });
    await until(() => feed.state === 'online', 'the feed online once the hub is back', 10_000);
    expect(cache.cursor).toBeGreaterThan(0);
  } finally {
    feed.stop();
    cache.close();
  }
});
