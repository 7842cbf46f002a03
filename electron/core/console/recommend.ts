/**
 * Who to send, for the event detail and one-click dispatch: the hub's ranking when it answers
 * (it knows every fix and every open assignment), else the same ranking computed over the cache.
 */
import { z } from 'zod';
import type { Candidate, LngLat } from '../../../shared/schema';
import { buildRecommender, type Recommendation, type Recommender } from '../../../shared/recommend';
import type { ConsoleCache } from './cache';
import type { HubClient } from './hub-client';

/** The parts of RecommendResponse the core reads; the reasons are checked by Candidate later. */
const RecommendAnswer = z.object({
  place: z.object({ gridIds: z.array(z.string()) }).passthrough(),
  candidates: z.array(z.object({ personId: z.string(), rank: z.number() }).passthrough()),
});

export class Recommendations {
  private local: { version: number; recommender: Recommender } | undefined;
  /** the recommender reads loads from this map at each query (shared/recommend.ts) */
  private readonly loads = new Map<string, number>();

  constructor(
    private readonly cache: ConsoleCache,
    private readonly client: HubClient,
  ) {}

  /** The hub's ranking; on any failure to reach it, the cache's. `source` says which. */
  async candidates(pt: LngLat, now: number, online: boolean): Promise<{ candidates: Candidate[]; source: 'hub' | 'local' }> {
    if (online && this.client.token) {
      try {
        const answer = await this.client.call('GET', `/api/recommend?lng=${pt.lng}&lat=${pt.lat}`, RecommendAnswer);
        return { candidates: this.toCandidates(answer.candidates as unknown as Recommendation[]), source: 'hub' };
      } catch (err) {
        console.warn('recommend: the hub did not answer, ranking locally:', (err as Error).message);
      }
    }
    return { candidates: this.localCandidates(pt, now), source: 'local' };
  }

  /** Ranked over the cached grids, people and latest fixes, with loads from the cached open events. */
  localCandidates(pt: LngLat, now: number): Candidate[] {
    const version = this.cache.referenceVersion;
    if (!this.local || this.local.version !== version) {
      this.local = { version, recommender: buildRecommender(this.cache.grids(), this.cache.people(), this.cache.positions(), this.loads) };
    }
    const r = this.local.recommender;
    // fixes and loads move all the time: refreshed at each query rather than rebuilding the indexes
    for (const f of this.cache.positions()) r.fixes.upsert(f);
    this.loads.clear();
    for (const [id, n] of this.cache.openAssignments()) this.loads.set(id, n);
    return this.toCandidates(r.recommend(pt, now));
  }

  private toCandidates(recs: readonly Recommendation[]): Candidate[] {
    const out: Candidate[] = [];
    for (const rec of recs) {
      const person = this.cache.person(rec.personId);
      // someone the cache does not know yet cannot be shown or dispatched to from here
      if (!person) continue;
      const c: Candidate = {
        person,
        rank: out.length + 1,
        onDuty: rec.onDuty,
        openAssignments: rec.openAssignments,
        responsibleGridIds: rec.responsibleGridIds,
        reasons: rec.reasons,
      };
      if (rec.distanceM !== undefined) c.distanceM = rec.distanceM;
      if (rec.fixAgeS !== undefined) c.fixAgeS = rec.fixAgeS;
      out.push(c);
    }
    return out;
  }
}
