/**
 * Coordinate systems of basemaps in China, and the conversion between them (gcoord, a maintained
 * library, does the arithmetic). Everything the platform stores is WGS-84 (CGCS2000 agrees with it
 * to centimetres, far below what a phone's fix or a grid line means), but many tile services in
 * China draw in GCJ-02 (高德, 腾讯, most 天地图 mirrors are WGS-84/CGCS2000). A map drawn over a
 * GCJ-02 basemap must shift every overlay into GCJ-02 before drawing and shift every click back to
 * WGS-84 before storing it, or everything sits 300–600 m off the streets.
 *
 * Pure: no DOM, Node or repo imports (shared/ rule).
 */
import gcoord from 'gcoord';

export const COORD_SYSTEMS = ['wgs84', 'gcj02'] as const;
export type CoordSystem = (typeof COORD_SYSTEMS)[number];

type Pos = [number, number];

const CRS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02 } as const;

/** One position from one system to another (identity when they are the same). */
export function convert(p: Pos, from: CoordSystem, to: CoordSystem): Pos {
  if (from === to) return [p[0], p[1]];
  const out = gcoord.transform([p[0], p[1]] as Pos, CRS[from], CRS[to]) as Pos;
  return [out[0], out[1]];
}

/** A stored (WGS-84) position as the basemap draws it. */
export const toBasemap = (p: Pos, basemap: CoordSystem): Pos => convert(p, 'wgs84', basemap);

/**
 * A position picked on the basemap, as the platform stores it (WGS-84). GCJ-02 has no closed-form
 * inverse: gcoord's one-step inverse is off by centimetres to a metre, so it is refined by a few
 * fixed-point steps against the forward shift (w ← w − (T(w) − g)) until it maps back to well under
 * a millimetre, and a stored spot re-drawn lands exactly where the operator clicked.
 */
export function fromBasemap(p: Pos, basemap: CoordSystem): Pos {
  if (basemap === 'wgs84') return [p[0], p[1]];
  let w = convert(p, basemap, 'wgs84');
  for (let i = 0; i < 4; i++) {
    const t = convert(w, 'wgs84', basemap);
    const dx = t[0] - p[0], dy = t[1] - p[1];
    if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
    w = [w[0] - dx, w[1] - dy];
  }
  return w;
}

/** Same as toBasemap/fromBasemap for {lng, lat} objects. */
export function lngLatToBasemap<T extends { lng: number; lat: number }>(p: T, basemap: CoordSystem): { lng: number; lat: number } {
  const [lng, lat] = toBasemap([p.lng, p.lat], basemap);
  return { lng, lat };
}
export function lngLatFromBasemap(p: { lng: number; lat: number }, basemap: CoordSystem): { lng: number; lat: number } {
  const [lng, lat] = fromBasemap([p.lng, p.lat], basemap);
  return { lng, lat };
}

type Coords = Pos | Coords[];

function mapCoords(c: unknown, f: (p: Pos) => Pos): unknown {
  if (Array.isArray(c) && typeof c[0] === 'number') return f(c as Pos);
  return (c as unknown[]).map((x) => mapCoords(x, f));
}

/**
 * A GeoJSON geometry's coordinates (any nesting: Point … MultiPolygon) converted; a new object,
 * the input untouched. Identity (the same object) when the systems agree, so the common WGS-84
 * case costs nothing.
 */
export function geometryToBasemap<G extends { type: string; coordinates: unknown }>(g: G, basemap: CoordSystem): G {
  if (basemap === 'wgs84') return g;
  return { ...g, coordinates: mapCoords(g.coordinates as Coords, (p) => toBasemap(p, basemap)) };
}
