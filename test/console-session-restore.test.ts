/**
 * The console keeps the operator's session across a restart of the console host (issue 9: the
 * wall recovers by itself after a power blip), with a real hub and real hosts on one data folder:
 *
 *  - signed in, host restarted: signed in again without a sign-in, same principal, the feed
 *    online, a command goes through; the token is not in the cache files in clear;
 *  - signed out, restarted: signed out;
 *  - the hub forgot the token meanwhile: restarted signed out, and the kept session is gone;
 *  - the key that sealed it is gone: signed out, kept session deleted;
 *  - the hub down at the restart: the session is back, offline; a command waits in the outbox and
 *    goes once the hub is back;
 *  - the embedded hub (a new port at every start, the same store): signed in again, cache kept.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../shared/schema';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { startHub, type RunningHub } from '../server/hub';
import { expectApplied, login, PLACES, postCommand, removeDir, reportCmd, request, tempDir } from './helpers/hub';
import { until } from './helpers/wait';

let hub: RunningHub | undefined;
let host: ConsoleHost | undefined;
let hubDir: string;
let consoleDir: string;
let hubPort: number;
let hubUrl: string;
const hubOpts = () => ({ demo: true, dataDir: hubDir, deadlineSweepMs: 3600_000 }) as const;

beforeAll(async () => {
  hubDir = await tempDir('restore-hub');
  hub = await startHub({ ...hubOpts(), port: 0 });
  hubPort = hub.port;
  hubUrl = hub.url;
  consoleDir = mkdtempSync(join(tmpdir(), 'console-restore-'));
});

afterAll(async () => {
  await host?.close();
  await hub?.close();
  if (hubDir) await removeDir(hubDir);
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

const startHost = async () => (host = await startConsoleHost({ hubUrl, dataDir: consoleDir, port: 0 }));
const restartHost = async () => {
  await host?.close();
  host = undefined;
  return startHost();
};
const core = () => host!.core;
const kept = () => core().cache.getMeta('session');

async function signIn(): Promise<{ token: string; principal: Principal }> {
  const s = await core().handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
  await until(() => core().session().link === 'online', 'the feed online');
  return { token: core().client.token!, principal: s.principal! };
}

/** A report made at the hub, in the console's cache. */
async function newEvent(): Promise<string> {
  const op2 = await login(hubUrl, 'operator2');
  const rep = reportCmd({ position: PLACES.jinsha });
  await expectApplied(postCommand(hubUrl, op2, rep));
  const eventId = rep.eventId as string;
  await until(() => core().cache.event(eventId), 'the report in the cache');
  return eventId;
}

async function note(eventId: string): Promise<string> {
  const commandId = uuidv7();
  await core().handle({ id: 2, type: 'command', command: { type: 'note', commandId, eventId, note: 'restored session', attachments: [] } });
  return commandId;
}

const hubHas = (eventId: string, commandId: string) => until(() => core().cache.timeline(eventId).find((e) => e.commandId === commandId && e.kind === 'note'), 'the note back from the hub', 30_000);

/** Every file in the console's data folder but the box's own key, as bytes. */
function dataFiles(): { name: string; bytes: Buffer }[] {
  return readdirSync(consoleDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== 'session.key')
    .map((d) => ({ name: join(d.parentPath, d.name), bytes: readFileSync(join(d.parentPath, d.name)) }));
}

describe('the console session across a host restart', () => {
  it('comes back signed in, online, and sends commands; the token is not in the cache in clear', async () => {
    await startHost();
    expect(kept()).toBeUndefined();
    const { token, principal } = await signIn();
    expect(kept()).toBeDefined();
    expect(kept()).not.toContain(token);
    await host!.close();
    host = undefined;
    // the host closed: the cache files at rest
    const files = dataFiles();
    expect(files.some((f) => f.name.endsWith('cache.db'))).toBe(true);
    for (const f of files) expect(f.bytes.includes(token), `${f.name} holds the token in clear`).toBe(false);

    await startHost();
    // at once, before the hub has been asked
    expect(core().session().principal).toEqual(principal);
    await until(() => core().session().link === 'online', 'the restored feed online');
    expect(core().session().principal).toEqual(principal);
    expect(core().client.token).toBe(token);
    const eventId = await newEvent();
    await hubHas(eventId, await note(eventId));
    expect(core().session().outbox).toBe(0);
  });

  it('stays signed out after a sign-out', async () => {
    await core().handle({ id: 3, type: 'logout' });
    expect(kept()).toBeUndefined();
    await restartHost();
    expect(core().session().principal).toBeNull();
    expect(core().client.token).toBeUndefined();
  });

  it('is signed out when the hub no longer knows the token, and forgets it', async () => {
    const { token } = await signIn();
    await host!.close();
    host = undefined;
    // the hub ends the session while the console is down
    expect((await request(hubUrl, 'POST', '/api/auth/logout', { token })).status).toBe(204);
    await startHost();
    await until(() => core().session().principal === null, 'the revoked session dropped');
    expect(kept()).toBeUndefined();
    expect(core().client.token).toBeUndefined();
    await restartHost();
    expect(core().session().principal).toBeNull();
  });

  it('drops a kept session it cannot open (the key is gone)', async () => {
    await signIn();
    await host!.close();
    host = undefined;
    rmSync(join(consoleDir, 'session.key'));
    await startHost();
    expect(core().session().principal).toBeNull();
    expect(kept()).toBeUndefined();
  });

  it('comes back offline when the hub is down, and sends what waited once it is back', async () => {
    const { token, principal } = await signIn();
    const eventId = await newEvent();
    await host!.close();
    host = undefined;
    await hub!.close();
    hub = undefined;

    await startHost();
    expect(core().session().principal).toEqual(principal);
    expect(core().client.token).toBe(token);
    expect(core().session().link).not.toBe('online');
    // the hub out of reach is no reason to sign out
    await new Promise((r) => setTimeout(r, 1500));
    expect(core().session().principal).toEqual(principal);
    expect(kept()).toBeDefined();
    const commandId = await note(eventId);
    expect(core().session().outbox).toBe(1);

    hub = await startHub({ ...hubOpts(), port: hubPort });
    await until(() => core().session().link === 'online', 'the link back', 40_000);
    await hubHas(eventId, commandId);
    await until(() => core().session().outbox === 0, 'the outbox drained');
  }, 90_000);

  it('comes back with the embedded hub, which listens on a new port at every start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-restore-embedded-'));
    let own: ConsoleHost | undefined;
    try {
      own = await startConsoleHost({ dataDir: dir, port: 0, demo: true, sim: false });
      const firstHub = own.hubUrl;
      const s = await own.core.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
      await until(() => own!.core.session().link === 'online', 'the feed online');
      const cached = own.core.cache.cursor;
      expect(cached).toBeGreaterThan(0);
      await own.close();
      own = undefined;

      own = await startConsoleHost({ dataDir: dir, port: 0, demo: true, sim: false });
      expect(own.hubUrl).not.toBe(firstHub);
      expect(own.core.session().principal).toEqual(s.principal);
      await until(() => own!.core.session().link === 'online', 'the restored feed online');
      // the same store behind a new port: the cache was kept, not emptied for a "new" hub
      expect(own.core.cache.cursor).toBeGreaterThanOrEqual(cached);
    } finally {
      await own?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
