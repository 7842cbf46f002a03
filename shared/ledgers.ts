/**
 * Oversight ledgers (台账), the three-day bulletin (三天一通报) and the three rates (三率): the
 * calendar they are counted on and the patrol cells a grid is measured in. The hub counts in SQL
 * (server/store/sqlite/ledgers.ts); this module holds what every side must agree on. Each figure's
 * definition is in shared/stats.ts METRIC_DEFINITIONS.
 *
 * Pure: no Node, DOM or Electron imports.
 */
import { CST_OFFSET_MS, DAY_MS } from './deadline';
import { polygonBBox, polygonContains } from './geo';
import type { PolygonGeometry } from './schema/common';
import { cstDate, cstParts, type Period } from './stats';

/* ---------- CST calendar dates ---------- */

/** Ledger periods: a CST day, a week from Monday, a calendar month, quarter or year. */
export const LEDGER_PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type LedgerPeriod = (typeof LEDGER_PERIODS)[number];

/** The three days a bulletin covers, ending on (and including) its date. */
export const BULLETIN_DAYS = 3;

/** `YYYY-MM-DD` as a CST calendar date, or undefined when it is not one (2026-02-30). */
export function parseCstDate(s: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return undefined;
  // Date.UTC rolls 30 February into March: a real date survives the round trip
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? { year, month, day } : undefined;
}

/** The CST calendar date of `ms`, as `YYYY-MM-DD`. */
export const cstDateString = (ms: number): string => new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);

/** Days since the epoch counted in CST: the key of a CST day (day n starts at dayStart(n)). */
export const cstDayNumber = (ms: number): number => Math.floor((ms + CST_OFFSET_MS) / DAY_MS);
export const dayStart = (day: number): number => day * DAY_MS - CST_OFFSET_MS;

/** 00:00 CST of a `YYYY-MM-DD` date; throws on a string that is no date (validate with CstDate first). */
export function cstDayStart(date: string): number {
  const d = parseCstDate(date);
  if (!d) throw new RangeError(`${date} is not a calendar date (YYYY-MM-DD)`);
  return cstDate(d.year, d.month, d.day);
}

/** The half-open period of that kind containing the CST date. */
export function ledgerPeriod(kind: LedgerPeriod, date: string): Period {
  const start = cstDayStart(date);
  const { year, month, weekday } = cstParts(start);
  switch (kind) {
    case 'day':
      return { from: start, to: start + DAY_MS };
    case 'week': {
      const monday = start - (weekday - 1) * DAY_MS;
      return { from: monday, to: monday + 7 * DAY_MS };
    }
    case 'month':
      return { from: cstDate(year, month), to: cstDate(year, month + 1) };
    case 'quarter': {
      const first = month - ((month - 1) % 3);
      return { from: cstDate(year, first), to: cstDate(year, first + 3) };
    }
    case 'year':
      return { from: cstDate(year, 1), to: cstDate(year + 1, 1) };
  }
}

/** The bulletin's window: the three CST days ending on `date`, that day included. */
export function bulletinWindow(date: string): Period {
  const end = cstDayStart(date) + DAY_MS;
  return { from: end - BULLETIN_DAYS * DAY_MS, to: end };
}

/** Whole CST days in [from, to) (periods here always start and end at a CST midnight). */
export const daysIn = (p: Period): number => Math.round((p.to - p.from) / DAY_MS);

/** Days of the period begun by `now`: the most a person can have been on duty so far. */
export const daysBegun = (p: Period, now: number): number => Math.max(0, Math.min(daysIn(p), cstDayNumber(now) - cstDayNumber(p.from) + 1));

/* ---------- the bulletin's ranking ---------- */

/**
 * Ranks grids by reports, most first, ties sharing a rank (1, 2, 2, 4); grids with no report are
 * "silent" (零上报), which is what the bulletin is for. Answers the rows in rank order, then by id.
 */
