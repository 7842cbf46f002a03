import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceM, polygonContains } from './geo';
import type { LngLat } from './schema/common';
import type { Grid, GridKind, PositionFix } from './schema/entities';
import { FixIndex, GridIndex, gridLiveAt, type NearFix } from './spatial';
import { rectGrid } from './test-grids';

const fix = (personId: string, lng: number, lat: number, at = 0): PositionFix => ({ personId, position: { lng, lat }, at });

function bruteNearest(fixes: Iterable<PositionFix>, pt: LngLat, k: number, max?: number, filter?: (f: PositionFix) => boolean): NearFix[] {
  const all: NearFix[] = [];
  for (const f of fixes) {
    if (filter && !filter(f)) continue;
    const d = distanceM(pt, f.position);
    if (max === undefined || d <= max) all.push({ fix: f, distanceM: d });
  }
  all.sort((a, b) => a.distanceM - b.distanceM || (a.fix.personId < b.fix.personId ? -1 : a.fix.personId > b.fix.personId ? 1 : 0));
  return all.slice(0, k);
}

describe('GridIndex', () => {
  const comp = rectGrid('C', 'comprehensive', 120.0, 32.0, 120.02, 32.02);
  const comp2 = rectGrid('C2', 'comprehensive', 120.02, 32.0, 120.04, 32.02);
  const school = rectGrid('D', 'dedicated', 120.005, 32.005, 120.01, 32.01, { domain: 'school' });
  const road = rectGrid('Y', 'dynamic', 120.0, 32.0, 120.015, 32.015, { validFrom: 1000, validTo: 2000 });
  const idx = GridIndex.build([comp, comp2, school, road]);

  it('finds dedicated and dynamic grids before the comprehensive one around them', () => {
    expect(idx.size).toBe(4);
    expect(idx.get('D')).toBe(school);
    expect(idx.get('nope')).toBeUndefined();
    expect(idx.gridsAt({ lng: 120.007, lat: 32.007 }).map((g) => g.id)).toEqual(['D', 'Y', 'C']);
    expect(idx.gridsAt({ lng: 120.03, lat: 32.01 }).map((g) => g.id)).toEqual(['C2']);
    expect(idx.gridsAt({ lng: 121, lat: 32.01 })).toEqual([]);
  });

  it('counts a point on a shared edge in both grids', () => {
    expect(idx.gridsAt({ lng: 120.02, lat: 32.019 }).map((g) => g.id)).toEqual(['C', 'C2']);
  });

  it('takes dynamic grids only while they live at `at`', () => {
    const pt = { lng: 120.012, lat: 32.012 };
    expect(idx.gridsAt(pt, 999).map((g) => g.id)).toEqual(['C']);
    expect(idx.gridsAt(pt, 1000).map((g) => g.id)).toEqual(['Y', 'C']);
    expect(idx.gridsAt(pt, 1999).map((g) => g.id)).toEqual(['Y', 'C']);
    expect(idx.gridsAt(pt, 2000).map((g) => g.id)).toEqual(['C']);
    expect(idx.gridsAt(pt).map((g) => g.id)).toEqual(['Y', 'C']);
  });

  it('uses the exact polygon, not its box, and excludes holes', () => {
    const tri: Grid = { ...rectGrid('T', 'comprehensive', 0, 0, 1, 1), polygon: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 1], [0, 0]]] } };
    const holed: Grid = {
      ...rectGrid('H', 'comprehensive', 2, 0, 3, 1),
      polygon: {
        type: 'Polygon',
        coordinates: [
          [[2, 0], [3, 0], [3, 1], [2, 1], [2, 0]],
          [[2.4, 0.4], [2.6, 0.4], [2.6, 0.6], [2.4, 0.6], [2.4, 0.4]],
        ],
      },
    };
    const i2 = GridIndex.build([tri, holed]);
    expect(i2.gridsAt({ lng: 0.2, lat: 0.2 }).map((g) => g.id)).toEqual(['T']);
    expect(i2.gridsAt({ lng: 0.8, lat: 0.8 })).toEqual([]);
    expect(i2.gridsAt({ lng: 2.1, lat: 0.1 }).map((g) => g.id)).toEqual(['H']);
    expect(i2.gridsAt({ lng: 2.5, lat: 0.5 })).toEqual([]);
  });

  it('handles no grids', () => {
    const empty = GridIndex.build([]);
    expect(empty.size).toBe(0);
    expect(empty.gridsAt({ lng: 0, lat: 0 })).toEqual([]);
  });

  it('agrees with a brute-force scan (property)', () => {
    const kinds: GridKind[] = ['comprehensive', 'dedicated', 'dynamic'];
    const gridArb = fc.record({
      x: fc.double({ min: 119.9, max: 120.1, noNaN: true }),
      y: fc.double({ min: 31.9, max: 32.1, noNaN: true }),
      w: fc.double({ min: 0.0001, max: 0.1, noNaN: true }),
      h: fc.double({ min: 0.0001, max: 0.1, noNaN: true }),
      kind: fc.constantFrom(...kinds),
      from: fc.integer({ min: 0, max: 100 }),
      len: fc.integer({ min: 0, max: 100 }),
    });
    fc.assert(
      fc.property(
        fc.array(gridArb, { maxLength: 40 }),
        fc.array(fc.record({ lng: fc.double({ min: 119.9, max: 120.2, noNaN: true }), lat: fc.double({ min: 31.9, max: 32.2, noNaN: true }) }), { minLength: 1, maxLength: 10 }),
        fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        (specs, pts, at) => {
          const grids = specs.map((s, i) =>
            rectGrid(`g${i}`, s.kind, s.x, s.y, s.x + s.w, s.y + s.h, s.kind === 'dynamic' ? { validFrom: s.from, validTo: s.from + s.len } : {}),
          );
          const gi = GridIndex.build(grids);
          for (const pt of pts) {
            const got = gi.gridsAt(pt, at);
            const want = grids.filter((g) => gridLiveAt(g, at) && polygonContains(g.polygon, pt));
            expect(new Set(got.map((g) => g.id))).toEqual(new Set(want.map((g) => g.id)));
            expect(got.length).toBe(want.length);
            const firstComp = got.findIndex((g) => g.kind === 'comprehensive');
            if (firstComp >= 0) expect(got.slice(firstComp).every((g) => g.kind === 'comprehensive')).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('FixIndex', () => {
  it('keeps the latest fix per person', () => {
    const fi = new FixIndex();
    expect(fi.upsert(fix('a', 120, 32, 10))).toBe(true);
    expect(fi.upsert(fix('a', 120.1, 32, 5))).toBe(false); // older, ignored
    expect(fi.get('a')?.position.lng).toBe(120);
    expect(fi.upsert(fix('a', 120.2, 32, 20))).toBe(true);
    expect(fi.get('a')?.position.lng).toBe(120.2);
    expect(fi.upsert(fix('a', 120.2, 32, 30))).toBe(true); // standing still, newer time
    expect(fi.get('a')?.at).toBe(30);
    expect(fi.nearest({ lng: 120, lat: 32 }, 1)[0]!.fix.at).toBe(30);
    expect(fi.size).toBe(1);
    expect(fi.nearest({ lng: 120, lat: 32 }, 5).map((n) => n.fix.position.lng)).toEqual([120.2]);
    expect(fi.remove('a')).toBe(true);
    expect(fi.remove('a')).toBe(false);
    expect(fi.size).toBe(0);
    expect(fi.nearest({ lng: 120, lat: 32 }, 5)).toEqual([]);
  });

  it('bulk load keeps the latest per person', () => {
    const fi = FixIndex.load([fix('a', 1, 1, 5), fix('a', 2, 2, 9), fix('a', 3, 3, 7), fix('b', 0, 0, 1)]);
    expect(fi.size).toBe(2);
    expect(fi.get('a')?.position).toEqual({ lng: 2, lat: 2 });
  });

  it('measures in metres at 32° N: east-west degrees are shorter by cos(lat)', () => {
    const q = { lng: 120, lat: 32 };
    // E is 0.010° of longitude east (≈ 944 m), N is 0.009° of latitude north (≈ 1001 m):
    // nearer in degrees is N, nearer in metres is E.
    const e = fix('E', 120.01, 32);
    const n = fix('N', 120, 32.009);
    expect(distanceM(q, e.position)).toBeCloseTo(944, -1);
    expect(distanceM(q, n.position)).toBeCloseTo(1001, -1);
    for (const refLat of [0, 32, 60]) {
      const fi = FixIndex.load([e, n], { refLat });
      expect(fi.nearest(q, 1).map((r) => r.fix.personId)).toEqual(['E']);
      expect(fi.nearest(q, 2).map((r) => r.fix.personId)).toEqual(['E', 'N']);
      expect(fi.nearest(q, 2, 950).map((r) => r.fix.personId)).toEqual(['E']);
      expect(fi.nearest(q, 2, 900)).toEqual([]);
    }
    // a ring of fixes 1 km away in every direction, plus one at 999 m to the north-east
    const ring: PositionFix[] = [];
    for (let i = 0; i < 360; i += 5) {
      const b = (i * Math.PI) / 180;
      const dLat = (1000 * Math.cos(b)) / 111_195;
      const dLng = (1000 * Math.sin(b)) / (111_195 * Math.cos((32 * Math.PI) / 180));
      ring.push(fix(`r${i}`, 120 + dLng, 32 + dLat));
    }
    const close = fix('close', 120 + 0.999 * (0.707 * 1000) / (111_195 * Math.cos((32 * Math.PI) / 180)), 32 + (0.999 * 0.707 * 1000) / 111_195);
    const fi = FixIndex.load([...ring, close]);
    expect(fi.nearest(q, 1)[0]!.fix.personId).toBe('close');
    expect(fi.nearest(q, 10)).toEqual(bruteNearest([...ring, close], q, 10));
  });

  it('matches brute force around 32° N', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fixes = Array.from({ length: 3000 }, (_, i) => fix(`p${i}`, 119.5 + rnd(), 31.5 + rnd()));
    for (const [refLat, overFetch] of [[0, 0], [32, 0], [32, 0.5]] as const) {
      const fi = FixIndex.load(fixes, { refLat, overFetch });
      for (let q = 0; q < 200; q++) {
        const pt = { lng: 119.5 + rnd(), lat: 31.5 + rnd() };
        const k = 1 + Math.floor(rnd() * 20);
        expect(fi.nearest(pt, k)).toEqual(bruteNearest(fixes, pt, k));
        expect(fi.nearest(pt, k, 3000)).toEqual(bruteNearest(fixes, pt, k, 3000));
      }
    }
  });

  it('equals brute-force k-nearest by distanceM under updates (property)', () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ t: fc.constant('up' as const), id: fc.integer({ min: 0, max: 60 }), x: fc.double({ min: -1, max: 1, noNaN: true }), y: fc.double({ min: -1, max: 1, noNaN: true }), snap: fc.boolean(), at: fc.integer({ min: 0, max: 100 }) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('rm' as const), id: fc.integer({ min: 0, max: 60 }) }) },
    );
    fc.assert(
      fc.property(
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -75, max: 75, noNaN: true }),
        fc.constantFrom(0.001, 0.01, 0.1, 1, 2),
        fc.option(fc.double({ min: -70, max: 70, noNaN: true }), { nil: undefined }),
        fc.constantFrom(0, 0.5),
        fc.array(op, { maxLength: 150 }),
        fc.array(
          fc.record({
            x: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
            y: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
            k: fc.integer({ min: 1, max: 25 }),
            maxFrac: fc.option(fc.double({ min: 0, max: 1.5, noNaN: true }), { nil: undefined }),
            filter: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (cx, cy, spread, refLat, overFetch, ops, queries) => {
          // overFetch 0 leaves correctness to the stopping bound alone
          const fi = new FixIndex(refLat === undefined ? { overFetch } : { refLat, overFetch });
          const truth = new Map<string, PositionFix>();
          for (const o of ops) {
            const id = `p${o.id}`;
            if (o.t === 'rm') {
              expect(fi.remove(id)).toBe(truth.delete(id));
              continue;
            }
            // snapped positions make duplicates and exact ties
            const x = o.snap ? Math.round(o.x * 4) / 4 : o.x;
            const y = o.snap ? Math.round(o.y * 4) / 4 : o.y;
            const f = fix(id, cx + x * spread, cy + y * spread, o.at);
            const cur = truth.get(id);
            const taken = !cur || f.at >= cur.at;
            if (taken) truth.set(id, f);
            expect(fi.upsert(f)).toBe(taken);
          }
          expect(fi.size).toBe(truth.size);
          const metresPerSpread = spread * 111_195;
          for (const q of queries) {
            const pt = { lng: cx + q.x * spread, lat: cy + q.y * spread };
            const max = q.maxFrac === undefined ? undefined : q.maxFrac * metresPerSpread;
            const filter = q.filter ? (f: PositionFix) => Number(f.personId.slice(1)) % 3 !== 0 : undefined;
            expect(fi.nearest(pt, q.k, max, filter)).toEqual(bruteNearest(truth.values(), pt, q.k, max, filter));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
