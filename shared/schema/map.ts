import { z } from 'zod';
import { COORD_SYSTEMS } from '../coords';
import { Id, LngLat, Timestamp } from './common';
import { EventState, Person, Role, Tier } from './entities';

/**
 * The map's contract: which basemap the console draws on (a setting, validated here on every
 * side), and what the console core answers the map view (layers' data, a grid's or a person's
 * details, a track). Positions are WGS-84 throughout; the page converts to the basemap's system.
 */

export const CoordSystem = z.enum(COORD_SYSTEMS);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);
/** an XYZ template: an http(s) URL with {z}, {x} and {y} (or {-y} for TMS) */
const tileTemplate = z
  .string()
  .max(2000)
  .refine((s) => /^https?:\/\//.test(s) && s.includes('{z}') && s.includes('{x}') && (s.includes('{y}') || s.includes('{-y}')), {
    message: 'must be an http(s) URL template with {z}, {x} and {y}, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png',
  });
/** a file on the console's machine: an absolute path, no NUL, ending in .pmtiles */
const localPmtiles = z
  .string()
  .max(1000)
  .refine((s) => (s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s)) && !s.includes('\0') && /\.pmtiles$/i.test(s), {
    message: 'must be the absolute path of a .pmtiles file on this computer, e.g. /srv/maps/district.pmtiles',
  });
/** a file on the console's machine: an absolute path, no NUL, ending in .mbtiles */
const localMbtiles = z
  .string()
  .max(1000)
  .refine((s) => (s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s)) && !s.includes('\0') && /\.mbtiles$/i.test(s), {
    message: 'must be the absolute path of a .mbtiles file on this computer, e.g. /srv/maps/district.mbtiles',
  });

export const Basemap = z.discriminatedUnion('kind', [
  /** the light basemap generated from the demo district (server/demo/basemap.ts), served by the console host */
  z.object({ kind: z.literal('demo') }).strict(),
  /** a raster XYZ tile service (a city's own, or a local tile server) */
  z
    .object({
      kind: z.literal('xyz'),
      tiles: z.array(tileTemplate).min(1).max(4),
      tileSize: z.union([z.literal(256), z.literal(512)]).default(256),
      maxzoom: z.number().int().min(1).max(22).default(18),
      attribution: z.string().max(300).optional(),
      coords: CoordSystem,
    })
    .strict(),
  /** a MapLibre style document of a vector tile service */
  z.object({ kind: z.literal('style'), url: httpUrl, coords: CoordSystem }).strict(),
  /** a PMTiles archive on this computer (raster or vector tiles), served to the page by the console host */
  z.object({ kind: z.literal('pmtiles'), file: localPmtiles, coords: CoordSystem }).strict(),
  /** an MBTiles file (SQLite, spec 1.3; raster png/jpg/webp or vector pbf) on this computer, served tile by tile by the console host */
  z.object({ kind: z.literal('mbtiles'), file: localMbtiles, coords: CoordSystem }).strict(),
]);
export type Basemap = z.infer<typeof Basemap>;
export type BasemapInput = z.input<typeof Basemap>;

export const MBTILES_FORMATS = ['png', 'jpg', 'webp', 'pbf'] as const;

/** What the page needs to draw a local MBTiles basemap, read from the file's metadata table. */
export const MbtilesInfo = z
  .object({
    /** the console host's tile URL template (same origin as the page, path only): `/basemap/local/{z}/{x}/{y}` */
    tilesUrl: z.string(),
    /** the tiles' format (`jpeg` in the file is given as `jpg`) */
    format: z.enum(MBTILES_FORMATS),
    minzoom: z.number().int().min(0).max(30),
    maxzoom: z.number().int().min(0).max(30),
    /** WGS-84 west, south, east, north, when the file says */
    bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    /** pbf: the source-layer ids of the file's `json` metadata (vector_layers) */
    vectorLayers: z.array(z.string()),
    attribution: z.string().optional(),
  })
  .strict();
export type MbtilesInfo = z.infer<typeof MbtilesInfo>;

/** What the page needs to draw the basemap: the setting plus where the host serves local archives. */
export const MapConfig = z
  .object({
    basemap: Basemap,
    /** the console host's URL (same origin as the page) of the demo or local PMTiles archive */
    pmtilesUrl: z.string().optional(),
    /** a local MBTiles basemap: where the host serves its tiles and what they are */
    mbtiles: MbtilesInfo.optional(),
    /** why the configured local basemap cannot be drawn now (the file went missing, say) */
    basemapError: z.string().optional(),
    /** the coordinate system the overlays must be drawn in (the basemap's; demo: wgs84) */
    coords: CoordSystem,
    /** the district's extent (WGS-84 west, south, east, north), to open the map on */
    bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  })
  .strict();
