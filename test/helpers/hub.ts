/**
 * Helpers for tests that talk to a real hub over loopback HTTP and WebSocket: a temp data dir per
 * test, login, commands, uploads, the change feed, a live WebSocket client that checks ordering as it
 * collects, and a hub in a child process (for crash tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { encodePng } from '../../server/demo/png';
import { startHub, type HubOptions, type RunningHub } from '../../server/hub';
import { plainPointIn, SCHOOL } from './demo';
import { ChangesPage, LiveServerMessage, type Alert, type Change, type CommandInput, type CommandResult } from '../../shared/schema';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/* ---------------- temp dirs and in-process hubs ---------------- */

export const tempDir = (label = 'hub') => mkdtemp(join(tmpdir(), `gcc-${label}-`));

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export interface TestHub {
  hub: RunningHub;
  url: string;
  dataDir: string;
  /** closes the hub and removes its data dir */
  close(): Promise<void>;
}

/** An in-process demo hub on a random loopback port, in its own temp dir. */
export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<TestHub> {
  const dataDir = await tempDir();
  const hub = await startHub({ demo: true, port: 0, deadlineSweepMs: 3600_000, ...opts, dataDir });
  let closed = false;
  return {
    hub,
    url: hub.url,
    dataDir,
    close: async () => {
      if (closed) return;
      closed = true;
      await hub.close();
      await removeDir(dataDir);
    },
  };
}

/* ---------------- HTTP ---------------- */

export interface Reply<T = any> {
  status: number;
  /** parsed JSON body (undefined when empty or not JSON) */
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOpts {
  token?: string | undefined;
  /** sent as JSON */
  json?: unknown;
  /** sent as is */
  raw?: string | Buffer | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function request<T = any>(base: string, method: string, path: string, o: RequestOpts = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let body: string | Uint8Array | undefined;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = o.contentType ?? 'application/json';
  } else if (o.raw !== undefined) {
    body = typeof o.raw === 'string' ? o.raw : new Uint8Array(o.raw);
    if (o.contentType) headers['content-type'] = o.contentType;
  }
  const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: body as BodyInit } : {}) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** Signs in and returns the session token. */
export async function login(base: string, username: string, password = username, origin?: string): Promise<string> {
  const r = await request(base, 'POST', '/api/auth/login', { json: { username, password, ...(origin ? { origin } : {}) } });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
  return r.body.token as string;
}

export const postCommand = (base: string, token: string, command: CommandInput | Record<string, unknown>) =>
  request<CommandResult & { error?: { code: string; message: string; field?: string } }>(base, 'POST', '/api/commands', {
    token,
    json: command,
  });

export const upload = (base: string, token: string, bytes: Buffer, contentType: string) =>
  request(base, 'POST', '/api/attachments', { token, raw: bytes, contentType });

export async function getChanges(base: string, token: string, after = 0, limit?: number): Promise<ChangesPage> {
  const q = `after=${after}${limit !== undefined ? `&limit=${limit}` : ''}`;
  const r = await request<ChangesPage>(base, 'GET', `/api/changes?${q}`, { token });
  if (r.status !== 200) throw new Error(`GET /api/changes failed: ${r.status} ${r.text}`);
  return r.body;
}

/** The first way `page` breaks the shared ChangesPage contract, or undefined. */
export function contractProblem(page: unknown): string | undefined {
  const p = ChangesPage.safeParse(page);
  if (p.success) return undefined;
  const i = p.error.issues[0]!;
  return `${i.path.join('.')}: ${i.message}`;
}

/** Walks the change feed from `after` to the head in pages of `limit`. */
export async function allChanges(base: string, token: string, after = 0, limit = 5000): Promise<{ changes: Change[]; head: number; pages: number }> {
  const out: Change[] = [];
  let cursor = after;
  let pages = 0;
  for (;;) {
    const page = await getChanges(base, token, cursor, limit);
    pages++;
    out.push(...page.changes);
    if (page.cursor < cursor) throw new Error(`cursor went back from ${cursor} to ${page.cursor}`);
    cursor = page.cursor;
    if (page.changes.length < limit) return { changes: out, head: page.head, pages };
  }
}

export async function headOf(base: string, token: string): Promise<number> {
  return (await getChanges(base, token, 0, 1)).head;
}

/* ---------------- commands ---------------- */

export const uid = (prefix = 'c') => `${prefix}-${randomUUID()}`;

/** Positions inside the demo district (generated; see test/helpers/demo.ts). */
export const PLACES = {
  /** grid-0-0-0 (town-jinsha), outside any dedicated grid */
  jinsha: plainPointIn('grid-0-0-0'),
  /** a school's dedicated grid and the comprehensive grid around it (SCHOOL in ./demo) */
  school: SCHOOL.point,
  /** grid-1-0-0 (town-xianfeng) */
  xianfeng: plainPointIn('grid-1-0-0'),
  /** grid-4-0-0 (town-dongshe) */
  dongshe: plainPointIn('grid-4-0-0'),
} as const;

export type LooseCommand = { type: string; commandId: string; eventId: string; [k: string]: unknown };

export function reportCmd(over: Record<string, unknown> = {}): LooseCommand {
  return {
    type: 'report',
    commandId: uid('report'),
    eventId: uid('ev'),
    categoryId: 'municipal_facilities',
    description: 'A broken drain grate on the corner',
    position: PLACES.jinsha,
    source: 'phone',
    ...over,
  };
}

