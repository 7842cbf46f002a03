/**
 * Statistics in SQL over the hub's store: each figure of shared/stats.ts METRIC_DEFINITIONS.
 * Periods are half-open [from, to); `town` (null: the whole district) holds a sub-centre desk to
 * its own town.
 *
 * A period is counted in pieces: the whole CST months inside it from the monthly rollups, the
 * whole CST days left over from the daily ones (migration 0006, kept by triggers on events), and
 * the part-days at its edges from the event rows on the indexes of migration 0005. The pieces add
 * up to exactly what one query over the event rows gives (stats-rollups.test.ts holds them to it),
 * and a year of a large district (bench/stats.ts) reads some tens of thousands of rollup rows
 * instead of half a million events. Figures "at this moment" (open, overdue, on duty) are read
 * from their own indexes.
 */
import type Database from 'better-sqlite3';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';
import type { BreakdownDimension, BreakdownRow, EventState, OverdueItem, Source, StatsOverview, Tier } from '../../../shared/schema';
import { FIELD_ROLES, type EscalationTarget } from '../../../shared/schema/entities';
import { endedBy, ENFORCEMENT_CODE, rate, type EndedBy } from '../../../shared/stats';
import { LIFETIME_BOUNDS, LIFETIME_CLASS } from './migrations/0006-stats-rollups';

interface Params {
  from: number;
  to: number;
  town: string | null;
  now: number;
}

/** A stretch of a period: [lo, hi). */
interface Range {
  lo: number;
  hi: number;
}

/** How a period is counted: event rows for `raw`, daily rollups for `days`, monthly for `months`. */
export interface PeriodPlan {
  raw: Range[];
  days: Range[];
  months: Range[];
  /** the whole days of the period, [first, last): what the rollups cover */
  whole: Range | null;
}

const TOWN = '(@town IS NULL OR town_id = @town)';
/** roles that walk a grid: the "leaders on duty" */
const WALKING_ROLES = "('leader', 'dedicated_member')";

/** The column each breakdown groups by, for reports, for cases handled, and the names it shows. */
const DIMENSIONS: Record<BreakdownDimension, { reported: string; handled: string; rollup: string; names: string }> = {
  town: { reported: 'town_id', handled: 'town_id', rollup: 'town_id', names: "SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level = 'subcenter'" },
  community: { reported: 'community_id', handled: 'community_id', rollup: 'k1', names: "SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level = 'community'" },
  grid: { reported: 'grid_id', handled: 'grid_id', rollup: 'k2', names: "SELECT id, json_extract(data, '$.name') AS name FROM grids" },
  // a leader's intake is what they reported; what they handled is what was assigned to them
  leader: {
    reported: 'reporter_id',
    handled: 'assignee_id',
    // the `r` rollup keeps the reporter there, the `h` rollup the assignee
    rollup: 'k3',
    names: `SELECT id, json_extract(data, '$.name') AS name FROM people WHERE role IN (${FIELD_ROLES.map((r) => `'${r}'`).join(', ')})`,
  },
};

/* ---------- the CST calendar in integers, as migration 0006 reckons it ---------- */

