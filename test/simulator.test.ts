/**
 * The field simulator against a real in-process hub on loopback, in discrete-event mode (the hub's
 * clock is the simulation's): a day and a bit of the demo district in seconds. Everything it does
 * must reach the hub through HTTP, so the change feed shows every step with a device, desk or
 * intake origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CST_OFFSET_MS, HOUR_MS } from '../shared/deadline';
import type { Change, EventRecord, PositionFix, TimelineEntry } from '../shared/schema';
import { DiscreteClock, RESERVED_LEADERS, startSimulator, formatStats, type SimStats } from '../server/demo/sim/index';
import { categoryShares, cstHour, expectedBetween, hourlyRates } from '../server/demo/sim/rhythm';
import { SIM_DESK_ORIGIN } from '../server/demo/sim/desk';
import { allChanges, login, startTestHub, type TestHub } from './helpers/hub';

/** 00:00 CST, 2 October 2026 */
const START = Date.UTC(2026, 9, 2) - CST_OFFSET_MS;
const HOURS = 30;

let h: TestHub;
let stats: SimStats;
let changes: Change[];
const events = new Map<string, EventRecord>();
const timeline: TimelineEntry[] = [];
const positions: PositionFix[] = [];

beforeAll(async () => {
  const clock = new DiscreteClock(START);
  // NORMAL: a simulation needs no fsync per commit; the sweep runs often because a simulated hour passes in a blink
  h = await startTestHub({ now: clock.now, synchronous: 'NORMAL', deadlineSweepMs: 100 });
  const sim = await startSimulator({ hubUrl: h.url, clock, seed: 7 });
  await sim.runUntil(START + HOURS * HOUR_MS);
  await sim.sync();
  stats = sim.stats();
  await sim.stop();
  console.log(formatStats(stats));
  const token = await login(h.url, 'operator');
  changes = (await allChanges(h.url, token)).changes;
  for (const c of changes) {
    if (c.kind === 'event') events.set(c.id, c.data);
    else if (c.kind === 'timeline') timeline.push(c.data);
    else if (c.kind === 'position') positions.push(c.data);
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const reported = () => [...events.values()].filter((e) => e.state !== 'merged');

describe('field simulator (discrete, 30 simulated hours)', () => {
  it('reports arrive at the seed district rate, with a night trough', () => {
    const expected = expectedBetween(START, START + HOURS * HOUR_MS, hourlyRates());
    const got = [...events.values()].length;
    expect(got).toBeGreaterThan(expected * 0.75);
    expect(got).toBeLessThan(expected * 1.25);
    const perHour = (from: number, to: number) =>
      [...events.values()].filter((e) => e.reportedAt < START + 24 * HOUR_MS && cstHour(e.reportedAt) >= from && cstHour(e.reportedAt) < to).length / (to - from);
    expect(perHour(1, 5)).toBeLessThan(perHour(8, 12) * 0.3);
  });

  it('field reports follow the category mix', () => {
    const field = [...events.values()].filter((e) => e.source === 'field');
    const shares = categoryShares();
    const counts: Record<string, number> = {};
    for (const e of field) counts[e.categoryId] = (counts[e.categoryId] ?? 0) + 1;
    // total variation distance between the observed and the intended mix
    const tvd = Object.keys({ ...shares, ...counts }).reduce((s, k) => s + Math.abs((counts[k] ?? 0) / field.length - (shares[k] ?? 0)), 0) / 2;
    expect(field.length).toBeGreaterThan(300);
    expect(tvd).toBeLessThan(0.12);
    expect(counts.sanitation! / field.length).toBeGreaterThan(0.12);
  });

  it('leaders send positions, and none as a reserved leader', () => {
    // the demo seed gives everyone a first fix at the start; the rest are the phones'
    const sent = positions.filter((p) => p.at > START);
    const people = new Set(sent.map((p) => p.personId));
    expect(sent.length).toBeGreaterThan(1000);
    expect(people.size).toBeGreaterThan(500);
    for (const r of RESERVED_LEADERS) expect(people.has(r)).toBe(false);
    // positions are stamped with simulated time, inside the window
    expect(sent.every((p) => p.at <= START + HOURS * HOUR_MS)).toBe(true);
  });

  it('runs the closed loop: the general events of the first day are closed, with photos as evidence', () => {
    // general events are settled the same day; escalated ones may take their three days
    const firstDay = reported().filter((e) => e.reportedAt < START + 18 * HOUR_MS && e.state !== 'rejected' && e.tier === 'general');
    const closed = firstDay.filter((e) => e.state === 'closed' || e.state === 'evaluated');
    expect(firstDay.length).toBeGreaterThan(200);
    expect(closed.length / firstDay.length).toBeGreaterThan(0.85);
    const kinds = new Set(timeline.map((t) => t.kind));
    for (const k of ['report', 'accept', 'dispatch', 'acknowledge', 'arrive', 'feedback', 'review', 'close', 'evaluate']) expect(kinds).toContain(k);
    const feedback = timeline.filter((t) => t.kind === 'feedback');
    expect(feedback.every((t) => t.attachments.length === 1)).toBe(true);
    expect(new Set(feedback.map((t) => t.attachments[0])).size).toBe(feedback.length);
  });

  it('12345 orders arrive through the intake and are evaluated after closing', () => {
    const hotline = reported().filter((e) => e.source === 'hotline');
    expect(hotline.length).toBeGreaterThan(50);
    expect(hotline.every((e) => e.hotline?.orderNo.startsWith('SIM'))).toBe(true);
    expect(hotline.some((e) => e.state === 'evaluated' && e.satisfaction !== undefined)).toBe(true);
  });

  it('writes only through HTTP: every step carries a device, desk, intake or timer origin', () => {
    const origins = new Set<string>();
    for (const t of timeline) {
      const o = t.origin ?? '';
      if (t.actorRole === 'operator') expect(o).toBe(SIM_DESK_ORIGIN);
      else if (t.actorRole === 'system') expect(['hotline-12345', 'deadline-timer']).toContain(o);
      else expect(o).toBe(`device:device-${t.actorId}`);
      origins.add(o.startsWith('device:') ? 'device' : o);
      expect(RESERVED_LEADERS).not.toContain(t.actorId);
    }
    expect([...origins].sort()).toEqual(['device', 'hotline-12345', SIM_DESK_ORIGIN, ...(origins.has('deadline-timer') ? ['deadline-timer'] : [])].sort());
    // nothing the simulator did was refused for want of a token
    expect(Object.keys(stats.failures).filter((k) => k.endsWith(':unauthenticated'))).toEqual([]);
    expect(stats.actionErrors).toBe(0);
  });
});

describe('simulator rhythm', () => {
  it('integrates to the seed district month, whatever hour it starts', () => {
    for (const h of [0, 7, 13]) {
      const from = START + h * HOUR_MS;
      expect(expectedBetween(from, from + 30 * 24 * HOUR_MS, hourlyRates())).toBeCloseTo(21_816, 6);
    }
  });
});