export type MapConfig = z.infer<typeof MapConfig>;

/* ---------- layers' data ---------- */

/** How a field person stands for the map's colours. */
export const MAP_PERSON_STATUSES = ['on_site', 'busy', 'free', 'off_duty'] as const;
export const MapPersonStatus = z.enum(MAP_PERSON_STATUSES);
export type MapPersonStatus = z.infer<typeof MapPersonStatus>;

export const MapPerson = z
  .object({
    id: Id,
    name: z.string(),
    role: Role,
    status: MapPersonStatus,
    gridIds: z.array(Id),
    /** last fix, if any */
    position: LngLat.optional(),
    at: Timestamp.optional(),
    openAssignments: z.number().int().min(0),
  })
  .strict();
export type MapPerson = z.infer<typeof MapPerson>;

/** One event as a point on the map (the open-events layer and the heat map). */
export const MapEventPoint = z
  .object({ id: Id, tier: Tier, state: EventState, categoryId: Id, position: LngLat, reportedAt: Timestamp, assigneeId: Id.optional() })
  .strict();
export type MapEventPoint = z.infer<typeof MapEventPoint>;

export const MapEventsQuery = z
  .object({
    /** open events (default) or every event reported in [from, to) (the heat map) */
    scope: z.enum(['open', 'period']).default('open'),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    categoryId: Id.optional(),
    limit: z.number().int().min(1).max(100_000).default(50_000),
  })
  .strict();
export type MapEventsQuery = z.infer<typeof MapEventsQuery>;

/* ---------- details ---------- */

/** A grid's patrol this week (巡查覆盖): from the hub's position history of the grid's staff. */
export const PatrolCoverage = z
  .object({
    gridId: Id,
    from: Timestamp,
    to: Timestamp,
    /** fixes of the grid's staff inside the grid */
    fixes: z.number().int().min(0),
    /** the grid is cut into cells (about 100 m); the share of cells someone passed through */
    cells: z.number().int().min(0),
    visitedCells: z.number().int().min(0),
    coverage: z.number().min(0).max(1),
    /** days (CST, yyyy-mm-dd) with at least one fix inside the grid, out of the days in the period */
    daysPatrolled: z.number().int().min(0),
    days: z.number().int().min(0),
  })
  .strict();
export type PatrolCoverage = z.infer<typeof PatrolCoverage>;

export const GridInfo = z
  .object({
    grid: z.object({ id: Id, name: z.string(), code: z.string(), kind: z.string(), domain: z.string().optional(), households: z.number().optional() }).strict(),
    communityName: z.string().optional(),
    townName: z.string().optional(),
    /** people responsible for the grid: its leader(s) and members, then the community's chief and police */
    people: z.array(Person),
    openEvents: z.array(MapEventPoint),
    /** null while the hub cannot be reached (computed there from position history) */
    patrol: PatrolCoverage.nullable(),
    patrolError: z.string().optional(),
  })
  .strict();
export type GridInfo = z.infer<typeof GridInfo>;

export const TrackPoint = z.object({ at: Timestamp, lng: z.number(), lat: z.number(), accuracy: z.number().optional() }).strict();
export type TrackPoint = z.infer<typeof TrackPoint>;

export const Track = z
  .object({ personId: Id, from: Timestamp, to: Timestamp, points: z.array(TrackPoint), truncated: z.boolean() })
  .strict();
export type Track = z.infer<typeof Track>;

export const TrackQuery = z
  .object({ personId: Id, from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0), limit: z.coerce.number().int().min(1).max(20_000).default(5000) })
  .strict()
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
  .refine((q) => q.to - q.from <= 7 * 24 * 3_600_000, { message: 'a track spans at most 7 days', path: ['from'] });
export type TrackQuery = z.infer<typeof TrackQuery>;

export const PatrolQuery = z
  .object({ gridId: Id, from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) })
  .strict()
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })
  .refine((q) => q.to - q.from <= 31 * 24 * 3_600_000, { message: 'patrol coverage spans at most 31 days', path: ['from'] });
export type PatrolQuery = z.infer<typeof PatrolQuery>;

export const PersonInfo = z
  .object({
    person: Person,
    status: MapPersonStatus,
    position: LngLat.optional(),
    at: Timestamp.optional(),
    gridNames: z.array(z.string()),
    /** open events assigned to the person */
    assignments: z.array(MapEventPoint),
    /** null while the hub cannot be reached (the history is kept there) */
    track: Track.nullable(),
    trackError: z.string().optional(),
  })
  .strict();
export type PersonInfo = z.infer<typeof PersonInfo>;
