/**
 * Talking to the hub from a page: where it is (GET /config.json from the console host), sign-in,
 * and the live change feed over WebSocket with reconnect and resume from the last sequence.
 * Everything that arrives is validated against shared/schema before use.
 */
import { ApiError, LiveServerMessage, LoginResponse, type CallServerSignal, type Change, type LiveClientMessage, type Principal } from '../shared/schema';

export interface HostConfig {
  hubUrl: string;
}

/** The console host's origin: from the Electron preload, else the page's own origin. */
export function hostUrl(): string {
  const fromShell = window.gridConsole?.hostUrl;
  return fromShell && fromShell.length > 0 ? fromShell : location.origin;
}

export async function loadHostConfig(): Promise<HostConfig> {
  const res = await fetch(new URL('/config.json', hostUrl()), { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const body = (await res.json()) as unknown;
  const hubUrl = (body as { hubUrl?: unknown })?.hubUrl;
  if (typeof hubUrl !== 'string' || !/^https?:\/\//.test(hubUrl)) throw new Error('config.json: no hubUrl');
  return { hubUrl: hubUrl.replace(/\/+$/, '') };
}

export type LoginOutcome =
  | { ok: true; session: LoginResponse }
  | { ok: false; reason: 'unreachable' | 'bad_reply' | 'rejected'; message?: string };

export async function login(hubUrl: string, username: string, password: string): Promise<LoginOutcome> {
  let res: Response;
  try {
    res = await fetch(`${hubUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, origin: 'console' }),
    });
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, reason: 'bad_reply', message: `HTTP ${res.status}` };
  }
  if (res.ok) {
    const parsed = LoginResponse.safeParse(body);
    return parsed.success ? { ok: true, session: parsed.data } : { ok: false, reason: 'bad_reply' };
  }
  const err = ApiError.safeParse(body);
  return { ok: false, reason: 'rejected', message: err.success ? err.data.error.message : `HTTP ${res.status}` };
}

export type LinkState = 'online' | 'reconnecting' | 'offline';

export interface LiveHandlers {
  onState(state: LinkState): void;
  onWelcome(principal: Principal, head: number): void;
  onChanges(changes: Change[], head: number): void;
  /** a message that failed validation (counted and logged, never applied) */
  onInvalid(raw: unknown): void;
  /** the hub refused the session (expired or revoked token): sign in again */
  onRejected(message: string): void;
  /** video call-back signalling (the field page's incoming calls) */
  onCall?(signal: CallServerSignal): void;
}

export interface LiveConnection {
  /** sends on the open socket; false when it is not open (nothing is queued) */
  send(msg: LiveClientMessage): boolean;
  close(): void;
}

const PING_EVERY_MS = 15_000;
/** no message for this long and the link counts as dead */
const SILENCE_LIMIT_MS = 40_000;

export function wsUrl(hubUrl: string): string {
  const u = new URL('/api/live', hubUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

/**
 * Keeps one live connection open: sends hello with the cursor, reconnects with backoff, and
 * resumes after the last sequence number it has seen.
 */
export function connectLive(hubUrl: string, token: string, after: number, h: LiveHandlers): LiveConnection {
  let cursor = after;
  let ws: WebSocket | undefined;
  let stopped = false;
  let attempt = 0;
  let retryTimer: number | undefined;
  let pingTimer: number | undefined;
  let lastHeard = Date.now();

  const send = (msg: LiveClientMessage): boolean => {
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  };

  const scheduleReconnect = () => {
    if (stopped) return;
    h.onState('reconnecting');
    const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    retryTimer = window.setTimeout(open, delay);
  };

  function open() {
    if (stopped) return;
    const sock = new WebSocket(wsUrl(hubUrl));
    ws = sock;
    sock.onopen = () => {
      lastHeard = Date.now();
      send({ type: 'hello', token, after: cursor });
      pingTimer = window.setInterval(() => {
        if (Date.now() - lastHeard > SILENCE_LIMIT_MS) sock.close(4000, 'silent');
        else send({ type: 'ping', at: Date.now() });
      }, PING_EVERY_MS);
    };
    sock.onmessage = (ev) => {
      lastHeard = Date.now();
      let raw: unknown;
      try {
        raw = JSON.parse(String(ev.data));
      } catch {
        h.onInvalid(ev.data);
        return;
      }
      const parsed = LiveServerMessage.safeParse(raw);
      if (!parsed.success) {
        h.onInvalid(raw);
        return;
      }
      const msg = parsed.data;
      switch (msg.type) {
        case 'welcome':
          attempt = 0;
          h.onState('online');
          h.onWelcome(msg.principal, msg.head);
          break;
        case 'changes': {
          const fresh = msg.changes.filter((c) => c.seq > cursor);
          for (const c of fresh) cursor = Math.max(cursor, c.seq);
          h.onChanges(fresh, msg.head);
          break;
        }
        case 'error':
          if (msg.error.code === 'unauthenticated' || msg.error.code === 'forbidden') {
            stopped = true;
            sock.close();
            h.onState('offline');
            h.onRejected(msg.error.message);
          } else console.warn('hub error on the live link:', msg.error);
          break;
        case 'call':
          h.onCall?.(msg.call);
          break;
        case 'alert':
        case 'pong':
          break;
      }
    };
    sock.onclose = () => {
      window.clearInterval(pingTimer);
      if (ws === sock) ws = undefined;
      scheduleReconnect();
    };
    // errors are followed by close; nothing more to do here
    sock.onerror = () => {};
  }

  h.onState('offline'); // until the hub welcomes us
  open();
  return {
    send,
    close() {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.clearInterval(pingTimer);
      ws?.close(1000, 'bye');
      ws = undefined;
      h.onState('offline');
    },
  };
}
