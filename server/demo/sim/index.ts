import { generateDistrict, type GeneratedDistrict } from '../generator';
import { makeRng } from '../random';
import { HubClient, HubCallError } from './client';
import { isRealtime, type SimClock } from './clock';
import type { SimContext } from './context';
import { Desk, SIM_DESK_ORIGIN } from './desk';
import { HotlineDesk } from './hotline';
import { Fleet } from './leader';
import { recordOversight } from './oversight';
import { EventMirror } from './mirror';
import { SEED_MONTHLY_REPORTS, hotlineShareAt, hourlyRates, nextArrival } from './rhythm';
import { Schedule } from './schedule';
import { closure, SimCounters, type ClosureFigures } from './stats';

export { DiscreteClock, RealtimeClock, type SimClock } from './clock';

/**
 * The field simulator: makes the demo district alive through the hub's public API only. Grid
 * leaders' phones patrol and report, the 12345 platform sends orders, a simulated desk (operator2)
 * takes events round the closed loop. It knows the district from the same deterministic generator
 * the demo hub is seeded from (a fleet of phones that know their own tokens), never the store.
 */

/** Left to people trying the field page: the simulator neither acts as them nor, if it can help it, dispatches to them. */
export const RESERVED_LEADERS: readonly string[] = ['leader-0-0-0', 'leader-1-0-0'];

export interface SimulatorOptions {
  hubUrl: string;
  clock: SimClock;
  seed?: number;
  reserveLeaders?: readonly string[];
  /** the district the hub was seeded with (default: generateDistrict()) */
  district?: GeneratedDistrict;
  /** items a 30-day month (default: the seed district's 21,816) */
  monthlyReports?: number;
  /** simulated ms between a patrolling leader's fixes (default: realtime 30 s, coarser at high speed-up; discrete 2 h) */
  patrolEveryMs?: number;
  /** realtime: the whole fleet's patrol fixes stay under this many a real second (default 10) */
  positionsPerRealSecond?: number;
  /** simulated ms between reads of the change feed (default: realtime every 0.5 s real, discrete once a quantum) */
  feedEveryMs?: number;
  /** discrete: actions within this many simulated ms run as one concurrent lot (default 5 min) */
  quantumMs?: number;
  /** leave a human at the console the first few minutes on every event (default: realtime) */
  humanGrace?: boolean;
  /** called just before each field report is sent (benchmarks time the way to the console) */
  onReportSent?: (eventId: string) => void;
}

export interface SimStats {
  from: number;
  to: number;
  simulatedHours: number;
  fleet: number;
  reports: { sent: number; applied: number; merged: number; byCategory: Record<string, number> };
  hotline: { sent: number; applied: number };
  positions: number;
  photos: number;
  commands: Record<string, { applied: number; rejected: number }>;
  failures: Record<string, number>;
  requests: Record<string, number>;
  closure: ClosureFigures;
  /** actions that threw something other than a hub answer (bugs) */
  actionErrors: number;
  lastActionError?: string;
}

export interface Simulator {
  readonly clock: SimClock;
  readonly startedAt: number;
  /** discrete clock only: runs every scheduled action up to simulated instant `t` */
  runUntil(t: number): Promise<void>;
  /** reads the change feed to its head now (the mirror, and so stats, catch up) */
  sync(): Promise<void>;
  stats(): SimStats;
  stop(): Promise<void>;
}

