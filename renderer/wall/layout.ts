/**
 * The wall screen's pure decisions: which shape the screen takes, where each chosen panel goes,
 * which camera each tile shows (tour, chosen, the focused event's, the alarm's), the ticker's
 * bounded list, and the figures shaped for the charts. No DOM and no React: unit-tested in Node.
 */
import { distanceM } from '../../shared/geo';
import type { LngLat, OverdueItem, StatsOverview, Tier } from '../../shared/schema';
import { EVENT_STATES, FINAL_STATES, TIERS, type EventState } from '../../shared/schema/entities';
import { WALL_PANELS, type WallPanel, type WallScreenCameras, type WallScreenLayout } from '../../shared/schema/wall-screen';

/* ---------- the screen's shape and the panels' places ---------- */

export type ScreenShape = 'standard' | 'wide';

/** 32:9 and wider is a wide wall (3840×1080 is 3.56); 16:9 (1.78) and the like are standard. */
export const WIDE_ASPECT = 2.4;

export function screenShape(pref: WallScreenLayout, width: number, height: number): ScreenShape {
  if (pref !== 'auto') return pref;
  return height > 0 && width / height >= WIDE_ASPECT ? 'wide' : 'standard';
}

/** The camera tiles each shape has: a row of three under the map, or a 2 × 3 block beside it. */
export const TILES: Record<ScreenShape, number> = { standard: 3, wide: 6 };

/** How much height a panel wants relative to the others in its column (the overdue list is a list). */
export const PANEL_WEIGHT: Partial<Record<WallPanel, number>> = { overdue: 2 };
const weight = (p: WallPanel) => PANEL_WEIGHT[p] ?? 1;

/** The side panels: everything chosen but the ticker (a strip of its own along the bottom). */
export type SidePanel = Exclude<WallPanel, 'ticker'>;

export interface Arrangement {
  shape: ScreenShape;
  /** panel columns (standard: left of and right of the map; wide: two columns right of it); never an empty one */
  columns: SidePanel[][];
  /** standard: which of `columns` stands left of the map (0 or 1 columns) */
  leftColumns: number;
  ticker: boolean;
  tiles: number;
}

/**
 * Where the chosen panels go: in the fixed reading order, split into two columns whose heights
 * (by weight) are as even as can be, the first column taking the smaller share on a tie.
 */
export function arrange(shape: ScreenShape, chosen: readonly WallPanel[]): Arrangement {
  const set = new Set(chosen);
  const side = WALL_PANELS.filter((p): p is SidePanel => p !== 'ticker' && set.has(p));
  const columns = splitColumns(side);
  return { shape, columns, leftColumns: shape === 'standard' && columns.length === 2 ? 1 : 0, ticker: set.has('ticker'), tiles: TILES[shape] };
}

export function splitColumns<T extends WallPanel>(panels: readonly T[]): T[][] {
  if (panels.length === 0) return [];
  if (panels.length === 1) return [[...panels]];
  const total = panels.reduce((n, p) => n + weight(p), 0);
  let best = 1;
  let bestMax = Infinity;
  let left = 0;
  for (let k = 1; k < panels.length; k++) {
    left += weight(panels[k - 1]!);
    const max = Math.max(left, total - left);
    if (max < bestMax) {
      bestMax = max;
      best = k;
    }
  }
  return [panels.slice(0, best), panels.slice(best)];
}

/* ---------- cameras on the tiles ---------- */

/**
 * The cameras of the tiles before any event claims one: the chosen ones (a camera no longer known
 * leaves its tile empty), or a page of the tour through the online cameras.
 */
export function baseTiles(cameras: WallScreenCameras, known: ReadonlySet<string>, onlineIds: readonly string[], count: number, step: number): (string | null)[] {
  const out: (string | null)[] = Array.from({ length: count }, () => null);
  if (count <= 0) return out;
  if (cameras.mode === 'fixed') {
    cameras.cameraIds.slice(0, count).forEach((id, i) => (out[i] = known.has(id) ? id : null));
    return out;
  }
  if (onlineIds.length === 0) return out;
  const pages = Math.ceil(onlineIds.length / count);
  const page = ((step % pages) + pages) % pages;
  for (let i = 0; i < count; i++) out[i] = onlineIds[page * count + i] ?? null;
  return out;
}

/**
 * The tiles with the events' cameras: the focused event's camera on the first tile, an alarm's on
 * the last (when there is more than one tile; with one, the alarm wins: it is the newer news). A
 * camera shown twice keeps only its claimed tile.
 */
export function withClaims(base: readonly (string | null)[], claims: { focus?: string | null; alarm?: string | null }): (string | null)[] {
  const out = [...base];
  const n = out.length;
  if (n === 0) return out;
  const put = (i: number, id: string) => {
    for (let j = 0; j < n; j++) if (j !== i && out[j] === id) out[j] = null;
    out[i] = id;
  };
  if (claims.focus && !(n === 1 && claims.alarm)) put(0, claims.focus);
  if (claims.alarm) {
    const i = n - 1;
    // the focused camera is the alarm's too: one tile says both
    if (n > 1 && claims.alarm === claims.focus) return out;
    put(i, claims.alarm);
  }
  return out;
}

/** A focused event's camera: the nearest online camera within `maxM` metres, or none. */
export function nearestCamera(p: LngLat, cameras: readonly { id: string; position: LngLat; online: boolean }[], maxM = 3000): { id: string; distanceM: number } | null {
  let best: { id: string; distanceM: number } | null = null;
  for (const c of cameras) {
    if (!c.online) continue;
    const d = distanceM(p, c.position);
    if (d > maxM) continue;
    if (!best || d < best.distanceM || (d === best.distanceM && c.id < best.id)) best = { id: c.id, distanceM: d };
  }
  return best;
}

