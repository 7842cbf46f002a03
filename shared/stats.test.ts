import { describe, expect, it } from 'vitest';
import { cstDate, cstHour, cstParts, endedBy, periodOf, rate, startOfDayCST } from './stats';

const iso = (ms: number) => new Date(ms).toISOString();

describe('periods in China Standard Time', () => {
  // Tuesday 2026-03-31 23:50 CST = 15:50 UTC, still the 31st in both
  const lateMarch = Date.parse('2026-03-31T23:50:00+08:00');
  // Sunday 2026-03-01 00:05 CST = Saturday 2026-02-28 16:05 UTC
  const earlyMarch = Date.parse('2026-03-01T00:05:00+08:00');

  it('starts days, weeks (Monday), months, quarters and years at 00:00 +08:00', () => {
    expect(iso(startOfDayCST(earlyMarch))).toBe('2026-02-28T16:00:00.000Z');
    expect(periodOf('today', earlyMarch)).toEqual({ from: Date.parse('2026-03-01T00:00:00+08:00'), to: Date.parse('2026-03-02T00:00:00+08:00') });
    expect(periodOf('this_month', earlyMarch)).toEqual({ from: cstDate(2026, 3), to: cstDate(2026, 4) });
    expect(periodOf('last_month', earlyMarch)).toEqual({ from: cstDate(2026, 2), to: cstDate(2026, 3) });
    expect(iso(periodOf('this_week', earlyMarch).from)).toBe('2026-02-22T16:00:00.000Z'); // Monday 23 Feb CST
    expect(iso(periodOf('this_week', lateMarch).from)).toBe('2026-03-29T16:00:00.000Z'); // Monday 30 Mar CST
    expect(periodOf('this_quarter', lateMarch)).toEqual({ from: cstDate(2026, 1), to: cstDate(2026, 4) });
    expect(periodOf('this_year', lateMarch)).toEqual({ from: cstDate(2026, 1), to: cstDate(2027, 1) });
    // December rolls into the next year
    expect(periodOf('this_month', Date.parse('2026-12-31T23:59:00+08:00')).to).toBe(cstDate(2027, 1));
  });

  it('reads the CST calendar and hour', () => {
    expect(cstParts(earlyMarch)).toEqual({ year: 2026, month: 3, day: 1, weekday: 7, hour: 0 });
    expect(cstHour(lateMarch)).toBe(23);
    expect(cstHour(Date.parse('2026-03-10T14:00:00+08:00'))).toBe(14);
  });
});

describe('where a case ended', () => {
  const enforcement = (id: string) => id === 'dept-enforcement';
  it('counts the grid, the town, departments and law enforcement', () => {
    expect(endedBy({}, enforcement)).toBe('grid');
    expect(endedBy({ escalation: { target: 'subcenter', orgUnitId: 'town-a' } }, enforcement)).toBe('town');
    expect(endedBy({ escalation: { target: 'departments', departmentIds: ['dept-sanitation'] } }, enforcement)).toBe('departments');
    expect(endedBy({ escalation: { target: 'departments', departmentIds: ['dept-sanitation', 'dept-enforcement'] } }, enforcement)).toBe('enforcement');
  });
  it('gives a rate with what it was computed from, and no value for nothing counted', () => {
    expect(rate(3, 4)).toEqual({ numerator: 3, denominator: 4, value: 0.75 });
    expect(rate(0, 0)).toEqual({ numerator: 0, denominator: 0, value: null });
  });
});
