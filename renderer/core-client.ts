/**
 * The page's one way to the console core (electron/core/console): typed requests answered once,
 * and notices pushed unasked. Two transports carry the same messages (shared/schema/console.ts):
 * Electron IPC through the preload in the desktop app, a WebSocket to the console host's
 * `/api/core` in a plain browser. Whatever arrives is validated before the page sees it: the core
 * is another process, and a mismatched build must fail loudly rather than render garbage.
 */
import {
  ConsoleNotice,
  ConsoleResponse,
  ConsoleServerMessage,
  type ConsoleRequest,
  type ConsoleRequestType,
  type ConsoleResults,
} from '../shared/schema/console';
import type { ApiError } from '../shared/schema/api';
import { hostUrl } from './live';

/** A request's parameters as the page writes them: the client adds the type and numbers it. */
export type CoreParams<T extends ConsoleRequestType> = Omit<Extract<ConsoleRequest, { type: T }>, 'id' | 'type'>;

export interface CoreTransport {
  request(msg: ConsoleRequest): Promise<ConsoleResponse>;
  /** answers an unsubscribe function */
  onNotice(cb: (notice: ConsoleNotice) => void): () => void;
  close(): void;
}

/**
 * What the page needs of the preload's `window.gridConsole.core` (declared in env.d.ts). Typed
 * loosely on purpose: whatever crosses the bridge is validated here, not trusted.
 */
export interface CoreBridge {
  request(msg: ConsoleRequest): Promise<unknown>;
  onNotice(cb: (notice: ConsoleNotice) => void): (() => void) | void;
}

export function coreBridge(): CoreBridge | undefined {
  const core = window.gridConsole?.core;
  return core && typeof core.request === 'function' ? core : undefined;
}

/** The core answered with an error (the hub's, passed on, or the core's own). */
export class CoreError extends Error {
  constructor(
    readonly code: ApiError['error']['code'] | 'transport' | 'bad_reply',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

function invalid(what: string, raw: unknown): CoreError {
  console.warn(`invalid ${what} from the console core`, raw);
  return new CoreError('bad_reply', `invalid ${what} from the console core`);
}

/* ---------- IPC ---------- */

export function ipcTransport(bridge: CoreBridge | undefined = coreBridge()): CoreTransport {
  if (!bridge) throw new Error('no console core bridge in this window');
  const unsubs = new Set<() => void>();
  return {
    async request(msg) {
      const raw = await bridge.request(msg);
      const parsed = ConsoleResponse.safeParse(raw);
      if (!parsed.success) throw invalid('response', raw);
      return parsed.data;
    },
    onNotice(cb) {
      const off = bridge.onNotice((raw: unknown) => {
        const parsed = ConsoleNotice.safeParse(raw);
        if (parsed.success) cb(parsed.data);
        else invalid('notice', raw);
      });
      const unsub = () => {
        unsubs.delete(unsub);
        if (typeof off === 'function') off();
      };
      unsubs.add(unsub);
      return unsub;
    },
    close() {
      for (const u of [...unsubs]) u();
    },
  };
}

/* ---------- WebSocket ---------- */

export function coreWsUrl(origin: string): string {
  const u = new URL('/api/core', origin);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

/** The link to the core itself (the core's own link to the hub comes in `session` notices). */
export type TransportState = 'open' | 'connecting' | 'closed';

export interface WsTransport extends CoreTransport {
  onState(cb: (s: TransportState) => void): () => void;
}

const REQUEST_TIMEOUT_MS = 20_000;

/**
 * One socket to the host, reopened with backoff. Requests sent while it is down wait for it
 * (up to their timeout); requests in flight when it drops fail, since the core may or may not
 * have seen them — commands carry their own commandId, so the page may safely send them again.
 */
export function wsTransport(origin: string): WsTransport {
  const url = coreWsUrl(origin);
  const pending = new Map<number, { resolve: (r: ConsoleResponse) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  const waiting: ConsoleRequest[] = [];
  const noticeCbs = new Set<(n: ConsoleNotice) => void>();
  const stateCbs = new Set<(s: TransportState) => void>();
  let ws: WebSocket | undefined;
  let stopped = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let state: TransportState = 'connecting';

  const setState = (s: TransportState) => {
    if (s === state) return;
    state = s;
    for (const cb of stateCbs) cb(s);
  };

  const settle = (id: number, outcome: { ok: ConsoleResponse } | { err: Error }) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    if ('ok' in outcome) p.resolve(outcome.ok);
    else p.reject(outcome.err);
  };

  function open() {
    if (stopped) return;
    setState('connecting');
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      setState('open');
      for (const m of waiting.splice(0)) sock.send(JSON.stringify(m));
    };
    sock.onmessage = (ev) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(ev.data));
      } catch {
        invalid('message', ev.data);
        return;
      }
      const parsed = ConsoleServerMessage.safeParse(raw);
      if (!parsed.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'number') settle(id, { err: invalid('response', raw) });
        else invalid('message', raw);
        return;
      }
      const msg = parsed.data;
      if ('notice' in msg) for (const cb of noticeCbs) cb(msg.notice);
      else settle(msg.id, { ok: msg });
    };
    sock.onclose = () => {
      if (ws === sock) ws = undefined;
      for (const id of [...pending.keys()]) {
        if (!waiting.some((m) => m.id === id)) settle(id, { err: new CoreError('transport', 'the link to the console core dropped') });
      }
      if (stopped) return;
      setState('connecting');
      const delay = Math.min(10_000, 300 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt += 1;
      retry = setTimeout(open, delay);
    };
    sock.onerror = () => {};
  }

  open();
  return {
    request(msg) {
      return new Promise<ConsoleResponse>((resolve, reject) => {
        if (stopped) return reject(new CoreError('transport', 'the core client is closed'));
        const timer = setTimeout(() => {
          const i = waiting.findIndex((m) => m.id === msg.id);
          if (i >= 0) waiting.splice(i, 1);
          settle(msg.id, { err: new CoreError('transport', 'the console core did not answer in time') });
        }, REQUEST_TIMEOUT_MS);
        pending.set(msg.id, { resolve, reject, timer });
        if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
        else waiting.push(msg);
      });
    },
    onNotice(cb) {
      noticeCbs.add(cb);
      return () => noticeCbs.delete(cb);
    },
    onState(cb) {
      stateCbs.add(cb);
      cb(state);
      return () => stateCbs.delete(cb);
    },
    close() {
      stopped = true;
      clearTimeout(retry);
      waiting.length = 0;
      for (const id of [...pending.keys()]) settle(id, { err: new CoreError('transport', 'the core client is closed') });
      ws?.close(1000, 'bye');
      ws = undefined;
      setState('closed');
    },
  };
}

