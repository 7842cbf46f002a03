/**
 * Spatial indexes for the grid net and the field staff's latest positions.
 *
 * - `GridIndex`: static; flatbush over polygon bounding boxes, then exact point-in-polygon.
 *   Rebuild (`GridIndex.build`) when the grids change.
 * - `FixIndex`: dynamic; the latest fix per person in an rbush tree, k-nearest by true great-circle
 *   distance (rbush-knn, over-fetched and re-sorted by `distanceM`, with a proven lower bound deciding
 *   when enough has been fetched).
 *
 * Pure: no Node, DOM or Electron imports.
 */
import Flatbush from 'flatbush';
import RBush from 'rbush';
// rbush-knn ships no type declarations; its signature is given below.
// @ts-ignore
import knnUntyped from 'rbush-knn';
import { distanceM, polygonBBox, polygonContains } from './geo';
import type { LngLat } from './schema/common';
import type { Grid, PositionFix } from './schema/entities';

/* ---------------------------------------------------------------- grids */

/** Grid kinds that are looked at before the comprehensive grid containing them. */
const kindRank = (g: Grid): number => (g.kind === 'comprehensive' ? 1 : 0);

/** True when a dynamic grid lives at `at` (validFrom ≤ at < validTo); other kinds always are. */
export function gridLiveAt(g: Grid, at: number | undefined): boolean {
  if (g.kind !== 'dynamic' || at === undefined) return true;
  if (g.validFrom !== undefined && at < g.validFrom) return false;
  if (g.validTo !== undefined && at >= g.validTo) return false;
  return true;
}

export class GridIndex {
  private readonly list: Grid[];
  private readonly area: Float64Array;
  private readonly byId = new Map<string, Grid>();
  private readonly tree: Flatbush | null;

  /** Builds the index; a later grid with the same id replaces an earlier one. */
  static build(grids: readonly Grid[]): GridIndex {
    return new GridIndex(grids);
  }

  constructor(grids: readonly Grid[]) {
    for (const g of grids) this.byId.set(g.id, g);
    this.list = [...this.byId.values()];
    this.area = new Float64Array(this.list.length);
    if (this.list.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(this.list.length);
    this.list.forEach((g, i) => {
      const [x0, y0, x1, y1] = polygonBBox(g.polygon);
      this.area[i] = (x1 - x0) * (y1 - y0);
      tree.add(x0, y0, x1, y1);
    });
    tree.finish();
    this.tree = tree;
  }

  get size(): number {
    return this.list.length;
  }

  get(id: string): Grid | undefined {
    return this.byId.get(id);
  }

  /** All grids, in build order. */
  all(): readonly Grid[] {
    return this.list;
  }

  /**
   * Every grid containing the point (boundary included): dedicated and dynamic grids first, then
   * comprehensive ones; within a kind band the smaller (by bounding box) first, then by id.
   * With `at`, dynamic grids count only while validFrom ≤ at < validTo; without it, always.
   */
  gridsAt(pt: LngLat, at?: number): Grid[] {
    if (!this.tree) return [];
    const hits = this.tree.search(pt.lng, pt.lat, pt.lng, pt.lat);
    const out: number[] = [];
    for (const i of hits) {
      const g = this.list[i]!;
      if (gridLiveAt(g, at) && polygonContains(g.polygon, pt)) out.push(i);
    }
    if (out.length > 1) {
      out.sort((a, b) => {
        const ga = this.list[a]!, gb = this.list[b]!;
        return kindRank(ga) - kindRank(gb) || this.area[a]! - this.area[b]! || (ga.id < gb.id ? -1 : ga.id > gb.id ? 1 : 0);
      });
    }
    return out.map((i) => this.list[i]!);
  }
}

/* ---------------------------------------------------------------- fixes */

interface FixItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  fix: PositionFix;
}

type Knn = (
  tree: RBush<FixItem>,
  x: number,
  y: number,
  n?: number,
  predicate?: (item: FixItem) => boolean,
  maxDistance?: number,
) => FixItem[];
const knn = knnUntyped as Knn;

export interface NearFix {
  fix: PositionFix;
  /** great-circle distance from the query point, metres */
  distanceM: number;
}

