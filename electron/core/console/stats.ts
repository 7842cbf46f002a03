/**
 * Statistics for the console's pages (the wall screen, the report): asked of the hub, which
 * computes them over the whole store (server/store/sqlite/stats.ts). The cache holds only what
 * the feed carries, so the core never recomputes them; it keeps the last answer to each question
 * and gives it back marked stale while the hub cannot be asked, so a wall keeps its panels.
 */
import { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import {
  OverdueItem,
  StatsBreakdown,
  StatsOverview,
  type BreakdownDimension,
  type StatsAnswer,
  type StatsPeriod,
} from '../../../shared/schema/stats';
import type { HubClient } from './hub-client';

/** at most this many distinct questions are remembered (a wall asks a handful; a report a few more) */
const MAX_REMEMBERED = 64;

const OverdueList = z.object({ items: z.array(OverdueItem) }).strict();

export class StatsProxy {
  private readonly last = new Map<string, StatsAnswer<unknown>>();

  constructor(
    private readonly client: HubClient,
    private readonly now: () => number,
  ) {}

  overview(p: StatsPeriod): Promise<StatsAnswer<StatsOverview>> {
    return this.ask(`/api/stats/overview?${periodQuery(p)}`, StatsOverview);
  }

  breakdown(by: BreakdownDimension, p: StatsPeriod): Promise<StatsAnswer<StatsBreakdown>> {
    return this.ask(`/api/stats/breakdown?by=${by}&${periodQuery(p)}`, StatsBreakdown);
  }

  async overdue(limit: number, townId: string | undefined): Promise<StatsAnswer<OverdueItem[]>> {
    const q = new URLSearchParams({ limit: String(limit), ...(townId ? { townId } : {}) });
    const a = await this.ask(`/api/stats/overdue?${q}`, OverdueList);
    return { ...a, data: a.data.items };
  }

  private async ask<S extends z.ZodTypeAny>(path: string, schema: S): Promise<StatsAnswer<z.infer<S>>> {
    try {
      const answer = { data: await this.client.call('GET', path, schema), fetchedAt: this.now(), stale: false };
      this.remember(path, answer);
      return answer;
    } catch (err) {
      const kept = this.last.get(path);
      // only a lost link is covered by old figures: a refusal (scope, bad period) must reach the page
      if (kept && err instanceof DomainError && err.code === 'unavailable') return { ...(kept as StatsAnswer<z.infer<S>>), stale: true };
      throw err;
    }
  }

  private remember(path: string, answer: StatsAnswer<unknown>): void {
    this.last.delete(path);
    this.last.set(path, answer);
    if (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value as string);
  }

  /** a different person signs in: their scope may differ, and so may the answers */
  forget(): void {
    this.last.clear();
  }
}

function periodQuery(p: StatsPeriod): string {
  return new URLSearchParams({ from: String(p.from), to: String(p.to), ...(p.townId ? { townId: p.townId } : {}) }).toString();
}
