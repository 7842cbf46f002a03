import { describe, expect, it } from 'vitest';
import { rectPolygon } from './geo';
import {
  bulletinWindow,
  countBits,
  cstDateString,
  cstDayNumber,
  cstDayStart,
  dayStart,
  daysBegun,
  daysIn,
  emptyMask,
  ledgerPeriod,
  orMask,
  parseCstDate,
  patrolLattice,
  rankBulletin,
  setBit,
} from './ledgers';
import { AwarenessInput, CstDate, VisitInput } from './schema/ledgers';

const cst = (s: string) => Date.parse(`${s}+08:00`);

describe('CST calendar dates', () => {
  it('reads real dates only', () => {
    expect(parseCstDate('2026-03-01')).toEqual({ year: 2026, month: 3, day: 1 });
    expect(parseCstDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-3-1', '20260301', '2026-03-01T00:00', '']) {
      expect(parseCstDate(bad), bad).toBeUndefined();
    }
    expect(CstDate.safeParse('2026-02-30').success).toBe(false);
    expect(CstDate.safeParse('2026-02-28').success).toBe(true);
  });

  it('starts a date at 00:00 +08:00, the previous UTC day', () => {
    expect(new Date(cstDayStart('2026-03-01')).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    // five minutes into March in CST is still February in UTC
    expect(cstDateString(cst('2026-03-01T00:05:00'))).toBe('2026-03-01');
    expect(cstDateString(cst('2026-02-28T23:59:59'))).toBe('2026-02-28');
    const d = cstDayNumber(cst('2026-03-01T00:05:00'));
    expect(dayStart(d)).toBe(cstDayStart('2026-03-01'));
    expect(cstDayNumber(cst('2026-02-28T23:59:59'))).toBe(d - 1);
  });
});

describe('ledger periods', () => {
  it('gives the day, the week from Monday, the month, quarter and year containing a date', () => {
    // Sunday 1 March 2026
    expect(ledgerPeriod('day', '2026-03-01')).toEqual({ from: cst('2026-03-01T00:00:00'), to: cst('2026-03-02T00:00:00') });
    expect(ledgerPeriod('week', '2026-03-01')).toEqual({ from: cst('2026-02-23T00:00:00'), to: cst('2026-03-02T00:00:00') });
    expect(ledgerPeriod('week', '2026-03-02')).toEqual({ from: cst('2026-03-02T00:00:00'), to: cst('2026-03-09T00:00:00') });
    expect(ledgerPeriod('month', '2026-02-14')).toEqual({ from: cst('2026-02-01T00:00:00'), to: cst('2026-03-01T00:00:00') });
    expect(ledgerPeriod('quarter', '2026-03-31')).toEqual({ from: cst('2026-01-01T00:00:00'), to: cst('2026-04-01T00:00:00') });
    expect(ledgerPeriod('quarter', '2026-12-31')).toEqual({ from: cst('2026-10-01T00:00:00'), to: cst('2027-01-01T00:00:00') });
    expect(ledgerPeriod('year', '2026-07-01')).toEqual({ from: cst('2026-01-01T00:00:00'), to: cst('2027-01-01T00:00:00') });
    expect(daysIn(ledgerPeriod('quarter', '2026-02-01'))).toBe(90);
    expect(daysIn(ledgerPeriod('week', '2026-02-01'))).toBe(7);
  });

  it('counts the days begun by a moment, never more than the period has', () => {
    const q = ledgerPeriod('quarter', '2026-01-15');
    expect(daysBegun(q, cst('2026-01-01T00:00:00'))).toBe(1);
    expect(daysBegun(q, cst('2026-01-02T23:59:00'))).toBe(2);
    expect(daysBegun(q, cst('2025-12-31T23:59:00'))).toBe(0);
    expect(daysBegun(q, cst('2026-06-01T00:00:00'))).toBe(90);
  });

  it('takes the bulletin over the three days ending on its date', () => {
    expect(bulletinWindow('2026-03-02')).toEqual({ from: cst('2026-02-28T00:00:00'), to: cst('2026-03-03T00:00:00') });
  });
});

describe('the bulletin ranking', () => {
  it('ranks by reports, ties sharing a rank, silent grids last and flagged', () => {
    const ranked = rankBulletin([
      { gridId: 'g-c', reports: 0 },
      { gridId: 'g-b', reports: 3 },
      { gridId: 'g-a', reports: 3 },
      { gridId: 'g-d', reports: 1 },
      { gridId: 'g-e', reports: 0 },
    ]);
    expect(ranked.map((r) => [r.gridId, r.rank, r.silent])).toEqual([
      ['g-a', 1, false],
      ['g-b', 1, false],
      ['g-d', 3, false],
      ['g-c', 4, true],
      ['g-e', 4, true],
    ]);
    expect(rankBulletin([])).toEqual([]);
  });
});

describe('patrol cells', () => {
  // about 390 m × 290 m at 32° N: 4 × 3 cells of a little under 100 m
  const west = 121, south = 32;
  const east = west + 390 / (111_320 * Math.cos((32 * Math.PI) / 180));
  const north = south + 290 / 110_574;
  const box = rectPolygon(west, south, east, north);
  const l = patrolLattice(box);
  const cw = (east - west) / 4, ch = (north - south) / 3;

  it('cuts a grid into ~100 m cells and finds the cell of a point inside it', () => {
    expect([l.nx, l.ny, l.cells]).toEqual([4, 3, 12]);
    expect(l.cellAt({ lng: west + 1e-6, lat: south + 1e-6 })).toBe(0);
    expect(l.cellAt({ lng: west + 1.5 * cw, lat: south + 1.5 * ch })).toBe(5);
    expect(l.cellAt({ lng: east - 1e-6, lat: north - 1e-6 })).toBe(11);
    expect(l.cellAt({ lng: west - 0.001, lat: south + 1e-6 })).toBeUndefined();
    expect(l.isInside(5)).toBe(true);
    // the same polygon names the same lattice; another does not
    expect(patrolLattice(box).key).toBe(l.key);
    expect(patrolLattice(rectPolygon(west, south, west + 0.01, south + 0.01)).key).not.toBe(l.key);
  });

  it('counts a grid that is no rectangle by the cells whose centre lies inside it', () => {
    // the same box without its top-right 2 × 1 cells: an L
    const ring: [number, number][] = [
      [west, south], [east, south], [east, south + 2 * ch], [west + 2 * cw, south + 2 * ch], [west + 2 * cw, north], [west, north], [west, south],
    ];
    const L = patrolLattice({ type: 'Polygon', coordinates: [ring] });
    expect([L.nx, L.ny, L.cells]).toEqual([4, 3, 10]);
    expect(L.isInside(11)).toBe(false);
    // a point in the cut-out corner is outside the grid altogether
    expect(L.cellAt({ lng: west + 3.5 * cw, lat: south + 2.5 * ch })).toBeUndefined();
  });

  it('keeps visited cells as bitmasks that add up', () => {
    const a = emptyMask(l);
    const b = emptyMask(l);
    setBit(a, 0);
    setBit(a, 9);
    setBit(b, 9);
    setBit(b, 11);
    expect(countBits(a)).toBe(2);
    orMask(a, b);
    expect(countBits(a)).toBe(3);
    expect(a.length).toBe(2);
  });
});

describe('visit and survey input', () => {
  const visit = { visitId: 'v-1', household: ' 张家 ', position: { lng: 121, lat: 32 }, at: 1 };

  it('trims the household, defaults the photos and refuses what is missing or wrong, by field', () => {
    const ok = VisitInput.safeParse(visit);
    expect(ok.success && ok.data).toMatchObject({ household: '张家', attachments: [] });
    const blank = VisitInput.safeParse({ ...visit, household: '   ' });
    expect(blank.error?.issues[0]?.path).toEqual(['household']);
    const extra = VisitInput.safeParse({ ...visit, mood: 'good' });
    expect(extra.success).toBe(false);
    const photo = VisitInput.safeParse({ ...visit, attachments: ['not-a-hash'] });
    expect(photo.error?.issues[0]?.path).toEqual(['attachments', 0]);
  });

  it('refuses a survey with more aware than asked', () => {
    const r = AwarenessInput.safeParse({ entryId: 'e-1', unitId: 'c-1', date: '2026-03-01', asked: 10, aware: 11 });
    expect(r.error?.issues[0]).toMatchObject({ path: ['aware'], message: 'cannot exceed asked' });
    expect(AwarenessInput.safeParse({ entryId: 'e-1', unitId: 'c-1', date: '2026-03-01', asked: 10, aware: 10 }).success).toBe(true);
  });
});
