/**
 * Statistics: what each figure means, and the calendar they are counted on. The hub computes them
 * in SQL (server/stats); this module holds what every side must agree on: the definitions a reader
 * can check, the periods in China Standard Time, and where a case ended.
 *
 * Pure: no Node, DOM or Electron imports.
 */
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from './deadline';
import type { EventRecord } from './schema/entities';

/* ---------- periods, in China Standard Time (UTC+8 all year) ---------- */

/** A half-open period [from, to) in ms since the epoch. */
export interface Period {
  from: number;
  to: number;
}

export const PERIOD_KINDS = ['today', 'yesterday', 'this_week', 'last_week', 'this_month', 'last_month', 'this_quarter', 'this_year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** 00:00 CST of the day containing `ms`. */
export function startOfDayCST(ms: number): number {
  return Math.floor((ms + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
}

/** The CST calendar date of `ms`: year, month 1–12, day 1–31, weekday 1 (Monday)–7, hour 0–23. */
export function cstParts(ms: number): { year: number; month: number; day: number; weekday: number; hour: number } {
  const d = new Date(ms + CST_OFFSET_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: ((d.getUTCDay() + 6) % 7) + 1, hour: d.getUTCHours() };
}

/** 00:00 CST on the given CST calendar date (month 1–12; overflowing months roll into the next year). */
export function cstDate(year: number, month: number, day = 1): number {
  return Date.UTC(year, month - 1, day) - CST_OFFSET_MS;
}

/** The period of that name around `now`; weeks start on Monday, as Chinese calendars do. */
export function periodOf(kind: PeriodKind, now: number): Period {
  const today = startOfDayCST(now);
  const { year, month, weekday } = cstParts(now);
  const monday = today - (weekday - 1) * DAY_MS;
  switch (kind) {
    case 'today':
      return { from: today, to: today + DAY_MS };
    case 'yesterday':
      return { from: today - DAY_MS, to: today };
    case 'this_week':
      return { from: monday, to: monday + 7 * DAY_MS };
    case 'last_week':
      return { from: monday - 7 * DAY_MS, to: monday };
    case 'this_month':
      return { from: cstDate(year, month), to: cstDate(year, month + 1) };
    case 'last_month':
      return { from: cstDate(year, month - 1), to: cstDate(year, month) };
    case 'this_quarter': {
      const first = month - ((month - 1) % 3);
      return { from: cstDate(year, first), to: cstDate(year, first + 3) };
    }
    case 'this_year':
      return { from: cstDate(year, 1), to: cstDate(year + 1, 1) };
  }
}

/** The hour of the CST day (0–23) that `ms` falls in. */
export const cstHour = (ms: number): number => Math.floor(((ms + CST_OFFSET_MS) % DAY_MS) / HOUR_MS);

/* ---------- where a case ended ---------- */

/**
 * Where a closed case was settled, as the reports count it ("小事不出格，大事不出村，难事不出镇"):
 * in the grid (never escalated), by the town (escalated to its sub-centre), by departments
 * (escalated to departments other than law enforcement), by law enforcement (the comprehensive law
 * enforcement bureau among the departments).
 */
export const ENDED_BY = ['grid', 'town', 'departments', 'enforcement'] as const;
export type EndedBy = (typeof ENDED_BY)[number];

/** The department code that counts as law enforcement (综合执法局). */
export const ENFORCEMENT_CODE = 'enforcement';

export function endedBy(e: Pick<EventRecord, 'escalation'>, isEnforcement: (departmentId: string) => boolean): EndedBy {
  const esc = e.escalation;
  if (!esc) return 'grid';
  if (esc.target === 'subcenter') return 'town';
  // a town sends a case up when it needs the district's departments: it ends above the town
  if (esc.target === 'district') return 'departments';
  return (esc.departmentIds ?? []).some(isEnforcement) ? 'enforcement' : 'departments';
}

/* ---------- the figures and their definitions ---------- */

/** A rate, with what it was computed from so a reader can check it. */
export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator, or null when nothing was counted */
  value: number | null;
}

export const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, value: denominator > 0 ? numerator / denominator : null });

export const METRICS = [
  'intake',
  'accepted',
  'closed',
  'closure_rate',
  'on_time_rate',
  'satisfaction_rate',
  'open',
  'overdue',
  'ended_by',
  'leaders_on_duty',
  // oversight: the ledgers, the three-day bulletin and the three rates (shared/ledgers.ts)
  'duty_days',
  'patrol_coverage',
  'ledger_reported',
  'visits',
  'handled',
  'handled_on_time',
  'bulletin_reports',
  'bulletin_silent',
  'compliance_rate',
  'awareness_rate',
] as const;
export type MetricId = (typeof METRICS)[number];

/**
 * Each figure's definition, in the words shown beside it. Periods are half-open [from, to) in
 * China Standard Time; "merged" reports (duplicates joined to an earlier event) are never counted
 * as cases of their own.
 */
