import type { Tier } from './schema/entities';
import type { Category } from './taxonomy';

/**
 * Handling deadlines (DOMAIN.md "Events": general = same day, escalated = 3 days, special = the
 * category's hours). Pure; all times are milliseconds since the epoch, UTC.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** China Standard Time is UTC+8 all year (no daylight saving). */
export const CST_OFFSET_MS = 8 * HOUR_MS;
/** An escalated event (提级事件) is handled within 3 days. */
export const ESCALATED_HOURS = 72;

/** The last millisecond of the CST calendar day containing `ms`: the next 00:00 +08:00 minus 1 ms. */
export function endOfDayCST(ms: number): number {
  const local = ms + CST_OFFSET_MS;
  const startOfLocalDay = Math.floor(local / DAY_MS) * DAY_MS;
  return startOfLocalDay + DAY_MS - CST_OFFSET_MS - 1;
}

export interface DeadlineInput {
  tier: Tier;
  /** needed for `special` events (their deadlineHours); ignored otherwise */
  category?: Pick<Category, 'deadlineHours'>;
  /** when the event was accepted (立案); the `general` deadline is the end of that CST day */
  acceptedAt: number;
  /** a 12345 hotline order's own deadline: it always wins */
  hotlineDeadline?: number;
  /** the event's current deadline, if any: an `escalated` deadline never moves earlier than it */
  previousDeadline?: number;
}

/**
 * The deadline an event gets when it is accepted or escalated.
 * - hotline order: its own deadline, always;
 * - general: end of the CST calendar day of acceptance;
 * - escalated: now + 72 h, never earlier than the previous deadline;
 * - special: now + category.deadlineHours (rounded to whole ms).
 * Throws a RangeError for a `special` tier without a category (callers check first).
 */
export function deadlineFor(input: DeadlineInput, now: number): number {
  if (input.hotlineDeadline !== undefined) return input.hotlineDeadline;
  switch (input.tier) {
    case 'general':
      return endOfDayCST(input.acceptedAt);
    case 'escalated': {
      const d = now + ESCALATED_HOURS * HOUR_MS;
      return input.previousDeadline !== undefined && input.previousDeadline > d ? input.previousDeadline : d;
    }
    case 'special': {
      if (!input.category) throw new RangeError('a special event needs its category to compute a deadline');
      return now + Math.round(input.category.deadlineHours * HOUR_MS);
    }
  }
}
