import { rectPolygon } from './geo';
import type { Grid, GridKind } from './schema/entities';

/** Test fixture: a rectangular grid in community c1 of town t1 (unit tests of spatial code). */
export function rectGrid(id: string, kind: GridKind, x0: number, y0: number, x1: number, y1: number, extra: Partial<Grid> = {}): Grid {
  return { id, kind, code: id, name: `grid ${id}`, communityId: 'c1', townId: 't1', polygon: rectPolygon(x0, y0, x1, y1), ...extra };
}
