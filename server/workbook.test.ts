import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS } from '../shared/stats';
import { addDefinitionsSheet, addTableSheet, cstCell, DATE_TIME, INTEGER, newWorkbook, PERCENT, rateValue, toBuffer } from './workbook';

async function reopen(wb: ExcelJS.Workbook): Promise<ExcelJS.Workbook> {
  const back = new ExcelJS.Workbook();
  await back.xlsx.load((await toBuffer(wb)) as unknown as ArrayBuffer);
  return back;
}

describe('workbook', () => {
  it('writes a table sheet that reopens with its header, widths, formats and rows', async () => {
    const at = Date.UTC(2026, 2, 5, 1, 30);
    const wb = newWorkbook(at);
    addTableSheet(
      wb,
      '表',
      [
        { header: '名称', key: 'name', width: 14 },
        { header: '办结率', key: 'rate', width: 11, style: { numFmt: PERCENT } },
        { header: '件数', key: 'count', width: 8, style: { numFmt: INTEGER } },
      ],
      [
        { name: '镇A', rate: rateValue({ numerator: 3, denominator: 4, value: 0.75 }), count: 4 },
        { name: '镇B', rate: rateValue({ numerator: 0, denominator: 0, value: null }), count: 0 },
      ],
    );
    const back = await reopen(wb);
    expect(back.creator).toBe('grid-command-console');
    expect(back.created.getTime()).toBe(at);
    const ws = back.getWorksheet('表')!;
    expect(ws.getRow(1).values).toEqual([undefined, '名称', '办结率', '件数']);
    expect(ws.getRow(1).font.bold).toBe(true);
    expect(ws.getCell('A1').fill).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeUndefined();
    expect(ws.getColumn(1).width).toBe(14);
    expect(ws.getColumn(2).width).toBe(11);
    expect(ws.getCell('B2').value).toBe(0.75);
    expect(ws.getCell('B2').numFmt).toBe('0.0%');
    expect(ws.getCell('B3').value).toBe('—'); // nothing counted: a dash, not 0 %
    expect(ws.getCell('C2').numFmt).toBe('0');
    expect(ws.rowCount).toBe(3);
  });

  it("a filed header wraps and filters; the definitions sheet lists the facts, then each metric's definition", async () => {
    const wb = newWorkbook(0);
    addTableSheet(wb, '台账', [{ header: '姓名', key: 'name', width: 10 }, { header: '网格', key: 'grid', width: 18 }], [], 'filed');
    addDefinitionsSheet(wb, [['统计期间', '2026-03-01 至 2026-03-31'], ['生成时间', cstCell(Date.UTC(2026, 2, 5, 1, 30)), DATE_TIME]], ['visits']);
    const back = await reopen(wb);

    const ledger = back.getWorksheet('台账')!;
    expect(ledger.getRow(1).alignment).toMatchObject({ vertical: 'middle', wrapText: true });
    expect(ledger.autoFilter).toBe('A1:B1');

    const defs = back.getWorksheet('说明与口径')!;
    expect(defs.getRow(1).values).toEqual([undefined, '项目', '内容', '口径']);
    expect([defs.getColumn(1).width, defs.getColumn(2).width, defs.getColumn(3).width]).toEqual([20, 28, 90]);
    expect(defs.getCell('B2').value).toBe('2026-03-01 至 2026-03-31');
    // a CST wall-clock time, written as that date-time
    expect((defs.getCell('B3').value as Date).toISOString()).toBe('2026-03-05T09:30:00.000Z');
    expect(defs.getCell('B3').numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(defs.getRow(4).hasValues).toBe(false);
    expect(defs.getCell('A5').value).toBe(METRIC_DEFINITIONS.visits.zh);
    expect(defs.getCell('C5').value).toBe(METRIC_DEFINITIONS.visits.defZh);
  });
});
