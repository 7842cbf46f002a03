/**
 * Simulated time. The hub and the simulator must read the same clock: an in-process hub is started
 * with `now: clock.now`, so deadlines, sessions and the deadline sweep follow simulated time.
 */
export interface SimClock {
  /** simulated milliseconds since the epoch (bound: pass it around as a plain function) */
  readonly now: () => number;
  /** simulated ms per real ms; Infinity for the discrete-event clock */
  readonly speedup: number;
  /** true: time jumps from one scheduled action to the next as fast as the hub answers */
  readonly discrete: boolean;
}

/** Real time × speedup from `start` (default: now). speedup 1 is the wall clock itself. */
export class RealtimeClock implements SimClock {
  readonly discrete = false;
  private readonly realStart = Date.now();
  readonly start: number;

  constructor(
    readonly speedup = 1,
    start?: number,
  ) {
    if (!(speedup > 0) || !Number.isFinite(speedup)) throw new RangeError(`speedup must be a positive number, got ${speedup}`);
    this.start = start ?? this.realStart;
  }

  readonly now = (): number => Math.floor(this.start + (Date.now() - this.realStart) * this.speedup);

  /** real milliseconds until simulated instant `t` */
  realDelay(t: number): number {
    return Math.max(0, (t - this.now()) / this.speedup);
  }
}

/** Virtual time that only moves forward when the scheduler says so. */
export class DiscreteClock implements SimClock {
  readonly discrete = true;
  readonly speedup = Infinity;
  private t: number;

  constructor(readonly start: number) {
    this.t = start;
  }

  readonly now = (): number => this.t;

  /** moves time forward to `t` (never back: the hub has already stamped what happened) */
  advanceTo(t: number): void {
    if (t > this.t) this.t = Math.floor(t);
  }
}

export const isRealtime = (c: SimClock): c is RealtimeClock => c instanceof RealtimeClock;
