/**
 * The cap on simultaneous players. Chromium decodes every playing <video> on the same few cores
 * and refuses new media players past a per-page limit ("too many WebMediaPlayers"), so the wall
 * grants a bounded number of player slots; tiles beyond it wait, visibly queued, and take a slot
 * when one frees. The <video> elements themselves are pooled and reused, never left for the
 * garbage collector to find: a pooled element is emptied (src removed, load()) before it waits.
 *
 * No DOM here: the pools hold whatever the wall gives them, so the rules are unit-tested in Node.
 */

/** Players the wall may run at once unless configured otherwise: a full 6×6 layout. */
export const DEFAULT_MAX_PLAYERS = 36;
/** The most a configuration may ask for (Chromium's desktop limit is far above; decoding is not). */
export const MAX_PLAYERS_LIMIT = 64;

/** Who wants a slot: higher priority first (full screen, the alarm tile), then reading order. */
export interface SlotDemand {
  key: string;
  priority: number;
  order: number;
}

/**
 * Which demands hold a slot: by priority, then holders keep theirs (no churn among equals), then
 * order. A higher-priority demand takes the slot of the lowest-ranked holder when all are taken.
 */
export function assignSlots(demands: readonly SlotDemand[], holders: ReadonlySet<string>, cap: number): Set<string> {
  const ranked = [...demands].sort(
    (a, b) => b.priority - a.priority || Number(holders.has(b.key)) - Number(holders.has(a.key)) || a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return new Set(ranked.slice(0, Math.max(0, cap)).map((d) => d.key));
}

type GrantListener = (granted: boolean) => void;

/** The slots, with listeners told when their tile gains or loses one. */
export class SlotPool {
  private readonly demands = new Map<string, SlotDemand>();
  private granted = new Set<string>();
  private readonly listeners = new Map<string, GrantListener>();

  constructor(private cap: number = DEFAULT_MAX_PLAYERS) {
    this.cap = clampCap(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  setCapacity(cap: number): void {
    this.cap = clampCap(cap);
    this.rebalance();
  }

  /** Asks for (or updates the rank of) a slot; `onGrant` hears every change of this tile's grant. */
  request(demand: SlotDemand, onGrant: GrantListener): void {
    this.demands.set(demand.key, demand);
    this.listeners.set(demand.key, onGrant);
    this.rebalance();
  }

  /** Gives the slot (or the place in the queue) back. */
  release(key: string): void {
    const had = this.demands.delete(key);
    this.listeners.delete(key);
    this.granted.delete(key);
    if (had) this.rebalance();
  }

  isGranted(key: string): boolean {
    return this.granted.has(key);
  }

  /** Waiting demands in the order they will be served. */
  queued(): string[] {
    return [...this.demands.values()]
      .filter((d) => !this.granted.has(d.key))
      .sort((a, b) => b.priority - a.priority || a.order - b.order)
      .map((d) => d.key);
  }

  get holders(): number {
    return this.granted.size;
  }

  private rebalance(): void {
    const next = assignSlots([...this.demands.values()], this.granted, this.cap);
    const lost = [...this.granted].filter((k) => !next.has(k));
    const won = [...next].filter((k) => !this.granted.has(k));
    this.granted = next;
    // losers first: their players are torn down before the winners build theirs
    for (const k of lost) this.listeners.get(k)?.(false);
    for (const k of won) this.listeners.get(k)?.(true);
  }
}

const clampCap = (n: number): number => (Number.isFinite(n) ? Math.max(1, Math.min(MAX_PLAYERS_LIMIT, Math.floor(n))) : DEFAULT_MAX_PLAYERS);

/**
 * Reusable elements, at most `cap` in existence. `acquire` answers a free one or makes a new one
 * while under the cap, else undefined; `release` empties it (`reset`) and keeps it for the next.
 */
export class ElementPool<T> {
  private readonly free: T[] = [];
  private readonly used = new Set<T>();
  private made = 0;

  constructor(
    private readonly make: () => T,
    private readonly reset: (el: T) => void,
    private cap: number,
  ) {}

  setCapacity(cap: number): void {
    this.cap = cap;
    // shrink what waits; elements in use are released by their slots being taken away
    while (this.made > this.cap && this.free.length > 0) {
      this.free.pop();
      this.made--;
    }
  }

  acquire(): T | undefined {
    const el = this.free.pop() ?? (this.made < this.cap ? (this.made++, this.make()) : undefined);
    if (el !== undefined) this.used.add(el);
    return el;
  }

  release(el: T): void {
    if (!this.used.delete(el)) return;
    this.reset(el);
    if (this.made > this.cap) this.made--;
    else this.free.push(el);
  }

  /** elements in existence (in use and waiting) */
  get created(): number {
    return this.made;
  }
  get inUse(): number {
    return this.used.size;
  }
}

/** The configured cap: `?maxPlayers=N` on the page, else localStorage `gridConsole.wall.maxPlayers`, else the default. */
export function configuredMaxPlayers(search: string, stored: string | null): number {
  const fromQuery = new URLSearchParams(search).get('maxPlayers');
  for (const raw of [fromQuery, stored]) {
    if (raw === null || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 1) return clampCap(n);
  }
  return DEFAULT_MAX_PLAYERS;
}
