import type { WebSocket } from 'ws';
import { DomainError } from '../shared/errors';
import { isFieldRole, LiveClientMessage, type Alert, type CallClientSignal, type Change, type LiveServerMessage, type Principal } from '../shared/schema';
import type { Auth } from './auth';
import type { HubStore, ScopedChange } from './store/interface';

const PAGE = 1000;
/** past this many unsent bytes a socket is fed from the store instead of live, so a slow console cannot make the hub hold memory for it */
const HIGH_WATER = 4 * 1024 * 1024;
/** how far back a field socket starts out following the events its person reported */
const FIELD_REPORTS_MS = 30 * 86_400_000;
const FIELD_SEED_LIMIT = 1000;

/**
 * One authenticated live socket as the call service (server/call) sees it: who is behind it, from
 * which console or device, and a way to send it a message.
 */
export interface LivePeer {
  /** unique per socket for the hub's lifetime */
  readonly id: number;
  readonly principal: Principal;
  /** the console label or `device:<id>` the socket authenticated as */
  readonly origin: string;
  send(msg: LiveServerMessage): void;
}

/** Where the live sockets' call signalling goes (server/call/service.ts). */
export interface CallHandler {
  /** a `call` message from an authenticated socket */
  message(peer: LivePeer, signal: CallClientSignal): void;
  /** a socket was welcomed (a leader's page back online while its phone is being rung) */
  joined(peer: LivePeer): void;
  /** a socket closed */
  left(peer: LivePeer): void;
}

interface Client extends LivePeer {
  ws: WebSocket;
  principal: Principal;
  /** last sequence number sent to this client */
  cursor: number;
  pumping: boolean;
  /**
   * Field staff only (a leader's phone): the events this socket follows, those assigned to or
   * reported by its person. A phone gets changes about these and its own person and position,
   * never the rest of the district.
   */
  events?: Set<string>;
}

/**
 * Pushes the change feed to connected consoles. Each socket has its own cursor: it first catches up
 * from the store in pages, then receives each committed batch as it happens; a socket that falls
 * behind (or connects mid-batch) is fed from the store again, so every client sees every change it
 * may see exactly once and in order.
 */
export class LiveHub {
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private calls: CallHandler | undefined;

  constructor(
    private readonly store: HubStore,
    private readonly auth: Auth,
    /** the hub's clock: sessions and reports are stamped with it (a simulation runs its own) */
    private readonly now: () => number = Date.now,
  ) {}

  get size() {
    return this.clients.size;
  }

  /** Routes `call` messages to the call service (set once, at start). */
  setCallHandler(handler: CallHandler): void {
    this.calls = handler;
  }

  /** The open sockets of one person (a leader may have the field page open on two phones). */
  peersOf(personId: string): LivePeer[] {
    return [...this.clients].filter((c) => c.principal.personId === personId && c.ws.readyState === c.ws.OPEN);
  }

  accept(ws: WebSocket): void {
    let client: Client | undefined;
    // set before authenticating: a second hello that arrives while the first is checked is refused too
    let helloSeen = false;
    const helloTimer = setTimeout(() => {
      if (!client) this.fail(ws, new DomainError('unauthenticated', 'Send {type:"hello", token, after} within 10 s of connecting.'));
    }, 10_000);
    ws.on('message', async (raw) => {
      let msg: LiveClientMessage;
      try {
        const parsed = LiveClientMessage.safeParse(JSON.parse(String(raw)));
        if (!parsed.success) throw new DomainError('invalid', `Invalid live message: ${parsed.error.issues[0]?.message}`);
        msg = parsed.data;
      } catch (e) {
        return this.fail(ws, e instanceof DomainError ? e : new DomainError('bad_json', 'Live messages must be JSON.'));
      }
      if (msg.type === 'ping') return send(ws, { type: 'pong', at: this.now() });
      if (msg.type === 'call') {
        // a call from a socket not yet welcomed is refused in the call's own envelope: a page's
        // live link is not torn down for it
        if (!client) {
          return send(ws, {
            type: 'call',
            call: { kind: 'error', callId: msg.call.callId, refused: msg.call.kind, error: { code: 'unauthenticated', message: 'Send hello with your token and wait for welcome before call signalling.' } },
          });
        }
        if (!this.calls) {
          return send(ws, {
            type: 'call',
            call: { kind: 'error', callId: msg.call.callId, refused: msg.call.kind, error: { code: 'unavailable', message: 'This hub does not relay video calls.' } },
          });
        }
        return this.calls.message(client, msg.call);
      }
      if (helloSeen) return this.fail(ws, new DomainError('invalid', 'hello was already received on this connection.'));
      helloSeen = true;
      try {
        const auth = await this.auth.authenticate(msg.token, this.now());
        clearTimeout(helloTimer);
        const events = isFieldRole(auth.principal.role) ? await fieldEventSet(this.store, auth.principal.personId, this.now()) : undefined;
        if (ws.readyState !== ws.OPEN) return;
        client = {
          id: this.nextId++,
          ws,
          principal: auth.principal,
          origin: auth.origin,
          send: (m: LiveServerMessage) => send(ws, m),
          cursor: msg.after,
          pumping: false,
          ...(events ? { events } : {}),
        };
        this.clients.add(client);
        send(ws, { type: 'welcome', principal: auth.principal, head: await this.store.head() });
        this.calls?.joined(client);
        void this.pump(client);
      } catch (e) {
        this.fail(ws, e instanceof DomainError ? e : new DomainError('internal', 'Could not start the live feed.'));
      }
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (client) {
        this.clients.delete(client);
        this.calls?.left(client);
      }
    });
    ws.on('error', () => ws.terminate());
  }

