/**
 * The report's summary paragraph (信息专报 "总体情况"), written from the hub's figures: every number
 * in it is one of the overview's, with the rates as the view shows them. Pure, so it is tested as text.
 */
import { ENDED_BY_LABELS, SOURCE_LABELS } from '../../../shared/labels';
import type { StatsOverview } from '../../../shared/schema/stats';
import { ENDED_BY, type PeriodKind } from '../../../shared/stats';
import { cstDateTime, num, pct, periodKindName, periodLabel, share, type Lang } from './format';

export interface SummaryInput {
  overview: StatsOverview;
  /** the period's name ("本月") when it has one; else the dates are written out */
  kind?: PeriodKind | undefined;
  /** the town's name, or undefined for the whole district */
  townName?: string | undefined;
  categoryName(id: string): string;
}

const openCount = (o: StatsOverview) => o.open.reduce((n, x) => n + x.count, 0);

/** The summary in Chinese (zh-CN) or English. */
export function reportSummary(input: SummaryInput, lang: Lang): string[] {
  return lang === 'en' ? english(input) : chinese(input);
}

function chinese({ overview: o, kind, townName, categoryName }: SummaryInput): string[] {
  const when = kind ? periodKindName(kind, 'zh-CN') : `${periodLabel(o, 'zh-CN')}期间`;
  const where = townName ?? '全区';
  const out: string[] = [];
  out.push(
    `${when}，${where}共受理事件${num(o.intake)}件，立案${num(o.accepted)}件，结案${num(o.closed)}件；` +
      `办结率${pct(o.closureRate)}（期间立案${num(o.closureRate.denominator)}件中已结案${num(o.closureRate.numerator)}件），` +
      `按时办结率${pct(o.onTimeRate)}，群众满意率${pct(o.satisfactionRate)}` +
      `${o.satisfactionRate.denominator === 0 ? '（期间无回访评价）' : `（回访评价${num(o.satisfactionRate.denominator)}件）`}。`,
  );
  const sources = [...o.bySource].sort((a, b) => b.count - a.count).filter((s) => s.count > 0);
  const cats = [...o.byCategory].sort((a, b) => b.count - a.count).filter((c) => c.count > 0).slice(0, 3);
  if (sources.length > 0) {
    const top = sources[0]!;
    let s = `从来源看，${SOURCE_LABELS[top.source].zh}渠道最多，${num(top.count)}件，占${share(top.count, o.intake)}`;
    if (cats.length > 0) s += `；从类别看，居前的是${cats.map((c) => `${categoryName(c.categoryId)}（${num(c.count)}件）`).join('、')}`;
    out.push(`${s}。`);
  }
  if (o.closed > 0) {
    const parts = ENDED_BY.map((k) => `${ENDED_BY_LABELS[k].zh}${num(o.endedBy[k])}件（${share(o.endedBy[k], o.closed)}）`);
    out.push(`结案事件中，${parts.join('，')}。`);
  }
  out.push(
    `截至${cstDateTime(o.at)}，在办事件${num(openCount(o))}件，其中超期督办${num(o.overdue)}件；` +
      `在岗网格员${num(o.leadersOnDuty.onDuty)}人（共${num(o.leadersOnDuty.total)}人）。`,
  );
  return out;
}

function english({ overview: o, kind, townName, categoryName }: SummaryInput): string[] {
  const when = kind ? periodKindName(kind, 'en') : `From ${periodLabel(o, 'en')}`;
  const where = townName ?? 'the district';
  const out: string[] = [];
  out.push(
    `${when}, ${where} took in ${num(o.intake)} events, accepted ${num(o.accepted)} and closed ${num(o.closed)}; ` +
      `closure rate ${pct(o.closureRate)} (${num(o.closureRate.numerator)} of ${num(o.closureRate.denominator)} accepted in the period closed), ` +
      `on-time rate ${pct(o.onTimeRate)}, satisfaction rate ${pct(o.satisfactionRate)}` +
      `${o.satisfactionRate.denominator === 0 ? ' (no evaluations in the period)' : ` (${num(o.satisfactionRate.denominator)} evaluated)`}.`,
  );
  const sources = [...o.bySource].sort((a, b) => b.count - a.count).filter((s) => s.count > 0);
  const cats = [...o.byCategory].sort((a, b) => b.count - a.count).filter((c) => c.count > 0).slice(0, 3);
  if (sources.length > 0) {
    const top = sources[0]!;
    let s = `Most came by ${SOURCE_LABELS[top.source].en} (${num(top.count)}, ${share(top.count, o.intake)})`;
    if (cats.length > 0) s += `; the leading categories were ${cats.map((c) => `${categoryName(c.categoryId)} (${num(c.count)})`).join(', ')}`;
    out.push(`${s}.`);
  }
  if (o.closed > 0) {
    out.push(`Of the closed events: ${ENDED_BY.map((k) => `${ENDED_BY_LABELS[k].en.toLowerCase()} ${num(o.endedBy[k])} (${share(o.endedBy[k], o.closed)})`).join(', ')}.`);
  }
  out.push(
    `As of ${cstDateTime(o.at)} CST, ${num(openCount(o))} events are open, ${num(o.overdue)} of them overdue; ` +
      `${num(o.leadersOnDuty.onDuty)} of ${num(o.leadersOnDuty.total)} grid staff are on duty.`,
  );
  return out;
}