/** Reports, accepts and (optionally) dispatches an event; returns its id. Throws on any refusal. */
export async function openEvent(
  base: string,
  token: string,
  opts: { position?: { lng: number; lat: number }; categoryId?: string; dispatchTo?: string } = {},
): Promise<string> {
  const rep = reportCmd({ position: opts.position ?? PLACES.jinsha, ...(opts.categoryId ? { categoryId: opts.categoryId } : {}) });
  const eventId = rep.eventId as string;
  await expectApplied(postCommand(base, token, rep));
  await expectApplied(postCommand(base, token, { type: 'accept', commandId: uid('accept'), eventId }));
  if (opts.dispatchTo) {
    await expectApplied(postCommand(base, token, { type: 'dispatch', commandId: uid('dispatch'), eventId, assigneeId: opts.dispatchTo }));
  }
  return eventId;
}

export async function expectApplied(p: Promise<Reply<any>>): Promise<Reply<CommandResult>> {
  const r = await p;
  if (r.status !== 200 || r.body?.status !== 'applied') throw new Error(`expected an applied command, got ${r.status} ${r.text}`);
  return r;
}

/* ---------------- the live WebSocket ---------------- */

export class LiveClient {
  readonly messages: LiveServerMessage[] = [];
  readonly changes: Change[] = [];
  readonly alerts: Alert[] = [];
  /** problems seen while collecting: a seq not above the previous one */
  readonly orderViolations: string[] = [];
  /** messages that break the shared LiveServerMessage contract */
  readonly contractViolations: string[] = [];
  closeCode: number | undefined;
  closed: Promise<number>;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  /** the cursor sent in hello */
  after = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((res) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        this.poke();
        res(code);
      });
    });
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as LiveServerMessage;
      const check = LiveServerMessage.safeParse(msg);
      if (!check.success) {
        const i = check.error.issues[0]!;
        this.contractViolations.push(`${msg.type} ${i.path.join('.')}: ${i.message}`);
      }
      this.messages.push(msg);
      if (msg.type === 'changes') {
        for (const c of msg.changes) {
          const last = this.lastSeq;
          if (c.seq <= last) this.orderViolations.push(`seq ${c.seq} after ${last}`);
          this.changes.push(c);
        }
      } else if (msg.type === 'alert') {
        this.alerts.push(msg.alert);
      }
      this.poke();
    });
    ws.on('error', () => undefined);
  }

  /** Opens /api/live and sends hello; resolves once the socket is open (not when welcomed). */
  static async connect(base: string, token: string, after: number): Promise<LiveClient> {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + '/api/live');
    const client = new LiveClient(ws);
    client.after = after;
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.send(JSON.stringify({ type: 'hello', token, after }));
    return client;
  }

  /** Connects and waits for the welcome. */
  static async open(base: string, token: string, after: number): Promise<LiveClient> {
    const c = await LiveClient.connect(base, token, after);
    await c.waitFor(() => c.messages.some((m) => m.type === 'welcome' || m.type === 'error'), 'welcome');
    const err = c.messages.find((m) => m.type === 'error');
    if (err) throw new Error(`live hello refused: ${JSON.stringify(err)}`);
    return c;
  }

  get lastSeq(): number {
    return this.changes.length > 0 ? this.changes[this.changes.length - 1]!.seq : 0;
  }

  /** Resolves when pred() holds; rejects after timeoutMs with `what` in the message. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((res, rej) => {
      const w = {
        pred,
        resolve: () => {
          clearTimeout(t);
          res();
        },
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        rej(new Error(`live client: timed out waiting for ${what} (last seq ${this.lastSeq}, ${this.messages.length} messages)`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  waitForSeq(seq: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.lastSeq >= seq, `seq ${seq}`, timeoutMs);
  }

  /** A round trip: every message the hub sent before answering this ping has arrived. */
  async barrier(): Promise<void> {
    const pongs = () => this.messages.filter((m) => m.type === 'pong').length;
    const n = pongs();
    this.ws.send(JSON.stringify({ type: 'ping', at: Date.now() }));
    await this.waitFor(() => pongs() > n, 'pong');
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }

  private poke() {
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}

/* ---------------- a hub in a child process ---------------- */

export interface ChildHub {
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `server/main.ts --demo` in a child process on a random port and reads its one JSON line. */
export async function spawnHub(dataDir: string, extra: string[] = []): Promise<ChildHub> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--demo', '--data', dataDir, '--port', '0', '--quiet', ...extra], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`hub child did not start within 30 s; stderr: ${err}`)), 30_000);
    lines.on('line', (line) => {
      try {
        const j = JSON.parse(line) as { hub?: string };
        if (j.hub) {
          clearTimeout(t);
          res(j.hub);
        }
      } catch {
        /* not our line */
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(t);
      rej(new Error(`hub child exited (${code ?? signal}) before starting; stderr: ${err}`));
    });
  });
  return { url, child, exited, stderr: () => err };
}

/** Stops a child hub with SIGTERM (it closes the store cleanly) and waits for it. */
export async function stopChild(h: ChildHub, signal: NodeJS.Signals = 'SIGTERM') {
  if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill(signal);
  return h.exited;
}

/* ---------------- media ---------------- */

/** A valid 1x1 RGBA PNG of the given colour. */
export function onePixelPng(rgba: [number, number, number, number] = [255, 0, 0, 255]): Buffer {
  return encodePng(1, 1, 4, () => rgba);
}

/** Runs fn over items with at most `n` in flight. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