export interface FixIndexOptions {
  /**
   * Reference latitude of the served area: the index stores x = lng·cos(refLat), y = lat, so that
   * index distances are close to metric ones there and little has to be over-fetched. Any value in
   * (-90, 90) gives correct results; default 0.
   */
  refLat?: number;
  /**
   * Extra share of k fetched on the first try (default 0.5); more is fetched only when the bound says
   * a nearer fix may remain. Tuning only: results are the same for any value.
   */
  overFetch?: number;
}

const rad = (d: number) => (d * Math.PI) / 180;
/** Metres per degree of a great circle, as `distanceM` measures it. */
const M_PER_DEG = distanceM({ lng: 0, lat: 0 }, { lng: 0, lat: 1 });
/** Floating-point margins on the lower bounds: relative, and absolute in index degrees (≈ 10 µm). */
const SAFETY = 1 - 1e-9;
const INDEX_EPS_DEG = 1e-10;
const byDistance = (a: NearFix, b: NearFix) =>
  a.distanceM - b.distanceM || (a.fix.personId < b.fix.personId ? -1 : a.fix.personId > b.fix.personId ? 1 : 0);

/**
 * The latest position fix per person, with k-nearest search in metres.
 *
 * Correct for any positions that do not straddle the antimeridian (longitudes are not wrapped);
 * near the poles the search degrades to a scan of everything within the distance cap, still exact.
 */
export class FixIndex {
  private readonly tree = new RBush<FixItem>();
  private readonly items = new Map<string, FixItem>();
  private readonly c0: number;
  private readonly overFetch: number;

  constructor(opts: FixIndexOptions = {}) {
    const refLat = Math.max(-80, Math.min(80, opts.refLat ?? 0));
    this.c0 = Math.cos(rad(refLat));
    this.overFetch = Math.max(0, opts.overFetch ?? 0.5);
  }

  /** Builds an index from many fixes at once (bulk-loaded; the latest per person wins). */
  static load(fixes: Iterable<PositionFix>, opts: FixIndexOptions = {}): FixIndex {
    const idx = new FixIndex(opts);
    for (const f of fixes) {
      const cur = idx.items.get(f.personId);
      if (!cur || f.at >= cur.fix.at) idx.items.set(f.personId, idx.item(f));
    }
    idx.tree.load([...idx.items.values()]);
    return idx;
  }

  get size(): number {
    return this.items.size;
  }

  get(personId: string): PositionFix | undefined {
    return this.items.get(personId)?.fix;
  }

  /** Latest fixes, in no particular order. */
  *all(): IterableIterator<PositionFix> {
    for (const it of this.items.values()) yield it.fix;
  }

  /**
   * Records a fix as the person's latest. An older fix than the one held (by `at`) is ignored;
   * returns whether the fix was taken.
   */
  upsert(fix: PositionFix): boolean {
    const cur = this.items.get(fix.personId);
    if (cur) {
      if (fix.at < cur.fix.at) return false;
      if (cur.fix.position.lng === fix.position.lng && cur.fix.position.lat === fix.position.lat) {
        cur.fix = fix; // a phone standing still: same place in the tree
        return true;
      }
      this.tree.remove(cur);
    }
    const it = this.item(fix);
    this.items.set(fix.personId, it);
    this.tree.insert(it);
    return true;
  }

  /** Forgets a person's position; returns whether there was one. */
  remove(personId: string): boolean {
    const cur = this.items.get(personId);
    if (!cur) return false;
    this.tree.remove(cur);
    this.items.delete(personId);
    return true;
  }

  clear(): void {
    this.tree.clear();
    this.items.clear();
  }

