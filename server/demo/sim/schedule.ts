import { DiscreteClock, RealtimeClock, type SimClock } from './clock';

/**
 * The simulator's agenda: actions due at simulated instants, in a binary heap. In realtime mode one
 * timer is armed for the earliest action; in discrete mode `runUntil` pops what is due within a
 * quantum, moves the clock there and runs those actions concurrently, then the next lot.
 */
/** An action gets the simulated instant it was due at (in discrete mode the clock may already be a little past it). */
export type Action = (at: number) => Promise<void> | void;

interface Item {
  at: number;
  seq: number;
  run: Action;
}

export class Schedule {
  private heap: Item[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** errors thrown by actions: kept for stats, never fatal to the run */
  errors = 0;
  lastError: unknown;

  constructor(
    readonly clock: SimClock,
    /** discrete mode: actions within this many simulated ms of the earliest run as one lot */
    private readonly quantumMs = 60_000,
    /** discrete mode: at most this many actions in flight */
    private readonly concurrency = 32,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  at(t: number, run: Action): void {
    if (this.stopped) return;
    this.push({ at: t, seq: this.seq++, run });
    if (this.clock instanceof RealtimeClock && t < this.armedFor) this.arm();
  }

  after(ms: number, run: Action): void {
    this.at(this.clock.now() + Math.max(0, ms), run);
  }

  /** realtime mode: start firing actions as they come due */
  start(): void {
    if (this.clock instanceof RealtimeClock) this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.heap = [];
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** discrete mode: runs every action due up to `end`, then leaves the clock at `end` */
  async runUntil(end: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof DiscreteClock)) throw new Error('runUntil needs a DiscreteClock; a realtime schedule runs by itself after start()');
    while (!this.stopped && this.heap.length > 0 && this.heap[0]!.at <= end) {
      const limit = Math.min(end, this.heap[0]!.at + this.quantumMs);
      const lot: Item[] = [];
      while (this.heap.length > 0 && this.heap[0]!.at <= limit) lot.push(this.pop()!);
      clock.advanceTo(lot[lot.length - 1]!.at);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.concurrency, lot.length) }, async () => {
          while (next < lot.length) await this.runOne(lot[next++]!);
        }),
      );
    }
    clock.advanceTo(end);
  }

  private async runOne(item: Item): Promise<void> {
    try {
      await item.run(item.at);
    } catch (e) {
      this.errors++;
      this.lastError = e;
    }
  }

  private arm(): void {
    const clock = this.clock as RealtimeClock;
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const head = this.heap[0];
    this.armedFor = head?.at ?? Infinity;
    if (!head) return;
    // setTimeout's limit is 2^31-1 ms; a far action is re-armed when the timer fires
    this.timer = setTimeout(() => this.fire(), Math.min(clock.realDelay(head.at), 2 ** 31 - 1));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
    while (!this.stopped && this.heap.length > 0 && this.heap[0]!.at <= now) {
      const p = this.runOne(this.pop()!);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
    this.arm();
  }

  private push(item: Item): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Item | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Item, b: Item) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
