import { describe, expect, it } from 'vitest';
import { polygonBBox, polygonContains } from '../../shared/geo';
import { Camera, DEDICATED_DOMAINS, Department, Grid, OrgUnit, Person } from '../../shared/schema';
import { GridIndex } from '../../shared/spatial';
import { DISTRICT_BBOX, generateDistrict } from './generator';
import { makeRng } from './random';

const d = generateDistrict();
const comprehensive = d.grids.filter((g) => g.kind === 'comprehensive');
const dedicated = d.grids.filter((g) => g.kind === 'dedicated');
const bboxArea = (g: Grid) => {
  const [w, s, e, n] = polygonBBox(g.polygon);
  return (e - w) * (n - s);
};

describe('generateDistrict', () => {
  it('has Tongzhou numbers', () => {
    const towns = d.orgUnits.filter((o) => o.level === 'subcenter');
    const communities = d.orgUnits.filter((o) => o.level === 'community');
    expect(d.orgUnits.filter((o) => o.level === 'district')).toHaveLength(1);
    expect(towns).toHaveLength(12);
    expect(towns.slice(0, 4).every((t) => t.name.endsWith('街道'))).toBe(true);
    expect(communities).toHaveLength(250);
    expect(comprehensive).toHaveLength(1030);
    expect(comprehensive.filter((g) => g.households === 500)).toHaveLength(215);
    expect(comprehensive.filter((g) => g.households === 300)).toHaveLength(815);
    expect(dedicated).toHaveLength(70);
    expect(new Set(dedicated.map((g) => g.domain))).toEqual(new Set(DEDICATED_DOMAINS));
    const leaders = d.people.filter((p) => p.role === 'leader' || p.role === 'dedicated_member');
    expect(leaders).toHaveLength(1100);
    expect(d.cameras).toHaveLength(30);
    // 2–5 grids per community, one chief each
    for (const c of communities) {
      const n = comprehensive.filter((g) => g.communityId === c.id).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(5);
    }
    expect(d.people.filter((p) => p.role === 'chief_leader')).toHaveLength(250);
    for (const t of towns) {
      expect(d.people.filter((p) => p.role === 'legal' && p.townId === t.id).length).toBeGreaterThanOrEqual(1);
      expect(d.people.filter((p) => p.role === 'subcenter_desk' && p.townId === t.id)).toHaveLength(1);
    }
    expect(d.people.filter((p) => p.role === 'operator')).toHaveLength(2);
    expect(d.people.filter((p) => p.role === 'duty_chief')).toHaveLength(1);
    expect(d.accounts.map((a) => a.username)).toEqual(expect.arrayContaining(['operator', 'operator2', 'chief', 'desk-jinsha', 'desk-dongshe']));
    expect(d.accounts).toHaveLength(15);
  });

  it('passes the schemas, with unique ids and phones', () => {
    for (const o of d.orgUnits) OrgUnit.parse(o);
    for (const g of d.grids) Grid.parse(g);
    for (const p of d.people) Person.parse(p);
    for (const x of d.departments) Department.parse(x);
    for (const c of d.cameras) Camera.parse(c);
    for (const list of [d.orgUnits, d.grids, d.people, d.cameras]) {
      expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
    }
    const phones = d.people.flatMap((p) => (p.phone ? [p.phone] : []));
    expect(new Set(phones).size).toBe(phones.length);
    for (const p of phones) expect(p).toMatch(/^13\d{9}$/);
    const personIds = new Set(d.people.map((p) => p.id));
    for (const a of d.accounts) expect(personIds.has(a.personId)).toBe(true);
  });

  it('tiles the district with comprehensive grids, without gaps or overlaps', () => {
    const [W, S, E, N] = DISTRICT_BBOX;
    const total = comprehensive.reduce((s, g) => s + bboxArea(g), 0);
    expect(Math.abs(total - (E - W) * (N - S)) / ((E - W) * (N - S))).toBeLessThan(1e-9);
    const idx = GridIndex.build(comprehensive);
    const rng = makeRng(42);
    for (let i = 0; i < 20_000; i++) {
      const pt = { lng: W + rng() * (E - W), lat: S + rng() * (N - S) };
      const hits = idx.gridsAt(pt);
      if (hits.length !== 1) throw new Error(`${pt.lng},${pt.lat} is in ${hits.length} grids`);
    }
    // town and community rectangles equal the union of their grids
    for (const o of d.orgUnits) {
      if (o.level === 'district' || !o.boundary) continue;
      const mine = comprehensive.filter((g) => (o.level === 'subcenter' ? g.townId : g.communityId) === o.id);
      const [w, s, e, n] = polygonBBox(o.boundary);
      const area = mine.reduce((a, g) => a + bboxArea(g), 0);
      expect(Math.abs(area - (e - w) * (n - s)) / ((e - w) * (n - s))).toBeLessThan(1e-9);
      expect(o.center && polygonContains(o.boundary, o.center)).toBe(true);
    }
  });

  it('puts each dedicated grid strictly inside its comprehensive grid, and cameras inside grids', () => {
    const idx = GridIndex.build(comprehensive);
    const [W, S, E, N] = DISTRICT_BBOX;
    for (const g of dedicated) {
      const ring = g.polygon.coordinates[0]!;
      const corners = ring.map(([lng, lat]) => ({ lng, lat }));
      const host = idx.gridsAt(corners[0]!);
      expect(host).toHaveLength(1);
      const h = host[0]!;
      expect(h.communityId).toBe(g.communityId);
      expect(h.townId).toBe(g.townId);
      const [hw, hs, he, hn] = polygonBBox(h.polygon);
      for (const c of corners) {
        expect(polygonContains(h.polygon, c)).toBe(true);
        expect(c.lng > hw && c.lng < he && c.lat > hs && c.lat < hn).toBe(true);
        expect(c.lng > W && c.lng < E && c.lat > S && c.lat < N).toBe(true);
      }
      expect(g.departmentId && d.departments.some((x) => x.id === g.departmentId)).toBe(true);
    }
    for (const c of d.cameras) {
      const hits = idx.gridsAt(c.position);
      expect(hits.map((g) => g.id)).toEqual([c.gridId]);
      expect(hits[0]!.townId).toBe(c.townId);
      expect(c.mainUrl).toBe(`/hls/${c.id}/main.m3u8`);
      expect(c.subUrl).toBe(`/hls/${c.id}/sub.m3u8`);
    }
  });

  it('keeps references consistent', () => {
    const org = new Map(d.orgUnits.map((o) => [o.id, o]));
    const gridIds = new Set(d.grids.map((g) => g.id));
    for (const g of d.grids) {
      const c = org.get(g.communityId);
      expect(c?.level).toBe('community');
      expect(org.get(g.townId)?.level).toBe('subcenter');
      expect(c!.parentId).toBe(g.townId);
    }
    for (const p of d.people) {
      expect(org.has(p.orgUnitId)).toBe(true);
      if (p.townId) expect(org.get(p.townId)?.level).toBe('subcenter');
      for (const id of p.gridIds) expect(gridIds.has(id)).toBe(true);
    }
    for (const o of d.orgUnits) if (o.parentId) expect(org.has(o.parentId)).toBe(true);
  });

  it('is deterministic by seed', () => {
    expect(generateDistrict()).toEqual(d);
    expect(generateDistrict({ seed: 1 })).toEqual(d);
    const other = generateDistrict({ seed: 2 });
    expect(other.people.map((p) => p.name)).not.toEqual(d.people.map((p) => p.name));
    expect(other.orgUnits.map((o) => o.name)).not.toEqual(d.orgUnits.map((o) => o.name));
    expect(other.grids.filter((g) => g.kind === 'comprehensive')).toHaveLength(1030);
  });
});
