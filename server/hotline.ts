import { createHash, timingSafeEqual } from 'node:crypto';
import type { HotlineWorkOrder } from '../shared/schema';
import type { HubStore } from './store/interface';

/** The intake token a demo hub accepts when none is configured (the demo only; see README). */
export const DEMO_HOTLINE_TOKEN = 'hotline_demo';
/** The actor intake reports as: the hub itself, so the desk-only refusal of `hotline` does not apply. */
export const HOTLINE_ACTOR = { id: 'hotline', role: 'system' as const };

const ID_SAFE = /^[A-Za-z0-9_.:-]+$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The event id an order number makes: `hotline-<orderNo>` when the number is already id-safe and
 * short enough, else `hotline.<hash>` (a distinct prefix, so the two forms never collide).
 */
export function hotlineEventId(orderNo: string): string {
  const plain = `hotline-${orderNo}`;
  return ID_SAFE.test(orderNo) && plain.length <= 64 ? plain : `hotline.${sha256(orderNo).slice(0, 40)}`;
}
/** The report command's id for an order: derived, so a repeat replays instead of reporting again. */
export function hotlineCommandId(orderNo: string): string {
  const plain = `intake:${hotlineEventId(orderNo)}`;
  return plain.length <= 64 ? plain : `intake:${sha256(orderNo).slice(0, 40)}`;
}

/** A hash of the order's content with keys in a fixed order, to tell a repeat from a reused number. */
export function hotlineContentHash(o: HotlineWorkOrder): string {
  return sha256(canonical(o));
}
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Compares a presented intake token with the configured one in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(Buffer.from(sha256(presented), 'hex'), Buffer.from(sha256(expected), 'hex'));
}

export interface ReplySenderOptions {
  url: string;
  /** first retry delay; doubles per failure up to capMs */
  baseMs: number;
  capMs: number;
  /** how often the outbox is looked at */
  pollMs: number;
  timeoutMs?: number;
  now?: () => number;
  onError?: (orderNo: string, error: string) => void;
}

/**
 * Drains the reply outbox to the hotline's webhook: each reply is POSTed as JSON until the webhook
 * answers 2xx, with exponential backoff between attempts, then marked delivered and never sent again.
 * The outbox is in SQLite, so a reply pending at shutdown is sent after the next start.
 * Delivery is at least once: a crash between the 2xx and the mark resends; the receiver dedupes by orderNo.
 */
export class HotlineReplySender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly store: HubStore,
    private readonly opts: ReplySenderOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.drain(), this.opts.pollMs);
    this.timer.unref();
    void this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Sends every due reply once; answers how many were delivered. */
  drain(): Promise<number> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve(0);
    this.running = this.sendDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sendDue(): Promise<number> {
    const due = await this.store.dueHotlineReplies(this.now(), 50);
    let delivered = 0;
    for (const r of due) {
      if (this.stopped) break;
      let error: string | undefined;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(r.reply),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message || String(e);
      }
      if (this.stopped && error !== undefined) break;
      if (error === undefined) {
        await this.store.markHotlineReplyDelivered(r.orderNo, this.now());
        delivered++;
      } else {
        const attempts = r.attempts + 1;
        const delay = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** Math.min(attempts - 1, 30));
        await this.store.markHotlineReplyFailed(r.orderNo, attempts, this.now() + delay, error.slice(0, 500));
        this.opts.onError?.(r.orderNo, error);
      }
    }
    return delivered;
  }
}