  /** Called after each commit with the batch's changes, in sequence order. */
  publish(written: readonly ScopedChange[]): void {
    if (written.length === 0 || this.clients.size === 0) return;
    const first = written[0]!.change.seq;
    const last = written[written.length - 1]!.change.seq;
    for (const c of this.clients) {
      if (c.pumping || c.cursor !== first - 1 || c.ws.bufferedAmount > HIGH_WATER) {
        if (c.cursor < last) void this.pump(c);
        continue;
      }
      const visible = c.events ? fieldVisible(c.principal.personId, c.events, written.map((w) => w.change)) : visibleTo(c.principal, written);
      c.cursor = last;
      if (visible.length > 0) send(c.ws, { type: 'changes', changes: visible, head: last });
    }
  }

  alert(alert: Alert, townId: string | null): void {
    for (const c of this.clients) {
      if (c.events) {
        if (c.events.has(alert.eventId)) send(c.ws, { type: 'alert', alert });
      } else if (c.principal.townId === undefined || townId === null || c.principal.townId === townId) {
        send(c.ws, { type: 'alert', alert });
      }
    }
  }

  closeAll(): void {
    for (const c of this.clients) c.ws.close(1001, 'hub shutting down');
    this.clients.clear();
  }

  private async pump(c: Client): Promise<void> {
    if (c.pumping) return;
    c.pumping = true;
    try {
      for (;;) {
        const head = await this.store.head();
        if (c.cursor >= head || c.ws.readyState !== c.ws.OPEN) break;
        const page = await this.store.changesSince(c.cursor, PAGE, c.principal.townId);
        // a scoped reader may see no rows of a range: its cursor still advances to the head read
        const next = page.length > 0 ? page[page.length - 1]!.seq : head;
        if (page.length < PAGE) c.cursor = Math.max(next, head);
        else c.cursor = next;
        const changes = c.events ? fieldVisible(c.principal.personId, c.events, page) : page;
        send(c.ws, { type: 'changes', changes, head });
        if (c.ws.bufferedAmount > HIGH_WATER) await waitDrain(c.ws);
      }
    } finally {
      c.pumping = false;
    }
  }

  private fail(ws: WebSocket, e: DomainError) {
    send(ws, { type: 'error', error: e.toBody() });
    ws.close(e.code === 'unauthenticated' ? 4401 : 4400, e.code);
  }
}

/** The events a field reader follows from the start: open assignments and recent reports. */
export async function fieldEventSet(store: HubStore, personId: string, now: number): Promise<Set<string>> {
  const [assigned, reported] = await Promise.all([
    store.openEventsAssignedTo(personId, FIELD_SEED_LIMIT),
    store.eventsReportedBy(personId, now - FIELD_REPORTS_MS, FIELD_SEED_LIMIT),
  ]);
  return new Set([...assigned, ...reported].map((e) => e.id));
}

function visibleTo(p: Principal, written: readonly ScopedChange[]): Change[] {
  if (p.townId === undefined) return written.map((w) => w.change);
  return written.filter((w) => w.townId === null || w.townId === p.townId).map((w) => w.change);
}

/**
 * What a field person's socket may see of a batch: events assigned to or reported by them (and an
 * event that was theirs until this batch, so the phone learns it went elsewhere), those events'
 * timeline entries, and their own person and position. Updates `events` as assignments move.
 */
export function fieldVisible(personId: string, events: Set<string>, changes: readonly Change[]): Change[] {
  const shown = new Set<string>();
  for (const ch of changes) {
    if (ch.kind !== 'event') continue;
    const mine = ch.data.assigneeId === personId || ch.data.reporterId === personId;
    if (mine || events.has(ch.id)) shown.add(ch.id);
    if (mine) events.add(ch.id);
    else events.delete(ch.id);
  }
  return changes.filter((ch) => {
    switch (ch.kind) {
      case 'event':
        return shown.has(ch.id);
      case 'timeline':
        return shown.has(ch.data.eventId) || events.has(ch.data.eventId);
      case 'person':
        return ch.id === personId;
      case 'position':
        return ch.data.personId === personId;
      default:
        return false;
    }
  });
}

function send(ws: WebSocket, msg: LiveServerMessage) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

function waitDrain(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (ws.bufferedAmount < HIGH_WATER / 4 || ws.readyState !== ws.OPEN) {
        clearInterval(t);
        resolve();
      }
    }, 20);
  });
}