const floorDay = (t: number) => Math.floor((t + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
const ceilDay = (t: number) => (floorDay(t) === t ? t : floorDay(t) + DAY_MS);

/**
 * 00:00 CST on the 1st of the month `t` falls in. The same integer arithmetic as the rollups'
 * triggers (not Date, which stops at 8.64e15 ms while a timestamp may be that late plus eight hours).
 */
export function monthStartCST(t: number): number {
  const days = Math.floor((t + CST_OFFSET_MS) / DAY_MS);
  const doe = (days + 719_468) % 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return (days - doy + Math.floor((153 * mp + 2) / 5)) * DAY_MS - CST_OFFSET_MS;
}
const ceilMonth = (t: number) => (monthStartCST(t) === t ? t : monthStartCST(monthStartCST(t) + 32 * DAY_MS));

/** Splits [from, to) into part-days at the edges, whole days and whole months. */
export function planPeriod(from: number, to: number): PeriodPlan {
  const d0 = ceilDay(from);
  const d1 = floorDay(to);
  if (d0 >= d1) return { raw: [{ lo: from, hi: to }], days: [], months: [], whole: null };
  const raw = [...(from < d0 ? [{ lo: from, hi: d0 }] : []), ...(d1 < to ? [{ lo: d1, hi: to }] : [])];
  const m0 = ceilMonth(d0);
  const m1 = monthStartCST(d1);
  if (m0 >= m1) return { raw, days: [{ lo: d0, hi: d1 }], months: [], whole: { lo: d0, hi: d1 } };
  const days = [...(d0 < m0 ? [{ lo: d0, hi: m0 }] : []), ...(m1 < d1 ? [{ lo: m1, hi: d1 }] : [])];
  return { raw, days, months: [{ lo: m0, hi: m1 }], whole: { lo: d0, hi: d1 } };
}

export class SqliteStats {
  private readonly st;
  private readonly byDimension;

  /**
   * `rollups: false` counts every period from the event rows alone: the plain definition, which
   * the tests hold the rollups to.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly opts: { rollups?: boolean } = {},
  ) {
    const p = (sql: string) => db.prepare(sql);
    const reported = `merged_into IS NULL AND reported_at >= @lo AND reported_at < @hi AND ${TOWN}`;
    const rolled = (kind: string) => `FROM stats_rollups WHERE kind = '${kind}' AND span = @span AND bucket >= @lo AND bucket < @hi AND ${TOWN}`;
    // of those accepted in the period's whole days, the ones not closed before its end (migration 0006):
    // never closed, and closed at or after the end, one class of stay at a time
    const unclosed = `FROM events INDEXED BY events_stats_unclosed
      WHERE accepted_at >= @lo AND accepted_at < @hi AND accepted_at IS NOT NULL AND closed_at IS NULL AND ${TOWN}`;
    const straddling = `FROM events INDEXED BY events_stats_lifetime
      WHERE (${LIFETIME_CLASS}) = @cls AND accepted_at >= @lo AND accepted_at < @hi AND closed_at >= @to
        AND accepted_at IS NOT NULL AND closed_at IS NOT NULL AND ${TOWN}`;
    this.st = {
      // one pass over the period's reports gives the intake, by source, by category and by hour
      intake: p(
        `SELECT source, category_id AS categoryId, ((reported_at + ${CST_OFFSET_MS}) % ${DAY_MS}) / ${HOUR_MS} AS hour, count(*) AS count
         FROM events WHERE ${reported} GROUP BY source, category_id, hour`,
      ),
      byHour: p(`SELECT ((reported_at + ${CST_OFFSET_MS}) % ${DAY_MS}) / ${HOUR_MS} AS hour, count(*) AS count FROM events WHERE ${reported} GROUP BY hour`),
      accepted: p(
        `SELECT count(*) AS accepted, coalesce(sum(closed_at IS NOT NULL AND closed_at < @to), 0) AS closedByEnd
         FROM events WHERE accepted_at IS NOT NULL AND accepted_at >= @lo AND accepted_at < @hi AND ${TOWN}`,
      ),
      closed: p(
        `SELECT count(*) AS closed,
           coalesce(sum(deadline IS NULL OR closed_at <= deadline), 0) AS onTime,
           count(satisfaction) AS evaluated,
           coalesce(sum(satisfaction IN ('satisfied', 'basically_satisfied')), 0) AS satisfied
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @lo AND closed_at < @hi AND ${TOWN}`,
      ),
      // few distinct escalations: grouped here, classified by shared/stats.ts endedBy
      endedBy: p(
        `SELECT escalation_target AS target, escalation_departments AS departments, count(*) AS count
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @lo AND closed_at < @hi AND ${TOWN}
         GROUP BY escalation_target, escalation_departments`,
      ),
      rolledSource: p(`SELECT nullif(k1, '') AS key, sum(intake) AS count ${rolled('sc')} GROUP BY k1`),
      rolledCategory: p(`SELECT nullif(k2, '') AS key, sum(intake) AS count ${rolled('sc')} GROUP BY k2`),
      rolledHour: p(`SELECT k1 AS hour, sum(intake) AS count ${rolled('hour')} GROUP BY k1`),
      rolledHandled: p(
        `SELECT coalesce(sum(accepted), 0) AS accepted, coalesce(sum(closed), 0) AS closed,
           coalesce(sum(on_time), 0) AS onTime, coalesce(sum(evaluated), 0) AS evaluated, coalesce(sum(satisfied), 0) AS satisfied ${rolled('h')}`,
      ),
      rolledEndedBy: p(`SELECT nullif(k1, '') AS target, nullif(k2, '') AS departments, sum(closed) AS count ${rolled('esc')} GROUP BY k1, k2`),
      unclosed: p(`SELECT count(*) ${unclosed}`).pluck(),
      straddling: p(`SELECT count(*) ${straddling}`).pluck(),
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
    const dimension = (d: (typeof DIMENSIONS)[BreakdownDimension]) => ({
      intake: p(`SELECT ${d.reported} AS k, count(*) AS n FROM events WHERE ${reported} GROUP BY k`),
      accepted: p(
        `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(closed_at IS NOT NULL AND closed_at < @to), 0) AS c
         FROM events WHERE accepted_at IS NOT NULL AND accepted_at >= @lo AND accepted_at < @hi AND ${TOWN} GROUP BY k`,
      ),
      closed: p(
        `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(deadline IS NULL OR closed_at <= deadline), 0) AS t
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @lo AND closed_at < @hi AND ${TOWN} GROUP BY k`,
      ),
      open: p(
        `SELECT ${d.handled} AS k, count(*) AS n, coalesce(sum(deadline < @now), 0) AS o
         FROM events INDEXED BY events_stats_open_units WHERE is_open = 1 AND ${TOWN} GROUP BY k`,
      ),
      rolledIntake: p(`SELECT nullif(${d.rollup}, '') AS k, sum(intake) AS n ${rolled('r')} GROUP BY ${d.rollup}`),
      rolledHandled: p(`SELECT nullif(${d.rollup}, '') AS k, sum(accepted) AS n, sum(closed) AS closed, sum(on_time) AS t ${rolled('h')} GROUP BY ${d.rollup}`),
      unclosed: p(`SELECT ${d.handled} AS k, count(*) AS n ${unclosed} GROUP BY k`),
      straddling: p(`SELECT ${d.handled} AS k, count(*) AS n ${straddling} GROUP BY k`),
      names: p(d.names),
    });
    this.byDimension = {
      town: dimension(DIMENSIONS.town),
      community: dimension(DIMENSIONS.community),
      grid: dimension(DIMENSIONS.grid),
      leader: dimension(DIMENSIONS.leader),
    };
  }

  private plan(from: number, to: number): PeriodPlan {
    return this.opts.rollups === false ? { raw: [{ lo: from, hi: to }], days: [], months: [], whole: null } : planPeriod(from, to);
  }

  /** Runs `raw` on each part-day range and `rolled` on each rollup range of the period. */
  private each(plan: PeriodPlan, q: Params, raw: (p: Params & Range) => void, rolled: (p: Params & Range & { span: 0 | 1 }) => void): void {
    for (const r of plan.raw) raw({ ...q, ...r });
    for (const r of plan.days) rolled({ ...q, ...r, span: 0 });
    for (const r of plan.months) rolled({ ...q, ...r, span: 1 });
  }

  /**
   * What the rollups' acceptances in the period's whole days hold beyond those closed by its end:
   * `unclosed` runs over the whole days for the events not closed at all, `straddling` for each
   * class of stay over the ones closed at or after the end.
   */
  private notClosedByEnd(plan: PeriodPlan, q: Params, unclosed: (p: Params & Range) => void, straddling: (p: Params & Range & { cls: number }) => void): void {
    const w = plan.whole;
    if (!w) return;
    unclosed({ ...q, ...w });
    LIFETIME_BOUNDS.forEach((bound, cls) => {
      // a class staying under `bound` was accepted within `bound` before the end, if it was still open then
      const lo = Math.max(w.lo, q.to - bound);
      if (lo < w.hi) straddling({ ...q, lo, hi: w.hi, cls });
    });
  }

  private params(from: number, to: number, town: string | undefined, now: number): Params & { enforcement: string } {
    return { from, to, town: town ?? null, now, enforcement: ENFORCEMENT_CODE };
  }

  overview(from: number, to: number, town: string | undefined, now: number): StatsOverview {
    const q = this.params(from, to, town, now);
    const plan = this.plan(from, to);
    const intake = this.intake(plan, q);
    // the same hours a week earlier: for a day or a week, not for a month or a year
    const week = { from: from - 7 * DAY_MS, to: to - 7 * DAY_MS };
    const before = to - from <= 7 * DAY_MS ? this.hours(this.plan(week.from, week.to), { ...q, ...week }) : undefined;
    const h = this.handled(plan, q);
    const duty = this.st.onDuty.get(q) as { total: number; onDuty: number };
    return {
      from,
      to,
      ...(town ? { townId: town } : {}),
      at: now,
      intake: intake.total,
      accepted: h.accepted,
      closed: h.closed,
      closureRate: rate(h.closedByEnd, h.accepted),
      onTimeRate: rate(h.onTime, h.closed),
      satisfactionRate: rate(h.satisfied, h.evaluated),
      intakeByHour: intake.byHour.map((count, hour) => ({ hour, count, weekBefore: before ? before[hour]! : null })),
      bySource: intake.bySource,
      byCategory: intake.byCategory,
      endedBy: this.endedBy(plan, q),
      open: this.st.open.all(q) as { tier: Tier; state: EventState; count: number }[],
      overdue: this.st.overdue.get(q) as number,
      leadersOnDuty: { onDuty: duty.onDuty, total: duty.total },
    };
  }

  private intake(plan: PeriodPlan, q: Params) {
    const bySource = new Map<Source, number>();
    const byCategory = new Map<string, number>();
    const byHour = new Array<number>(24).fill(0);
    let total = 0;
    const add = <K>(m: Map<K, number>, k: K, n: number) => m.set(k, (m.get(k) ?? 0) + n);
    this.each(
      plan,
      q,
      (p) => {
        for (const r of this.st.intake.all(p) as { source: Source; categoryId: string; hour: number; count: number }[]) {
          total += r.count;
          add(bySource, r.source, r.count);
          add(byCategory, r.categoryId, r.count);
          byHour[r.hour] = byHour[r.hour]! + r.count;
        }
      },
      (p) => {
        for (const r of this.st.rolledSource.all(p) as { key: Source; count: number }[]) {
          total += r.count;
          add(bySource, r.key, r.count);
        }
        for (const r of this.st.rolledCategory.all(p) as { key: string; count: number }[]) add(byCategory, r.key, r.count);
        for (const r of this.st.rolledHour.all(p) as { hour: number; count: number }[]) byHour[r.hour] = byHour[r.hour]! + r.count;
      },
    );
    // most first, then by id: the order the panels draw them in
    const ranked = <K extends string>(m: Map<K, number>) => [...m].filter(([, n]) => n > 0).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    return {
      total,
      byHour,
      bySource: ranked(bySource).map(([source, count]) => ({ source, count })),
      byCategory: ranked(byCategory).map(([categoryId, count]) => ({ categoryId, count })),
    };
  }

  private hours(plan: PeriodPlan, q: Params): number[] {
    const out = new Array<number>(24).fill(0);
    const add = (rows: unknown[]) => {
      for (const r of rows as { hour: number; count: number }[]) out[r.hour] = out[r.hour]! + r.count;
    };
    this.each(plan, q, (p) => add(this.st.byHour.all(p)), (p) => add(this.st.rolledHour.all(p)));
    return out;
  }

  /** accepted (and closed by the period's end) and closed (on time, evaluated, satisfied) */
  private handled(plan: PeriodPlan, q: Params) {
    const t = { accepted: 0, closedByEnd: 0, closed: 0, onTime: 0, evaluated: 0, satisfied: 0 };
    this.each(
      plan,
      q,
      (p) => {
        const a = this.st.accepted.get(p) as { accepted: number; closedByEnd: number };
        const c = this.st.closed.get(p) as { closed: number; onTime: number; evaluated: number; satisfied: number };
        t.accepted += a.accepted;
        t.closedByEnd += a.closedByEnd;
        t.closed += c.closed;
        t.onTime += c.onTime;
        t.evaluated += c.evaluated;
        t.satisfied += c.satisfied;
      },
      (p) => {
        const r = this.st.rolledHandled.get(p) as { accepted: number; closed: number; onTime: number; evaluated: number; satisfied: number };
        t.accepted += r.accepted;
        t.closedByEnd += r.accepted;
        t.closed += r.closed;
        t.onTime += r.onTime;
        t.evaluated += r.evaluated;
        t.satisfied += r.satisfied;
      },
    );
    this.notClosedByEnd(
      plan,
      q,
      (p) => (t.closedByEnd -= this.st.unclosed.get(p) as number),
      (p) => (t.closedByEnd -= this.st.straddling.get(p) as number),
    );
    return t;
  }

  private endedBy(plan: PeriodPlan, q: Params & { enforcement: string }): Record<EndedBy, number> {
    const enforcement = new Set(this.st.enforcementDepartments.all(q) as string[]);
    const out: Record<EndedBy, number> = { grid: 0, town: 0, departments: 0, enforcement: 0 };
    const add = (rows: unknown[]) => {
      for (const r of rows as { target: EscalationTarget | null; departments: string | null; count: number }[]) {
        const escalation = r.target ? { target: r.target, ...(r.departments ? { departmentIds: JSON.parse(r.departments) as string[] } : {}) } : undefined;
        out[endedBy(escalation ? { escalation } : {}, (id) => enforcement.has(id))] += r.count;
      }
    };
    this.each(plan, q, (p) => add(this.st.endedBy.all(p)), (p) => add(this.st.rolledEndedBy.all(p)));
    return out;
  }

  overdueList(town: string | undefined, now: number, limit: number): OverdueItem[] {
    const rows = this.st.overdueList.all({ town: town ?? null, now, limit }) as Record<string, unknown>[];
    // SQL NULLs become absent fields, as the schema has them
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as unknown as OverdueItem);
  }

  breakdown(by: BreakdownDimension, from: number, to: number, town: string | undefined, now: number): BreakdownRow[] {
    const st = this.byDimension[by];
    const q = this.params(from, to, town, now);
    const plan = this.plan(from, to);
    const rows = new Map<string, { intake: number; accepted: number; closedByEnd: number; closed: number; onTime: number; open: number; overdue: number }>();
    const row = (id: string) => {
      let r = rows.get(id);
      if (!r) rows.set(id, (r = { intake: 0, accepted: 0, closedByEnd: 0, closed: 0, onTime: 0, open: 0, overdue: 0 }));
      return r;
    };
    const all = (s: Database.Statement, p: object) => s.all(p) as ({ k: string | null } & Record<string, number>)[];
    this.each(
      plan,
      q,
      (p) => {
        for (const r of all(st.intake, p)) if (r.k) row(r.k).intake += r.n!;
        for (const r of all(st.accepted, p))
          if (r.k) {
            const x = row(r.k);
            x.accepted += r.n!;
            x.closedByEnd += r.c!;
          }
        for (const r of all(st.closed, p))
          if (r.k) {
            const x = row(r.k);
            x.closed += r.n!;
            x.onTime += r.t!;
          }
      },
      (p) => {
        for (const r of all(st.rolledIntake, p)) if (r.k) row(r.k).intake += r.n!;
        for (const r of all(st.rolledHandled, p))
          if (r.k) {
            const x = row(r.k);
            x.accepted += r.n!;
            x.closedByEnd += r.n!;
            x.closed += r.closed!;
            x.onTime += r.t!;
          }
      },
    );
    const less = (s: Database.Statement) => (p: object) => {
      for (const r of all(s, p)) if (r.k) row(r.k).closedByEnd -= r.n!;
    };
    this.notClosedByEnd(plan, q, less(st.unclosed), less(st.straddling));
    for (const r of all(st.open, q)) if (r.k) Object.assign(row(r.k), { open: r.n!, overdue: r.o! });
    const names = new Map((st.names.all() as { id: string; name: string }[]).map((n) => [n.id, n.name]));
    // a unit is listed when it counted something (a rollup row emptied by a later write lists nothing);
    // a report from a desk has a reporter too, but a desk is no leader: only the named units are listed
    return [...rows]
      .filter(([id, r]) => names.has(id) && (r.intake > 0 || r.accepted > 0 || r.closed > 0 || r.open > 0))
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
