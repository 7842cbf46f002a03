import { GridIndex } from '../shared/spatial';
import type { Grid, LngLat } from '../shared/schema';
import type { Place } from '../shared/workflow';

/** Where a point is: every grid containing it, and the community and town of its comprehensive grid. */
export class Places {
  private index = GridIndex.build([]);

  load(grids: readonly Grid[]): void {
    this.index = GridIndex.build(grids);
  }

  get gridCount(): number {
    return this.index.size;
  }

  grid(id: string): Grid | undefined {
    return this.index.get(id);
  }

  locate(pt: LngLat, at?: number): Place {
    const grids = this.index.gridsAt(pt, at);
    const home = grids.find((g) => g.kind === 'comprehensive') ?? grids[0];
    if (!home) return { gridIds: [] };
    return { gridIds: grids.map((g) => g.id), communityId: home.communityId, townId: home.townId };
  }
}
