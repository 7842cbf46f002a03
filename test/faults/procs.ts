/**
 * Console hosts as child processes (`electron/core/host-main.ts --hub URL`) and a client of their
 * `/api/core` WebSocket that answers requests by id and records every notice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { ConsoleNotice } from '../../shared/schema';
import { REPO_ROOT } from '../helpers/hub';

export interface ChildConsole {
  child: ChildProcess;
  /** the host's origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export async function spawnConsole(hubUrl: string, dataDir: string): Promise<ChildConsole> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/core/host-main.ts', '--hub', hubUrl, '--port', '0', '--data', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const lines = createInterface({ input: child.stdout! });
  const origin = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`console host did not start within 30 s; stderr: ${err}`)), 30_000);
    lines.on('line', (line) => {
      const m = /^console: (https?:\/\/[^/\s]+)/.exec(line);
      if (m) {
        clearTimeout(t);
        res(m[1]!);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(t);
      rej(new Error(`console host exited (${code ?? signal}) before starting; stderr: ${err}`));
    });
  });
  return { child, origin, exited, stderr: () => err };
}

export async function stopConsole(c: ChildConsole, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill(signal);
  await c.exited;
}

export class CoreClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: { ok: boolean; result?: any; error?: any }) => void }>();
  constructor(
    private readonly origin: string,
    private readonly onNotice: (n: ConsoleNotice) => void,
  ) {}

  async open(): Promise<void> {
    const u = new URL('/api/core', this.origin);
    u.protocol = 'ws:';
    const ws = new WebSocket(u.href, { headers: { origin: this.origin } });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.on('error', () => undefined);
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; notice?: ConsoleNotice; ok?: boolean };
      if (msg.notice) return this.onNotice(msg.notice);
      const w = this.waiting.get(msg.id!);
      if (w) {
        this.waiting.delete(msg.id!);
        w.resolve(msg as { ok: boolean });
      }
    });
    ws.on('close', () => {
      for (const w of this.waiting.values()) w.resolve({ ok: false, error: { error: { code: 'closed', message: 'socket closed' } } });
      this.waiting.clear();
    });
    this.ws = ws;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** { ok, result | error }; a socket that closes answers ok: false */
  request(type: string, body: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<{ ok: boolean; result?: any; error?: any }> {
    if (!this.isOpen) return Promise.resolve({ ok: false, error: { error: { code: 'closed', message: 'not connected' } } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, error: { error: { code: 'timeout', message: `no answer to ${type} in ${timeoutMs} ms` } } });
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
      });
      this.ws!.send(JSON.stringify({ id, type, ...body }));
    });
  }

  close(): void {
    this.ws?.close();
    this.ws = undefined;
  }
}
