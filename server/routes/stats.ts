import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors';
import { isDeskRole } from '../../shared/schema';
import {
  BREAKDOWN_DIMENSIONS,
  BreakdownQuery,
  OverdueQuery,
  StatsQuery,
  type BreakdownDimension,
  type BreakdownRow,
  type OverdueItem,
  type StatsBreakdown,
  type StatsOverview,
} from '../../shared/schema/stats';
import { CST_OFFSET_MS } from '../../shared/deadline';
import { categoryById } from '../../shared/taxonomy';
import { statsWorkbook } from '../stats-export';
import { METRIC_DEFINITIONS } from '../../shared/stats';
import type { AuthContext } from '../auth';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

/**
 * Statistics for desks (shared/stats.ts defines each figure): the overview of a period, a breakdown
 * by town, community, grid or leader, the overdue list, and all of it as an Excel workbook. A
 * sub-centre desk is held to its own
 * town: asking for none gets its town, asking for another is refused.
 */
export function statsRoutes(app: FastifyInstance, hub: HubContext): void {
  const town = (ctx: AuthContext, asked: string | undefined): string | undefined => {
    if (!isDeskRole(ctx.principal.role)) throw new DomainError('forbidden', 'Statistics are for desk staff (operators, duty chiefs, sub-centre desks).');
    const own = ctx.principal.townId;
    if (own === undefined) return asked;
    if (asked !== undefined && asked !== own) throw new DomainError('out_of_scope', `Town ${asked} is not yours; a sub-centre desk sees its own town (${own}) only.`, 'townId');
    return own;
  };

  app.get('/api/stats/definitions', async (req) => {
    town(await hub.authed(req), undefined);
    return METRIC_DEFINITIONS;
  });

  app.get('/api/stats/overview', async (req): Promise<StatsOverview> => {
    const ctx = await hub.authed(req);
    const q = parseWith(StatsQuery, req.query, 'query');
    return hub.store.statsOverview(q.from, q.to, town(ctx, q.townId), hub.now());
  });

  app.get('/api/stats/breakdown', async (req): Promise<StatsBreakdown> => {
    const ctx = await hub.authed(req);
    const q = parseWith(BreakdownQuery, req.query, 'query');
    const townId = town(ctx, q.townId);
    const rows = await hub.store.statsBreakdown(q.by, q.from, q.to, townId, hub.now());
    return { from: q.from, to: q.to, ...(townId ? { townId } : {}), by: q.by, rows };
  });

  app.get('/api/stats/export.xlsx', async (req, reply) => {
    const ctx = await hub.authed(req);
    const q = parseWith(StatsQuery, req.query, 'query');
    const townId = town(ctx, q.townId);
    const now = hub.now();
    const [overview, overdue, units, ...rows] = await Promise.all([
      hub.store.statsOverview(q.from, q.to, townId, now),
      hub.store.overdueList(townId, now, 500),
      hub.store.listOrgUnits(),
      ...BREAKDOWN_DIMENSIONS.map((by) => hub.store.statsBreakdown(by, q.from, q.to, townId, now)),
    ]);
    const names = new Map(units.map((u) => [u.id, u.name]));
    for (const id of new Set(overdue.flatMap((e) => (e.assigneeId ? [e.assigneeId] : [])))) {
      const p = await hub.store.getPerson(id);
      if (p) names.set(id, p.name);
    }
    const body = await statsWorkbook({
      overview,
      overdue,
      breakdowns: Object.fromEntries(BREAKDOWN_DIMENSIONS.map((by, i) => [by, rows[i]!])) as Record<BreakdownDimension, BreakdownRow[]>,
      categoryName: (id) => categoryById(hub.taxonomy, id)?.name.zh ?? id,
      name: (id) => names.get(id) ?? id,
    });
    const file = `统计-${new Date(q.from + CST_OFFSET_MS).toISOString().slice(0, 10)}.xlsx`;
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="stats.xlsx"; filename*=UTF-8''${encodeURIComponent(file)}`)
      .send(body);
  });

  app.get('/api/stats/overdue', async (req): Promise<{ items: OverdueItem[] }> => {
    const ctx = await hub.authed(req);
    const q = parseWith(OverdueQuery, req.query, 'query');
    return { items: await hub.store.overdueList(town(ctx, q.townId), hub.now(), q.limit ?? 100) };
  });
}
