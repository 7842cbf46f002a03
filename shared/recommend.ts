/**
 * Who to send: ranked field staff for a location, with the reasons as data (the UI translates them).
 *
 * Candidates are the field staff responsible for any grid containing the point (a dedicated grid and
 * the comprehensive grid around it both count) and the k field staff nearest by latest fix.
 * Standing, compared lexicographically (lower is better):
 *   [responsible ? 0 : 1, onDuty ? 0 : 1, overseer ? 1 : 0, fresh fix ? 0 : 1 (no fix is stale), load band 0|1|2]
 * then distance ascending (no fix last), then personId. An overseer is a chief grid leader (总网格长):
 * responsible for every grid of the community, but the grid's own leader walks it and goes first.
 *
 * Pure: no Node, DOM or Electron imports.
 */
import { distanceM, polygonBBox } from './geo';
import type { LngLat } from './schema/common';
import { isFieldRole } from './schema/entities';
import type { Grid, GridKind, Person, PositionFix } from './schema/entities';
import { FixIndex, GridIndex } from './spatial';

export interface StaffInfo {
  person: Person;
  openAssignments: number;
}

export interface RecommendOptions {
  /** nearby candidates by latest fix, default 8 */
  k?: number;
  /** a fix older than this is stale, default 10 min */
  staleAfterMs?: number;
  /** nearby candidates only within this distance, default 5000 m */
  maxDistanceM?: number;
  /** the time at which dynamic grids must be live; default `now` */
  at?: number;
}

export type Reason =
  | { kind: 'responsible'; gridId: string; gridKind: GridKind; gridName: string }
  | { kind: 'distance'; meters: number }
  | { kind: 'fix_age'; seconds: number; stale: boolean }
  | { kind: 'no_fix' }
  | { kind: 'on_duty'; onDuty: boolean }
  | { kind: 'load'; openAssignments: number };

export interface Recommendation {
  personId: string;
  /** 1-based */
  rank: number;
  /** lexicographic, lower is better: [responsible, onDuty, overseer, fresh fix, load band] */
  standing: number[];
  /** metres from the point to the latest fix; absent without a fix */
  distanceM?: number;
  /** seconds since the latest fix (0 for a fix stamped in the future); absent without a fix */
  fixAgeS?: number;
  onDuty: boolean;
  openAssignments: number;
  /** the containing grids this person is responsible for, most specific first */
  responsibleGridIds: string[];
  reasons: Reason[];
}

export const RECOMMEND_DEFAULTS = { k: 8, staleAfterMs: 10 * 60_000, maxDistanceM: 5000 } as const;

/** 0–1 open assignments → 0, 2–3 → 1, 4+ → 2. */
export function loadBand(openAssignments: number): number {
  return openAssignments <= 1 ? 0 : openAssignments <= 3 ? 1 : 2;
}