export const METRIC_DEFINITIONS: Record<MetricId, { zh: string; en: string; defZh: string; defEn: string }> = {
  intake: {
    zh: '受理量',
    en: 'Intake',
    defZh: '期间内上报的事件数（重复上报已并入原事件，不另计）。',
    defEn: 'Events reported in the period (reports merged into an earlier event as duplicates are not counted).',
  },
  accepted: { zh: '立案数', en: 'Accepted', defZh: '期间内立案的事件数。', defEn: 'Events accepted (立案) in the period.' },
  closed: { zh: '结案数', en: 'Closed', defZh: '期间内结案的事件数。', defEn: 'Events closed in the period.' },
  closure_rate: {
    zh: '办结率',
    en: 'Closure rate',
    defZh: '期间内立案的事件中，到期末已结案的比例：结案数 ÷ 立案数。',
    defEn: 'Of the events accepted in the period, the share closed by the end of the period: closed ÷ accepted.',
  },
  on_time_rate: {
    zh: '按时办结率',
    en: 'On-time rate',
    defZh: '期间内结案的事件中，在办理时限内结案的比例（无时限者视为按时）。',
    defEn: 'Of the events closed in the period, the share closed by their deadline (an event without one counts as on time).',
  },
  satisfaction_rate: {
    zh: '群众满意率',
    en: 'Satisfaction rate',
    defZh: '期间内结案并完成回访评价的事件中，“满意”与“基本满意”的比例。',
    defEn: 'Of the events closed in the period and evaluated by the citizen, the share satisfied or basically satisfied.',
  },
  open: { zh: '在办事件', en: 'Open events', defZh: '此刻尚未结案的事件（含待受理）。', defEn: 'Events not closed at this moment (including those awaiting acceptance).' },
  overdue: { zh: '督办事件', en: 'Overdue (督办)', defZh: '此刻已超过办理时限仍未结案的事件。', defEn: 'Open events past their deadline at this moment.' },
  ended_by: {
    zh: '办结层级',
    en: 'Where cases ended',
    defZh: '期间内结案的事件按办结层级分：网格内（未提级）、镇街（提级至分中心）、部门（提级至职能部门）、执法（含综合执法局）。',
    defEn: 'Events closed in the period by where they were settled: in the grid (never escalated), by the town (escalated to its sub-centre), by departments, by law enforcement (the enforcement bureau among the departments).',
  },
  leaders_on_duty: { zh: '在岗网格员', en: 'Leaders on duty', defZh: '此刻在岗的网格员（含专职网格员）。', defEn: 'Grid leaders and dedicated-grid members on duty at this moment.' },
  duty_days: {
    zh: '在岗天数',
    en: 'Days on duty',
    defZh: '期间内（按北京时间日历日）本人手机上传过定位、登记过走访、上报过事件或提交过处置反馈的天数。平台不保存“在岗”开关的历史，故以当天的工作痕迹计。',
    defEn: "CST calendar days in the period on which the person's phone sent a position fix, or the person logged a visit, reported an event or fed back on an assignment. The hub keeps no history of the on-duty switch, so a day counts by the work it shows.",
  },
  patrol_coverage: {
    zh: '巡查覆盖率',
    en: 'Patrol coverage',
    defZh: '本人所负责网格按约100米划分单元（中心点在网格内的单元），期间内本人定位落入过的单元数 ÷ 单元总数；与地图“巡查覆盖”同一划分。',
    defEn: "The person's own grid(s) cut into ~100 m cells (those whose centre lies inside the grid): cells the person's own fixes fell in during the period ÷ all cells; the same cells as the map's patrol coverage.",
  },
  ledger_reported: {
    zh: '上报事件',
    en: 'Events reported',
    defZh: '期间内本人上报的事件数，并入已有事件的重复上报不计（与“受理量”同一口径）。',
    defEn: 'Events the person reported in the period; reports merged into an earlier event as duplicates are not counted (as in intake).',
  },
  visits: { zh: '走访户次', en: 'Visits', defZh: '期间内本人登记的入户走访次数（按走访时间）。', defEn: 'Household visits the person logged, by the time of the visit.' },
  handled: {
    zh: '处置任务',
    en: 'Assignments handled',
    defZh: '期间内本人提交过处置反馈的任务（事件）数，同一任务多次反馈只计一次。',
    defEn: 'Assignments (events) the person fed back on (反馈) in the period; an event fed back more than once counts once.',
  },
  handled_on_time: {
    zh: '按时处置率',
    en: 'Handled on time',
    defZh: '处置任务中，期间内首次反馈不晚于事件办理时限的比例（无时限者视为按时）：按时处置 ÷ 处置任务。',
    defEn: "Of the assignments handled, the share whose first feedback in the period came by the event's deadline (none: on time): on time ÷ handled.",
  },
  bulletin_reports: {
    zh: '三天一通报·上报事件',
    en: 'Three-day bulletin: reports',
    defZh: '通报日及其前两天（北京时间三个日历日）内，网格本网格员（网格长、网格管理员、信息员、专属网格员）上报的事件数，重复上报不计；按上报数排名，并列同名次。',
    defEn: "Events reported by the grid's own workers (leaders, administrators, informants, dedicated-grid members) in the three CST days ending on the bulletin's date, duplicates not counted; grids ranked by it, ties sharing a rank.",
  },
  bulletin_silent: {
    zh: '零上报网格',
    en: 'Silent grids',
    defZh: '三天内本网格员未上报任何事件的网格，通报中予以标出。',
    defEn: "Grids whose workers reported no event in the bulletin's three days; the bulletin names them.",
  },
  compliance_rate: {
    zh: '网格达标率',
    en: 'Grid compliance rate',
    defZh: '期间内经区里检查的网格中，最近一次检查结论为“达标”的网格所占比例：达标网格 ÷ 检查网格（未检查的网格不计入分母）。',
    defEn: 'Of the grids the district inspected in the period, the share whose latest inspection in it found them compliant: compliant ÷ inspected (grids not inspected are left out).',
  },
  awareness_rate: {
    zh: '群众知晓率',
    en: 'Public awareness rate',
    defZh: '期间内登记的群众知晓度调查中，知晓本网格及网格员的人数 ÷ 受访人数（各次调查相加）。',
    defEn: 'Over the awareness surveys dated in the period: residents who knew their grid and grid worker ÷ residents asked (surveys added together).',
  },
};
