/**
 * The wall's layouts as data: a size (1, 4, 9, 16, 25, 36 tiles in a square grid), the camera on
 * each tile, and the tour that pages cameras through the tiles. Pure functions; the wall keeps the
 * state and the core saves it (shared/schema/wall.ts).
 */
import { WALL_SIZES, type WallLayoutInput, type WallSize } from '../../../shared/schema/wall';

export { WALL_SIZES, type WallSize };

/** What the wall shows now: the saved shape plus which saved layout it came from. */
export interface WallState {
  size: WallSize;
  tiles: (string | null)[];
  tour?: { intervalS: number; cameraIds: string[] };
}

export const DEFAULT_WALL: WallState = { size: 4, tiles: [null, null, null, null] };

export const columnsOf = (size: WallSize): number => Math.round(Math.sqrt(size));

export const isWallSize = (n: number): n is WallSize => (WALL_SIZES as readonly number[]).includes(n);

/** The tile the alarm linkage takes over: the last one (the only one in a 1-tile layout). */
export const alarmTileIndex = (size: WallSize): number => size - 1;

/**
 * Another size keeping the cameras in reading order: growing adds empty tiles at the end,
 * shrinking drops the last ones.
 */
export function resize(tiles: readonly (string | null)[], size: WallSize): (string | null)[] {
  const out = tiles.slice(0, size);
  while (out.length < size) out.push(null);
  return out;
}

/**
 * Puts a camera on a tile. A camera shows on one tile at a time: dropped where it already is
 * elsewhere, the two tiles swap, so nothing the operator placed disappears.
 */
export function place(tiles: readonly (string | null)[], index: number, cameraId: string | null): (string | null)[] {
  if (index < 0 || index >= tiles.length) return [...tiles];
  const out = [...tiles];
  const before = out[index] ?? null;
  if (cameraId !== null) {
    const elsewhere = out.indexOf(cameraId);
    if (elsewhere === index) return out;
    if (elsewhere >= 0) out[elsewhere] = before;
  }
  out[index] = cameraId;
  return out;
}

/** Moves the camera of tile `from` onto tile `to` (a swap: tile-to-tile drag). */
export function move(tiles: readonly (string | null)[], from: number, to: number): (string | null)[] {
  if (from === to || from < 0 || to < 0 || from >= tiles.length || to >= tiles.length) return [...tiles];
  const out = [...tiles];
  [out[from], out[to]] = [out[to] ?? null, out[from] ?? null];
  return out;
}

/** Fills the empty tiles, in order, with the given cameras not yet shown. */
export function fillEmpty(tiles: readonly (string | null)[], cameraIds: readonly string[]): (string | null)[] {
  const shown = new Set(tiles.filter((t): t is string => t !== null));
  const next = cameraIds.filter((id) => !shown.has(id));
  return tiles.map((t) => t ?? next.shift() ?? null);
}

/** How many tour pages a camera list makes for `perPage` tiles. */
export const tourPages = (count: number, perPage: number): number => (count === 0 || perPage <= 0 ? 0 : Math.ceil(count / perPage));

/**
 * The cameras of tour step `step` for `perPage` tiles: pages through the list in order, wrapping
 * around; a short last page is topped up from the start, so no tile goes blank while the list is
 * longer than a page. A list that fits on one page shows as it is.
 */
export function tourPage(cameraIds: readonly string[], perPage: number, step: number): (string | null)[] {
  const n = cameraIds.length;
  if (perPage <= 0) return [];
  if (n <= perPage) return [...cameraIds, ...Array<null>(perPage - n).fill(null)];
  const pages = tourPages(n, perPage);
  const start = (((step % pages) + pages) % pages) * perPage;
  const out: (string | null)[] = [];
  for (let i = 0; i < perPage; i++) out.push(cameraIds[(start + i) % n]!);
  return out;
}

/** The state as the core saves it under a name. */
export const toLayoutInput = (name: string, s: WallState): WallLayoutInput => ({
  name: name.trim(),
  size: s.size,
  tiles: resize(s.tiles, s.size),
  ...(s.tour ? { tour: { intervalS: s.tour.intervalS, cameraIds: [...s.tour.cameraIds] } } : {}),
});

/** A saved layout back as wall state (cameras the registry no longer has become empty tiles). */
export function fromLayout(l: WallLayoutInput, known: ReadonlySet<string>): WallState {
  const tiles = resize(l.tiles, l.size).map((id) => (id !== null && known.has(id) ? id : null));
  return { size: l.size, tiles, ...(l.tour ? { tour: { intervalS: l.tour.intervalS, cameraIds: l.tour.cameraIds.filter((id) => known.has(id)) } } : {}) };
}
