/**
 * The demo district's offline basemap: a small vector-tile PMTiles archive generated from the same
 * deterministic geometry as the district (./generator.ts), so the console's map works with no
 * network and no tile server. Layers (MVT source-layers):
 *   land      the district polygon
 *   water     the Yangtze along the south edge, a canal across the district, ponds
 *   roads     expressway, main roads along town boundaries, city streets in the urban streets
 *   boundary  district and town outlines (admin_level 2 / 3)
 *   places    town and community name points (rank 1 / 2)
 * Tiled with @maplibre/geojson-vt and encoded with @maplibre/vt-pbf (MapLibre's own), written as a
 * PMTiles v3 archive by writePmtiles below. The real district's deployment points the map at its own
 * tile service or archive instead (Basemap setting).
 */
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { zxyToTileId } from 'pmtiles';
import type { OrgUnit } from '../../shared/schema';
import { DISTRICT_BBOX, generateDistrict } from './generator';

type Position = [number, number];
interface Feature {
  type: 'Feature';
  properties: Record<string, string | number>;
  geometry: { type: 'Point'; coordinates: Position } | { type: 'LineString'; coordinates: Position[] } | { type: 'Polygon'; coordinates: Position[][] };
}
const fc = (features: Feature[]) => ({ type: 'FeatureCollection' as const, features });

export const BASEMAP_MINZOOM = 8;
export const BASEMAP_MAXZOOM = 14;
export const BASEMAP_LAYERS = ['land', 'water', 'roads', 'boundary', 'places'] as const;

const ring = (o: OrgUnit): Position[] => (o.boundary?.coordinates[0] ?? []) as Position[];

/** A band along a polyline (a river), as a polygon: offset each vertex left and right by `half` degrees of latitude. */
function band(line: Position[], half: number): Position[][] {
  const left: Position[] = [], right: Position[] = [];
  for (let i = 0; i < line.length; i++) {
    const a = line[Math.max(0, i - 1)]!, b = line[Math.min(line.length - 1, i + 1)]!;
    const dx = b[0] - a[0], dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    const nx = -dy / len, ny = dx / len;
    const [x, y] = line[i]!;
    left.push([x + nx * half, y + ny * half]);
    right.push([x - nx * half, y - ny * half]);
  }
  return [[...left, ...right.reverse(), left[0]!]];
}

/** A gently winding line from west to east at latitude `lat`: rivers and canals are never straight. */
function winding(west: number, east: number, lat: number, amp: number, waves: number, steps = 60): Position[] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const x = west + ((east - west) * i) / steps;
    return [Math.round(x * 1e6) / 1e6, Math.round((lat + amp * Math.sin((i / steps) * waves * Math.PI * 2)) * 1e6) / 1e6] as Position;
  });
}