/** Lexicographic comparison of standings. */
export function compareStanding(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The order of recommendations: standing, then distance (no fix last), then personId. */
export function compareRecommendations(a: Recommendation, b: Recommendation): number {
  return (
    compareStanding(a.standing, b.standing) ||
    cmpDistance(a.distanceM, b.distanceM) ||
    (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0)
  );
}

function cmpDistance(a: number | undefined, b: number | undefined): number {
  const x = a ?? Infinity, y = b ?? Infinity;
  return x === y ? 0 : x < y ? -1 : 1;
}

interface Candidate {
  info: StaffInfo;
  grids: Grid[];
}

/** roles responsible for their grids by oversight, not by walking them */
const OVERSEERS: ReadonlySet<string> = new Set(['chief_leader']);

export class Recommender {
  constructor(
    readonly grids: GridIndex,
    readonly fixes: FixIndex,
    private readonly staff: (personId: string) => StaffInfo | undefined,
    private readonly staffByGrid: (gridId: string) => readonly string[],
  ) {}

  recommend(pt: LngLat, now: number, opts: RecommendOptions = {}): Recommendation[] {
    const k = opts.k ?? RECOMMEND_DEFAULTS.k;
    const staleAfterMs = opts.staleAfterMs ?? RECOMMEND_DEFAULTS.staleAfterMs;
    const maxDistanceM = opts.maxDistanceM ?? RECOMMEND_DEFAULTS.maxDistanceM;
    const at = opts.at ?? now;

    const cands = new Map<string, Candidate>();
    for (const g of this.grids.gridsAt(pt, at)) {
      for (const pid of this.staffByGrid(g.id)) {
        let c = cands.get(pid);
        if (!c) {
          const info = this.staff(pid);
          if (!info || !isFieldRole(info.person.role)) continue;
          c = { info, grids: [] };
          cands.set(pid, c);
        }
        if (!c.grids.includes(g)) c.grids.push(g);
      }
    }
    if (k >= 1) {
      const isField = (f: PositionFix) => {
        const info = this.staff(f.personId);
        return info !== undefined && isFieldRole(info.person.role);
      };
      for (const near of this.fixes.nearest(pt, k, maxDistanceM, isField)) {
        const pid = near.fix.personId;
        if (!cands.has(pid)) cands.set(pid, { info: this.staff(pid)!, grids: [] });
      }
    }

    const out: Recommendation[] = [];
    for (const [personId, { info, grids }] of cands) {
      const fix = this.fixes.get(personId);
      const onDuty = info.person.onDuty;
      const open = info.openAssignments;
      const responsible = grids.length > 0;
      const reasons: Reason[] = grids.map((g) => ({ kind: 'responsible', gridId: g.id, gridKind: g.kind, gridName: g.name }));
      reasons.push({ kind: 'on_duty', onDuty });
      let dist: number | undefined;
      let ageS: number | undefined;
      let fresh = false;
      if (fix) {
        dist = distanceM(pt, fix.position);
        const ageMs = now - fix.at;
        ageS = Math.max(0, Math.round(ageMs / 1000));
        fresh = ageMs <= staleAfterMs;
        reasons.push({ kind: 'fix_age', seconds: ageS, stale: !fresh });
      } else {
        reasons.push({ kind: 'no_fix' });
      }
      reasons.push({ kind: 'load', openAssignments: open });
      if (dist !== undefined) reasons.push({ kind: 'distance', meters: dist });
      const rec: Recommendation = {
        personId,
        rank: 0,
        standing: [responsible ? 0 : 1, onDuty ? 0 : 1, OVERSEERS.has(info.person.role) ? 1 : 0, fresh ? 0 : 1, loadBand(open)],
        onDuty,
        openAssignments: open,
        responsibleGridIds: grids.map((g) => g.id),
        reasons,
      };
      if (dist !== undefined) rec.distanceM = dist;
      if (ageS !== undefined) rec.fixAgeS = ageS;
      out.push(rec);
    }
    out.sort(compareRecommendations);
    out.forEach((r, i) => (r.rank = i + 1));
    return out;
  }
}

/** The mean latitude of the grids' bounding-box centres, or of the fixes when there are no grids. */
function referenceLatitude(grids: readonly Grid[], fixes: readonly PositionFix[]): number {
  let sum = 0, n = 0;
  for (const g of grids) {
    const [, y0, , y1] = polygonBBox(g.polygon);
    sum += (y0 + y1) / 2;
    n++;
  }
  if (n === 0) for (const f of fixes) (sum += f.position.lat), n++;
  return n === 0 ? 0 : sum / n;
}

/**
 * Builds the indexes and lookups from plain lists. `staffByGrid` comes from `person.gridIds`;
 * `openAssignments` is read at each query, so the caller may keep updating that map, and position
 * updates go to `recommender.fixes.upsert(fix)`. Rebuild when grids or people change.
 */
export function buildRecommender(
  grids: readonly Grid[],
  people: readonly Person[],
  fixes: readonly PositionFix[],
  openAssignments: ReadonlyMap<string, number>,
): Recommender {
  const gridIndex = GridIndex.build(grids);
  const fixIndex = FixIndex.load(fixes, { refLat: referenceLatitude(grids, fixes) });
  const byId = new Map<string, Person>();
  for (const p of people) byId.set(p.id, p);
  const byGrid = new Map<string, string[]>();
  for (const p of byId.values()) {
    for (const gid of new Set(p.gridIds)) {
      const list = byGrid.get(gid);
      if (list) list.push(p.id);
      else byGrid.set(gid, [p.id]);
    }
  }
  const none: readonly string[] = [];
  return new Recommender(
    gridIndex,
    fixIndex,
    (id) => {
      const person = byId.get(id);
      return person ? { person, openAssignments: openAssignments.get(id) ?? 0 } : undefined;
    },
    (gid) => byGrid.get(gid) ?? none,
  );
}
