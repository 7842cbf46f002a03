import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distanceM, polygonContains } from './geo';
import type { LngLat } from './schema/common';
import { isFieldRole, ROLES, type Grid, type GridKind, type Person, type PositionFix, type Role } from './schema/entities';
import { buildRecommender, compareStanding, loadBand, type Recommendation } from './recommend';
import { gridLiveAt } from './spatial';
import { rectGrid } from './test-grids';

const person = (id: string, role: Role, gridIds: string[], onDuty = true): Person => ({ id, name: id, role, orgUnitId: 'c1', gridIds, onDuty });
/** A point `north` metres north and `east` metres east of the origin (good to a few mm at this scale). */
const M_LAT = 111_195;
const at = (o: LngLat, east: number, north: number): LngLat => ({
  lng: o.lng + east / (M_LAT * Math.cos((o.lat * Math.PI) / 180)),
  lat: o.lat + north / M_LAT,
});

const NOW = 1_700_000_000_000;
const MIN = 60_000;

describe('Recommender, hand-checked', () => {
  const O = { lng: 120, lat: 32 }; // the event
  const comp = rectGrid('C', 'comprehensive', 119.99, 31.99, 120.01, 32.01);
  const next = rectGrid('N', 'comprehensive', 120.01, 31.99, 120.03, 32.01);
  const school = rectGrid('D', 'dedicated', 119.999, 31.999, 120.001, 32.001, { domain: 'school' });
  const grids = [comp, next, school];
  const f = (personId: string, east: number, north: number, ageMs: number): PositionFix => ({ personId, position: at(O, east, north), at: NOW - ageMs });

  const people = [
    person('m1', 'dedicated_member', ['D']), // responsible via the school, fresh, 300 m
    person('l1', 'leader', ['C']), // responsible, fresh, 500 m
    person('l5', 'leader', ['C']), // responsible, fresh, 80 m, but 2 open assignments
    person('l2', 'leader', ['C']), // responsible, stale fix, 100 m
    person('l4', 'leader', ['C']), // responsible, no fix at all
    person('l3', 'leader', ['C'], false), // responsible but off duty, fresh, 50 m
    person('n1', 'leader', ['N']), // not responsible, fresh, 20 m
    person('both', 'chief_leader', ['C', 'D'], false), // responsible for both grids, off duty, stale
    person('op', 'operator', ['C']), // a desk role: never a candidate
    person('far', 'leader', ['N']), // 8 km away: outside maxDistanceM
  ];
  const fixes = [
    f('m1', 0, 300, 1 * MIN),
    f('l1', 500, 0, 2 * MIN),
    f('l5', 0, -80, 1 * MIN),
    f('l2', -100, 0, 30 * MIN),
    f('l3', 0, 50, 1 * MIN),
    f('n1', 20, 0, 1 * MIN),
    f('both', 10, 10, 60 * MIN),
    f('op', 5, 0, 0),
    f('far', 8000, 0, 0),
  ];
  const open = new Map([['l5', 2], ['l1', 1]]);
  const rec = buildRecommender(grids, people, fixes, open);

  it('ranks both grids’ staff by standing, then distance', () => {
    const out = rec.recommend(O, NOW);
    expect(out.map((r) => r.personId)).toEqual(['m1', 'l1', 'l5', 'l2', 'l4', 'l3', 'both', 'n1']);
    expect(out.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const by = Object.fromEntries(out.map((r) => [r.personId, r]));
    expect(by.m1!.standing).toEqual([0, 0, 0, 0, 0]);
    expect(by.l1!.standing).toEqual([0, 0, 0, 0, 0]);
    expect(by.l5!.standing).toEqual([0, 0, 0, 0, 1]);
    expect(by.l2!.standing).toEqual([0, 0, 0, 1, 0]);
    expect(by.l4!.standing).toEqual([0, 0, 0, 1, 0]);
    expect(by.l3!.standing).toEqual([0, 1, 0, 0, 0]);
    expect(by.both!.standing).toEqual([0, 1, 1, 1, 0]);
    expect(by.n1!.standing).toEqual([1, 0, 0, 0, 0]);
    expect(by.m1!.responsibleGridIds).toEqual(['D']);
    expect(by.both!.responsibleGridIds).toEqual(['D', 'C']);
    expect(by.n1!.responsibleGridIds).toEqual([]);
    expect(by.m1!.distanceM).toBeCloseTo(300, 0);
    expect(by.l4!.distanceM).toBeUndefined();
    expect(by.l4!.fixAgeS).toBeUndefined();
  });

  it('puts a stale fix below a fresh one of the same other standing', () => {
    const out = rec.recommend(O, NOW);
    const pos = (id: string) => out.findIndex((r) => r.personId === id);
    expect(pos('l1')).toBeLessThan(pos('l2')); // l2 is nearer but stale
    // with a longer staleness limit l2 is fresh and, nearer, comes before l1
    const lax = rec.recommend(O, NOW, { staleAfterMs: 40 * MIN });
    expect(lax.findIndex((r) => r.personId === 'l2')).toBeLessThan(lax.findIndex((r) => r.personId === 'l1'));
  });

  it('puts an off-duty leader below on-duty ones, and non-responsible staff after responsible ones', () => {
    const out = rec.recommend(O, NOW);
    const pos = (id: string) => out.findIndex((r) => r.personId === id);
    for (const onDuty of ['m1', 'l1', 'l5', 'l2', 'l4']) expect(pos(onDuty)).toBeLessThan(pos('l3'));
    for (const resp of ['m1', 'l1', 'l5', 'l2', 'l4', 'l3', 'both']) expect(pos(resp)).toBeLessThan(pos('n1'));
  });

  it('puts the grid’s own leader before the community’s chief grid leader, even a nearer, fresher chief', () => {
    const chief = person('chief', 'chief_leader', ['C', 'N']);
    const own = person('own', 'leader', ['C']);
    const r = buildRecommender(grids, [chief, own], [f('chief', 10, 0, 1 * MIN), f('own', 900, 0, 9 * MIN)], new Map());
    const out = r.recommend(O, NOW);
    expect(out.map((x) => x.personId)).toEqual(['own', 'chief']);
    expect(out[1]!.standing).toEqual([0, 0, 1, 0, 0]);
    // an off-duty leader does not outrank a chief on duty
    const r2 = buildRecommender(grids, [chief, { ...own, onDuty: false }], [f('chief', 10, 0, 1 * MIN), f('own', 900, 0, 9 * MIN)], new Map());
    expect(r2.recommend(O, NOW).map((x) => x.personId)).toEqual(['chief', 'own']);
  });

  it('puts no-fix candidates last within their standing', () => {
    const out = rec.recommend(O, NOW);
    const same = out.filter((r) => compareStanding(r.standing, [0, 0, 0, 1, 0]) === 0).map((r) => r.personId);
    expect(same).toEqual(['l2', 'l4']);
  });

  it('explains each candidate with data', () => {
    const out = rec.recommend(O, NOW);
    const both = out.find((r) => r.personId === 'both')!;
    expect(both.reasons).toEqual([
      { kind: 'responsible', gridId: 'D', gridKind: 'dedicated', gridName: 'grid D' },
      { kind: 'responsible', gridId: 'C', gridKind: 'comprehensive', gridName: 'grid C' },
      { kind: 'on_duty', onDuty: false },
      { kind: 'fix_age', seconds: 3600, stale: true },
      { kind: 'load', openAssignments: 0 },
      { kind: 'distance', meters: both.distanceM },
    ]);
    const l4 = out.find((r) => r.personId === 'l4')!;
    expect(l4.reasons).toContainEqual({ kind: 'no_fix' });
    expect(l4.reasons.some((r) => r.kind === 'distance' || r.kind === 'fix_age')).toBe(false);
    expect(out.find((r) => r.personId === 'l5')!.reasons).toContainEqual({ kind: 'load', openAssignments: 2 });
  });

  it('keeps desk roles out and limits nearby staff to k within maxDistanceM', () => {
    expect(rec.recommend(O, NOW).some((r) => r.personId === 'op' || r.personId === 'far')).toBe(false);
    expect(rec.recommend(O, NOW, { maxDistanceM: 10_000 }).some((r) => r.personId === 'far')).toBe(true);
    // outside every grid only nearby staff are candidates, all non-responsible
    const out = rec.recommend(at(O, 0, -3000), NOW, { k: 3 });
    expect(out).toHaveLength(3);
    expect(out.every((r) => r.standing[0] === 1)).toBe(true);
    expect(rec.recommend(at(O, 0, -30_000), NOW)).toEqual([]);
  });

  it('follows position updates and the live open-assignment map', () => {
    const r2 = buildRecommender(grids, people, fixes, new Map(open));
    r2.fixes.upsert({ personId: 'l2', position: at(O, -100, 0), at: NOW });
    expect(r2.recommend(O, NOW).findIndex((r) => r.personId === 'l2')).toBe(0); // fresh now and nearest
  });

  it('counts a dynamic grid only while it lives', () => {
    const road = rectGrid('Y', 'dynamic', 119.995, 31.995, 120.005, 32.005, { validFrom: NOW - 10 * MIN, validTo: NOW + 10 * MIN });
    const r3 = buildRecommender([...grids, road], [...people, person('y1', 'dedicated_member', ['Y'])], fixes, open);
    expect(r3.recommend(O, NOW).find((r) => r.personId === 'y1')?.responsibleGridIds).toEqual(['Y']);
    expect(r3.recommend(O, NOW + 20 * MIN).some((r) => r.personId === 'y1')).toBe(false);
    expect(r3.recommend(O, NOW + 20 * MIN, { at: NOW }).some((r) => r.personId === 'y1')).toBe(true);
  });

  it('bands load 0–1, 2–3, 4+', () => {
    expect([0, 1, 2, 3, 4, 9].map(loadBand)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe('Recommender, properties', () => {
  const O = { lng: 120, lat: 32 };
  const kinds: GridKind[] = ['comprehensive', 'dedicated', 'dynamic'];
  const coord = (span: number) => fc.oneof(fc.double({ min: -span, max: span, noNaN: true }), fc.integer({ min: -8, max: 8 }).map((i) => (i * span) / 8));

  it('ranks 1..n, never puts a nearer candidate of equal standing lower, and picks the right candidates', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: coord(0.03), y: coord(0.03), w: fc.double({ min: 0.001, max: 0.04, noNaN: true }), h: fc.double({ min: 0.001, max: 0.04, noNaN: true }), kind: fc.constantFrom(...kinds), live: fc.boolean() }), { maxLength: 12 }),
        fc.array(
          fc.record({
            role: fc.constantFrom(...ROLES),
            grids: fc.uniqueArray(fc.integer({ min: 0, max: 14 }), { maxLength: 3 }),
            onDuty: fc.boolean(),
            open: fc.integer({ min: 0, max: 6 }),
            fix: fc.option(fc.record({ x: coord(0.06), y: coord(0.06), ageMin: fc.integer({ min: -1, max: 30 }) }), { nil: undefined }),
          }),
          { maxLength: 40 },
        ),
        fc.record({ x: coord(0.04), y: coord(0.04) }),
        fc.record({ k: fc.integer({ min: 0, max: 10 }), maxDistanceM: fc.constantFrom(500, 2000, 5000, 20_000), staleAfterMs: fc.constantFrom(5 * MIN, 10 * MIN) }),
        (gspecs, pspecs, q, opts) => {
          const grids = gspecs.map((g, i) =>
            rectGrid(`g${i}`, g.kind, O.lng + g.x, O.lat + g.y, O.lng + g.x + g.w, O.lat + g.y + g.h, g.kind === 'dynamic' ? (g.live ? { validFrom: NOW - MIN, validTo: NOW + MIN } : { validTo: NOW - MIN }) : {}),
          );
          const people = pspecs.map((p, i) => person(`p${i}`, p.role, p.grids.map((g) => `g${g}`), p.onDuty));
          const fixes: PositionFix[] = pspecs.flatMap((p, i) => (p.fix ? [{ personId: `p${i}`, position: { lng: O.lng + p.fix.x, lat: O.lat + p.fix.y }, at: NOW - p.fix.ageMin * MIN }] : []));
          const open = new Map(pspecs.map((p, i) => [`p${i}`, p.open]));
          const pt = { lng: O.lng + q.x, lat: O.lat + q.y };
          const out = buildRecommender(grids, people, fixes, open).recommend(pt, NOW, opts);

          // ranks are 1..n, and order respects standing, then distance
          expect(out.map((r) => r.rank)).toEqual(out.map((_, i) => i + 1));
          for (let i = 0; i < out.length; i++) {
            for (let j = i + 1; j < out.length; j++) {
              const c = compareStanding(out[i]!.standing, out[j]!.standing);
              expect(c).toBeLessThanOrEqual(0);
              if (c === 0) expect(out[j]!.distanceM ?? Infinity).toBeGreaterThanOrEqual(out[i]!.distanceM ?? Infinity);
            }
          }

          // candidates by brute force
          const containing = grids.filter((g) => gridLiveAt(g, NOW) && polygonContains(g.polygon, pt)).map((g) => g.id);
          const field = people.filter((p) => isFieldRole(p.role));
          const responsible = field.filter((p) => p.gridIds.some((g) => containing.includes(g))).map((p) => p.id);
          const fixOf = new Map(fixes.map((f) => [f.personId, f]));
          const near = field
            .flatMap((p) => {
              const f = fixOf.get(p.id);
              return f ? [{ id: p.id, d: distanceM(pt, f.position) }] : [];
            })
            .filter((c) => c.d <= opts.maxDistanceM)
            .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
            .slice(0, opts.k)
            .map((c) => c.id);
          expect(new Set(out.map((r) => r.personId))).toEqual(new Set([...responsible, ...near]));
          expect(out.length).toBe(new Set([...responsible, ...near]).size);

          // standing as specified
          for (const r of out) {
            const i = Number(r.personId.slice(1));
            const p = pspecs[i]!;
            const fresh = p.fix !== undefined && p.fix.ageMin * MIN <= opts.staleAfterMs;
            const overseer = p.role === 'chief_leader' ? 1 : 0;
            expect(r.standing).toEqual([responsible.includes(r.personId) ? 0 : 1, p.onDuty ? 0 : 1, overseer, fresh ? 0 : 1, loadBand(p.open)]);
            expect(new Set(r.responsibleGridIds)).toEqual(new Set(people[i]!.gridIds.filter((g) => containing.includes(g))));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders deterministically by personId on exact ties', () => {
    const recs = (ids: string[]): Recommendation[] =>
      buildRecommender(
        [rectGrid('C', 'comprehensive', 119.99, 31.99, 120.01, 32.01)],
        ids.map((id) => person(id, 'leader', ['C'])),
        ids.map((id) => ({ personId: id, position: at(O, 100, 0), at: NOW })),
        new Map(),
      ).recommend(O, NOW);
    expect(recs(['b', 'c', 'a']).map((r) => r.personId)).toEqual(['a', 'b', 'c']);
  });
});
