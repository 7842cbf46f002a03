import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../server/hub';
import type { Taxonomy } from '../shared/taxonomy';

/** A district edits its taxonomy as a JSON file: no code changes, and a bad file is refused at start. */
describe('a district taxonomy file', () => {
  const dirs: string[] = [];
  let hub: RunningHub | undefined;
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'hub-taxonomy-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const district: Taxonomy = {
    version: 3,
    categories: [
      { id: 'drain_grate', name: { zh: '井盖缺损', en: 'Missing drain grate' }, defaultTier: 'special', deadlineHours: 2 },
      { id: 'street_vendor', name: { zh: '占道经营', en: 'Street vending' }, defaultTier: 'general', deadlineHours: 24 },
    ],
  };

  it('is served and used: its categories are accepted with their own tier, the defaults are not', async () => {
    const d = dir();
    const file = join(d, 'taxonomy.json');
    writeFileSync(file, JSON.stringify(district));
    hub = await startHub({ dataDir: join(d, 'hub'), demo: true, taxonomyFile: file });
    const login = await fetch(`${hub.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'operator' }),
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${((await login.json()) as { token: string }).token}` };

    expect(await (await fetch(`${hub.url}/api/taxonomy`, { headers })).json()).toEqual(district);

    const report = (eventId: string, categoryId: string) =>
      fetch(`${hub!.url}/api/commands`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'report', commandId: `c-${eventId}`, eventId, categoryId, description: '井盖缺失', position: { lng: 121.008, lat: 31.988 }, source: 'phone' }),
      });
    const ok = await report('tx-1', 'drain_grate');
    expect(ok.status).toBe(200);
    const applied = (await ok.json()) as { changes: { kind: string; data: { tier?: string } }[] };
    expect(applied.changes.find((c) => c.kind === 'event')?.data.tier).toBe('special');

    const refused = await report('tx-2', 'sanitation');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ status: 'rejected', error: { code: 'unknown_reference', field: 'categoryId' } });
  });

  it('that is invalid stops the hub with a message naming the place', async () => {
    const d = dir();
    const file = join(d, 'taxonomy.json');
    writeFileSync(file, JSON.stringify({ version: 1, categories: [{ ...district.categories[0], deadlineHours: -1 }] }));
    await expect(startHub({ dataDir: join(d, 'hub'), taxonomyFile: file })).rejects.toThrow(/invalid at categories\.0\.deadlineHours/);
    writeFileSync(file, '{ not json');
    await expect(startHub({ dataDir: join(d, 'hub2'), taxonomyFile: file })).rejects.toThrow(/Cannot read the taxonomy file/);
  });
});
