import { buildRecommender, type Recommendation, type Recommender } from '../shared/recommend';
import type { Grid, LngLat, Person, PositionFix } from '../shared/schema';
import type { Place } from '../shared/workflow';

/**
 * The hub's in-memory view of the district for spatial questions: which grids contain a point
 * (to place a new event) and who should go there (recommendation). Rebuilt when reference data
 * changes; position fixes are applied as they arrive.
 */
export class DistrictIndex {
  private recommender: Recommender = buildRecommender([], [], [], new Map());
  private openAssignments = new Map<string, number>();

  load(grids: readonly Grid[], people: readonly Person[], fixes: readonly PositionFix[], open: Map<string, number>): void {
    this.openAssignments = open;
    this.recommender = buildRecommender(grids, people, fixes, this.openAssignments);
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

  recommend(pt: LngLat, now: number): Recommendation[] {
    return this.recommender.recommend(pt, now);
  }
}
