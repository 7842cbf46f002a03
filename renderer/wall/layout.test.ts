import { describe, expect, it } from 'vitest';
import { WALL_PANELS } from '../../shared/schema/wall-screen';
import {
  arrange,
  baseTiles,
  hourSeries,
  hubClock,
  mergeTicker,
  nearestCamera,
  nextRefreshDelay,
  openByState,
  openByTier,
  overdueRows,
  pageOf,
  percentages,
  screenShape,
  splitColumns,
  topN,
  withClaims,
  type TickerItem,
} from './layout';

describe('the wall screen layout', () => {
  it('takes its shape from the screen unless told', () => {
    expect(screenShape('auto', 1920, 1080)).toBe('standard');
    expect(screenShape('auto', 3840, 2160)).toBe('standard');
    expect(screenShape('auto', 3840, 1080)).toBe('wide');
    expect(screenShape('auto', 5760, 1080)).toBe('wide');
    expect(screenShape('wide', 1920, 1080)).toBe('wide');
    expect(screenShape('standard', 3840, 1080)).toBe('standard');
    expect(screenShape('auto', 100, 0)).toBe('standard');
  });

  it('puts every panel in two even columns in reading order, the ticker along the bottom', () => {
    const all = arrange('standard', WALL_PANELS);
    expect(all.columns).toEqual([
      ['intake', 'sources', 'categories', 'open'],
      ['rates', 'endedBy', 'duty', 'overdue'],
    ]);
    expect(all).toMatchObject({ leftColumns: 1, ticker: true, tiles: 3 });
    const wide = arrange('wide', WALL_PANELS);
    expect(wide.columns).toEqual(all.columns);
    expect(wide).toMatchObject({ leftColumns: 0, tiles: 6 });
    // order comes from the panels' fixed order, not the list given
    expect(arrange('standard', ['overdue', 'intake', 'ticker']).columns).toEqual([['intake'], ['overdue']]);
    expect(arrange('standard', ['duty']).columns).toEqual([['duty']]);
    expect(arrange('standard', ['duty']).leftColumns).toBe(0);
    expect(arrange('standard', ['ticker'])).toMatchObject({ columns: [], ticker: true });
    expect(arrange('standard', [])).toMatchObject({ columns: [], ticker: false });
  });

  it('balances the columns by weight (the overdue list counts double)', () => {
    expect(splitColumns(['intake', 'sources', 'overdue'])).toEqual([['intake', 'sources'], ['overdue']]);
    expect(splitColumns(['overdue', 'intake', 'sources'])).toEqual([['overdue'], ['intake', 'sources']]);
    expect(splitColumns(['intake', 'sources', 'categories'])).toEqual([['intake'], ['sources', 'categories']]);
    expect(splitColumns([])).toEqual([]);
  });
});

describe('the wall screen cameras', () => {
  const known = new Set(['c1', 'c2', 'c3', 'c4', 'c5']);
  it('tours the online cameras a page at a time, wrapping', () => {
    const online = ['c1', 'c2', 'c3', 'c4', 'c5'];
    expect(baseTiles({ mode: 'tour', intervalS: 10 }, known, online, 3, 0)).toEqual(['c1', 'c2', 'c3']);
    expect(baseTiles({ mode: 'tour', intervalS: 10 }, known, online, 3, 1)).toEqual(['c4', 'c5', null]);
    expect(baseTiles({ mode: 'tour', intervalS: 10 }, known, online, 3, 2)).toEqual(['c1', 'c2', 'c3']);
    expect(baseTiles({ mode: 'tour', intervalS: 10 }, known, [], 3, 5)).toEqual([null, null, null]);
  });

  it('shows the chosen cameras, an unknown one leaving its tile empty', () => {
    expect(baseTiles({ mode: 'fixed', cameraIds: ['c2', 'gone', 'c4', 'c5'] }, known, [], 3, 9)).toEqual(['c2', null, 'c4']);
    expect(baseTiles({ mode: 'fixed', cameraIds: ['c2'] }, known, [], 3, 0)).toEqual(['c2', null, null]);
  });

  it('gives the focused event the first tile and an alarm the last, a camera never twice', () => {
    expect(withClaims(['a', 'b', 'c'], { focus: 'x' })).toEqual(['x', 'b', 'c']);
    expect(withClaims(['a', 'b', 'c'], { alarm: 'y' })).toEqual(['a', 'b', 'y']);
    expect(withClaims(['a', 'b', 'c'], { focus: 'c', alarm: 'y' })).toEqual(['c', 'b', 'y']);
    expect(withClaims(['a', 'b', 'c'], { focus: 'x', alarm: 'a' })).toEqual(['x', 'b', 'a']);
    expect(withClaims(['a', 'b', 'c'], { focus: 'x', alarm: 'x' })).toEqual(['x', 'b', 'c']);
    expect(withClaims(['a'], { focus: 'x', alarm: 'y' })).toEqual(['y']);
    expect(withClaims([], { focus: 'x' })).toEqual([]);
  });

  it('finds the nearest online camera within reach', () => {
    const p = { lng: 121, lat: 32 };
    const cams = [
      { id: 'far', position: { lng: 121.1, lat: 32 }, online: true },
      { id: 'near-off', position: { lng: 121.0001, lat: 32 }, online: false },
      { id: 'near', position: { lng: 121.002, lat: 32 }, online: true },
    ];
    expect(nearestCamera(p, cams)?.id).toBe('near');
    expect(nearestCamera(p, cams, 100)).toBeNull();
  });
});

