/**
 * A console core signed in to a real demo hub on loopback that the test can stop and start again
 * on the same port and store: the setup of the tests of what the core does while the hub is away.
 */
import type { ConsoleNotice } from '../../shared/schema';
import { startHub, type RunningHub } from '../../server/hub';
import { ConsoleCore } from '../../electron/core/console/core';
import { expectApplied, login, PLACES, postCommand, removeDir, reportCmd, tempDir } from './hub';
import { until } from './wait';

export interface CoreOnHub {
  core: ConsoleCore;
  /** every notice the core sent */
  notices: ConsoleNotice[];
  /** an event reported by another operator, in the core's cache */
  eventId: string;
  /** a second operator's token */
  op2: string;
  /** stops the hub and waits until the core sees the link gone */
  hubDown(): Promise<void>;
  /** the hub back on the same port and store */
  hubUp(): Promise<RunningHub>;
  close(): Promise<void>;
}

export async function coreOnHub(label: string): Promise<CoreOnHub> {
  const dir = await tempDir(label);
  const opts = { demo: true, dataDir: dir, deadlineSweepMs: 3600_000 } as const;
  let hub: RunningHub | undefined = await startHub({ ...opts, port: 0 });
  const port = hub.port;
  const core = new ConsoleCore({ hubUrl: hub.url, cacheFile: ':memory:', feed: { retryMs: 50, maxRetryMs: 300 }, outbox: { retryMs: 50, maxRetryMs: 300 } });
  const notices: ConsoleNotice[] = [];
  core.onNotice((n) => notices.push(n));
  const op2 = await login(hub.url, 'operator2');
  const rep = reportCmd({ position: PLACES.jinsha });
  const eventId = rep.eventId as string;
  await expectApplied(postCommand(hub.url, op2, rep));
  await core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
  await until(() => core.session().link === 'online' && core.cache.event(eventId), 'online with the report');
  return {
    core,
    notices,
    eventId,
    op2,
    async hubDown() {
      await hub?.close();
      hub = undefined;
      await until(() => core.session().link !== 'online', 'the link to drop');
    },
    async hubUp() {
      hub = await startHub({ ...opts, port });
      return hub;
    },
    async close() {
      await core.close();
      await hub?.close();
      await removeDir(dir);
    },
  };
}
