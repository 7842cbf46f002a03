/** Where the leader is: the browser's position fixes, and the small map's projection. */
import type { LngLat, PolygonGeometry } from '../../shared/schema';

export interface Fix {
  position: LngLat;
  accuracy?: number;
  at: number;
}

const toFix = (p: GeolocationPosition): Fix => ({
  position: { lng: p.coords.longitude, lat: p.coords.latitude },
  accuracy: p.coords.accuracy,
  at: p.timestamp || Date.now(),
});

/** Follows the device's position; answers a stop function. Errors are reported, not thrown. */
export function watchFix(onFix: (f: Fix) => void, onError: (msg: string) => void): () => void {
  if (!('geolocation' in navigator)) {
    onError('no geolocation');
    return () => {};
  }
  const id = navigator.geolocation.watchPosition(
    (p) => onFix(toFix(p)),
    (e) => onError(e.message),
    { enableHighAccuracy: true, maximumAge: 15_000, timeout: 30_000 },
  );
  return () => navigator.geolocation.clearWatch(id);
}

export function currentFix(timeoutMs = 10_000): Promise<Fix> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) return reject(new Error('no geolocation'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve(toFix(p)),
      (e) => reject(new Error(e.message)),
      { enableHighAccuracy: true, maximumAge: 30_000, timeout: timeoutMs },
    );
  });
}

/**
 * An equirectangular projection fitted to a set of polygons: fine for a few square kilometres,
 * with longitude shrunk by cos(latitude) so the grid keeps its shape.
 */
export interface Projection {
  width: number;
  height: number;
  toXY(p: LngLat): [number, number];
  toLngLat(x: number, y: number): LngLat;
}

export function fitProjection(polygons: readonly PolygonGeometry[], width: number, pad = 12): Projection {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of polygons) {
    for (const [x, y] of p.coordinates[0] ?? []) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  if (!Number.isFinite(minX)) [minX, minY, maxX, maxY] = [0, 0, 1e-3, 1e-3];
  const k = Math.cos(((minY + maxY) / 2) * (Math.PI / 180));
  const spanX = Math.max((maxX - minX) * k, 1e-6);
  const spanY = Math.max(maxY - minY, 1e-6);
  const scale = (width - 2 * pad) / spanX;
  // a tall grid would make a tall map: cap the height and shrink to fit
  const s = Math.min(scale, (width * 1.1 - 2 * pad) / spanY);
  const height = Math.round(spanY * s + 2 * pad);
  const offX = (width - spanX * s) / 2;
  return {
    width,
    height,
    toXY: (p) => [offX + (p.lng - minX) * k * s, pad + (maxY - p.lat) * s],
    toLngLat: (x, y) => ({ lng: minX + (x - offX) / (k * s), lat: maxY - (y - pad) / s }),
  };
}
