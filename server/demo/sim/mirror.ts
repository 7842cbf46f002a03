import { DESK_ROLES, type Change, type EventRecord } from '../../../shared/schema';

/**
 * What the simulator knows of the district's events: the newest version of each, as the change
 * feed and its own commands' results told it. Observers hear of every newer version once.
 */
export type EventObserver = (event: EventRecord) => void;

export class EventMirror {
  private readonly events = new Map<string, { ev: EventRecord; seq: number }>();
  /** when a desk person other than the simulated desk last acted on each event */
  private readonly humanDeskTouch = new Map<string, number>();
  private readonly observers: EventObserver[] = [];

  constructor(
    /** timeline entries from this origin are the simulated desk's own */
    private readonly simDeskOrigin: string,
  ) {}

  observe(o: EventObserver): void {
    this.observers.push(o);
  }

  get(id: string): EventRecord | undefined {
    return this.events.get(id)?.ev;
  }

  get size(): number {
    return this.events.size;
  }

  values(): IterableIterator<{ ev: EventRecord; seq: number }> {
    return this.events.values();
  }

  lastHumanDeskTouch(id: string): number | undefined {
    return this.humanDeskTouch.get(id);
  }

  apply(changes: readonly Change[]): void {
    // timeline entries first: an observer deciding on an event should know who just touched it
    for (const c of changes) {
      if (c.kind !== 'timeline') continue;
      const e = c.data;
      if ((DESK_ROLES as readonly string[]).includes(e.actorRole) && e.origin !== this.simDeskOrigin) this.humanDeskTouch.set(e.eventId, e.at);
    }
    for (const c of changes) {
      if (c.kind === 'event') {
        const known = this.events.get(c.id);
        if (known && known.seq >= c.seq) continue;
        this.events.set(c.id, { ev: c.data, seq: c.seq });
        for (const o of this.observers) o(c.data);
      }
    }
  }
}
