/**
 * Names and places in the embedded demo district, derived from the same deterministic generator
 * the hub seeds from, so tests never hard-code coordinates.
 */
import { polygonBBox, polygonContains } from '../../shared/geo';
import type { Grid, LngLat } from '../../shared/schema';
import { generateDistrict } from '../../server/demo/generator';

export const DEMO = generateDistrict();

const gridsById = new Map(DEMO.grids.map((g) => [g.id, g]));
const dedicated = DEMO.grids.filter((g) => g.kind === 'dedicated');

export function demoGrid(id: string): Grid {
  const g = gridsById.get(id);
  if (!g) throw new Error(`The demo district has no grid ${id}`);
  return g;
}

/** A point inside the grid at fractions (fx, fy) of its bounding box. */
export function pointIn(gridId: string, fx = 0.5, fy = 0.5): LngLat {
  const [w, s, e, n] = polygonBBox(demoGrid(gridId).polygon);
  return { lng: Math.round((w + (e - w) * fx) * 1e7) / 1e7, lat: Math.round((s + (n - s) * fy) * 1e7) / 1e7 };
}

/** A point inside a comprehensive grid and outside every dedicated grid. */
export function plainPointIn(gridId: string): LngLat {
  for (const f of [0.5, 0.05, 0.95, 0.25, 0.75]) {
    for (const g of [0.5, 0.05, 0.95, 0.25, 0.75]) {
      const pt = pointIn(gridId, f, g);
      if (!dedicated.some((d) => polygonContains(d.polygon, pt))) return pt;
    }
  }
  throw new Error(`No plain point found in ${gridId}`);
}

/** The first school's dedicated grid and the comprehensive grid it lies in. */
export const SCHOOL = (() => {
  const grid = dedicated.find((g) => g.domain === 'school')!;
  const host = DEMO.grids.find((g) => g.kind === 'comprehensive' && g.communityId === grid.communityId && polygonContains(g.polygon, pointIn(grid.id)))!;
  const member = DEMO.people.find((p) => p.role === 'dedicated_member' && p.gridIds.includes(grid.id))!;
  return { gridId: grid.id, hostGridId: host.id, townId: grid.townId, point: pointIn(grid.id), memberId: member.id };
})();

/** Town ids by slug, and the index t used in generated ids (grid-<t>-<c>-<k>). */
export const TOWN_INDEX = { jinsha: 0, xianfeng: 1, jinxin: 2, dongshe: 4 } as const;
