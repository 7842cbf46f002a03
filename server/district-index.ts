import { buildRecommender, type Recommendation, type Recommender } from '../shared/recommend';
import type { Grid, LngLat, OrgUnit, Person, PositionFix } from '../shared/schema';
import type { Place } from '../shared/workflow';

export interface DistrictData {
  orgUnits: readonly OrgUnit[];
  grids: readonly Grid[];
  people: readonly Person[];
  fixes: readonly PositionFix[];
  openAssignments: Map<string, number>;
}

/**
 * The hub's in-memory view of the district for spatial questions: which grids contain a point
 * (to place a new event), where an address without a position goes, and who should go there
 * (recommendation). Rebuilt when reference data changes; position fixes are applied as they arrive.
 */
export class DistrictIndex {
  private recommender: Recommender = buildRecommender([], [], [], new Map());
  private openAssignments = new Map<string, number>();
  /** communities with a centre, longest name first, so 北川门新村 wins over a shorter name inside it */
  private communities: OrgUnit[] = [];
  private districtCenter: LngLat | undefined;
  private townOfPerson = new Map<string, string | undefined>();

  load(d: DistrictData): void {
    this.openAssignments = d.openAssignments;
    this.recommender = buildRecommender(d.grids, d.people, d.fixes, this.openAssignments);
    this.communities = d.orgUnits
      .filter((u) => u.level === 'community' && u.center)
      .sort((a, b) => b.name.length - a.name.length);
    this.districtCenter = d.orgUnits.find((u) => u.level === 'district' && u.center)?.center;
    this.townOfPerson = new Map(d.people.map((p) => [p.id, p.townId]));
  }

  /** The centre of the community an address names, else the district's centre. */
  placeOfAddress(address: string): LngLat | undefined {
    return this.communities.find((u) => address.includes(u.name))?.center ?? this.districtCenter;
  }

  get gridCount(): number {
    return this.recommender.grids.size;
  }

  grid(id: string): Grid | undefined {
    return this.recommender.grids.get(id);
  }

  locate(pt: LngLat, at?: number): Place {
    const grids = this.recommender.grids.gridsAt(pt, at);
    const home = grids.find((g) => g.kind === 'comprehensive') ?? grids[0];
    if (!home) return { gridIds: [] };
    return { gridIds: grids.map((g) => g.id), communityId: home.communityId, townId: home.townId };
  }

  updateFixes(fixes: readonly PositionFix[]): void {
    for (const f of fixes) this.recommender.fixes.upsert(f);
  }

  setOpenAssignments(open: Map<string, number>): void {
    this.openAssignments.clear();
    for (const [k, v] of open) this.openAssignments.set(k, v);
  }

  /** `town`: a sub-centre desk's own town, whose staff alone it may dispatch to */
  recommend(pt: LngLat, now: number, town?: string): Recommendation[] {
    const all = this.recommender.recommend(pt, now);
    if (town === undefined) return all;
    return all.filter((r) => this.townOfPerson.get(r.personId) === town).map((r, i) => ({ ...r, rank: i + 1 }));
  }
}
