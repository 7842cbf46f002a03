/**
 * Statistics for the console's pages (the statistics view, the wall screen, the report) and the
 * workbooks the host hands to the page: asked of the hub, which computes them over the whole
 * store (server/store/sqlite/stats.ts). The cache holds only what the feed carries, so the core
 * never recomputes them; it keeps the last answer to each question and gives it back marked stale
 * while the hub cannot be asked, so a wall keeps its panels.
 */
import { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import { ApiError } from '../../../shared/schema/api';
import {
  OverdueItem,
  StatsBreakdown,
  StatsOverview,
  type BreakdownDimension,
  type StatsAnswer,
  type StatsPeriod,
} from '../../../shared/schema/stats';
import { Bulletin, Ledger, Rates, type BulletinQuery } from '../../../shared/schema/ledgers';
import type { LedgerAsk } from '../../../shared/schema/console';
import { HubError, readCapped, type HubClient } from './hub-client';

/** at most this many distinct questions are remembered (a wall asks a handful; a report a few more) */
const MAX_REMEMBERED = 64;
/** a workbook of the whole district for a year is well under this; more is a hub gone wrong */
const MAX_WORKBOOK_BYTES = 32 * 1024 * 1024;
const WORKBOOK_TIMEOUT_MS = 120_000;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The hub's workbooks the host hands to the page: the statistics (`/api/stats/export.xlsx`), the
 * ledgers (`/api/stats/ledger.xlsx`, issue 9's ledger work) and the three-day bulletin
 * (`/api/stats/bulletin.xlsx`).
 */
export const STATS_WORKBOOKS = { stats: '/api/stats/export.xlsx', ledger: '/api/stats/ledger.xlsx', bulletin: '/api/stats/bulletin.xlsx' } as const;
export type StatsWorkbookKind = keyof typeof STATS_WORKBOOKS;

/** A file from the hub: its bytes and the name the hub gave it (Content-Disposition, passed on as is). */
export interface StatsDownload {
  bytes: Buffer;
  contentType: string;
  disposition?: string;
}

const OverdueList = z.object({ items: z.array(OverdueItem) }).strict();

export class StatsProxy {
  private readonly last = new Map<string, StatsAnswer<unknown>>();

  constructor(
    private readonly client: HubClient,
    private readonly now: () => number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  overview(p: StatsPeriod): Promise<StatsAnswer<StatsOverview>> {
    return this.ask(`/api/stats/overview?${periodQuery(p)}`, StatsOverview);
  }

  breakdown(by: BreakdownDimension, p: StatsPeriod): Promise<StatsAnswer<StatsBreakdown>> {
    return this.ask(`/api/stats/breakdown?by=${by}&${periodQuery(p)}`, StatsBreakdown);
  }

  /** the ledger (台账) of grid staff for a named period (GET /api/stats/ledger) */
  ledger(q: LedgerAsk): Promise<StatsAnswer<Ledger>> {
    return this.ask(`/api/stats/ledger?${new URLSearchParams({ ...q })}`, Ledger);
  }

  /** the three rates (三率) for a named period (GET /api/stats/rates) */
  rates(q: LedgerAsk): Promise<StatsAnswer<Rates>> {
    return this.ask(`/api/stats/rates?${new URLSearchParams({ ...q })}`, Rates);
  }

  /** the three-day bulletin (三天一通报) of the three CST days ending on a date, default yesterday (GET /api/stats/bulletin) */
  bulletin(q: BulletinQuery): Promise<StatsAnswer<Bulletin>> {
    const query = new URLSearchParams({ ...(q.date ? { date: q.date } : {}), ...(q.townId ? { townId: q.townId } : {}) });
    return this.ask(`/api/stats/bulletin?${query}`, Bulletin);
  }

  async overdue(limit: number, townId: string | undefined): Promise<StatsAnswer<OverdueItem[]>> {
    const q = new URLSearchParams({ limit: String(limit), ...(townId ? { townId } : {}) });
    const a = await this.ask(`/api/stats/overdue?${q}`, OverdueList);
    return { ...a, data: a.data.items };
  }

  /**
   * A workbook from the hub with the core's session. The query was validated by the caller (the
   * host's route); the hub checks it again, and its refusal (a desk asking for another town, a bad
   * period) comes back as the hub's own error. Never answered from memory: a stale file is no file.
   */
  async workbook(kind: StatsWorkbookKind, query: URLSearchParams): Promise<StatsDownload> {
    const path = `${STATS_WORKBOOKS[kind]}?${query}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.client.baseUrl + path, {
        headers: { ...(this.client.token ? { authorization: `Bearer ${this.client.token}` } : {}), accept: `${XLSX}, application/json` },
        signal: AbortSignal.timeout(WORKBOOK_TIMEOUT_MS),
      });
    } catch (err) {
      throw new DomainError('unavailable', `The hub at ${this.client.baseUrl} cannot be reached (${(err as Error).message}); the workbook needs the hub, try again when the link is back.`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const e = ApiError.safeParse(body);
      if (e.success) throw new HubError(res.status, e.data.error.code, e.data.error.message, e.data.error.field);
      const code: DomainError['code'] = res.status === 404 ? 'not_found' : res.status === 401 ? 'unauthenticated' : res.status >= 500 ? 'unavailable' : 'internal';
      throw new HubError(res.status, code, `The hub answered GET ${STATS_WORKBOOKS[kind]} with HTTP ${res.status}.`);
    }
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== XLSX) {
      await res.body?.cancel().catch(() => {});
      throw new DomainError('internal', `The hub answered GET ${STATS_WORKBOOKS[kind]} with ${contentType || 'no content type'}, not a workbook; is the hub a different version?`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_WORKBOOK_BYTES) {
      await res.body?.cancel().catch(() => {});
      throw new DomainError('too_large', `The hub offers a workbook of ${declared} bytes, over the ${MAX_WORKBOOK_BYTES}-byte limit.`);
    }
    const bytes = await readCapped(res, MAX_WORKBOOK_BYTES, `The hub's workbook runs past the ${MAX_WORKBOOK_BYTES}-byte limit.`);
    const disposition = res.headers.get('content-disposition') ?? undefined;
    return { bytes, contentType: XLSX, ...(disposition ? { disposition } : {}) };
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
