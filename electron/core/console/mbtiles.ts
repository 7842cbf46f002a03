/**
 * A local MBTiles basemap (https://github.com/mapbox/mbtiles-spec, 1.3): an SQLite file with a
 * `metadata(name, value)` table and a `tiles(zoom_level, tile_column, tile_row, tile_data)` table
 * (or view), rows in TMS order (row 0 at the south). Opened read-only; the console host serves its
 * tiles one by one at LOCAL_MBTILES_TILES (electron/core/console/basemap-route.ts), XYZ order, with
 * the row flipped here.
 */
import Database from 'better-sqlite3';
import { DomainError } from '../../../shared/errors';
import { MBTILES_FORMATS } from '../../../shared/schema/map';

export type MbtilesFormat = (typeof MBTILES_FORMATS)[number];

export interface MbtilesMetadata {
  format: MbtilesFormat;
  minzoom: number;
  maxzoom: number;
  bounds?: [number, number, number, number];
  /** pbf: the source-layer ids of the `json` metadata's vector_layers */
  vectorLayers: string[];
  attribution?: string;
}

/** the deepest zoom the host answers (the spec has no limit; 2^30 columns is far past any basemap) */
export const MBTILES_MAX_ZOOM = 30;

export const MBTILES_CONTENT_TYPE: Record<MbtilesFormat, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  pbf: 'application/x-protobuf',
};

/** MBTiles rows count from the south (TMS); XYZ (the page's) from the north. Its own inverse. */
export const tmsRow = (z: number, y: number): number => 2 ** z - 1 - y;

/** Parses z/x/y path segments: integers, 0 ≤ z ≤ MBTILES_MAX_ZOOM, 0 ≤ x, y < 2^z; null otherwise. */
export function parseTileCoords(z: string, x: string, y: string): { z: number; x: number; y: number } | null {
  if (![z, x, y].every((s) => /^\d{1,10}$/.test(s))) return null;
  const [zz, xx, yy] = [Number(z), Number(x), Number(y)];
  if (zz > MBTILES_MAX_ZOOM) return null;
  const n = 2 ** zz;
  if (xx >= n || yy >= n) return null;
  return { z: zz, x: xx, y: yy };
}

/** gzip's magic: vector tiles in MBTiles are usually stored gzip-compressed. */
export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

const invalid = (message: string) => new DomainError('invalid', message, 'basemap.file');

/** Reads the metadata table's rows into what the page needs; refuses what cannot be drawn. */
export function parseMbtilesMetadata(file: string, rows: readonly { name: unknown; value: unknown }[]): MbtilesMetadata {
  const meta = new Map<string, string>();
  for (const r of rows) if (typeof r.name === 'string' && r.value !== null && r.value !== undefined) meta.set(r.name.trim().toLowerCase(), String(r.value).trim());
  const rawFormat = meta.get('format')?.toLowerCase();
  if (!rawFormat) throw invalid(`${file} has no \`format\` in its metadata table; MBTiles 1.3 requires one of png, jpg, webp or pbf.`);
  const format = (rawFormat === 'jpeg' ? 'jpg' : rawFormat) as MbtilesFormat;
  if (!MBTILES_FORMATS.includes(format)) throw invalid(`${file} holds tiles of format "${rawFormat}"; the map draws png, jpg, webp (raster) or pbf (vector) tiles.`);
  const zoom = (name: string, fallback: number) => {
    const v = Number(meta.get(name));
    return meta.has(name) && Number.isInteger(v) && v >= 0 && v <= MBTILES_MAX_ZOOM ? v : fallback;
  };
  let minzoom = zoom('minzoom', 0);
  let maxzoom = zoom('maxzoom', 22);
  if (minzoom > maxzoom) [minzoom, maxzoom] = [maxzoom, minzoom];
  const out: MbtilesMetadata = { format, minzoom, maxzoom, vectorLayers: [] };
  const b = meta.get('bounds')?.split(',').map((s) => Number(s.trim()));
  if (b && b.length === 4 && b.every(Number.isFinite) && b[0]! < b[2]! && b[1]! < b[3]! && b[0]! >= -180 && b[2]! <= 180 && b[1]! >= -90 && b[3]! <= 90) {
    out.bounds = [b[0]!, b[1]!, b[2]!, b[3]!];
  }
  const attribution = meta.get('attribution');
  if (attribution) out.attribution = attribution.slice(0, 300);
  if (format === 'pbf') {
    let json: unknown;
    try {
      json = JSON.parse(meta.get('json') ?? '{}');
    } catch {
      throw invalid(`${file} is a vector MBTiles whose \`json\` metadata is not valid JSON; it must list the tiles' vector_layers.`);
    }
    const layers = (json as { vector_layers?: unknown }).vector_layers;
    if (Array.isArray(layers)) {
      for (const l of layers) {
        const id = (l as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id.length > 0 && !out.vectorLayers.includes(id)) out.vectorLayers.push(id);
      }
    }
    if (out.vectorLayers.length === 0) throw invalid(`${file} is a vector MBTiles whose \`json\` metadata lists no vector_layers, so the map cannot know what to draw.`);
  }
  return out;
}

/** An open MBTiles file: its metadata and one prepared lookup per tile. */
export class MbtilesArchive {
  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    readonly metadata: MbtilesMetadata,
    private readonly lookup: Database.Statement<[number, number, number], Buffer>,
  ) {}

  /** Opens and checks a file (read-only, never created); throws DomainError naming `basemap.file`. */
  static open(file: string): MbtilesArchive {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw invalid(`Cannot open ${file} (${(err as { code?: string }).code ?? (err as Error).message}); check the path and that the console may read it.`);
    }
    try {
      let names: string[];
      try {
        names = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name IN ('metadata', 'tiles')").pluck().all() as string[];
      } catch (err) {
        throw invalid(`${file} is not an MBTiles file (not an SQLite database: ${(err as Error).message}).`);
      }
      const missing = ['metadata', 'tiles'].filter((t) => !names.includes(t));
      if (missing.length) throw invalid(`${file} is an SQLite database but not an MBTiles file: it has no ${missing.join(' and no ')} table.`);
      let rows: { name: unknown; value: unknown }[];
      let lookup: Database.Statement<[number, number, number], Buffer>;
      try {
        rows = db.prepare('SELECT name, value FROM metadata').all() as { name: unknown; value: unknown }[];
        lookup = db.prepare<[number, number, number], Buffer>('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck();
      } catch (err) {
        throw invalid(`${file} is not a valid MBTiles file (${(err as Error).message}).`);
      }
      return new MbtilesArchive(file, db, parseMbtilesMetadata(file, rows), lookup);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The tile at XYZ z/x/y, or undefined when the file has none there. */
  tile(z: number, x: number, y: number): Buffer | undefined {
    const data: unknown = this.lookup.get(z, x, tmsRow(z, y));
    return Buffer.isBuffer(data) && data.length > 0 ? data : undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Checks a file before the map is pointed at it: opens, validates and closes it. */
export function checkMbtiles(file: string): MbtilesMetadata {
  const a = MbtilesArchive.open(file);
  a.close();
  return a.metadata;
}
