import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_MBTILES_TILES } from '../electron/core/console/map';
import { checkMbtiles, isGzip, parseMbtilesMetadata, parseTileCoords, tmsRow } from '../electron/core/console/mbtiles';
import { startConsoleHost, type ConsoleHost } from '../electron/core/host';
import { Basemap, MapConfig } from '../shared/schema/map';
import { onePixelPng, startTestHub, type TestHub } from './helpers/hub';

/**
 * A local MBTiles basemap (issue 8): the setting, the file's checks, and its tiles served by the
 * real console host one by one, the TMS row flipped to the page's XYZ order.
 */

interface Tile {
  z: number;
  x: number;
  /** XYZ row (north at 0), as the page asks; written to the file flipped (TMS) */
  y: number;
  data: Buffer;
}

/** Writes a real MBTiles 1.3 file with better-sqlite3. */
function writeMbtiles(file: string, metadata: Record<string, string>, tiles: readonly Tile[]): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE metadata (name TEXT, value TEXT);
    CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
    CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);`);
  const meta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
  for (const [k, v] of Object.entries(metadata)) meta.run(k, v);
  const tile = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
  for (const t of tiles) tile.run(t.z, t.x, (1 << t.z) - 1 - t.y, t.data);
  db.close();
}

/** GET with the raw bytes (no decompression) and the headers. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const RED = onePixelPng([255, 0, 0, 255]);
const GREEN = onePixelPng([0, 255, 0, 255]);
const BLUE = onePixelPng([0, 0, 255, 255]);
/** stands in for a vector tile: any bytes, stored gzip-compressed as tippecanoe does */
const PBF = Buffer.from('1a0a0a05726f61647378021802', 'hex');

describe('MBTiles pieces', () => {
  it('flips rows between XYZ and TMS, and its own inverse', () => {
    expect(tmsRow(0, 0)).toBe(0);
    expect(tmsRow(1, 0)).toBe(1);
    expect(tmsRow(3, 2)).toBe(5);
    expect(tmsRow(14, tmsRow(14, 1234))).toBe(1234);
  });

  it('accepts only whole, in-range tile coordinates', () => {
    expect(parseTileCoords('2', '3', '0')).toEqual({ z: 2, x: 3, y: 0 });
    expect(parseTileCoords('2', '4', '0')).toBeNull();
    expect(parseTileCoords('1', '0', '-1')).toBeNull();
    expect(parseTileCoords('1', '0', '0.png')).toBeNull();
    expect(parseTileCoords('1.5', '0', '0')).toBeNull();
    expect(parseTileCoords('31', '0', '0')).toBeNull();
    expect(parseTileCoords('30', '1073741823', '0')).toEqual({ z: 30, x: 1073741823, y: 0 });
  });

  it('reads the metadata the page needs and refuses formats it cannot draw, naming the field', () => {
    expect(parseMbtilesMetadata('f', [
      { name: 'format', value: 'JPEG' },
      { name: 'minzoom', value: '3' },
      { name: 'maxzoom', value: '16' },
      { name: 'bounds', value: '120.5, 31.5, 121.5,32.5' },
      { name: 'attribution', value: '某区测绘院' },
    ])).toEqual({ format: 'jpg', minzoom: 3, maxzoom: 16, bounds: [120.5, 31.5, 121.5, 32.5], vectorLayers: [], attribution: '某区测绘院' });
    // no zooms, a nonsense extent: defaults, no bounds
    expect(parseMbtilesMetadata('f', [{ name: 'format', value: 'png' }, { name: 'bounds', value: '1,2,3' }])).toEqual({ format: 'png', minzoom: 0, maxzoom: 22, vectorLayers: [] });
    expect(parseMbtilesMetadata('f', [{ name: 'format', value: 'pbf' }, { name: 'json', value: JSON.stringify({ vector_layers: [{ id: 'roads' }, { id: 'water' }, { id: 'roads' }, {}] }) }]).vectorLayers).toEqual(['roads', 'water']);
    expect(() => parseMbtilesMetadata('f', [])).toThrow(/no `format`/);
    expect(() => parseMbtilesMetadata('f', [{ name: 'format', value: 'tiff' }])).toThrow(expect.objectContaining({ code: 'invalid', field: 'basemap.file', message: expect.stringMatching(/"tiff"/) }));
    expect(() => parseMbtilesMetadata('f', [{ name: 'format', value: 'pbf' }])).toThrow(/no vector_layers/);
    expect(() => parseMbtilesMetadata('f', [{ name: 'format', value: 'pbf' }, { name: 'json', value: '{' }])).toThrow(/not valid JSON/);
    expect(isGzip(gzipSync(PBF))).toBe(true);
    expect(isGzip(PBF)).toBe(false);
  });

  it('is a basemap kind of its own: an absolute path ending .mbtiles', () => {
    expect(Basemap.parse({ kind: 'mbtiles', file: '/srv/maps/district.mbtiles', coords: 'gcj02' })).toEqual({ kind: 'mbtiles', file: '/srv/maps/district.mbtiles', coords: 'gcj02' });
    expect(Basemap.safeParse({ kind: 'mbtiles', file: 'C:\\maps\\district.MBTiles', coords: 'wgs84' }).success).toBe(true);
    expect(Basemap.safeParse({ kind: 'mbtiles', file: 'maps/district.mbtiles', coords: 'wgs84' }).error?.issues[0]).toMatchObject({ path: ['file'], message: expect.stringMatching(/absolute path of a \.mbtiles file/) });
    expect(Basemap.safeParse({ kind: 'mbtiles', file: '/srv/maps/district.pmtiles', coords: 'wgs84' }).success).toBe(false);
    expect(Basemap.safeParse({ kind: 'mbtiles', file: '/srv/maps/district.mbtiles' }).success).toBe(false);
  });
});

describe('a local MBTiles basemap, served by the console host', () => {
  let hub: TestHub;
  let host: ConsoleHost;
  let dir: string;
  let raster: string;
  let raster2: string;
  let vector: string;
  const page = () => ({ referer: `${host.origin}/console/` });
  const tile = (z: number | string, x: number | string, y: number | string, headers = page()) =>
    rawGet(`${host.origin}${LOCAL_MBTILES_TILES.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y))}`, headers);
  const setBasemap = (basemap: Basemap) => host.core.handle({ id: 1, type: 'setBasemap', basemap });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mbtiles-'));
    raster = join(dir, 'district.mbtiles');
    // z0: one tile; z1: the north-west (XYZ 0/0, TMS row 1) and the south-east (XYZ 1/1, TMS row 0)
    writeMbtiles(raster, { name: 'district', format: 'png', minzoom: '0', maxzoom: '1', bounds: '120.8,31.8,121.2,32.2' }, [
      { z: 0, x: 0, y: 0, data: RED },
      { z: 1, x: 0, y: 0, data: GREEN },
      { z: 1, x: 1, y: 1, data: BLUE },
    ]);
    raster2 = join(dir, 'other.mbtiles');
    writeMbtiles(raster2, { format: 'jpg' }, [{ z: 0, x: 0, y: 0, data: Buffer.from('ffd8ffe000104a464946', 'hex') }]);
    vector = join(dir, 'vector.mbtiles');
    writeMbtiles(vector, { format: 'pbf', minzoom: '0', maxzoom: '14', json: JSON.stringify({ vector_layers: [{ id: 'roads', fields: {} }, { id: 'water', fields: {} }] }) }, [
      { z: 0, x: 0, y: 0, data: gzipSync(PBF) },
      { z: 1, x: 0, y: 1, data: PBF },
    ]);
    // the tiles need no page: a stand-in renderer, so the test does not wait on `npm run build`
    mkdirSync(join(dir, 'renderer', 'console'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'console', 'index.html'), '<!doctype html><title>console</title>');
    hub = await startTestHub();
    host = await startConsoleHost({ hubUrl: hub.url, dataDir: join(dir, 'console'), port: 0, rendererDir: join(dir, 'renderer') });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves each tile with its type, the row flipped, nothing where the file has no tile', async () => {
    expect((await tile(0, 0, 0)).status).toBe(404); // no MBTiles basemap yet
    const config = await setBasemap({ kind: 'mbtiles', file: raster, coords: 'wgs84' });
    expect(MapConfig.parse(config).mbtiles).toEqual({ tilesUrl: '/basemap/local/{z}/{x}/{y}', format: 'png', minzoom: 0, maxzoom: 1, bounds: [120.8, 31.8, 121.2, 32.2], vectorLayers: [] });
    expect(config.basemapError).toBeUndefined();
    expect(await host.core.handle({ id: 2, type: 'mapConfig' })).toEqual(config);

    const z0 = await tile(0, 0, 0);
    expect(z0.status).toBe(200);
    expect(z0.headers['content-type']).toBe('image/png');
    expect(z0.headers['content-encoding']).toBeUndefined();
    expect(z0.body.equals(RED)).toBe(true);
    // XYZ row 0 is the north: the file's TMS row 1
    expect((await tile(1, 0, 0)).body.equals(GREEN)).toBe(true);
    expect((await tile(1, 1, 1)).body.equals(BLUE)).toBe(true);
    // the file has nothing at XYZ 1/0/1 (TMS row 0 of column 0), nor deeper than it goes
    for (const [z, x, y] of [[1, 0, 1], [1, 1, 0], [5, 3, 3]] as const) {
      const none = await tile(z, x, y);
      expect(none.status).toBe(204);
      expect(none.body.length).toBe(0);
    }
  });

  it('refuses coordinates that name no tile, and pages other than the console\'s', async () => {
    for (const [z, x, y] of [[1, 2, 0], [1, 0, 2], ['a', 0, 0], [31, 0, 0], [1, 0, '0.png'], [1, -1, 0]] as const) {
      const bad = await tile(z, x, y);
      expect(bad.status, `${z}/${x}/${y}`).toBe(400);
      expect(JSON.parse(bad.body.toString()).error.code).toBe('invalid');
    }
    expect((await tile(0, 0, 0, {} as never)).status).toBe(403);
    expect((await tile(0, 0, 0, { referer: 'http://evil.example/' })).status).toBe(403);
  });

  it('serves a vector file\'s pbf tiles, saying when they are gzip-compressed', async () => {
    const config = await setBasemap({ kind: 'mbtiles', file: vector, coords: 'gcj02' });
    expect(config).toMatchObject({ coords: 'gcj02', mbtiles: { format: 'pbf', minzoom: 0, maxzoom: 14, vectorLayers: ['roads', 'water'] } });
    const gz = await tile(0, 0, 0);
    expect(gz.status).toBe(200);
    expect(gz.headers['content-type']).toBe('application/x-protobuf');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.equals(gzipSync(PBF))).toBe(true);
    // a browser's fetch undoes the gzip: the page gets the pbf itself
    const res = await fetch(`${host.origin}/basemap/local/0/0/0`, { headers: page() });
    expect(Buffer.from(await res.arrayBuffer()).equals(PBF)).toBe(true);
    const plain = await tile(1, 0, 1); // stored uncompressed, at TMS row 0
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(PBF)).toBe(true);
  });

  it('switches files when the setting changes, and stops serving when it is no longer MBTiles', async () => {
    await setBasemap({ kind: 'mbtiles', file: raster2, coords: 'wgs84' });
    const jpg = await tile(0, 0, 0);
    expect(jpg.headers['content-type']).toBe('image/jpeg');
    expect(jpg.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    await setBasemap({ kind: 'demo' });
    expect((await tile(0, 0, 0)).status).toBe(404);
    expect((await host.core.handle({ id: 3, type: 'mapConfig' })).mbtiles).toBeUndefined();
  });

  it('refuses a file that is not MBTiles, naming the field, and keeps the setting it had', async () => {
    await setBasemap({ kind: 'mbtiles', file: raster, coords: 'wgs84' });
    const text = join(dir, 'notes.mbtiles');
    writeFileSync(text, 'these are not tiles\n'.repeat(100));
    const noTiles = join(dir, 'empty.mbtiles');
    new Database(noTiles).exec('CREATE TABLE metadata (name TEXT, value TEXT)').close();
    const tiff = join(dir, 'tiff.mbtiles');
    writeMbtiles(tiff, { format: 'tiff' }, []);
    for (const [file, message] of [
      [text, /not an MBTiles file \(not an SQLite database/],
      [noTiles, /no tiles table/],
      [tiff, /"tiff"/],
      [join(dir, 'missing.mbtiles'), /Cannot open/],
    ] as const) {
      await expect(setBasemap({ kind: 'mbtiles', file, coords: 'wgs84' }), file).rejects.toMatchObject({ code: 'invalid', field: 'basemap.file', message: expect.stringMatching(message) });
    }
    expect(() => checkMbtiles(text)).toThrow(/not an SQLite database/);
    // an MBTiles file given as PMTiles: told which kind it is
    const misnamed = join(dir, 'district.pmtiles');
    copyFileSync(raster, misnamed);
    await expect(setBasemap({ kind: 'pmtiles', file: misnamed, coords: 'wgs84' })).rejects.toMatchObject({ field: 'basemap.file', message: expect.stringMatching(/MBTiles kind/) });
    // over the page's own channel, the error body names the field
    const res = await host.core.request({ id: 7, type: 'setBasemap', basemap: { kind: 'mbtiles', file: text, coords: 'wgs84' } });
    expect(res).toMatchObject({ ok: false, error: { error: { code: 'invalid', field: 'basemap.file' } } });
    // still the good file
    expect((await host.core.handle({ id: 4, type: 'mapConfig' })).basemap).toEqual({ kind: 'mbtiles', file: raster, coords: 'wgs84' });
    expect((await tile(1, 1, 1)).body.equals(BLUE)).toBe(true);
  });

  it('says why when the configured file has gone, instead of failing the map config', async () => {
    const gone = join(dir, 'gone.mbtiles');
    writeMbtiles(gone, { format: 'png' }, [{ z: 0, x: 0, y: 0, data: RED }]);
    await setBasemap({ kind: 'mbtiles', file: gone, coords: 'wgs84' });
    await setBasemap({ kind: 'demo' }); // closes it
    rmSync(gone);
    // a setting kept from before (as after a restart) naming a file that is no longer there
    host.core.cache.setMeta('basemap', JSON.stringify({ kind: 'mbtiles', file: gone, coords: 'wgs84' }));
    const config = await host.core.handle({ id: 5, type: 'mapConfig' });
    expect(config.mbtiles).toBeUndefined();
    expect(config.basemapError).toMatch(/Cannot open .*gone\.mbtiles/);
    const res = await tile(0, 0, 0);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString()).error.message).toMatch(/cannot be read/);
  });
});
