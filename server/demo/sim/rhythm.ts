import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';

/**
 * When events happen and of what kind: the seed district's volume (Tongzhou, 21,816 items received
 * in one month, DOMAIN.md "Numbers to size against") spread over a day-and-night curve in China
 * Standard Time, and the category mix. Data tables; the code below only integrates them.
 */

export const SEED_MONTHLY_REPORTS = 21_816;
export const MONTH_MS = 30 * DAY_MS;

/**
 * Relative intensity per CST hour 0..23: grid leaders patrol mornings and afternoons, the hotline
 * peaks mid-morning, a lunch dip, a quiet night with a floor of noise and dispute calls.
 */
export const HOURLY_WEIGHTS: readonly number[] = [
  0.25, 0.18, 0.14, 0.12, 0.14, 0.25, 0.55, 1.0, 1.45, 1.7, 1.75, 1.55, 1.1, 1.2, 1.5, 1.6, 1.55, 1.35, 1.05, 0.85, 0.7, 0.55, 0.42, 0.32,
];

/**
 * What grid leaders find on patrol, by taxonomy category id (shared/taxonomy.ts DEFAULT_TAXONOMY):
 * the everyday bulk is sanitation and broken municipal facilities, then disputes, livelihood
 * errands and environment; illegal construction and group rentals are steady; hazards that stop
 * everything (chemicals, fireworks, missing persons) are rare.
 */
export const FIELD_CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  sanitation: 20,
  municipal_facilities: 17,
  dispute: 9,
  livelihood: 9,
  environment: 8,
  illegal_construction: 7,
  special_groups: 5,
  public_order: 4,
  fire_safety: 4,
  straw_burning: 3,
  group_rental: 3,
  work_safety: 3,
  food_safety: 2,
  epidemic: 1,
  hazardous_chemicals: 0.5,
  fireworks: 0.5,
  missing_person: 0.3,
};

/**
 * Share of the items that come through the 12345 hotline rather than a leader's phone, by CST hour
 * range [from, to): at night the leaders sleep and citizens call.
 */
export const HOTLINE_SHARE_BY_HOURS: readonly (readonly [from: number, to: number, share: number])[] = [
  [0, 6, 0.6],
  [6, 8, 0.25],
  [8, 18, 0.1],
  [18, 22, 0.25],
  [22, 24, 0.6],
];

export const cstHour = (t: number): number => Math.floor(((t + CST_OFFSET_MS) % DAY_MS) / HOUR_MS);

export function hotlineShareAt(t: number): number {
  const h = cstHour(t);
  return HOTLINE_SHARE_BY_HOURS.find(([a, b]) => h >= a && h < b)?.[2] ?? 0.1;
}

/** Items per millisecond at each CST hour, so that 30 days hold `monthly` items on average. */
export function hourlyRates(monthly = SEED_MONTHLY_REPORTS): number[] {
  const sum = HOURLY_WEIGHTS.reduce((s, w) => s + w, 0);
  const perDay = monthly / 30;
  return HOURLY_WEIGHTS.map((w) => (perDay * w) / sum / HOUR_MS);
}

/** Expected number of items in [from, to) under the curve. */
export function expectedBetween(from: number, to: number, rates: readonly number[]): number {
  let n = 0;
  for (let t = from; t < to; ) {
    const hourEnd = Math.min(to, Math.floor((t + CST_OFFSET_MS) / HOUR_MS + 1) * HOUR_MS - CST_OFFSET_MS);
    n += (hourEnd - t) * rates[cstHour(t)]!;
    t = hourEnd;
  }
  return n;
}

/**
 * The next arrival after `t` of a Poisson process whose rate changes by the hour: draw an
 * exponential amount of intensity and walk the hours until it is spent (exact inversion).
 */
export function nextArrival(t: number, rates: readonly number[], rng: () => number): number {
  let need = -Math.log(1 - rng());
  for (;;) {
    const rate = rates[cstHour(t)]!;
    const hourEnd = Math.floor((t + CST_OFFSET_MS) / HOUR_MS + 1) * HOUR_MS - CST_OFFSET_MS;
    const have = (hourEnd - t) * rate;
    if (have >= need) return t + Math.max(1, Math.round(need / rate));
    need -= have;
    t = hourEnd;
  }
}

/** A weighted choice from a table of weights. */
export function weightedPick<K extends string>(weights: Readonly<Record<K, number>>, rng: () => number): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** Expected share of each category in field reports. */
export function categoryShares(): Record<string, number> {
  const total = Object.values(FIELD_CATEGORY_WEIGHTS).reduce((s, w) => s + w, 0);
  return Object.fromEntries(Object.entries(FIELD_CATEGORY_WEIGHTS).map(([k, w]) => [k, w / total]));
}
