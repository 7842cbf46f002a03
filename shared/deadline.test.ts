import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS, deadlineFor, endOfDayCST } from './deadline';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('endOfDayCST', () => {
  it('just before 16:00 UTC is still the same CST day (23:59:59.999 CST)', () => {
    const t = utc(2024, 5, 10, 15, 59, 59, 999);
    expect(endOfDayCST(t)).toBe(t);
    expect(endOfDayCST(utc(2024, 5, 10, 15, 59))).toBe(utc(2024, 5, 10, 16) - 1);
  });

  it('16:00 UTC exactly is midnight CST: the next day', () => {
    expect(endOfDayCST(utc(2024, 5, 10, 16))).toBe(utc(2024, 5, 11, 16) - 1);
    expect(endOfDayCST(utc(2024, 5, 10, 16, 0, 0, 1))).toBe(utc(2024, 5, 11, 16) - 1);
  });

  it('midnight UTC is 08:00 CST of the same calendar day', () => {
    expect(endOfDayCST(utc(2024, 5, 10))).toBe(utc(2024, 5, 10, 16) - 1);
  });

  it('CST midnight itself belongs to the day it starts', () => {
    const midnightCst = utc(2024, 12, 31, 16); // 2025-01-01 00:00 +08:00
    expect(endOfDayCST(midnightCst)).toBe(utc(2025, 1, 1, 16) - 1);
    expect(endOfDayCST(midnightCst - 1)).toBe(midnightCst - 1);
  });

  it('handles the epoch and leap days', () => {
    expect(endOfDayCST(0)).toBe(16 * HOUR_MS - 1);
    expect(endOfDayCST(utc(2024, 2, 29, 3))).toBe(utc(2024, 2, 29, 16) - 1);
  });

  it('property: result is the last ms of a CST day, at or after the input and less than a day later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (t) => {
        const e = endOfDayCST(t);
        expect(e).toBeGreaterThanOrEqual(t);
        expect(e - t).toBeLessThan(DAY_MS);
        expect((e + 1 + CST_OFFSET_MS) % DAY_MS).toBe(0);
      }),
      { seed: 8 },
    );
  });
});

describe('deadlineFor', () => {
  const accepted = utc(2024, 5, 10, 2); // 10:00 CST
  const now = utc(2024, 5, 11, 1);
  const category = { deadlineHours: 4 };

  it('general: end of the CST day of acceptance, whatever now is', () => {
    expect(deadlineFor({ tier: 'general', category, acceptedAt: accepted }, now)).toBe(utc(2024, 5, 10, 16) - 1);
    // accepted 23:30 CST: the same day still, 30 minutes later
    const late = utc(2024, 5, 10, 15, 30);
    expect(deadlineFor({ tier: 'general', acceptedAt: late }, late)).toBe(utc(2024, 5, 10, 16) - 1);
    // accepted 00:30 CST (16:30 UTC the day before): end of that new day
    const early = utc(2024, 5, 10, 16, 30);
    expect(deadlineFor({ tier: 'general', acceptedAt: early }, early)).toBe(utc(2024, 5, 11, 16) - 1);
  });

  it('escalated: now + 72 h', () => {
    expect(deadlineFor({ tier: 'escalated', acceptedAt: accepted }, now)).toBe(now + 72 * HOUR_MS);
  });

  it('escalated: never earlier than a previous deadline', () => {
    const later = now + 100 * HOUR_MS;
    expect(deadlineFor({ tier: 'escalated', acceptedAt: accepted, previousDeadline: later }, now)).toBe(later);
    const earlier = now + HOUR_MS;
    expect(deadlineFor({ tier: 'escalated', acceptedAt: accepted, previousDeadline: earlier }, now)).toBe(now + 72 * HOUR_MS);
  });

  it("special: now + the category's hours (whole ms)", () => {
    expect(deadlineFor({ tier: 'special', category, acceptedAt: accepted }, now)).toBe(now + 4 * HOUR_MS);
    expect(deadlineFor({ tier: 'special', category: { deadlineHours: 0.5 }, acceptedAt: accepted }, now)).toBe(now + HOUR_MS / 2);
    const d = deadlineFor({ tier: 'special', category: { deadlineHours: 1 / 3 }, acceptedAt: accepted }, now);
    expect(Number.isInteger(d)).toBe(true);
    expect(d).toBe(now + 1_200_000);
  });

  it('special without a category is a caller error', () => {
    expect(() => deadlineFor({ tier: 'special', acceptedAt: accepted }, now)).toThrow(RangeError);
  });

  it("hotline orders keep their own deadline for every tier", () => {
    const hotlineDeadline = utc(2024, 5, 20);
    for (const tier of ['general', 'escalated', 'special'] as const) {
      expect(deadlineFor({ tier, category, acceptedAt: accepted, hotlineDeadline, previousDeadline: now * 2 }, now)).toBe(
        hotlineDeadline,
      );
    }
  });
});
