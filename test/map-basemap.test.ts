import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange } from '../electron/core/console/basemap-route';
import { checkPmtiles, weekStartCST } from '../electron/core/console/map';
import { BASEMAP_LAYERS, BASEMAP_MAXZOOM, BASEMAP_MINZOOM, demoBasemapPmtiles, writePmtiles } from '../server/demo/basemap';
import { DISTRICT_BBOX } from '../server/demo/generator';
import { patrolCoverage } from '../server/routes/map';
import { SqliteStore } from '../server/store/sqlite/store';
import { rectPolygon } from '../shared/geo';
import type { Grid } from '../shared/schema';
import { Basemap, TrackQuery } from '../shared/schema/map';
import { login, request, startTestHub, type TestHub } from './helpers/hub';

/** A PMTiles source over bytes in memory: the reader exactly as the page's protocol uses it. */
const bufferSource = (buf: Buffer): Source => ({
  getKey: () => 'mem',
  getBytes: async (offset: number, length: number): Promise<RangeResponse> => ({ data: buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + Math.min(buf.length, offset + length)) as ArrayBuffer }),
});
const lon2x = (lng: number, z: number) => Math.floor(((lng + 180) / 360) * 2 ** z);
const lat2y = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

describe('the demo basemap (server/demo/basemap.ts)', () => {
  const archive = demoBasemapPmtiles();

  it('is a PMTiles v3 archive of vector tiles over the district, z8–z14, that a PMTiles reader opens', async () => {
    expect(archive.subarray(0, 7).toString('latin1')).toBe('PMTiles');
    const p = new PMTiles(bufferSource(archive));
    const h = await p.getHeader();
    expect(h.specVersion).toBe(3);
    expect(h.tileType).toBe(1);
    expect([h.minZoom, h.maxZoom]).toEqual([BASEMAP_MINZOOM, BASEMAP_MAXZOOM]);
    expect(h.minLon).toBeLessThan(DISTRICT_BBOX[0]);
    expect(h.maxLat).toBeGreaterThan(DISTRICT_BBOX[3]);
    const meta = (await p.getMetadata()) as { vector_layers: { id: string }[] };
    expect(meta.vector_layers.map((l) => l.id)).toEqual([...BASEMAP_LAYERS]);
    // the tile over the district's centre at z12 has the land, roads and boundaries with their names
    const [cx, cy] = [(DISTRICT_BBOX[0] + DISTRICT_BBOX[2]) / 2, (DISTRICT_BBOX[1] + DISTRICT_BBOX[3]) / 2];
    const tile = await p.getZxy(12, lon2x(cx, 12), lat2y(cy, 12));
    expect(tile).toBeDefined();
    const vt = new VectorTile(new PbfReader(new Uint8Array(tile!.data)));
    expect(Object.keys(vt.layers)).toEqual(expect.arrayContaining(['land', 'roads', 'boundary']));
    const roads = vt.layers.roads!;
    const names = Array.from({ length: roads.length }, (_, i) => roads.feature(i).properties.name);
    expect(names.some((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    // nothing outside the archive's zooms or far from the district
    expect(await p.getZxy(15, lon2x(cx, 15), lat2y(cy, 15))).toBeUndefined();
    expect(await p.getZxy(10, lon2x(100, 10), lat2y(30, 10))).toBeUndefined();
  });

  it('comes out byte for byte the same every time (generated from the seeded district)', () => {
    expect(demoBasemapPmtiles().equals(archive)).toBe(true);
  });

  it('writes raster archives too, and refuses a directory that would not fit the root', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const buf = writePmtiles([{ z: 1, x: 1, y: 0, data: png }, { z: 0, x: 0, y: 0, data: png }], { tileType: 'png', minzoom: 0, maxzoom: 1, bounds: [-180, -85, 180, 85], center: [0, 0, 0], metadata: {} });
    const p = new PMTiles(bufferSource(buf));
    expect((await p.getHeader()).tileType).toBe(2);
    expect(Buffer.from((await p.getZxy(1, 1, 0))!.data).equals(png)).toBe(true);
    const many = Array.from({ length: 5000 }, (_, i) => ({ z: 14, x: i, y: 0, data: png }));
    expect(() => writePmtiles(many, { tileType: 'png', minzoom: 14, maxzoom: 14, bounds: [-180, -85, 180, 85], center: [0, 0, 14], metadata: {} })).toThrow(/too many tiles/);
  });
});

describe('the basemap setting', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'basemap-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the four kinds and refuses what a deployment could get wrong, naming the field', () => {
    expect(Basemap.parse({ kind: 'demo' })).toEqual({ kind: 'demo' });
    expect(Basemap.parse({ kind: 'xyz', tiles: ['https://t0.example.gov.cn/{z}/{x}/{y}.png'], coords: 'gcj02' })).toMatchObject({ tileSize: 256, maxzoom: 18 });
    expect(Basemap.safeParse({ kind: 'xyz', tiles: ['https://t0.example.gov.cn/tiles.png'], coords: 'wgs84' }).error?.issues[0]?.message).toMatch(/\{z\}, \{x\} and \{y\}/);
    expect(Basemap.safeParse({ kind: 'xyz', tiles: ['file:///etc/{z}/{x}/{y}'], coords: 'wgs84' }).success).toBe(false);
    expect(Basemap.safeParse({ kind: 'style', url: 'javascript:alert(1)', coords: 'wgs84' }).success).toBe(false);
    expect(Basemap.safeParse({ kind: 'pmtiles', file: 'relative/map.pmtiles', coords: 'wgs84' }).error?.issues[0]?.message).toMatch(/absolute path/);
    expect(Basemap.safeParse({ kind: 'pmtiles', file: '/srv/map.mbtiles', coords: 'wgs84' }).success).toBe(false);
    expect(Basemap.safeParse({ kind: 'pmtiles', file: '/srv/map.pmtiles', coords: 'bd09' }).success).toBe(false);
  });

  it('checks that a local file really is a PMTiles v3 archive before the map is pointed at it', async () => {
    const good = join(dir, 'demo.pmtiles');
    writeFileSync(good, demoBasemapPmtiles());
    await expect(checkPmtiles(good)).resolves.toBeUndefined();
    await expect(checkPmtiles(join(dir, 'missing.pmtiles'))).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/Cannot read .*ENOENT/) });
    const notPm = join(dir, 'fake.pmtiles');
    writeFileSync(notPm, Buffer.alloc(200, 1));
    await expect(checkPmtiles(notPm)).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/not a PMTiles archive/) });
    const v2 = join(dir, 'v2.pmtiles');
    const old = Buffer.alloc(200);
    old.write('PMTiles', 0, 'latin1');
    old.writeUInt8(2, 7);
    writeFileSync(v2, old);
    await expect(checkPmtiles(v2)).rejects.toMatchObject({ message: expect.stringMatching(/version 2/) });
  });

  it('serves ranges as PMTiles readers ask for them', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-16383', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=10-19', 100)).toEqual({ start: 10, end: 19 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('items=0-1', 100)).toBeNull();
  });
});

