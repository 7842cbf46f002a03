import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** Starts the standalone hub as its own process, as in production, and returns its URL. */
export async function spawnHub(dataDir: string, extra: string[] = []): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--demo', '--quiet', '--port', '0', '--data', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    rl.once('line', (line) => resolve((JSON.parse(line) as { hub: string }).hub));
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export async function login(url: string, username: string, password = username): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`login ${username} failed: ${r.status}`);
  return ((await r.json()) as { token: string }).token;
}

export function printTable(title: string, rows: [string, string][]): void {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

/** A process's resident memory from /proc, in MiB (NaN once it is gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Waits until the demo hub serves each camera's sub stream (its loop is encoded on first ask). */
export async function streamsReady(hubUrl: string, cameraIds: readonly string[]): Promise<void> {
  for (const cam of cameraIds) {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${hubUrl}/hls/${cam}/sub.m3u8`);
      await r.arrayBuffer();
      if (r.ok) break;
      if (attempt > 20) throw new Error(`${cam}'s stream does not come up (HTTP ${r.status}); is ffmpeg installed?`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