  /**
   * The k fixes nearest to `pt` by great-circle distance (ties by personId), nearest first, limited to
   * `maxDistanceM` when given and to fixes passing `filter`.
   */
  nearest(pt: LngLat, k: number, maxDistanceM?: number, filter?: (fix: PositionFix) => boolean): NearFix[] {
    if (!(k >= 1) || this.items.size === 0) return [];
    if (maxDistanceM !== undefined && !(maxDistanceM >= 0)) return [];
    const qx = pt.lng * this.c0;
    const qy = pt.lat;
    const cq = Math.cos(rad(pt.lat));
    const cap = maxDistanceM === undefined ? undefined : this.indexCap(maxDistanceM, pt.lat, cq);
    const predicate = filter ? (it: FixItem) => filter(it.fix) : undefined;
    const want = Math.floor(k);
    // the index metric is close to the true one near refLat, so a small over-fetch usually suffices
    let m = want + Math.ceil(want * this.overFetch);
    for (;;) {
      const got = knn(this.tree, qx, qy, m, predicate, cap);
      const res: NearFix[] = [];
      for (const it of got) {
        const d = distanceM(pt, it.fix.position);
        if (maxDistanceM === undefined || d <= maxDistanceM) res.push({ fix: it.fix, distanceM: d });
      }
      res.sort(byDistance);
      if (got.length < m) return res.slice(0, want); // everything there is was fetched
      const last = got[got.length - 1]!;
      const bound = this.lowerBound(Math.hypot(last.minX - qx, last.minY - qy), pt.lat, cq);
      // every fix not fetched lies at least `bound` metres away
      if (maxDistanceM !== undefined && bound > maxDistanceM) return res.slice(0, want);
      if (res.length >= want && res[want - 1]!.distanceM < bound) return res.slice(0, want);
      m = bound > 0 ? m * 2 + 4 : Infinity;
    }
  }

  private item(fix: PositionFix): FixItem {
    const x = fix.position.lng * this.c0;
    const y = fix.position.lat;
    return { minX: x, minY: y, maxX: x, maxY: y, fix };
  }

  /**
   * A lower bound, in metres, on the great-circle distance from the query (latitude latQ, cos cq) to
   * any fix whose index distance is at least D.
   *
   * With a = |Δlat|, b = |Δlng| (degrees, b ≤ 180), bx = b·c0, and W = 4D:
   * - if the index distance D' ∈ [D, W]: a, bx ≤ W, so |lat| ≤ |latQ| + W and cos(lat) ≥ cMin; haversine
   *   h = sin²(a/2) + cq·cos(lat)·sin²(b/2) ≥ (σ²/4)·(a² + (cq·cMin/c0²)·bx²) (radians, sin x ≥ σx for
   *   x ≤ X), so d = 2R·asin(√h) ≥ R·σ·min(1, √(cq·cMin)/c0)·D';
   * - if D' > W: either a > W/√2, so d ≥ R·a, or bx > W/√2 with a ≤ W, so d ≥ 2R·asin(√(cq·cMin)·sin(b/2)).
   */
  private lowerBound(Dindex: number, latQ: number, cq: number): number {
    // index coordinates carry rounding errors of a few ulps (≤ 1e-13°); take them off first
    const D = Dindex - INDEX_EPS_DEG;
    if (!(D > 0)) return 0;
    const c0 = this.c0;
    const W = 4 * D;
    const maxLat = Math.abs(latQ) + W;
    if (maxLat >= 90 || W / c0 > 180) return 0;
    const cStar = Math.cos(rad(maxLat));
    const X = rad(W / c0) / 2;
    const sigma = Math.sin(X) / X;
    const g = Math.sqrt(cq * cStar);
    const near = M_PER_DEG * sigma * Math.min(1, g / c0) * D;
    const farLat = M_PER_DEG * (W / Math.SQRT2);
    const farLng = (2 * M_PER_DEG * 180) / Math.PI * Math.asin(Math.min(1, g * Math.sin(rad(W / (Math.SQRT2 * c0)) / 2)));
    return Math.min(near, farLat, farLng) * SAFETY;
  }

  /** An index distance beyond which every fix is farther than maxM metres, or undefined if none is found. */
  private indexCap(maxM: number, latQ: number, cq: number): number | undefined {
    const d0 = maxM / (M_PER_DEG * Math.max(1e-9, Math.min(1, cq / this.c0)));
    for (const f of [1.001, 1.01, 1.05, 1.2, 1.5, 2, 4]) {
      const D = d0 * f + 2 * INDEX_EPS_DEG;
      if (this.lowerBound(D, latQ, cq) > maxM) return D;
    }
    return undefined;
  }
}
