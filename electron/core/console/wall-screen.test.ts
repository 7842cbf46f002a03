import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WALL_SCREEN } from '../../../shared/schema/wall-screen';
import { ConsoleCache } from './cache';
import { ConsoleCore } from './core';
import { WallScreenStore } from './wall-screen';

describe('the wall screen state in the console cache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts at the default, applies patches, counts revisions and survives a reopen and a cache reset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wall-screen-'));
    dirs.push(dir);
    const file = join(dir, 'cache.db');
    let now = 1000;
    let cache = new ConsoleCache({ file, synchronous: 'NORMAL' });
    let store = new WallScreenStore(cache.db, () => now);
    expect(store.get()).toEqual(DEFAULT_WALL_SCREEN);

    const a = store.set({ panels: ['intake', 'overdue'], cameras: { mode: 'fixed', cameraIds: ['cam-001', 'cam-002'] } }, { eventExists: () => true });
    expect(a).toMatchObject({ layout: 'auto', panels: ['intake', 'overdue'], cameras: { mode: 'fixed', cameraIds: ['cam-001', 'cam-002'] }, focus: null, rev: 1, updatedAt: 1000 });
    now = 2000;
    const b = store.set({ focus: { eventId: 'ev-1' }, layout: 'wide' }, { eventExists: (id) => id === 'ev-1', by: '值班长' });
    expect(b).toMatchObject({ layout: 'wide', panels: ['intake', 'overdue'], focus: { eventId: 'ev-1', at: 2000, by: '值班长' }, rev: 2 });

    // an unknown event is refused, naming the field; nothing changes
    expect(() => store.set({ focus: { eventId: 'nope' } }, { eventExists: () => false })).toThrow(/not in the local cache/);
    // so is a patch that breaks the schema
    expect(() => store.set({ panels: ['intake', 'intake'] }, { eventExists: () => true })).toThrow(/twice/);
    expect(() => store.set({ cameras: { mode: 'fixed', cameraIds: [] } }, { eventExists: () => true })).toThrow(/at least one/);
    expect(store.get().rev).toBe(2);

    // a clock that steps back never makes a change look older than the one before
    now = 1500;
    expect(store.set({ focus: null }, { eventExists: () => true })).toMatchObject({ focus: null, rev: 3, updatedAt: 2000 });

    cache.resetHubData();
    cache.close();
    cache = new ConsoleCache({ file, synchronous: 'NORMAL' });
    store = new WallScreenStore(cache.db, () => now);
    expect(store.get()).toMatchObject({ layout: 'wide', panels: ['intake', 'overdue'], focus: null, rev: 3 });

    // a row that no longer fits gives way to the default
    cache.db.prepare("UPDATE wall_screen SET data = '{\"layout\":\"diagonal\"}' WHERE id = 1").run();
    expect(new WallScreenStore(cache.db, () => now).get()).toEqual(DEFAULT_WALL_SCREEN);
    cache.close();
  });

  it('is asked and set through the core, which wants a signed-in console to set it', async () => {
    // no hub is reached: nobody signs in
    const core = new ConsoleCore({ hubUrl: 'http://127.0.0.1:9', cacheFile: ':memory:' });
    try {
      expect(await core.request({ id: 1, type: 'wallScreen' })).toEqual({ id: 1, ok: true, result: DEFAULT_WALL_SCREEN });
      expect(await core.request({ id: 2, type: 'setWallScreen', patch: { layout: 'wide' } })).toMatchObject({ id: 2, ok: false, error: { error: { code: 'unauthenticated' } } });
      expect(await core.request({ id: 3, type: 'setWallScreen', patch: { layout: 'diagonal' } })).toMatchObject({ id: 3, ok: false, error: { error: { code: 'invalid', field: 'patch.layout' } } });
    } finally {
      await core.close();
    }
  });
});