/* ---------- the ticker ---------- */

export interface TickerItem {
  id: string;
  categoryId: string;
  tier: Tier;
  state: EventState;
  reportedAt: number;
  address?: string;
  /** arrived while the wall was watching (flashes, pops its camera) */
  fresh?: boolean;
}

/** The most items the ticker keeps: it shows the newest, so the page never grows with the day. */
export const TICKER_CAP = 12;

/** Merges items in, newest first, one per event (a later copy wins, keeping `fresh`), at most `cap`. */
export function mergeTicker(current: readonly TickerItem[], incoming: readonly TickerItem[], cap = TICKER_CAP): TickerItem[] {
  const byId = new Map<string, TickerItem>();
  for (const x of current) byId.set(x.id, x);
  for (const x of incoming) {
    const had = byId.get(x.id);
    byId.set(x.id, had?.fresh && !x.fresh ? { ...x, fresh: true } : x);
  }
  return [...byId.values()].sort((a, b) => b.reportedAt - a.reportedAt || (a.id < b.id ? 1 : -1)).slice(0, cap);
}

/** One page of a list shown a page at a time (the overdue list, the ticker): the page to show at `step`. */
export function pageOf<T>(items: readonly T[], perPage: number, step: number): { items: T[]; page: number; pages: number } {
  const per = Math.max(1, Math.floor(perPage));
  const pages = Math.max(1, Math.ceil(items.length / per));
  const page = ((step % pages) + pages) % pages;
  return { items: items.slice(page * per, page * per + per), page, pages };
}

/* ---------- figures for the charts ---------- */

export interface HourPoint {
  hour: string;
  /** null for the hours still to come today */
  today: number | null;
  weekBefore: number | null;
}

/** Today's intake per hour against the same hour a week before; hours after `nowHour` have no bar yet. */
export function hourSeries(byHour: StatsOverview['intakeByHour'], nowHour: number): HourPoint[] {
  return byHour.map((h) => ({ hour: String(h.hour).padStart(2, '0'), today: h.hour <= nowHour ? h.count : null, weekBefore: h.weekBefore }));
}

/** The `n` largest, then everything else summed as one "other" row (when there is any). */
export function topN<T extends { count: number }>(rows: readonly T[], n: number, key: (r: T) => string): { key: string; count: number; other?: boolean }[] {
  const sorted = [...rows].filter((r) => r.count > 0).sort((a, b) => b.count - a.count || (key(a) < key(b) ? -1 : 1));
  const top = sorted.slice(0, n).map((r) => ({ key: key(r), count: r.count }));
  const rest = sorted.slice(n).reduce((s, r) => s + r.count, 0);
  return rest > 0 ? [...top, { key: 'other', count: rest, other: true }] : top;
}

export type OpenRow = { state: EventState; total: number } & Record<Tier, number>;

/** Open events per state (in the loop's order, only states that have any), split by tier. */
export function openByState(open: StatsOverview['open']): OpenRow[] {
  const rows = new Map<EventState, OpenRow>();
  for (const o of open) {
    if (FINAL_STATES.includes(o.state) || o.count <= 0) continue;
    let r = rows.get(o.state);
    if (!r) rows.set(o.state, (r = { state: o.state, total: 0, general: 0, escalated: 0, special: 0 }));
    r[o.tier] += o.count;
    r.total += o.count;
  }
  return EVENT_STATES.filter((s) => rows.has(s)).map((s) => rows.get(s)!);
}

/** Open events per tier. */
export function openByTier(open: StatsOverview['open']): Record<Tier, number> {
  const out = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
  for (const o of open) if (!FINAL_STATES.includes(o.state)) out[o.tier] += o.count;
  return out;
}

/** Shares of a whole, as whole percentages that add up to 100 (largest remainder), or null when there is nothing. */
export function percentages(counts: readonly number[]): number[] | null {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total <= 0) return null;
  const exact = counts.map((c) => (c * 100) / total);
  const out = exact.map(Math.floor);
  let left = 100 - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]! += 1;
    left--;
  }
  return out;
}

/** The overdue list, most overdue first, with how long each is past its deadline. */
export function overdueRows(items: readonly OverdueItem[], now: number): (OverdueItem & { overdueMs: number })[] {
  return [...items].map((x) => ({ ...x, overdueMs: Math.max(0, now - x.deadline) })).sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : 1));
}

/* ---------- when to ask again ---------- */

/**
 * When the next statistics refresh may run: at once if none ran for `minGapMs`, else when that gap
 * is over. A burst of `changed` notices becomes one refresh; a quiet wall still refreshes on its timer.
 */
export function nextRefreshDelay(lastStartedAt: number | null, now: number, minGapMs: number): number {
  if (lastStartedAt === null) return 0;
  return Math.max(0, lastStartedAt + minGapMs - now);
}

/**
 * The hub's clock, estimated from its last answer (`at`, the moment its figures were taken) and the
 * page's clock since then: "today" is the hub's day (a demo hub may run on simulated time).
 */
export function hubClock(lastAt: number | null, receivedAt: number | null, pageNow: number): number {
  if (lastAt === null || receivedAt === null) return pageNow;
  return lastAt + Math.max(0, pageNow - receivedAt);
}
