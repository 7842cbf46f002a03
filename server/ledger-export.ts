/**
 * The ledgers (台账) and the three-day bulletin (三天一通报) as Excel workbooks (exceljs), the way a
 * town's office files them: Chinese headers, counts as numbers, rates as percentages with their
 * numerator and denominator beside them, the header row frozen and filterable, and a sheet with
 * each column's definition (shared/stats.ts METRIC_DEFINITIONS).
 */
import type ExcelJS from 'exceljs';
import { cstDateString, type LedgerPeriod } from '../shared/ledgers';
import type { GridKind, Role } from '../shared/schema';
import type { Bulletin, Ledger, Rates, RatesRow } from '../shared/schema/ledgers';
import { addDefinitionsSheet, addTableSheet, cstCell, DATE_TIME, INTEGER, newWorkbook, PERCENT, rateValue, toBuffer } from './workbook';

const SILENT_FILL = 'FFFDE2E1';

export const PERIOD_NAMES: Record<LedgerPeriod, string> = { day: '日', week: '周', month: '月', quarter: '季度', year: '年度' };
const ROLE_NAMES: Partial<Record<Role, string>> = { leader: '网格长', dedicated_member: '专属网格员' };
const KIND_NAMES: Record<GridKind, string> = { comprehensive: '综合网格', dedicated: '专属网格', dynamic: '动态专属网格' };

const span = (from: number, to: number) => `${cstDateString(from)} 至 ${cstDateString(to - 1)}`;

function ratesSheet(wb: ExcelJS.Workbook, r: Rates): void {
  const ws = addTableSheet(wb, '三率', [
    { header: '单位', key: 'name', width: 14 },
    { header: '网格数', key: 'grids', width: 8, style: { numFmt: INTEGER } },
    { header: '网格达标率', key: 'compliance', width: 11, style: { numFmt: PERCENT } },
    { header: '达标网格', key: 'compliant', width: 9, style: { numFmt: INTEGER } },
    { header: '检查网格', key: 'inspected', width: 9, style: { numFmt: INTEGER } },
    { header: '群众知晓率', key: 'awareness', width: 11, style: { numFmt: PERCENT } },
    { header: '知晓人数', key: 'aware', width: 9, style: { numFmt: INTEGER } },
    { header: '受访人数', key: 'asked', width: 9, style: { numFmt: INTEGER } },
    { header: '群众满意率', key: 'satisfaction', width: 11, style: { numFmt: PERCENT } },
    { header: '满意与基本满意', key: 'satisfied', width: 13, style: { numFmt: INTEGER } },
    { header: '评价数', key: 'evaluated', width: 8, style: { numFmt: INTEGER } },
  ], [], 'filed');
  const add = (x: RatesRow) =>
    ws.addRow({
      name: x.name,
      grids: x.grids,
      compliance: rateValue(x.compliance),
      compliant: x.compliance.numerator,
      inspected: x.compliance.denominator,
      awareness: rateValue(x.awareness),
      aware: x.awareness.numerator,
      asked: x.awareness.denominator,
      satisfaction: rateValue(x.satisfaction),
      satisfied: x.satisfaction.numerator,
      evaluated: x.satisfaction.denominator,
    });
  add(r.total).font = { bold: true };
  for (const t of r.towns) add(t);
}