const PAGE = 5000;

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const { clock } = opts;
  const realtime = isRealtime(clock);
  const district = opts.district ?? generateDistrict();
  const rng = makeRng(opts.seed ?? 1);
  const quantumMs = opts.quantumMs ?? 5 * 60_000;
  const schedule = new Schedule(clock, quantumMs);
  const mirror = new EventMirror(SIM_DESK_ORIGIN);
  const reserved = new Set(opts.reserveLeaders ?? RESERVED_LEADERS);
  const patrollers = district.people.filter((p) => (p.role === 'leader' || p.role === 'dedicated_member') && !reserved.has(p.id)).length;
  const patrolEveryMs =
    opts.patrolEveryMs ??
    (realtime ? Math.max(30_000, (patrollers * clock.speedup * 1000) / (opts.positionsPerRealSecond ?? 10)) : 2 * 3_600_000);
  const ctx: SimContext = {
    client: new HubClient(opts.hubUrl),
    clock,
    schedule,
    rng,
    mirror,
    counters: new SimCounters(),
    district,
    reserved,
    patrolEveryMs,
    enRouteEveryMs: realtime ? Math.max(30_000, 5_000 * clock.speedup) : 5 * 60_000,
    humanGrace: opts.humanGrace ?? realtime,
    ...(opts.onReportSent ? { onReportSent: opts.onReportSent } : {}),
  };
  const desk = new Desk(ctx);
  const fleet = new Fleet(ctx);
  const hotline = new HotlineDesk(ctx, `${(opts.seed ?? 1).toString(36)}${Date.now().toString(36)}`.toUpperCase());
  mirror.observe((ev) => {
    desk.onEvent(ev);
    fleet.onEvent(ev);
  });

  // the change feed, read as the desk: one reader serves the desk and, as push notifications would, the phones
  let cursor = 0;
  let pulling: Promise<void> | undefined;
  const knownPeople = new Set<string>();
  const pull = () =>
    (pulling ??= (async () => {
      try {
        for (;;) {
          const page = await desk.session.call((t) => ctx.client.changes(t, cursor, PAGE));
          for (const c of page.changes) if (c.kind === 'person') knownPeople.add(c.id);
          mirror.apply(page.changes);
          cursor = page.cursor;
          if (page.changes.length < PAGE) break;
        }
      } finally {
        pulling = undefined;
      }
    })());

  const startedAt = clock.now();
  await pull();
  const sample = district.people.find((p) => p.role === 'leader' && !reserved.has(p.id));
  if (sample && !knownPeople.has(sample.id)) {
    await schedule.stop();
    throw Object.assign(
      new Error(`The hub at ${opts.hubUrl} does not know ${sample.id}: its district is not the generated demo district. Start the hub with --demo on a fresh data directory.`),
      { code: 'district_mismatch' },
    );
  }

  // discrete: once a lot is enough; the simulator's own steps reach the mirror through their results
  const feedEveryMs = opts.feedEveryMs ?? (realtime ? 500 * clock.speedup : quantumMs);
  const feedTick = async (t: number) => {
    schedule.at(t + feedEveryMs, feedTick);
    try {
      await pull();
    } catch (e) {
      ctx.counters.caught('changes', e);
    }
  };
  schedule.after(feedEveryMs, feedTick);

  const rates = hourlyRates(opts.monthlyReports ?? SEED_MONTHLY_REPORTS);
  // chained from the instant each arrival was due, not the clock: a discrete lot runs a little late
  const arrival = async (t: number) => {
    schedule.at(nextArrival(t, rates, rng), arrival);
    if (rng() < hotlineShareAt(t)) await hotline.call();
    else await fleet.report();
  };
  schedule.at(nextArrival(startedAt, rates, rng), arrival);
  fleet.start();
  schedule.start();
  // the live demo's ledgers show the district's inspections and surveys too
  if (realtime) {
    recordOversight(ctx, desk.session).catch((e: unknown) => (e instanceof HubCallError ? ctx.counters.caught('oversight', e) : console.warn('demo oversight entries:', e)));
  }

  const stats = (): SimStats => {
    const c = ctx.counters;
    const to = clock.now();
    return {
      from: startedAt,
      to,
      simulatedHours: (to - startedAt) / 3_600_000,
      fleet: fleet.size,
      reports: { sent: c.reportsSent, applied: c.reportsApplied, merged: c.reportsMerged, byCategory: { ...c.byCategory } },
      hotline: { sent: c.hotlineSent, applied: c.hotlineApplied },
      positions: c.positions,
      photos: c.photos,
      commands: structuredClone(c.commands),
      failures: { ...c.failures },
      requests: Object.fromEntries(ctx.client.sent),
      closure: closure(mirror, startedAt, to),
      actionErrors: schedule.errors,
      ...(schedule.lastError !== undefined ? { lastActionError: String((schedule.lastError as Error)?.stack ?? schedule.lastError) } : {}),
    };
  };

  return {
    clock,
    startedAt,
    runUntil: (t) => schedule.runUntil(t),
    sync: pull,
    stats,
    stop: () => schedule.stop(),
  };
}

/** A few lines for a terminal. */
export function formatStats(s: SimStats): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '-');
  const c = s.closure;
  const cmds = Object.entries(s.commands)
    .map(([k, v]) => `${k} ${v.applied}${v.rejected ? `/${v.rejected} refused` : ''}`)
    .join(', ');
  const fails = Object.entries(s.failures)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `simulated ${s.simulatedHours.toFixed(1)} h from ${new Date(s.from).toISOString()} · fleet of ${s.fleet} phones`,
    `items: ${s.reports.applied + s.hotline.applied} (field ${s.reports.applied} of which ${s.reports.merged} merged as duplicates, 12345 ${s.hotline.applied}) · positions ${s.positions} · photos ${s.photos}`,
    `closure: ${c.closed} closed of ${c.received - c.rejected} taken on = ${pct(c.closureRate)} (received ${c.received}, rejected ${c.rejected}, open ${c.open}, supervised ${c.supervised}, escalated ${c.escalated})`,
    `commands: ${cmds || 'none yet'}`,
    ...(fails ? [`not applied: ${fails}`] : []),
    ...(s.actionErrors ? [`action errors: ${s.actionErrors} (last: ${s.lastActionError})`] : []),
  ].join('\n');
}
