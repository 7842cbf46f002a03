import type { GeneratedDistrict } from '../generator';
import type { HubClient } from './client';
import type { SimClock } from './clock';
import type { EventMirror } from './mirror';
import type { Schedule } from './schedule';
import type { SimCounters } from './stats';

/** What the simulator's parts share. */
export interface SimContext {
  client: HubClient;
  clock: SimClock;
  schedule: Schedule;
  rng: () => number;
  mirror: EventMirror;
  counters: SimCounters;
  district: GeneratedDistrict;
  /** people the simulator never acts as, and the desk avoids dispatching to */
  reserved: ReadonlySet<string>;
  /** simulated ms between a patrolling leader's position fixes */
  patrolEveryMs: number;
  /** simulated ms between position fixes while travelling to an event */
  enRouteEveryMs: number;
  /** realtime demo: leave a human operator the first go */
  humanGrace: boolean;
  onReportSent?: (eventId: string) => void;
}