describe('the ticker and pages', () => {
  const item = (id: string, at: number, fresh?: boolean): TickerItem => ({ id, categoryId: 'fire_safety', tier: 'special', state: 'reported', reportedAt: at, ...(fresh ? { fresh } : {}) });
  it('keeps the newest items, one per event, never more than the cap', () => {
    let list: TickerItem[] = [];
    for (let i = 0; i < 100; i++) list = mergeTicker(list, [item(`e${i}`, i)], 12);
    expect(list).toHaveLength(12);
    expect(list[0]!.id).toBe('e99');
    expect(list.at(-1)!.id).toBe('e88');
    // a refresh from the queue keeps what was fresh
    const withFresh = mergeTicker([item('a', 5, true)], [item('a', 5), item('b', 1)]);
    expect(withFresh.map((x) => [x.id, x.fresh ?? false])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('pages a list, wrapping round', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7];
    expect(pageOf(xs, 3, 0)).toEqual({ items: [1, 2, 3], page: 0, pages: 3 });
    expect(pageOf(xs, 3, 2)).toEqual({ items: [7], page: 2, pages: 3 });
    expect(pageOf(xs, 3, 3).items).toEqual([1, 2, 3]);
    expect(pageOf([], 3, 4)).toEqual({ items: [], page: 0, pages: 1 });
    expect(pageOf(xs, 0, 0).items).toEqual([1]);
  });
});

describe('figures for the charts', () => {
  it('shows no bar for the hours still to come', () => {
    const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, count: hour, weekBefore: hour === 23 ? null : 2 }));
    const s = hourSeries(byHour, 9);
    expect(s[9]).toEqual({ hour: '09', today: 9, weekBefore: 2 });
    expect(s[10]).toEqual({ hour: '10', today: null, weekBefore: 2 });
    expect(s[23]!.weekBefore).toBeNull();
  });

  it('keeps the top categories and sums the rest', () => {
    const rows = [
      { categoryId: 'a', count: 5 },
      { categoryId: 'b', count: 9 },
      { categoryId: 'c', count: 1 },
      { categoryId: 'd', count: 2 },
      { categoryId: 'e', count: 0 },
    ];
    expect(topN(rows, 2, (r) => r.categoryId)).toEqual([
      { key: 'b', count: 9 },
      { key: 'a', count: 5 },
      { key: 'other', count: 3, other: true },
    ]);
    expect(topN(rows, 10, (r) => r.categoryId)).toHaveLength(4);
  });

  it('counts open events by state in the loop order and by tier', () => {
    const open = [
      { tier: 'general' as const, state: 'dispatched' as const, count: 4 },
      { tier: 'special' as const, state: 'reported' as const, count: 1 },
      { tier: 'general' as const, state: 'reported' as const, count: 3 },
      { tier: 'escalated' as const, state: 'escalated' as const, count: 2 },
      { tier: 'general' as const, state: 'closed' as const, count: 50 },
    ];
    expect(openByState(open)).toEqual([
      { state: 'reported', total: 4, general: 3, escalated: 0, special: 1 },
      { state: 'dispatched', total: 4, general: 4, escalated: 0, special: 0 },
      { state: 'escalated', total: 2, general: 0, escalated: 2, special: 0 },
    ]);
    expect(openByTier(open)).toEqual({ general: 7, escalated: 2, special: 1 });
  });

  it('makes whole percentages that add up to 100', () => {
    expect(percentages([70, 20, 10, 0])).toEqual([70, 20, 10, 0]);
    expect(percentages([1, 1, 1])).toEqual([34, 33, 33]);
    expect(percentages([0, 0])).toBeNull();
  });

  it('orders the overdue list by deadline and says how late', () => {
    const rows = overdueRows(
      [
        { id: 'b', categoryId: 'x', tier: 'general', state: 'accepted', deadline: 500 },
        { id: 'a', categoryId: 'x', tier: 'general', state: 'accepted', deadline: 100 },
      ],
      1000,
    );
    expect(rows.map((r) => [r.id, r.overdueMs])).toEqual([
      ['a', 900],
      ['b', 500],
    ]);
  });
});

describe('when to ask again', () => {
  it('runs at once after a quiet spell, else when the gap is over', () => {
    expect(nextRefreshDelay(null, 1000, 8000)).toBe(0);
    expect(nextRefreshDelay(1000, 3000, 8000)).toBe(6000);
    expect(nextRefreshDelay(1000, 20_000, 8000)).toBe(0);
  });

  it('follows the hub clock from its last answer', () => {
    expect(hubClock(null, null, 5)).toBe(5);
    expect(hubClock(1_000_000, 2000, 5000)).toBe(1_003_000);
    expect(hubClock(1_000_000, 2000, 1000)).toBe(1_000_000);
  });
});