/* ---------- the client ---------- */

export interface CoreClient {
  readonly transport: CoreTransport;
  readonly kind: 'ipc' | 'ws';
  call<T extends ConsoleRequestType>(type: T, params: CoreParams<T>): Promise<ConsoleResults[T]>;
  onNotice(cb: (notice: ConsoleNotice) => void): () => void;
  close(): void;
}

export function coreClient(transport: CoreTransport, kind: CoreClient['kind']): CoreClient {
  let nextId = 1;
  return {
    transport,
    kind,
    async call(type, params) {
      const msg = { ...params, type, id: nextId++ } as unknown as ConsoleRequest;
      const res = await transport.request(msg);
      if (!res.ok) throw new CoreError(res.error.error.code, res.error.error.message, res.error.error.field);
      // the result's shape per type is the core's side of the contract (it validates before sending)
      return res.result as ConsoleResults[typeof type];
    },
    onNotice: (cb) => transport.onNotice(cb),
    close: () => transport.close(),
  };
}

/** IPC inside the desktop app, else a WebSocket to the console host that served the page. */
export function createCoreClient(): CoreClient {
  const bridge = coreBridge();
  if (bridge) return coreClient(ipcTransport(bridge), 'ipc');
  return coreClient(wsTransport(hostUrl()), 'ws');
}

/** The hub's message behind a failed call, for a toast. */
export function errorMessage(err: unknown): string {
  if (err instanceof CoreError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/* ---------- attachments ---------- */

/** How the page shows an attachment, from the type the host reports. */
export type AttachmentKind = 'image' | 'audio' | 'video' | 'other';

export interface AttachmentInfo {
  hash: string;
  mime: string;
  size: number;
  kind: AttachmentKind;
  /** the bytes, served by the console host with the core's hub session (same origin as the page) */
  url: string;
}

export const attachmentKind = (mime: string): AttachmentKind => {
  const top = mime.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'other';
};

/** The host's route for an attachment's bytes. */
export const attachmentUrl = (hash: string): string => new URL(`/api/core/attachments/${encodeURIComponent(hash)}`, hostUrl()).href;

/** Why an attachment cannot be shown: the host's status (401 no session, 404 none on the hub, …). */
export class AttachmentError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AttachmentError';
  }
}

const attachmentInfos = new Map<string, Promise<AttachmentInfo>>();

/**
 * An attachment's type and size (GET /api/core/attachments/:hash/meta), remembered per page:
 * attachments are content-addressed, so a hash's answer never changes. Failures are not remembered.
 */
export function attachmentInfo(hash: string): Promise<AttachmentInfo> {
  const known = attachmentInfos.get(hash);
  if (known) return known;
  const p = (async () => {
    const res = await fetch(`${attachmentUrl(hash)}/meta`, { credentials: 'same-origin' });
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { message?: unknown } };
        if (typeof body?.error?.message === 'string') message = body.error.message;
      } catch {
        /* the status says enough */
      }
      throw new AttachmentError(res.status, message);
    }
    const body = (await res.json()) as { mime?: unknown; size?: unknown };
    const mime = typeof body.mime === 'string' ? body.mime : 'application/octet-stream';
    const size = typeof body.size === 'number' ? body.size : 0;
    return { hash, mime, size, kind: attachmentKind(mime), url: attachmentUrl(hash) };
  })();
  attachmentInfos.set(hash, p);
  p.catch(() => attachmentInfos.delete(hash));
  return p;
}
