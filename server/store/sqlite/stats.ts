/**
 * Statistics in SQL over the hub's store: each figure of shared/stats.ts METRIC_DEFINITIONS as one
 * grouped query on one of the stats indexes (migration 0005), so a period's figures never read the
 * event rows themselves. Periods are half-open [from, to); `town` (null: the whole district) holds
 * a sub-centre desk to its own town.
 */
import type Database from 'better-sqlite3';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';
import type { BreakdownDimension, BreakdownRow, EventState, OverdueItem, Source, StatsOverview, Tier } from '../../../shared/schema';
import { FIELD_ROLES } from '../../../shared/schema/entities';
import { endedBy, ENFORCEMENT_CODE, rate, type EndedBy } from '../../../shared/stats';

interface Params {
  from: number;
  to: number;
  town: string | null;
  now: number;
}

const TOWN = '(@town IS NULL OR town_id = @town)';
/** roles that walk a grid: the "leaders on duty" */
const WALKING_ROLES = "('leader', 'dedicated_member')";

/** The column each breakdown groups by, for reports, for cases handled, and the names it shows. */
const DIMENSIONS: Record<BreakdownDimension, { reported: string; handled: string; names: string }> = {
  town: { reported: 'town_id', handled: 'town_id', names: "SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level = 'subcenter'" },
  community: { reported: 'community_id', handled: 'community_id', names: "SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level = 'community'" },
  grid: { reported: 'grid_id', handled: 'grid_id', names: "SELECT id, json_extract(data, '$.name') AS name FROM grids" },
  // a leader's intake is what they reported; what they handled is what was assigned to them
  leader: {
    reported: 'reporter_id',
    handled: 'assignee_id',
    names: `SELECT id, json_extract(data, '$.name') AS name FROM people WHERE role IN (${FIELD_ROLES.map((r) => `'${r}'`).join(', ')})`,
  },
};

