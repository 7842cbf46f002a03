import inside from 'point-in-polygon-hao';
import type { LngLat, PolygonGeometry } from './schema/common';

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres. */
export function distanceM(a: LngLat, b: LngLat): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type BBox = [minLng: number, minLat: number, maxLng: number, maxLat: number];

export function polygonBBox(p: PolygonGeometry): BBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of p.coordinates[0]!) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/** An axis-aligned rectangle as a closed GeoJSON polygon ring, counter-clockwise from the south-west corner. */
export function rectPolygon(west: number, south: number, east: number, north: number): PolygonGeometry {
  return { type: 'Polygon', coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] };
}

/** True when the point lies inside the polygon or on its boundary (holes excluded). */
export function polygonContains(p: PolygonGeometry, pt: LngLat): boolean {
  return inside([pt.lng, pt.lat], p.coordinates) !== false;
}

/** Ring centroid by the shoelace formula, for labels and default spots. */
export function polygonCentroid(p: PolygonGeometry): LngLat {
  const ring = p.coordinates[0]!;
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i]!;
    const [x1, y1] = ring[i + 1]!;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) return { lng: ring[0]![0], lat: ring[0]![1] };
  return { lng: cx / (3 * a), lat: cy / (3 * a) };
}