/** The ledger of a period, with the three rates of the same period and town. */
export async function ledgerWorkbook(l: Ledger, r: Rates): Promise<Buffer> {
  const wb = newWorkbook(l.at);
  const rows = l.rows.map((x, i) => ({
    no: i + 1,
    name: x.name,
    personId: x.personId,
    role: ROLE_NAMES[x.role] ?? x.role,
    gridName: x.gridName ?? '',
    townName: x.townName ?? '',
    dutyDays: x.dutyDays,
    patrol: rateValue(x.patrol),
    visitedCells: x.patrol.numerator,
    cells: x.patrol.denominator,
    reported: x.reported,
    visits: x.visits,
    handled: x.handled,
    onTime: x.handledOnTime.numerator,
    onTimeRate: rateValue(x.handledOnTime),
  }));
  addTableSheet(wb, '台账', [
    { header: '序号', key: 'no', width: 6, style: { numFmt: INTEGER } },
    { header: '姓名', key: 'name', width: 10 },
    { header: '人员编号', key: 'personId', width: 20 },
    { header: '岗位', key: 'role', width: 11 },
    { header: '网格', key: 'gridName', width: 18 },
    { header: '镇街', key: 'townName', width: 10 },
    { header: '在岗天数', key: 'dutyDays', width: 9, style: { numFmt: INTEGER } },
    { header: '巡查覆盖率', key: 'patrol', width: 11, style: { numFmt: PERCENT } },
    { header: '已巡单元', key: 'visitedCells', width: 9, style: { numFmt: INTEGER } },
    { header: '网格单元', key: 'cells', width: 9, style: { numFmt: INTEGER } },
    { header: '上报事件', key: 'reported', width: 9, style: { numFmt: INTEGER } },
    { header: '走访户次', key: 'visits', width: 9, style: { numFmt: INTEGER } },
    { header: '处置任务', key: 'handled', width: 9, style: { numFmt: INTEGER } },
    { header: '按时处置', key: 'onTime', width: 9, style: { numFmt: INTEGER } },
    { header: '按时处置率', key: 'onTimeRate', width: 11, style: { numFmt: PERCENT } },
  ], rows, 'filed');

  ratesSheet(wb, r);
  addDefinitionsSheet(
    wb,
    [
      ['台账类型', `${PERIOD_NAMES[l.period]}台账`],
      ['统计期间', span(l.from, l.to)],
      ['期间天数', l.days, INTEGER],
      ['截至生成已过天数', l.daysBegun, INTEGER],
      ['范围', r.total.name],
      ['网格员人数', l.rows.length, INTEGER],
      ['生成时间', cstCell(l.at), DATE_TIME],
    ],
    ['duty_days', 'patrol_coverage', 'ledger_reported', 'visits', 'handled', 'handled_on_time', 'compliance_rate', 'awareness_rate', 'satisfaction_rate'],
  );
  return toBuffer(wb);
}

/** The three-day bulletin: every grid ranked by its workers' reports, the silent ones marked. */
export async function bulletinWorkbook(b: Bulletin): Promise<Buffer> {
  const wb = newWorkbook(b.at);
  const ws = addTableSheet(wb, '三天一通报', [
    { header: '排名', key: 'rank', width: 6, style: { numFmt: INTEGER } },
    { header: '网格', key: 'gridName', width: 18 },
    { header: '网格编号', key: 'gridId', width: 16 },
    { header: '类型', key: 'kind', width: 12 },
    { header: '社区', key: 'communityName', width: 14 },
    { header: '镇街', key: 'townName', width: 10 },
    { header: '网格员', key: 'staff', width: 16 },
    { header: '上报事件', key: 'reports', width: 9, style: { numFmt: INTEGER } },
    { header: '网格内事件', key: 'eventsInGrid', width: 10, style: { numFmt: INTEGER } },
    { header: '零上报', key: 'silent', width: 8 },
  ], [], 'filed');
  for (const x of b.rows) {
    const row = ws.addRow({
      rank: x.rank,
      gridName: x.gridName,
      gridId: x.gridId,
      kind: KIND_NAMES[x.kind],
      communityName: x.communityName ?? '',
      townName: x.townName ?? '',
      staff: x.staff.join('、'),
      reports: x.reports,
      eventsInGrid: x.eventsInGrid,
      silent: x.silent ? '是' : null,
    });
    if (x.silent) row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: SILENT_FILL } };
  }
  addDefinitionsSheet(
    wb,
    [
      ['通报日期', b.date],
      ['统计时段', span(b.from, b.to)],
      ['网格数', b.summary.grids, INTEGER],
      ['零上报网格数', b.summary.silent, INTEGER],
      ['上报事件合计', b.summary.reports, INTEGER],
      ['生成时间', cstCell(b.at), DATE_TIME],
    ],
    ['bulletin_reports', 'bulletin_silent'],
  );
  return toBuffer(wb);
}
