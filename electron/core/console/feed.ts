/**
 * Follows the hub's change feed into the cache: pages of GET /api/changes from the cache's cursor
 * (a console away for a day catches up in a few big requests), then the /api/live WebSocket from
 * where the pages ended. Reconnects with backoff and catches up again; reports the link state.
 */
import WebSocket from 'ws';
import { ChangesPage, LiveServerMessage, type Alert, type CallClientSignal, type CallServerSignal, type Change, type CoreLink, type LiveClientMessage, type Principal } from '../../../shared/schema';
import type { ConsoleCache, AppliedChanges } from './cache';
import { HubError, type HubClient } from './hub-client';

export interface FeedHandlers {
  onLink(link: CoreLink): void;
  /** applied changes moved the cache to `cursor`; `head` is the hub's newest sequence */
  onApplied(applied: AppliedChanges, cursor: number, head: number): void;
  onAlert?(alert: Alert): void;
  onWelcome?(principal: Principal, head: number): void;
  /** the hub refused the session (expired or revoked): sign in again */
  onRejected(message: string): void;
  /** the hub's head is behind the cache's cursor: it is not the store the cache was filled from */
  onHubReset?(): void;
  /** video call-back signalling from the hub (the core hands it to the page) */
  onCall?(signal: CallServerSignal): void;
}

export interface FeedOptions {
  pageSize?: number;
  pingEveryMs?: number;
  /** no message for this long and the link counts as dead */
  silenceLimitMs?: number;
  retryMs?: number;
  maxRetryMs?: number;
  /** failed reconnects before the link is reported offline rather than reconnecting */
  offlineAfter?: number;
  /** changes applied per transaction; the event loop is let go between slices (default 250) */
  applySlice?: number;
}

const APPLY_SLICE = 250;