export function rankBulletin<T extends { gridId: string; reports: number }>(rows: readonly T[]): (T & { rank: number; silent: boolean })[] {
  const sorted = [...rows].sort((a, b) => b.reports - a.reports || (a.gridId < b.gridId ? -1 : a.gridId > b.gridId ? 1 : 0));
  let rank = 0;
  return sorted.map((r, i) => {
    if (i === 0 || sorted[i - 1]!.reports !== r.reports) rank = i + 1;
    return { ...r, rank, silent: r.reports === 0 };
  });
}

/* ---------- patrol cells (the map's patrol coverage and the ledgers count the same cells) ---------- */

/** a patrol cell is about this wide: a street block, what a leader on foot covers in a pass */
export const PATROL_CELL_M = 100;
export const PATROL_MAX_CELLS_PER_SIDE = 40;

/**
 * A grid cut into ~100 m cells over its bounding box (at most 40 a side). Cells whose centre lies
 * inside the polygon are the grid's; a fix counts when it lies inside the polygon itself.
 */
export interface PatrolLattice {
  nx: number;
  ny: number;
  /** how many cells are the grid's (centre inside the polygon) */
  cells: number;
  /** names the lattice: a stored mask is only read against the lattice it was made on */
  key: string;
  /** the cell of a point inside the polygon, undefined outside it */
  cellAt(pt: { lng: number; lat: number }): number | undefined;
  /** whether a cell is one of the grid's */
  isInside(cell: number): boolean;
}

export function patrolLattice(polygon: PolygonGeometry): PatrolLattice {
  const [west, south, east, north] = polygonBBox(polygon);
  const midLat = ((south + north) / 2) * (Math.PI / 180);
  const widthM = (east - west) * 111_320 * Math.cos(midLat);
  const heightM = (north - south) * 110_574;
  const nx = Math.max(1, Math.min(PATROL_MAX_CELLS_PER_SIDE, Math.ceil(widthM / PATROL_CELL_M)));
  const ny = Math.max(1, Math.min(PATROL_MAX_CELLS_PER_SIDE, Math.ceil(heightM / PATROL_CELL_M)));
  const cw = (east - west) / nx;
  const ch = (north - south) / ny;
  const inside = new Uint8Array(nx * ny);
  let cells = 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (polygonContains(polygon, { lng: west + (i + 0.5) * cw, lat: south + (j + 0.5) * ch })) {
        inside[j * nx + i] = 1;
        cells++;
      }
    }
  }
  return {
    nx,
    ny,
    cells,
    key: fnv1a(`${nx}x${ny}:${JSON.stringify(polygon.coordinates)}`),
    cellAt(pt) {
      if (!polygonContains(polygon, pt)) return undefined;
      const i = Math.min(nx - 1, Math.floor((pt.lng - west) / cw));
      const j = Math.min(ny - 1, Math.floor((pt.lat - south) / ch));
      return j * nx + i;
    },
    isInside: (cell) => inside[cell] === 1,
  };
}

/** A set of cells as a bitmask (one bit per cell of the lattice), compact enough to keep per person per day. */
export const emptyMask = (l: Pick<PatrolLattice, 'nx' | 'ny'>): Uint8Array => new Uint8Array(Math.ceil((l.nx * l.ny) / 8));
export const setBit = (mask: Uint8Array, cell: number): void => {
  mask[cell >> 3] = mask[cell >> 3]! | (1 << (cell & 7));
};
/** ORs `src` into `into` (masks of the same lattice). */
export function orMask(into: Uint8Array, src: Uint8Array): void {
  const n = Math.min(into.length, src.length);
  for (let i = 0; i < n; i++) into[i] = into[i]! | src[i]!;
}
export function countBits(mask: Uint8Array): number {
  let n = 0;
  for (let b of mask) {
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

/** 32-bit FNV-1a, hex: a short stable name for a lattice. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
