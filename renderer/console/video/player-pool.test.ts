import { describe, expect, it } from 'vitest';
import { assignSlots, configuredMaxPlayers, DEFAULT_MAX_PLAYERS, ElementPool, SlotPool } from './player-pool';

describe('player slots', () => {
  it('grants by priority, keeps holders among equals, then reading order', () => {
    const d = (key: string, priority: number, order: number) => ({ key, priority, order });
    const demands = [d('t0', 1, 0), d('t1', 1, 1), d('t2', 1, 2), d('t3', 1, 3)];
    expect([...assignSlots(demands, new Set(), 2)].sort()).toEqual(['t0', 't1']);
    // t3 holds a slot: a lower-ordered newcomer of the same priority does not take it
    expect([...assignSlots(demands, new Set(['t3', 't1']), 2)].sort()).toEqual(['t1', 't3']);
    // a full-screen tile (higher priority) does
    expect([...assignSlots([...demands, d('full', 3, 9)], new Set(['t0', 't1']), 2)].sort()).toEqual(['full', 't0']);
  });

  it('never grants more than the cap, queues the rest visibly, and hands a freed slot on', () => {
    const pool = new SlotPool(3);
    const granted = new Map<string, boolean>();
    for (let i = 0; i < 5; i++) pool.request({ key: `t${i}`, priority: 1, order: i }, (g) => granted.set(`t${i}`, g));
    expect(pool.holders).toBe(3);
    expect(pool.queued()).toEqual(['t3', 't4']);
    expect([...granted].filter(([, g]) => g).map(([k]) => k)).toEqual(['t0', 't1', 't2']);
    pool.release('t1');
    expect(pool.holders).toBe(3);
    expect(granted.get('t3')).toBe(true);
    expect(pool.queued()).toEqual(['t4']);
    // the alarm tile rises in priority and takes the last holder's slot
    pool.request({ key: 't4', priority: 2, order: 4 }, (g) => granted.set('t4', g));
    expect(granted.get('t4')).toBe(true);
    expect(granted.get('t3')).toBe(false);
    expect(pool.holders).toBe(3);
    pool.setCapacity(1);
    expect(pool.holders).toBe(1);
    expect(pool.isGranted('t4')).toBe(true);
  });

  it('tells the losers before the winners, so a player is torn down before the next is built', () => {
    const pool = new SlotPool(1);
    const log: string[] = [];
    pool.request({ key: 'a', priority: 1, order: 0 }, (g) => log.push(`a:${g}`));
    pool.request({ key: 'b', priority: 2, order: 1 }, (g) => log.push(`b:${g}`));
    expect(log).toEqual(['a:true', 'a:false', 'b:true']);
  });

  it('reuses elements and never makes more than the cap', () => {
    let made = 0;
    const resets: number[] = [];
    const pool = new ElementPool(
      () => ({ id: ++made }),
      (el) => resets.push(el.id),
      2,
    );
    const a = pool.acquire()!;
    const b = pool.acquire()!;
    expect(pool.acquire()).toBeUndefined();
    pool.release(a);
    expect(resets).toEqual([1]);
    expect(pool.acquire()).toBe(a);
    pool.release(b);
    pool.release(b); // twice: ignored
    expect(resets).toEqual([1, 2]);
    expect(pool.created).toBe(2);
    expect(made).toBe(2);
    pool.setCapacity(1);
    expect(pool.created).toBe(1);
    pool.release(a);
    expect(pool.created).toBe(1);
    expect(pool.inUse).toBe(0);
  });

  it('reads the cap from the page address, then storage, within limits', () => {
    expect(configuredMaxPlayers('', null)).toBe(DEFAULT_MAX_PLAYERS);
    expect(configuredMaxPlayers('?maxPlayers=4', '9')).toBe(4);
    expect(configuredMaxPlayers('?maxPlayers=x', '9')).toBe(9);
    expect(configuredMaxPlayers('', '1000')).toBe(64);
    expect(configuredMaxPlayers('?maxPlayers=0', null)).toBe(DEFAULT_MAX_PLAYERS);
  });
});
