/**
 * The statistics as an Excel workbook (exceljs): the overview with each figure's definition, the
 * breakdowns by town, community, grid and leader, and the overdue list, with Chinese headers,
 * percentages as percentages and times as China Standard Time. A leader's office opens it as it is.
 */
import { CST_OFFSET_MS } from '../shared/deadline';
import { ENDED_BY_LABELS, SOURCE_LABELS, STATE_LABELS, TIER_LABELS } from '../shared/labels';
import type { BreakdownDimension, BreakdownRow, OverdueItem, StatsOverview } from '../shared/schema/stats';
import { ENDED_BY, METRIC_DEFINITIONS, type Rate } from '../shared/stats';
import { addTableSheet, cstCell, DATE_TIME, newWorkbook, PERCENT, rateValue, toBuffer } from './workbook';

export interface StatsWorkbookInput {
  overview: StatsOverview;
  breakdowns: Record<BreakdownDimension, BreakdownRow[]>;
  overdue: OverdueItem[];
  /** category id → Chinese name */
  categoryName(id: string): string;
  /** org unit or person id → name */
  name(id: string): string;
}

const DIMENSION_SHEETS: Record<BreakdownDimension, string> = { town: '按镇街', community: '按社区', grid: '按网格', leader: '按网格员' };

const cstDay = (ms: number) => new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);

export async function statsWorkbook(input: StatsWorkbookInput): Promise<Buffer> {
  const o = input.overview;
  const wb = newWorkbook(o.at);
  // the last day of a half-open period is the day before `to`
  const period = `${cstDay(o.from)} 至 ${cstDay(o.to - 1)}${o.townId ? ` · ${input.name(o.townId)}` : ''}`;

  const ov = addTableSheet(wb, '概览', [
    { header: '指标', key: 'name', width: 18 },
    { header: '数值', key: 'value', width: 12 },
    { header: '分子', key: 'numerator', width: 10 },
    { header: '分母', key: 'denominator', width: 10 },
    { header: '口径', key: 'definition', width: 80 },
  ]);
  const count = (id: keyof typeof METRIC_DEFINITIONS, value: number) => ov.addRow({ name: METRIC_DEFINITIONS[id].zh, value, definition: METRIC_DEFINITIONS[id].defZh });
  const ratio = (id: keyof typeof METRIC_DEFINITIONS, r: Rate) => {
    const row = ov.addRow({ name: METRIC_DEFINITIONS[id].zh, value: rateValue(r), numerator: r.numerator, denominator: r.denominator, definition: METRIC_DEFINITIONS[id].defZh });
    row.getCell('value').numFmt = PERCENT;
  };
  count('intake', o.intake);
  count('accepted', o.accepted);
  count('closed', o.closed);
  ratio('closure_rate', o.closureRate);
  ratio('on_time_rate', o.onTimeRate);
  ratio('satisfaction_rate', o.satisfactionRate);
  count('open', o.open.reduce((n, x) => n + x.count, 0));
  count('overdue', o.overdue);
  ov.addRow({ name: METRIC_DEFINITIONS.leaders_on_duty.zh, value: o.leadersOnDuty.onDuty, denominator: o.leadersOnDuty.total, definition: METRIC_DEFINITIONS.leaders_on_duty.defZh });
  for (const k of ENDED_BY) {
    ov.addRow({ name: ENDED_BY_LABELS[k].zh, value: o.endedBy[k], denominator: o.closed, definition: METRIC_DEFINITIONS.ended_by.defZh });
  }
  ov.addRow({});
  ov.addRow({ name: '统计期间', value: period });
  ov.addRow({ name: '在办与督办截至', value: cstCell(o.at) }).getCell('value').numFmt = DATE_TIME;

  const src = addTableSheet(wb, '来源与类别', [
    { header: '来源', key: 'source', width: 14 },
    { header: '受理量', key: 'count', width: 10 },
    { header: '', key: 'gap', width: 4 },
    { header: '类别', key: 'category', width: 20 },
    { header: '受理量', key: 'categoryCount', width: 10 },
  ]);
  for (let i = 0; i < Math.max(o.bySource.length, o.byCategory.length); i++) {
    const s = o.bySource[i];
    const c = o.byCategory[i];
    src.addRow({
      ...(s ? { source: SOURCE_LABELS[s.source].zh, count: s.count } : {}),
      ...(c ? { category: input.categoryName(c.categoryId), categoryCount: c.count } : {}),
    });
  }

  for (const [by, sheet] of Object.entries(DIMENSION_SHEETS) as [BreakdownDimension, string][]) {
    const rows = input.breakdowns[by].map((r) => ({ ...r, closureRate: rateValue(r.closureRate), onTimeRate: rateValue(r.onTimeRate) }));
    addTableSheet(wb, sheet, [
      { header: '名称', key: 'name', width: 22 },
      { header: '编号', key: 'id', width: 18 },
      { header: '受理量', key: 'intake', width: 9 },
      { header: '立案数', key: 'accepted', width: 9 },
      { header: '结案数', key: 'closed', width: 9 },
      { header: '办结率', key: 'closureRate', width: 9, style: { numFmt: PERCENT } },
      { header: '按时办结率', key: 'onTimeRate', width: 11, style: { numFmt: PERCENT } },
      { header: '在办', key: 'open', width: 8 },
      { header: '督办', key: 'overdue', width: 8 },
    ], rows);
  }

  const overdue = input.overdue.map((e) => ({
    id: e.id,
    category: input.categoryName(e.categoryId),
    tier: TIER_LABELS[e.tier].zh,
    state: STATE_LABELS[e.state].zh,
    town: e.townId ? input.name(e.townId) : '',
    assignee: e.assigneeId ? input.name(e.assigneeId) : '',
    deadline: cstCell(e.deadline),
  }));
  addTableSheet(wb, '督办清单', [
    { header: '事件编号', key: 'id', width: 26 },
    { header: '类别', key: 'category', width: 18 },
    { header: '等级', key: 'tier', width: 8 },
    { header: '状态', key: 'state', width: 10 },
    { header: '镇街', key: 'town', width: 14 },
    { header: '承办人', key: 'assignee', width: 12 },
    { header: '办理时限', key: 'deadline', width: 18, style: { numFmt: DATE_TIME } },
  ], overdue);
  return toBuffer(wb);
}