/** The demo basemap's layers as GeoJSON (deterministic). */
export function demoBasemapLayers(): Record<(typeof BASEMAP_LAYERS)[number], ReturnType<typeof fc>> {
  const d = generateDistrict();
  const [W, S, E, N] = DISTRICT_BBOX;
  const district = d.orgUnits.find((o) => o.level === 'district')!;
  const towns = d.orgUnits.filter((o) => o.level === 'subcenter');
  const communities = d.orgUnits.filter((o) => o.level === 'community');

  const land = [{ type: 'Feature', properties: { kind: 'district' }, geometry: { type: 'Polygon', coordinates: [ring(district)] } } as Feature];

  const water: Feature[] = [
    // the Yangtze: a wide band just south of the district
    { type: 'Feature', properties: { kind: 'river', name: '长江' }, geometry: { type: 'Polygon', coordinates: band(winding(W - 0.2, E + 0.2, S - 0.045, 0.01, 1.5), 0.03) } },
    // a canal across the district, like the Tongzhou–Lüsi canal (通吕运河)
    { type: 'Feature', properties: { kind: 'canal', name: '通吕运河' }, geometry: { type: 'Polygon', coordinates: band(winding(W, E, 32.035, 0.006, 2.5, 120), 0.0012) } },
  ];
  // ponds: one in each rural town, away from its centre
  for (const [i, t] of towns.entries()) {
    const c = t.center!;
    const r = 0.004 + (i % 3) * 0.0015;
    const cx = c.lng + ((i % 2) * 2 - 1) * 0.02, cy = c.lat + (((i >> 1) % 2) * 2 - 1) * 0.015;
    water.push({
      type: 'Feature',
      properties: { kind: 'pond' },
      geometry: { type: 'Polygon', coordinates: [Array.from({ length: 13 }, (_, k) => [cx + r * Math.cos((k / 12) * 2 * Math.PI) * 1.3, cy + r * Math.sin((k / 12) * 2 * Math.PI)] as Position)] },
    });
  }

  const roads: Feature[] = [];
  const road = (kind: string, name: string, coordinates: Position[]) => roads.push({ type: 'Feature', properties: { kind, name }, geometry: { type: 'LineString', coordinates } });
  // an expressway crossing the district diagonally (like G15 沈海高速)
  road('motorway', '沈海高速', [[W - 0.05, N - 0.02], [W + 0.12, N - 0.07], [121.0, 32.02], [E - 0.1, S + 0.05], [E + 0.05, S - 0.01]]);
  // main roads along town boundaries (the lattice lines), named
  const mainNS = ['通刘路', '金沙大道', '人民路', '世纪大道', '东社路'];
  const xs = [...new Set(towns.flatMap((t) => ring(t).map((p) => p[0])))].filter((x) => x > W && x < E).sort((a, b) => a - b);
  xs.forEach((x, i) => road('primary', mainNS[i % mainNS.length]!, [[x, S], [x, N]]));
  road('primary', '通甲公路', [[W, 32.0], [E, 32.0]]);
  road('primary', '沿江公路', [[W, S + 0.012], [E, S + 0.012]]);
  // city streets: along the community rows and halfway lines of the urban streets
  const streetNames = ['建设路', '学府路', '新金路', '兴东路', '育才路', '先锋路', '通兴路', '青年路', '和平路', '跃进路'];
  let n = 0;
  for (const t of towns) {
    const [tw, ts, te, tn] = [ring(t)[0]![0], ring(t)[0]![1], ring(t)[2]![0], ring(t)[2]![1]];
    const urban = communities.filter((c) => c.parentId === t.id).length > 0 && d.grids.some((g) => g.townId === t.id && g.households === 500);
    if (!urban) {
      // a town road through the town's centre each way
      road('secondary', `${t.name.replace(/镇$/, '')}中路`, [[tw, t.center!.lat], [te, t.center!.lat]]);
      continue;
    }
    const rows = [...new Set(communities.filter((c) => c.parentId === t.id).map((c) => ring(c)[0]![1]))].filter((y) => y > ts && y < tn);
    for (const y of rows) road('street', streetNames[n++ % streetNames.length]!, [[tw, y], [te, y]]);
    for (let k = 1; k < 4; k++) road('street', streetNames[n++ % streetNames.length]!, [[tw + ((te - tw) * k) / 4, ts], [tw + ((te - tw) * k) / 4, tn]]);
  }

  const boundary: Feature[] = [
    { type: 'Feature', properties: { admin_level: 2, name: district.name }, geometry: { type: 'LineString', coordinates: ring(district) } },
    ...towns.map((t) => ({ type: 'Feature', properties: { admin_level: 3, name: t.name }, geometry: { type: 'LineString', coordinates: ring(t) } }) as Feature),
  ];

  const places: Feature[] = [
    ...towns.map((t) => ({ type: 'Feature', properties: { rank: 1, kind: 'town', name: t.name }, geometry: { type: 'Point', coordinates: [t.center!.lng, t.center!.lat] } }) as Feature),
    ...communities.map((c) => ({ type: 'Feature', properties: { rank: 2, kind: 'community', name: c.name }, geometry: { type: 'Point', coordinates: [c.center!.lng, c.center!.lat] } }) as Feature),
  ];

  return { land: fc(land), water: fc(water), roads: fc(roads), boundary: fc(boundary), places: fc(places) };
}

const lon2x = (lng: number, z: number) => Math.floor(((lng + 180) / 360) * 2 ** z);
const lat2y = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

export interface PmtilesTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

/** Vector tiles of the demo basemap, z8–z14 over the district and its margin. */
export function demoBasemapTiles(): PmtilesTile[] {
  const layers = demoBasemapLayers();
  const indexes = Object.fromEntries(
    Object.entries(layers).map(([name, data]) => [name, new GeoJSONVT(data as never, { maxZoom: BASEMAP_MAXZOOM, indexMaxZoom: BASEMAP_MAXZOOM, buffer: 64, extent: 4096, tolerance: 3 })]),
  );
  const [W, S, E, N] = DISTRICT_BBOX;
  const tiles: PmtilesTile[] = [];
  for (let z = BASEMAP_MINZOOM; z <= BASEMAP_MAXZOOM; z++) {
    for (let x = lon2x(W - 0.25, z); x <= lon2x(E + 0.25, z); x++) {
      for (let y = lat2y(N + 0.1, z); y <= lat2y(S - 0.1, z); y++) {
        const found: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
        for (const [name, index] of Object.entries(indexes)) {
          const t = index.getTile(z, x, y);
          if (t && t.features.length > 0) found[name] = t;
        }
        if (Object.keys(found).length === 0) continue;
        tiles.push({ z, x, y, data: fromGeojsonVt(found, { version: 2, extent: 4096 }) });
      }
    }
  }
  return tiles;
}

