/**
 * Chromium driven over a bare DevTools protocol connection, for the memory figures.
 *
 * Playwright enables DevTools' Network domain on every page it drives, and with it Chromium keeps a
 * copy of every response body the page receives (up to its inspector buffer, ~200 MB) in the
 * renderer: for a page playing HLS, every segment. Over minutes that reads as the renderer growing
 * without bound (0.1 MiB/s a playing tile here), which is the harness, not the product: an Electron
 * window has no DevTools attached. So the memory benches open their pages through this driver,
 * which enables nothing but what it asks (Runtime.evaluate, Performance, HeapProfiler).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, chromiumPath } from '../test/browser/chromium';

type Params = Record<string, unknown>;

export interface RawPage {
  /** a CDP command in the page's session */
  send<T = unknown>(method: string, params?: Params): Promise<T>;
  /** evaluates an expression (awaiting a promise) and returns its JSON value; throws the page's exception */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** `fn` serialised and called with `arg` in the page (it must not close over anything) */
  call<A, T>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** polls `expression` until it is truthy */
  waitFor(expression: string, timeoutMs?: number, what?: string): Promise<void>;
  /** the page's uncaught errors and unhandled rejections since its document loaded */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

export interface RawChromium {
  /** a CDP command to the browser */
  send<T = unknown>(method: string, params?: Params): Promise<T>;
  /** the browser's CDP events of one method (e.g. Tracing.dataCollected); answers the unsubscribe */
  on(method: string, handler: (params: any) => void): () => void;
  open(url: string, viewport: { width: number; height: number }): Promise<RawPage>;
  /** the process ids of this browser's renderers */
  rendererPids(): number[];
  readonly process: ChildProcess;
  close(): Promise<void>;
}

const PAGE_ERRORS = `globalThis.__rawErrors = [];
addEventListener('error', (e) => __rawErrors.push(String(e.message)));
addEventListener('unhandledrejection', (e) => __rawErrors.push(String(e.reason)));`;

export async function launchRawChromium(extraArgs: string[] = []): Promise<RawChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'raw-chromium-'));
  const child = spawn(chromiumPath(), ['--headless', ...CHROMIUM_ARGS, ...extraArgs, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not open its DevTools port in 30 s: ${err.slice(-500)}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}): ${err.slice(-500)}`));
    });
  });
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  const listeners = new Map<string, Set<(params: any) => void>>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { id?: number; method?: string; params?: unknown; sessionId?: string; result?: unknown; error?: { message: string } };
    if (msg.method && !msg.sessionId) for (const h of listeners.get(msg.method) ?? []) h(msg.params);
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
    else w.resolve(msg.result);
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error(`${w.method}: the DevTools connection closed`));
    waiting.clear();
  });
  const send = <T>(method: string, params: Params = {}, sessionId?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  const open = async (url: string, viewport: { width: number; height: number }): Promise<RawPage> => {
    const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const inPage = <T>(method: string, params?: Params) => send<T>(method, params, sessionId);
    await inPage('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
    // the Page domain runs the scripts below in every new document; it records no response bodies
    await inPage('Page.enable');
    // tsx keeps function names with a helper the page does not have
    await inPage('Page.addScriptToEvaluateOnNewDocument', { source: 'globalThis.__name = (f) => f;' });
    // the page's errors, kept in the page: no Runtime event stream on this connection
    await inPage('Page.addScriptToEvaluateOnNewDocument', { source: PAGE_ERRORS });
    await inPage('Page.navigate', { url });
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = await inPage<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
        expression,
        returnByValue: true,
        awaitPromise: true,
      });
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value as T;
    };
    return {
      send: inPage,
      evaluate,
      call: (fn, arg) => evaluate(`(${fn.toString()})(${JSON.stringify(arg ?? null)})`),
      async waitFor(expression, timeoutMs = 30_000, what = expression) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          try {
            if (await evaluate<boolean>(`!!(${expression})`)) return;
          } catch {
            /* the page is still loading */
          }
          if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      errors: () => evaluate<string[]>('globalThis.__rawErrors ?? []'),
      close: () => send('Target.closeTarget', { targetId }).then(() => undefined),
    };
  };

  const rendererPids = () => {
    const out: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        if (cmd.includes('--type=renderer') && cmd.includes(profile)) out.push(Number(name));
      } catch {
        /* gone */
      }
    }
    return out;
  };

  return {
    send: (method, params) => send(method, params),
    on(method, handler) {
      const set = listeners.get(method) ?? new Set();
      listeners.set(method, set);
      set.add(handler);
      return () => set.delete(handler);
    },
    open,
    rendererPids,
    process: child,
    async close() {
      ws.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // the browser's last children may still be writing their profile files for a moment
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (err) {
        console.warn(`raw-chromium: could not remove ${profile}: ${(err as Error).message}`);
      }
    },
  };
}
