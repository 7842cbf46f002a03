/**
 * The pieces every exported Excel workbook (exceljs) is made of: the number formats, a sheet of
 * columns under a styled, frozen header row, the sheet of definitions (说明与口径), and the bytes.
 * server/stats-export.ts and server/ledger-export.ts build their workbooks from these.
 */
import ExcelJS from 'exceljs';
import { CST_OFFSET_MS } from '../shared/deadline';
import { METRIC_DEFINITIONS, type MetricId, type Rate } from '../shared/stats';

export const PERCENT = '0.0%';
export const INTEGER = '0';
export const DATE_TIME = 'yyyy-mm-dd hh:mm';
const HEADER_FILL = 'FFE8EEF7';

/** Excel has no time zones: a CST wall-clock time is written as that date-time. */
export const cstCell = (ms: number) => new Date(ms + CST_OFFSET_MS);
/** a rate with nothing counted is shown as a dash, not as 0 % */
export const rateValue = (r: Rate) => r.value ?? '—';

export type Columns = Partial<ExcelJS.Column>[];
/** How the header row looks beyond bold, shaded and frozen: `filed` also wraps it and turns on the filter. */
export type HeaderStyle = 'plain' | 'filed';
/** One line of the definitions sheet's top part: a name, its value and the value's number format. */
export type About = [string, string | number | Date, string?];

/** An empty workbook made by this console at `at`. */
export function newWorkbook(at: number): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'grid-command-console';
  wb.created = new Date(at);
  return wb;
}

/** A sheet with these columns under a bold, shaded, frozen header row, and these rows below it. */
export function addTableSheet(wb: ExcelJS.Workbook, name: string, columns: Columns, rows: Record<string, unknown>[] = [], style: HeaderStyle = 'plain'): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.columns = columns;
  const row = ws.getRow(1);
  row.font = { bold: true };
  if (style === 'filed') row.alignment = { vertical: 'middle', wrapText: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  if (style === 'filed') ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: ws.columnCount } };
  for (const r of rows) ws.addRow(r);
  return ws;
}

/** The sheet 说明与口径: what the workbook is about (`about`), then each metric's name and definition. */
export function addDefinitionsSheet(wb: ExcelJS.Workbook, about: About[], ids: MetricId[]): ExcelJS.Worksheet {
  const ws = addTableSheet(
    wb,
    '说明与口径',
    [
      { header: '项目', key: 'name', width: 20 },
      { header: '内容', key: 'value', width: 28 },
      { header: '口径', key: 'definition', width: 90 },
    ],
    [],
    'filed',
  );
  for (const [name, value, numFmt] of about) {
    const row = ws.addRow({ name, value });
    if (numFmt) row.getCell('value').numFmt = numFmt;
  }
  ws.addRow({});
  for (const id of ids) ws.addRow({ name: METRIC_DEFINITIONS[id].zh, definition: METRIC_DEFINITIONS[id].defZh });
  return ws;
}

/** The workbook as the bytes of an .xlsx file. */
export async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}