export function liveUrl(hubUrl: string): string {
  const u = new URL('/api/live', hubUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

export class Feed {
  private ws: WebSocket | undefined;
  private stopped = false;
  /** bumped by start and stop: a connect still awaiting from an earlier start gives up */
  private generation = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private link: CoreLink = 'reconnecting';
  head = 0;
  /** serialises applying: HTTP pages and live batches never interleave */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: HubClient,
    private readonly cache: ConsoleCache,
    private readonly h: FeedHandlers,
    private readonly opts: FeedOptions = {},
  ) {}

  get state(): CoreLink {
    return this.link;
  }

  start(): void {
    this.stopped = false;
    void this.connect(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    // forgotten, not just cleared: a handle left behind would make every later reconnect think one is pending
    this.retryTimer = undefined;
    this.attempt = 0;
    clearInterval(this.pingTimer);
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.close();
    this.ws = undefined;
    this.setLink('offline');
  }

  /**
   * The hub's first change names its store: a hub started afresh at the same address (the sped-up
   * demo does that) has a different one, even when its head has already passed the cache's cursor.
   */
  private async sameStore(): Promise<boolean> {
    const first = await this.client.call('GET', '/api/changes?after=0&limit=1', ChangesPage);
    const c = first.changes[0];
    const mark = c ? `${c.seq} ${c.kind} ${c.id} ${c.at}` : '';
    const known = this.cache.getMeta('hub_first_change');
    if (known === mark) return true;
    this.cache.setMeta('hub_first_change', mark);
    // nothing cached yet: nothing to throw away
    return known === undefined && this.cache.cursor === 0;
  }

  /** Pages through GET /api/changes until the head; resolves with the head. */
  async catchUp(): Promise<number> {
    const limit = this.opts.pageSize ?? 1000;
    if (!(await this.sameStore())) {
      this.cache.resetHubData();
      this.h.onHubReset?.();
    }
    for (;;) {
      const after = this.cache.cursor;
      const page = await this.client.call('GET', `/api/changes?after=${after}&limit=${limit}`, ChangesPage);
      if (page.head < after) {
        // a hub started afresh (or another hub at the same address): the cache describes a world that is gone
        this.cache.resetHubData();
        this.h.onHubReset?.();
        continue;
      }
      await this.apply(page.changes, page.head, page.cursor);
      if (page.changes.length < limit) return page.head;
    }
  }

  private apply(changes: Change[], head: number, cursorHint?: number): Promise<void> {
    const run = async () => {
      this.head = Math.max(this.head, head);
      // a big page (catching up after a day away) goes in slices, each its own transaction, with the
      // event loop free in between: the page's queries are answered while the cache catches up
      const slice = this.opts.applySlice ?? APPLY_SLICE;
      for (let i = 0; i < changes.length || i === 0; i += slice) {
        if (i > 0) await new Promise<void>((r) => setImmediate(r));
        const part = changes.length <= slice ? changes : changes.slice(i, i + slice);
        const applied = this.cache.applyChanges(part, { advanceCursor: true });
        const last = i + slice >= changes.length;
        // a page may end past its last change (changes outside a desk's town are left out): read that far
        if (last && cursorHint !== undefined && cursorHint > this.cache.cursor) {
          this.cache.setMeta('cursor', String(cursorHint));
        }
        this.h.onApplied(applied, this.cache.cursor, this.head);
      }
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }

  private setLink(link: CoreLink): void {
    if (link === this.link) return;
    this.link = link;
    this.h.onLink(link);
  }

  private async connect(generation: number): Promise<void> {
    const current = () => !this.stopped && generation === this.generation;
    if (!current()) return;
    try {
      await this.catchUp();
    } catch (err) {
      if (!current()) return;
      if (err instanceof HubError && err.code === 'unauthenticated') return this.reject(err.message);
      return this.scheduleReconnect();
    }
    if (!current()) return;
    const token = this.client.token;
    if (!token) return this.reject('No session: sign in.');
    const ws = new WebSocket(liveUrl(this.client.baseUrl));
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.send({ type: 'hello', token, after: this.cache.cursor });
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => {
        if (Date.now() - this.lastHeard > (this.opts.silenceLimitMs ?? 40_000)) ws.terminate();
        else this.send({ type: 'ping', at: Date.now() });
      }, this.opts.pingEveryMs ?? 15_000);
      this.pingTimer.unref?.();
    });
    ws.on('message', (raw) => this.onMessage(raw));
    ws.on('error', () => undefined); // 'close' follows and reconnects
    ws.on('close', () => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      this.ws = undefined;
      this.scheduleReconnect();
    });
  }

  /**
   * Sends call-back signalling over the live socket; false when the link is not up (the hub has
   * not welcomed it), so the caller can say the call cannot be made now.
   */
  sendCall(signal: CallClientSignal): boolean {
    if (this.link !== 'online' || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.send({ type: 'call', call: signal });
    return true;
  }

  private send(msg: LiveClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private onMessage(raw: WebSocket.RawData): void {
    this.lastHeard = Date.now();
    let json: unknown;
    try {
      json = JSON.parse(String(raw));
    } catch {
      console.warn('live feed: a message that is not JSON was ignored');
      return;
    }
    const parsed = LiveServerMessage.safeParse(json);
    if (!parsed.success) {
      console.warn('live feed: a message that breaks the contract was ignored:', parsed.error.issues[0]);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'welcome':
        this.attempt = 0;
        this.head = Math.max(this.head, msg.head);
        this.setLink('online');
        this.h.onWelcome?.(msg.principal, msg.head);
        return;
      case 'changes':
        void this.apply(msg.changes, msg.head);
        return;
      case 'alert':
        this.h.onAlert?.(msg.alert);
        return;
      case 'pong':
        return;
      case 'call':
        this.h.onCall?.(msg.call);
        return;
      case 'error':
        if (msg.error.code === 'unauthenticated' || msg.error.code === 'forbidden') this.reject(msg.error.message);
        else console.warn('live feed: the hub reported', msg.error);
        return;
    }
  }

  private reject(message: string): void {
    this.stop();
    this.h.onRejected(message);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    this.attempt++;
    this.setLink(this.attempt > (this.opts.offlineAfter ?? 3) ? 'offline' : 'reconnecting');
    const base = this.opts.retryMs ?? 500;
    const delay = Math.min(this.opts.maxRetryMs ?? 10_000, base * 2 ** (this.attempt - 1)) * (0.75 + Math.random() * 0.5);
    const generation = this.generation;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(generation);
    }, delay);
    this.retryTimer.unref?.();
  }
}