describe('position history for the map (hub)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => hub?.close());

  it('answers a track to desk staff only, validated, and within a desk\'s own town', async () => {
    const op = await login(hub.url, 'operator');
    const now = Date.now();
    const ok = await request(hub.url, 'GET', `/api/map/track?personId=leader-0-0-0&from=${now - 3_600_000}&to=${now + 1}`, { token: op });
    expect(ok.status).toBe(200);
    expect(ok.body.points.length).toBeGreaterThan(0);
    const bad = await request(hub.url, 'GET', `/api/map/track?personId=leader-0-0-0&from=${now}&to=${now - 1}`, { token: op });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid', field: 'to' });
    const tooLong = await request(hub.url, 'GET', `/api/map/track?personId=leader-0-0-0&from=0&to=${now}`, { token: op });
    expect(tooLong.body.error.message).toMatch(/at most 7 days/);
    const phone = await request(hub.url, 'GET', `/api/map/track?personId=leader-0-0-0&from=${now - 1000}&to=${now}`, { token: 'dev_demo_leader-0-0-0' });
    expect(phone.status).toBe(403);
    // desk-dongshe is scoped to 东社镇; leader-0-0-0 is in 金沙街道
    const desk = await login(hub.url, 'desk-dongshe');
    const other = await request(hub.url, 'GET', `/api/map/track?personId=leader-0-0-0&from=${now - 1000}&to=${now}`, { token: desk });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('out_of_scope');
    const unknown = await request(hub.url, 'GET', `/api/map/patrol?gridId=grid-nope&from=${now - 1000}&to=${now}`, { token: op });
    expect(unknown.status).toBe(404);
    expect(TrackQuery.safeParse({ personId: 'x', from: '1', to: '2' }).success).toBe(true);
  });

  it('keeps position history bounded: fixes older than the retention go, newer ones stay', async () => {
    const store = new SqliteStore({ file: ':memory:', trackRetentionMs: 24 * 3_600_000 });
    // a person to hang fixes on (foreign keys): the minimum reference data
    await store.upsertReference([
      { kind: 'org_unit', data: { id: 'd', level: 'district', parentId: null, name: 'D' } },
      { kind: 'org_unit', data: { id: 't', level: 'subcenter', parentId: 'd', name: 'T' } },
      { kind: 'person', data: { id: 'p', name: 'P', role: 'leader', orgUnitId: 't', townId: 't', gridIds: [], onDuty: true } },
    ]);
    const day = 24 * 3_600_000;
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) await store.recordPositions([{ personId: 'p', position: { lng: 121, lat: 32 }, at: t0 + i * day }]);
    const kept = await store.positionTrack('p', 0, t0 + 10 * day, 100);
    // the newest is at t0 + 4 days: everything before t0 + 3 days is gone
    expect(kept.map((f) => (f.at - t0) / day)).toEqual([3, 4]);
    await store.close();
  });
});

describe('patrol coverage', () => {
  const grid: Grid = { id: 'g', kind: 'comprehensive', code: '1', name: 'G', communityId: 'c', townId: 't', polygon: rectPolygon(121, 32, 121.01, 32.009) };
  const monday = weekStartCST(Date.UTC(2025, 5, 12, 4)); // Thursday 12 June 2025, 12:00 CST

  it('counts the ~100 m cells a grid\'s staff passed through and the days with a patrol', () => {
    expect(new Date(monday + 8 * 3_600_000).toISOString()).toBe('2025-06-09T00:00:00.000Z');
    const fixes = [
      { at: monday + 3_600_000, lng: 121.0005, lat: 32.0005 },
      { at: monday + 3_700_000, lng: 121.0005, lat: 32.0006 }, // same cell
      { at: monday + 86_400_000 + 5, lng: 121.0095, lat: 32.0085 }, // the next day, the far corner
      { at: monday + 3_600_000, lng: 121.02, lat: 32.0 }, // outside the grid
    ];
    const c = patrolCoverage(grid, fixes, monday, monday + 3 * 86_400_000);
    expect(c.cells).toBe(10 * 10);
    expect(c.visitedCells).toBe(2);
    expect(c.coverage).toBeCloseTo(0.02, 6);
    expect(c.fixes).toBe(3);
    expect(c.daysPatrolled).toBe(2);
    expect(c.days).toBe(3);
  });
});
