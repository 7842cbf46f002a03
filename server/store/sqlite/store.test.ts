import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAXONOMY } from '../../../shared/taxonomy';
import { decide, type Actor } from '../../../shared/workflow';
import type { Command } from '../../../shared/schema';
import { generateDistrict } from '../../demo/generator';
import { SqliteStore } from './store';
import { MIGRATIONS } from './migrations';

const operator: Actor = { id: 'operator-1', role: 'operator' };
const report = (id: string, lng = 121.008, lat = 31.988): Command => ({
  type: 'report', commandId: `c-${id}`, eventId: id, categoryId: 'sanitation', description: 'd', position: { lng, lat }, source: 'phone', attachments: [],
});

function open(file = join(mkdtempSync(join(tmpdir(), 'store-')), 'hub.db')) {
  const store = new SqliteStore({ file });
  return { store, file };
}

async function seed(store: SqliteStore) {
  const d = generateDistrict();
  await store.upsertReference([
    ...d.orgUnits.map((data) => ({ kind: 'org_unit' as const, data })),
    ...d.grids.map((data) => ({ kind: 'grid' as const, data })),
    ...d.people.map((data) => ({ kind: 'person' as const, data })),
  ]);
}

const envelope = (command: Command, townId = 'town-jinsha') => ({
  command,
  actor: operator,
  decide: (e: Parameters<typeof decide>[0]) =>
    decide(e, command, operator, 1_000, { taxonomy: DEFAULT_TAXONOMY, entryId: `t-${command.commandId}`, place: { gridIds: ['grid-0-0-0'], townId } }),
});

describe('SqliteStore', () => {
  it('migrates a new file to the latest version and reopens it without migrating again', async () => {
    const { store, file } = open();
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    await store.close();
    const again = new SqliteStore({ file });
    expect(again.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    await again.close();
  });

  it('refuses a database from a newer hub', async () => {
    const { store, file } = open();
    store.db.pragma('user_version = 999');
    await store.close();
    expect(() => new SqliteStore({ file })).toThrow(/newer than this hub knows/);
  });

  it('writes an applied command, its event, timeline entry and two changes in one go, and replays the first result', async () => {
    const { store } = open();
    await seed(store);
    const head0 = await store.head();
    const [first] = await store.applyCommands([envelope(report('e1'))]);
    expect(first!.result.status).toBe('applied');
    expect(first!.written.map((w) => [w.change.kind, w.change.seq, w.townId])).toEqual([
      ['event', head0 + 1, 'town-jinsha'],
      ['timeline', head0 + 2, 'town-jinsha'],
    ]);
    const [again] = await store.applyCommands([envelope(report('e1'))]);
    expect(again).toEqual({ result: first!.result, written: [], replay: true });
    expect(await store.head()).toBe(head0 + 2);
  });

  it('keeps a rejection as the command result, writes no change, and replays it', async () => {
    const { store } = open();
    await seed(store);
    const accept: Command = { type: 'accept', commandId: 'c-acc', eventId: 'missing' };
    const head0 = await store.head();
    const [r] = await store.applyCommands([envelope(accept)]);
    expect(r!.result).toMatchObject({ status: 'rejected', error: { code: 'not_found' } });
    expect(await store.head()).toBe(head0);
    expect(await store.getCommandResult('c-acc')).toEqual(r!.result);
  });

  it('refuses to edit or delete a timeline entry', async () => {
    const { store } = open();
    await seed(store);
    await store.applyCommands([envelope(report('e2'))]);
    expect(() => store.db.prepare("UPDATE timeline SET data = '{}'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM timeline').run()).toThrow(/append-only/);
  });

  it('rolls a whole batch back when a write fails midway', async () => {
    const { store } = open();
    await seed(store);
    const counts0 = await store.countRows();
    const boom = { ...envelope(report('e4')), decide: () => { throw new Error('boom'); } };
    await expect(store.applyCommands([envelope(report('e3')), boom])).rejects.toThrow('boom');
    expect(await store.countRows()).toEqual(counts0);
  });

  it('scopes the change feed by town and keeps district-wide changes visible to every town', async () => {
    const { store } = open();
    await seed(store);
    await store.applyCommands([envelope(report('ej'), 'town-jinsha'), envelope(report('ed'), 'town-dongshe')]);
    const all = await store.changesSince(0, 10_000);
    const jinsha = await store.changesSince(0, 10_000, 'town-jinsha');
    expect(all.map((c) => c.seq)).toEqual(all.map((_, i) => i + 1));
    const ids = (cs: typeof all) => cs.filter((c) => c.kind === 'event').map((c) => c.id);
    expect(ids(all)).toEqual(['ej', 'ed']);
    expect(ids(jinsha)).toEqual(['ej']);
    expect(jinsha.some((c) => c.kind === 'org_unit' && c.id === 'district')).toBe(true);
    expect(jinsha.some((c) => c.kind === 'grid' && c.data.townId === 'town-dongshe')).toBe(false);
  });

  it('keeps the newest position per person and the whole track', async () => {
    const { store } = open();
    await seed(store);
    const p = 'leader-0-0-0';
    await store.recordPositions([
      { personId: p, position: { lng: 121.01, lat: 31.99 }, at: 2_000 },
      { personId: p, position: { lng: 121.02, lat: 31.99 }, at: 1_000 }, // late arrival must not win
    ]);
    const latest = (await store.listLatestPositions()).find((f) => f.personId === p);
    expect(latest?.at).toBe(2_000);
    expect((await store.countRows()).position_track).toBe(2);
  });
});
