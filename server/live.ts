import type { WebSocket } from 'ws';
import { DomainError } from '../shared/errors';
import { LiveClientMessage, type Alert, type Change, type LiveServerMessage, type Principal } from '../shared/schema';
import type { Auth } from './auth';
import type { HubStore, ScopedChange } from './store/interface';

const PAGE = 1000;
/** past this many unsent bytes a socket is fed from the store instead of live, so a slow console cannot make the hub hold memory for it */
const HIGH_WATER = 4 * 1024 * 1024;

interface Client {
  ws: WebSocket;
  principal: Principal;
  /** last sequence number sent to this client */
  cursor: number;
  pumping: boolean;
}

/**
 * Pushes the change feed to connected consoles. Each socket has its own cursor: it first catches up
 * from the store in pages, then receives each committed batch as it happens; a socket that falls
 * behind (or connects mid-batch) is fed from the store again, so every client sees every change it
 * may see exactly once and in order.
 */
export class LiveHub {
  private readonly clients = new Set<Client>();

  constructor(
    private readonly store: HubStore,
    private readonly auth: Auth,
  ) {}

  get size() {
    return this.clients.size;
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
      if (msg.type === 'ping') return send(ws, { type: 'pong', at: Date.now() });
      if (helloSeen) return this.fail(ws, new DomainError('invalid', 'hello was already received on this connection.'));
      helloSeen = true;
      try {
        const auth = await this.auth.authenticate(msg.token, Date.now());
        clearTimeout(helloTimer);
        if (ws.readyState !== ws.OPEN) return;
        client = { ws, principal: auth.principal, cursor: msg.after, pumping: false };
        this.clients.add(client);
        send(ws, { type: 'welcome', principal: auth.principal, head: await this.store.head() });
        void this.pump(client);
      } catch (e) {
        this.fail(ws, e instanceof DomainError ? e : new DomainError('internal', 'Could not start the live feed.'));
      }
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (client) this.clients.delete(client);
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
      const visible = visibleTo(c.principal, written);
      c.cursor = last;
      if (visible.length > 0) send(c.ws, { type: 'changes', changes: visible, head: last });
    }
  }

  alert(alert: Alert, townId: string | null): void {
    for (const c of this.clients) {
      if (c.principal.townId === undefined || townId === null || c.principal.townId === townId) {
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
        send(c.ws, { type: 'changes', changes: page, head });
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

function visibleTo(p: Principal, written: readonly ScopedChange[]): Change[] {
  if (p.townId === undefined) return written.map((w) => w.change);
  return written.filter((w) => w.townId === null || w.townId === p.townId).map((w) => w.change);
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
