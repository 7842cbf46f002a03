import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';
import type { Satisfaction, Tier } from '../../../shared/schema';
import { cstHour } from './rhythm';

/**
 * How simulated people behave, as data: delays are log-normal (a median and a spread σ: most are
 * quick, a few take much longer), probabilities are shares. The closure rate of a simulated month
 * comes out of these, not from a target figure.
 */
export interface LogNormal {
  /** median, in minutes */
  medianMin: number;
  sigma: number;
}

export const LEADERS = {
  /** from a dispatch reaching the phone to 签收 */
  acknowledge: { medianMin: 4, sigma: 0.8 },
  /** some leaders are slow to pick up (busy, elderly, a poor signal): their delays are this many times longer */
  slowShare: 0.08,
  slowFactor: 6,
  /** some leaders sometimes leave a dispatch unanswered; the deadline timer then supervises it */
  unreliableShare: 0.03,
  unreliableIgnores: 0.35,
  /** CST hours [from, to) a leader is off duty: a dispatch then waits for the morning, unless the tier is urgent */
  offDutyHours: [22, 7] as const,
  wakeUp: { medianMin: 30, sigma: 0.5 },
  urgentTiers: ['special'] as readonly Tier[],
  /** getting going before travelling */
  setOffMin: 2,
  walkKmh: 5,
  ebikeKmh: 15,
  /** farther than this, the leader takes the e-bike */
  walkUpToKm: 1.2,
  /**
   * time from arriving to feeding back, by tier: a general event is settled the same day; an
   * escalated one (demolishing a shed, clearing a group rental) takes a day or two of its 3 days;
   * a special one is contained within hours
   */
  handling: {
    general: { medianMin: 40, sigma: 0.7 },
    escalated: { medianMin: 24 * 60, sigma: 0.8 },
    special: { medianMin: 120, sigma: 0.6 },
  } satisfies Record<Tier, LogNormal>,
  /** handling together with the departments after an escalation (网格吹哨、部门报到): they must find a day to come */
  jointHandling: { medianMin: 40 * 60, sigma: 0.7 },
  /** rework after the desk returned the feedback */
  rework: { medianMin: 60, sigma: 0.6 },
  /** the leader finds it beyond the grid and escalates it, by tier */
  escalateShare: { general: 0.03, escalated: 0.2, special: 0.3 } satisfies Record<Tier, number>,
  /** patrol windows (CST hours) each day, each shifted by up to ±jitter minutes and lasting a while */
  patrolWindows: [
    [8, 11],
    [14, 17],
  ] as const,
  patrolJitterMin: 45,
};

export const DESK = {
  accept: { medianMin: 4, sigma: 0.7 },
  /** not accepted: invalid or out of scope (duplicates are mostly merged by the hub already) */
  rejectShare: 0.015,
  dispatch: { medianMin: 3, sigma: 0.6 },
  review: { medianMin: 20, sigma: 0.8 },
  /** the review finds the feedback wanting and sends it back */
  returnShare: 0.04,
  close: { medianMin: 5, sigma: 0.6 },
  /** the call back to the citizen of a hotline case */
  evaluate: { medianMin: 180, sigma: 0.8 },
  satisfaction: { satisfied: 85, basically_satisfied: 12, dissatisfied: 3 } satisfies Record<Satisfaction, number>,
  /** a supervised dispatch still not acknowledged goes to the next candidate after this */
  redispatchAfterSupervisionMin: 20,
  /** an unacknowledged dispatch goes to the next candidate after this many hours even before its deadline */
  redispatchUnacknowledgedH: 10,
  /** realtime demo: a human operator gets this long after any change before the simulated desk acts */
  humanGraceMin: 3,
  /** and this long after a human desk itself acted on the event */
  humanTouchedGraceMin: 10,
};

/** A log-normal draw in milliseconds (Box-Muller). */
export function drawMs(d: LogNormal, rng: () => number, factor = 1): number {
  const u = 1 - rng(), v = rng();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.round(d.medianMin * factor * Math.exp(d.sigma * z) * 60_000);
}

/** Milliseconds from `t` until the field staff are on duty again (0 while they are). */
export function untilOnDuty(t: number): number {
  const [off, on] = LEADERS.offDutyHours;
  const h = cstHour(t);
  const asleep = off > on ? h >= off || h < on : h >= off && h < on;
  if (!asleep) return 0;
  let wake = Math.floor((t + CST_OFFSET_MS) / DAY_MS) * DAY_MS + on * HOUR_MS - CST_OFFSET_MS;
  if (wake <= t) wake += DAY_MS;
  return wake - t;
}
