import { describe, expect, it } from 'vitest';
import { convert, fromBasemap, geometryToBasemap, lngLatFromBasemap, lngLatToBasemap, toBasemap } from './coords';

/**
 * Reference points published with wandergis/coordtransform (an independent implementation of the
 * same GCJ-02 algorithm, whose results other ports such as Hutool and coordtransform-rs test
 * against): WGS-84 (116.404, 39.915) → GCJ-02 (116.41024449916938, 39.91640428150164).
 */
const WGS = [116.404, 39.915] as [number, number];
const GCJ_OF_WGS = [116.41024449916938, 39.91640428150164] as const;
/** coordtransform's one-step inverse of GCJ-02 (116.404, 39.915); exact only to ~1 m, as it says */
const WGS_OF_GCJ_APPROX = [116.39775550083061, 39.91359571849836] as const;

describe('coordinate systems (shared/coords.ts over gcoord)', () => {
  it('shifts WGS-84 into GCJ-02 exactly as the published reference', () => {
    const [lng, lat] = toBasemap(WGS, 'gcj02');
    expect(lng).toBeCloseTo(GCJ_OF_WGS[0], 9);
    expect(lat).toBeCloseTo(GCJ_OF_WGS[1], 9);
  });

  it('shifts GCJ-02 back to WGS-84 within a metre of the reference inverse, and round-trips to under a millimetre', () => {
    const [lng, lat] = fromBasemap([116.404, 39.915], 'gcj02');
    // 1e-5 degrees is about a metre here: the reference inverse is a one-step approximation
    expect(Math.abs(lng - WGS_OF_GCJ_APPROX[0])).toBeLessThan(1e-5);
    expect(Math.abs(lat - WGS_OF_GCJ_APPROX[1])).toBeLessThan(1e-5);
    const back = toBasemap([lng, lat], 'gcj02');
    expect(Math.abs(back[0] - 116.404)).toBeLessThan(1e-8);
    expect(Math.abs(back[1] - 39.915)).toBeLessThan(1e-8);
  });

  it('moves a point of the demo district (Nantong, 32° N 121° E) by the few hundred metres GCJ-02 is known for', () => {
    const p: [number, number] = [120.96, 32.0];
    const q = toBasemap(p, 'gcj02');
    const dx = (q[0] - p[0]) * 111_320 * Math.cos((32 * Math.PI) / 180);
    const dy = (q[1] - p[1]) * 110_574;
    const m = Math.hypot(dx, dy);
    expect(m).toBeGreaterThan(200);
    expect(m).toBeLessThan(800);
    const r = fromBasemap(q, 'gcj02');
    expect(Math.abs(r[0] - p[0])).toBeLessThan(1e-7);
    expect(Math.abs(r[1] - p[1])).toBeLessThan(1e-7);
  });

  it('leaves WGS-84 basemaps and places outside China alone', () => {
    expect(toBasemap(WGS, 'wgs84')).toEqual(WGS);
    expect(convert([2.35, 48.85], 'wgs84', 'gcj02')).toEqual([2.35, 48.85]);
    const poly = { type: 'Polygon' as const, coordinates: [[[120.9, 32], [121, 32], [121, 32.1], [120.9, 32]]] as [number, number][][] };
    expect(geometryToBasemap(poly, 'wgs84')).toBe(poly);
  });

  it('converts whole geometries and {lng, lat} objects the same way as single positions', () => {
    const poly = { type: 'Polygon' as const, coordinates: [[[120.9, 32], [121, 32], [121, 32.1], [120.9, 32]]] as [number, number][][] };
    const g = geometryToBasemap(poly, 'gcj02');
    expect(g.coordinates[0]![1]).toEqual(toBasemap([121, 32], 'gcj02'));
    expect(poly.coordinates[0]![1]).toEqual([121, 32]);
    const o = lngLatToBasemap({ lng: 116.404, lat: 39.915 }, 'gcj02');
    expect(o.lng).toBeCloseTo(GCJ_OF_WGS[0], 9);
    const w = lngLatFromBasemap(o, 'gcj02');
    expect(w.lng).toBeCloseTo(116.404, 7);
    expect(w.lat).toBeCloseTo(39.915, 7);
  });
});