export class SqliteStats {
  private readonly st;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    const reported = `merged_into IS NULL AND reported_at >= @from AND reported_at < @to AND ${TOWN}`;
    this.st = {
      // one pass over the period's reports gives the intake, by source, by category and by hour
      intake: p(
        `SELECT source, category_id AS categoryId, ((reported_at + ${CST_OFFSET_MS}) % ${DAY_MS}) / ${HOUR_MS} AS hour, count(*) AS count
         FROM events WHERE ${reported} GROUP BY source, category_id, hour`,
      ),
      byHour: p(`SELECT ((reported_at + ${CST_OFFSET_MS}) % ${DAY_MS}) / ${HOUR_MS} AS hour, count(*) AS count FROM events WHERE ${reported} GROUP BY hour`),
      accepted: p(
        `SELECT count(*) AS accepted, coalesce(sum(closed_at IS NOT NULL AND closed_at < @to), 0) AS closedByEnd
         FROM events WHERE accepted_at IS NOT NULL AND accepted_at >= @from AND accepted_at < @to AND ${TOWN}`,
      ),
      closed: p(
        `SELECT count(*) AS closed,
           coalesce(sum(deadline IS NULL OR closed_at <= deadline), 0) AS onTime,
           count(satisfaction) AS evaluated,
           coalesce(sum(satisfaction IN ('satisfied', 'basically_satisfied')), 0) AS satisfied
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @from AND closed_at < @to AND ${TOWN}`,
      ),
      // few distinct escalations: grouped here, classified by shared/stats.ts endedBy
      endedBy: p(
        `SELECT escalation_target AS target, escalation_departments AS departments, count(*) AS count
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @from AND closed_at < @to AND ${TOWN}
         GROUP BY escalation_target, escalation_departments`,
      ),
      enforcementDepartments: p(`SELECT id FROM departments WHERE json_extract(data, '$.code') = @enforcement`).pluck(),
      open: p(`SELECT tier, state, count(*) AS count FROM events WHERE is_open = 1 AND ${TOWN} GROUP BY tier, state ORDER BY tier, state`),
      overdue: p(`SELECT count(*) FROM events WHERE is_open = 1 AND deadline < @now AND ${TOWN}`).pluck(),
      // walked in deadline order on its own index, stopping after a page: the planner would rather sort every open event
      overdueList: p(
        `SELECT id, category_id AS categoryId, tier, state, town_id AS townId, assignee_id AS assigneeId, deadline
         FROM events INDEXED BY events_open_deadline WHERE is_open = 1 AND deadline < @now AND ${TOWN} ORDER BY deadline, rowid LIMIT @limit`,
      ),
      onDuty: p(
        `SELECT count(*) AS total, coalesce(sum(json_extract(data, '$.onDuty') = 1), 0) AS onDuty
         FROM people WHERE role IN ${WALKING_ROLES} AND ${TOWN}`,
      ),
    };
  }

  private params(from: number, to: number, town: string | undefined, now: number): Params & { enforcement: string } {
    return { from, to, town: town ?? null, now, enforcement: ENFORCEMENT_CODE };
  }

  overview(from: number, to: number, town: string | undefined, now: number): StatsOverview {
    const q = this.params(from, to, town, now);
    const intake = this.intake(q);
    // the same hours a week earlier: for a day or a week, not for a month or a year
    const before = to - from <= 7 * DAY_MS ? this.hours({ ...q, from: from - 7 * DAY_MS, to: to - 7 * DAY_MS }) : undefined;
    const acc = this.st.accepted.get(q) as { accepted: number; closedByEnd: number };
    const clo = this.st.closed.get(q) as { closed: number; onTime: number; evaluated: number; satisfied: number };
    const duty = this.st.onDuty.get(q) as { total: number; onDuty: number };
    return {
      from,
      to,
      ...(town ? { townId: town } : {}),
      at: now,
      intake: intake.total,
      accepted: acc.accepted,
      closed: clo.closed,
      closureRate: rate(acc.closedByEnd, acc.accepted),
      onTimeRate: rate(clo.onTime, clo.closed),
      satisfactionRate: rate(clo.satisfied, clo.evaluated),
      intakeByHour: intake.byHour.map((count, hour) => ({ hour, count, weekBefore: before ? before[hour]! : null })),
      bySource: intake.bySource,
      byCategory: intake.byCategory,
      endedBy: this.endedBy(q),
      open: this.st.open.all(q) as { tier: Tier; state: EventState; count: number }[],
      overdue: this.st.overdue.get(q) as number,
      leadersOnDuty: { onDuty: duty.onDuty, total: duty.total },
    };
  }

  private intake(q: Params) {
    const bySource = new Map<Source, number>();
    const byCategory = new Map<string, number>();
    const byHour = new Array<number>(24).fill(0);
    let total = 0;
    for (const r of this.st.intake.all(q) as { source: Source; categoryId: string; hour: number; count: number }[]) {
      total += r.count;
      bySource.set(r.source, (bySource.get(r.source) ?? 0) + r.count);
      byCategory.set(r.categoryId, (byCategory.get(r.categoryId) ?? 0) + r.count);
      byHour[r.hour] = byHour[r.hour]! + r.count;
    }
    // most first, then by id: the order the panels draw them in
    const ranked = <K extends string>(m: Map<K, number>) => [...m].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    return {
      total,
      byHour,
      bySource: ranked(bySource).map(([source, count]) => ({ source, count })),
      byCategory: ranked(byCategory).map(([categoryId, count]) => ({ categoryId, count })),
    };
  }

  private hours(q: Params): number[] {
    const out = new Array<number>(24).fill(0);
    for (const r of this.st.byHour.all(q) as { hour: number; count: number }[]) out[r.hour] = r.count;
    return out;
  }

  private endedBy(q: Params & { enforcement: string }): Record<EndedBy, number> {
    const enforcement = new Set(this.st.enforcementDepartments.all(q) as string[]);
    const out: Record<EndedBy, number> = { grid: 0, town: 0, departments: 0, enforcement: 0 };
    for (const r of this.st.endedBy.all(q) as { target: 'subcenter' | 'departments' | null; departments: string | null; count: number }[]) {
      const escalation = r.target ? { target: r.target, ...(r.departments ? { departmentIds: JSON.parse(r.departments) as string[] } : {}) } : undefined;
      out[endedBy(escalation ? { escalation } : {}, (id) => enforcement.has(id))] += r.count;
    }
    return out;
  }

  overdueList(town: string | undefined, now: number, limit: number): OverdueItem[] {
    const rows = this.st.overdueList.all({ town: town ?? null, now, limit }) as Record<string, unknown>[];
    // SQL NULLs become absent fields, as the schema has them
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as unknown as OverdueItem);
  }

  breakdown(by: BreakdownDimension, from: number, to: number, town: string | undefined, now: number): BreakdownRow[] {
    const d = DIMENSIONS[by];
    const q = this.params(from, to, town, now);
    const rows = new Map<string, { intake: number; accepted: number; closedByEnd: number; closed: number; onTime: number; open: number; overdue: number }>();
    const row = (id: string) => {
      let r = rows.get(id);
      if (!r) rows.set(id, (r = { intake: 0, accepted: 0, closedByEnd: 0, closed: 0, onTime: 0, open: 0, overdue: 0 }));
      return r;
    };
    const all = (sql: string) => this.db.prepare(sql).all(q) as ({ k: string | null } & Record<string, number>)[];
    for (const r of all(`SELECT ${d.reported} AS k, count(*) AS n FROM events WHERE merged_into IS NULL AND reported_at >= @from AND reported_at < @to AND ${TOWN} GROUP BY k`))
      if (r.k) row(r.k).intake = r.n!;
    for (const r of all(
      `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(closed_at IS NOT NULL AND closed_at < @to), 0) AS c
       FROM events WHERE accepted_at IS NOT NULL AND accepted_at >= @from AND accepted_at < @to AND ${TOWN} GROUP BY k`,
    ))
      if (r.k) Object.assign(row(r.k), { accepted: r.n!, closedByEnd: r.c! });
    for (const r of all(
      `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(deadline IS NULL OR closed_at <= deadline), 0) AS t
       FROM events WHERE closed_at IS NOT NULL AND closed_at >= @from AND closed_at < @to AND ${TOWN} GROUP BY k`,
    ))
      if (r.k) Object.assign(row(r.k), { closed: r.n!, onTime: r.t! });
    for (const r of all(
      `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(deadline < @now), 0) AS o FROM events WHERE is_open = 1 AND ${TOWN} GROUP BY k`,
    ))
      if (r.k) Object.assign(row(r.k), { open: r.n!, overdue: r.o! });
    const names = new Map((this.db.prepare(d.names).all() as { id: string; name: string }[]).map((n) => [n.id, n.name]));
    // a report from a desk has a reporter too, but a desk is no leader: only the named units are listed
    return [...rows]
      .filter(([id]) => names.has(id))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, r]) => ({
        id,
        name: names.get(id)!,
        intake: r.intake,
        accepted: r.accepted,
        closed: r.closed,
        closureRate: rate(r.closedByEnd, r.accepted),
        onTimeRate: rate(r.onTime, r.closed),
        open: r.open,
        overdue: r.overdue,
      }));
  }
}
