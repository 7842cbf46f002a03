import { describe, expect, it } from 'vitest';
import type { StatsOverview } from '../../../shared/schema/stats';
import { cstDate, rate } from '../../../shared/stats';
import { sortRows } from './BreakdownTable';
import { parseCstDay, pct, periodLabel, periodOfChoice } from './format';
import { reportSummary } from './summary';

const MARCH = { from: cstDate(2026, 3), to: cstDate(2026, 4) };

const overview = (over: Partial<StatsOverview> = {}): StatsOverview => ({
  ...MARCH,
  at: Date.parse('2026-04-02T12:00:00+08:00'),
  intake: 7,
  accepted: 6,
  closed: 6,
  closureRate: rate(5, 6),
  onTimeRate: rate(4, 6),
  satisfactionRate: rate(1, 1),
  intakeByHour: Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0, weekBefore: null })),
  bySource: [
    { source: 'phone', count: 5 },
    { source: 'public', count: 2 },
  ],
  byCategory: [{ categoryId: 'municipal_facilities', count: 7 }],
  endedBy: { grid: 3, town: 1, departments: 0, enforcement: 2 },
  open: [{ tier: 'general', state: 'escalated', count: 2 }],
  overdue: 2,
  leadersOnDuty: { onDuty: 3, total: 10 },
  ...over,
});

describe('statistics words', () => {
  it('writes rates with one decimal, and a dash when nothing was counted', () => {
    expect(pct(rate(5, 6))).toBe('83.3%');
    expect(pct(rate(1, 1))).toBe('100.0%');
    expect(pct(rate(0, 0))).toBe('—');
  });

  it('names a period by the CST days it covers', () => {
    expect(periodLabel(MARCH, 'zh-CN')).toBe('2026年3月1日至2026年3月31日');
    expect(periodLabel({ from: cstDate(2026, 3, 5), to: cstDate(2026, 3, 6) }, 'zh-CN')).toBe('2026年3月5日');
    expect(periodLabel(MARCH, 'en')).toBe('2026-03-01 – 2026-03-31');
  });

  it('reads custom dates as whole CST days, both included, and refuses what the hub would', () => {
    expect(parseCstDay('2026-02-31')).toBeNull();
    expect(periodOfChoice({ kind: 'custom', fromDay: '2026-03-01', toDay: '2026-03-31' }, 0)).toEqual({ period: MARCH });
    expect(periodOfChoice({ kind: 'custom', fromDay: '2026-03-02', toDay: '2026-03-01' }, 0)).toEqual({ problem: 'order' });
    expect(periodOfChoice({ kind: 'custom', fromDay: '2025-01-01', toDay: '2026-03-01' }, 0)).toEqual({ problem: 'span' });
    expect(periodOfChoice({ kind: 'custom', fromDay: '', toDay: '2026-03-01' }, 0)).toEqual({ problem: 'dates' });
  });

  it('summarises the figures in Chinese, every number the overview\'s', () => {
    const text = reportSummary({ overview: overview(), kind: 'this_month', categoryName: () => '市政设施' }, 'zh-CN').join('');
    expect(text).toContain('本月，全区共受理事件7件，立案6件，结案6件；办结率83.3%（期间立案6件中已结案5件），按时办结率66.7%，群众满意率100.0%（回访评价1件）。');
    expect(text).toContain('从来源看，电话渠道最多，5件，占71.4%；从类别看，居前的是市政设施（7件）。');
    expect(text).toContain('网格内办结3件（50.0%），镇街办结1件（16.7%），部门办结0件（0.0%），执法办结2件（33.3%）');
    expect(text).toContain('截至2026-04-02 12:00，在办事件2件，其中超期督办2件；在岗网格员3人（共10人）。');
  });

  it('writes a custom period out, a town by name, and leaves out what did not happen', () => {
    const o = overview({ intake: 0, accepted: 0, closed: 0, closureRate: rate(0, 0), onTimeRate: rate(0, 0), satisfactionRate: rate(0, 0), bySource: [], byCategory: [], endedBy: { grid: 0, town: 0, departments: 0, enforcement: 0 } });
    const text = reportSummary({ overview: o, townName: '金沙街道', categoryName: (id) => id }, 'zh-CN').join('');
    expect(text).toMatch(/^2026年3月1日至2026年3月31日期间，金沙街道共受理事件0件/);
    expect(text).toContain('办结率—');
    expect(text).not.toContain('从来源看');
    expect(text).not.toContain('结案事件中');
  });

  it('sorts a breakdown by a column, rates with nothing counted last either way', () => {
    const row = (id: string, intake: number, closed: number, accepted: number) => ({ id, name: id, intake, accepted, closed, closureRate: rate(closed, accepted), onTimeRate: rate(0, 0), open: 0, overdue: 0 });
    const rows = [row('a', 1, 1, 2), row('b', 5, 0, 0), row('c', 3, 3, 3)];
    expect(sortRows(rows, 'intake', true).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(sortRows(rows, 'closureRate', true).map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, 'closureRate', false).map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });
});
