import { describe, expect, it } from 'vitest';
import { WallLayoutInput } from '../../../shared/schema/wall';
import { alarmTileIndex, columnsOf, fillEmpty, fromLayout, move, place, resize, toLayoutInput, tourPage, tourPages, WALL_SIZES } from './layout';

describe('wall layouts', () => {
  it('has square grids of 1 to 36 tiles, the alarm tile last', () => {
    expect(WALL_SIZES.map(columnsOf)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(WALL_SIZES.map(alarmTileIndex)).toEqual([0, 3, 8, 15, 24, 35]);
  });

  it('resizes keeping the cameras in reading order', () => {
    expect(resize(['a', 'b', null, 'c'], 9)).toEqual(['a', 'b', null, 'c', null, null, null, null, null]);
    expect(resize(['a', 'b', null, 'c'], 1)).toEqual(['a']);
  });

  it('places a camera, swapping when it already shows elsewhere', () => {
    expect(place([null, null, null, null], 2, 'a')).toEqual([null, null, 'a', null]);
    // a is on tile 0 and is dropped on tile 3, where b was: b goes to tile 0
    expect(place(['a', null, null, 'b'], 3, 'a')).toEqual(['b', null, null, 'a']);
    expect(place(['a', 'b'], 0, 'a')).toEqual(['a', 'b']);
    expect(place(['a', 'b'], 1, null)).toEqual(['a', null]);
    expect(place(['a', 'b'], 5, 'c')).toEqual(['a', 'b']);
  });

  it('moves a tile onto another as a swap', () => {
    expect(move(['a', 'b', null, 'd'], 0, 2)).toEqual([null, 'b', 'a', 'd']);
    expect(move(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
    expect(move(['a', 'b'], 1, 7)).toEqual(['a', 'b']);
  });

  it('fills empty tiles with cameras not yet shown', () => {
    expect(fillEmpty(['b', null, null, 'x'], ['a', 'b', 'c', 'd'])).toEqual(['b', 'a', 'c', 'x']);
    expect(fillEmpty([null, null], [])).toEqual([null, null]);
  });

  it('pages a tour through the cameras, wrapping around and never leaving a tile blank', () => {
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10'];
    expect(tourPages(10, 4)).toBe(3);
    expect(tourPage(ids, 4, 0)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(tourPage(ids, 4, 1)).toEqual(['c5', 'c6', 'c7', 'c8']);
    // the short last page is topped up from the start
    expect(tourPage(ids, 4, 2)).toEqual(['c9', 'c10', 'c1', 'c2']);
    expect(tourPage(ids, 4, 3)).toEqual(tourPage(ids, 4, 0));
    expect(tourPage(ids, 4, -1)).toEqual(tourPage(ids, 4, 2));
    // every camera comes up within one round
    const seen = new Set([0, 1, 2].flatMap((s) => tourPage(ids, 4, s)));
    expect(seen.size).toBe(10);
    // a list that fits shows as it is
    expect(tourPage(['a', 'b'], 4, 7)).toEqual(['a', 'b', null, null]);
    expect(tourPage([], 4, 0)).toEqual([null, null, null, null]);
  });

  it('round-trips through the saved form, validated by the shared schema', () => {
    const input = toLayoutInput('  早班 ', { size: 4, tiles: ['a', null, 'b'], tour: { intervalS: 30, cameraIds: ['a', 'b'] } });
    expect(input).toEqual({ name: '早班', size: 4, tiles: ['a', null, 'b', null], tour: { intervalS: 30, cameraIds: ['a', 'b'] } });
    expect(WallLayoutInput.safeParse(input).success).toBe(true);
    // cameras the registry lost become empty tiles
    expect(fromLayout(input, new Set(['b']))).toEqual({ size: 4, tiles: [null, null, 'b', null], tour: { intervalS: 30, cameraIds: ['b'] } });
  });

  it('refuses layouts whose tiles do not match their size, or sizes that are not a square grid', () => {
    expect(WallLayoutInput.safeParse({ name: 'x', size: 4, tiles: ['a'] }).success).toBe(false);
    expect(WallLayoutInput.safeParse({ name: 'x', size: 5, tiles: [null, null, null, null, null] }).success).toBe(false);
    expect(WallLayoutInput.safeParse({ name: ' ', size: 1, tiles: [null] }).success).toBe(false);
    expect(WallLayoutInput.safeParse({ name: 'x', size: 1, tiles: ['bad id!'] }).success).toBe(false);
  });
});