function varint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

export interface PmtilesMeta {
  tileType: 'mvt' | 'png' | 'jpeg' | 'webp';
  minzoom: number;
  maxzoom: number;
  bounds: readonly [number, number, number, number];
  center: readonly [number, number, number];
  metadata: Record<string, unknown>;
}

/**
 * A PMTiles v3 archive (header, root directory, JSON metadata, tile data; no leaf directories, no
 * compression), enough for a district's few hundred tiles: the root directory must fit in the
 * first 16 KiB, which holds about 3,000 entries.
 */
export function writePmtiles(tiles: readonly PmtilesTile[], meta: PmtilesMeta): Buffer {
  const sorted = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  const entries: { id: number; offset: number; length: number }[] = [];
  let offset = 0;
  for (const t of sorted) {
    entries.push({ id: t.id, offset, length: t.data.length });
    offset += t.data.length;
  }
  const dir: number[] = [];
  varint(dir, entries.length);
  let last = 0;
  for (const e of entries) (varint(dir, e.id - last), (last = e.id));
  for (let i = 0; i < entries.length; i++) varint(dir, 1);
  for (const e of entries) varint(dir, e.length);
  entries.forEach((e, i) => varint(dir, i > 0 && e.offset === entries[i - 1]!.offset + entries[i - 1]!.length ? 0 : e.offset + 1));
  if (127 + dir.length > 16_384) throw new Error(`The basemap has too many tiles (${entries.length}) for a root-only PMTiles directory.`);
  const json = Buffer.from(JSON.stringify(meta.metadata), 'utf8');
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header.writeUInt8(3, 7);
  const u64 = (pos: number, v: number) => header.writeBigUInt64LE(BigInt(v), pos);
  const rootOffset = 127, metaOffset = rootOffset + dir.length, dataOffset = metaOffset + json.length;
  u64(8, rootOffset);
  u64(16, dir.length);
  u64(24, metaOffset);
  u64(32, json.length);
  u64(40, dataOffset);
  u64(48, 0);
  u64(56, dataOffset);
  u64(64, offset);
  u64(72, entries.length);
  u64(80, entries.length);
  u64(88, entries.length);
  header.writeUInt8(1, 96); // clustered: entries in tile-id order, data in the same order
  header.writeUInt8(1, 97); // internal compression: none
  header.writeUInt8(1, 98); // tile compression: none
  header.writeUInt8({ mvt: 1, png: 2, jpeg: 3, webp: 4 }[meta.tileType], 99);
  header.writeUInt8(meta.minzoom, 100);
  header.writeUInt8(meta.maxzoom, 101);
  const e7 = (v: number) => Math.round(v * 1e7);
  header.writeInt32LE(e7(meta.bounds[0]), 102);
  header.writeInt32LE(e7(meta.bounds[1]), 106);
  header.writeInt32LE(e7(meta.bounds[2]), 110);
  header.writeInt32LE(e7(meta.bounds[3]), 114);
  header.writeUInt8(meta.center[2], 118);
  header.writeInt32LE(e7(meta.center[0]), 119);
  header.writeInt32LE(e7(meta.center[1]), 123);
  return Buffer.concat([header, Buffer.from(dir), json, ...sorted.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
}

/** The demo basemap archive, as the console host serves it. */
export function demoBasemapPmtiles(): Buffer {
  const [W, S, E, N] = DISTRICT_BBOX;
  return writePmtiles(demoBasemapTiles(), {
    tileType: 'mvt',
    minzoom: BASEMAP_MINZOOM,
    maxzoom: BASEMAP_MAXZOOM,
    bounds: [W - 0.25, S - 0.1, E + 0.25, N + 0.1],
    center: [(W + E) / 2, (S + N) / 2, 11],
    metadata: {
      name: 'demo-district',
      description: 'Generated light basemap of the demo district (server/demo/basemap.ts)',
      attribution: '演示底图 · generated',
      vector_layers: BASEMAP_LAYERS.map((id) => ({ id, fields: {} })),
    },
  });
}
