import { distanceM } from './geo';
import { isOpenState, type EventRecord, type LngLat, type Source } from './schema';

/**
 * When a new report repeats an open event: same category, within `radiusM` of it, reported within
 * `windowMs` of it. Two leaders walking past the same broken grate an hour apart make one case with
 * two linked reports, not two cases for the operator to reconcile. Desk and hotline intake are
 * left alone: an operator or a 12345 order number already says which case it is.
 */
export interface DedupRule {
  sources: readonly Source[];
  radiusM: number;
  windowMs: number;
}

export const DEFAULT_DEDUP: DedupRule = { sources: ['field', 'camera'], radiusM: 100, windowMs: 12 * 3600_000 };

export interface DuplicateQuery {
  categoryId: string;
  position: LngLat;
  reportedAt: number;
}

/** The lng/lat box that holds every point within radiusM of the position (a cheap index prefilter). */
export function searchBox(q: DuplicateQuery, rule: DedupRule): { west: number; south: number; east: number; north: number; from: number; to: number } {
  const dLat = rule.radiusM / 110_574;
  const dLng = rule.radiusM / (111_320 * Math.cos((q.position.lat * Math.PI) / 180));
  return {
    west: q.position.lng - dLng,
    east: q.position.lng + dLng,
    south: q.position.lat - dLat,
    north: q.position.lat + dLat,
    from: q.reportedAt - rule.windowMs,
    to: q.reportedAt + rule.windowMs,
  };
}

/**
 * The event a report duplicates among candidates, or undefined: open, not itself a linked report,
 * same category, within the radius and window; the nearest wins, then the earliest.
 */
export function pickDuplicate(candidates: readonly EventRecord[], q: DuplicateQuery, rule: DedupRule): EventRecord | undefined {
  let best: { e: EventRecord; d: number } | undefined;
  for (const e of candidates) {
    if (e.categoryId !== q.categoryId || e.mergedInto !== undefined) continue;
    if (!isOpenState(e.state)) continue;
    if (Math.abs(e.reportedAt - q.reportedAt) > rule.windowMs) continue;
    const d = distanceM(e.position, q.position);
    if (d > rule.radiusM) continue;
    if (!best || d < best.d || (d === best.d && e.reportedAt < best.e.reportedAt)) best = { e, d };
  }
  return best?.e;
}
