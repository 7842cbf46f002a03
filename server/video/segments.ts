/**
 * The demo cameras' looped media, made with ffmpeg once per camera and variant and cached on disk.
 *
 * One loop is 10 s of lavfi testsrc2 (hue-shifted per camera so tiles tell apart) with the camera's
 * id and name and a running clock burned in, H.264 in MPEG-TS, cut into 0.5 s parts that each start
 * with a key frame (so a low-latency player can start at any part); two parts make a 1 s segment.
 * The hub plays the loop on a wall-clock timeline that starts at midnight UTC (service.ts), so a
 * frame at t seconds into the loop goes out when the wall clock's seconds mod 10 equal t: the burned
 * clock shows exactly that (`--:--:-7.250`), and latency can be read off a tile against any clock.
 *
 * Encodes are lazy (first request of a camera's variant), one ffmpeg thread each, at most two at a
 * time in a process, at lowered CPU priority, and land in a cache directory shared by processes and
 * test runs, keyed by everything that shapes the output. A loop costs about 0.5 s of CPU for `sub`
 * and 1.5 s for `main` on the build machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HlsVariant } from '../../shared/video';
import type { LoopSegment } from './playlist';

/** Loop geometry. LOOP_S must divide 60 for the burned clock to read as wall-clock seconds. */
export const FPS = 20;
export const PART_FRAMES = 10;
export const PARTS_PER_SEGMENT = 2;
export const LOOP_SEGMENTS = 10;
export const PART_MS = (PART_FRAMES * 1000) / FPS;
export const SEGMENT_MS = PART_MS * PARTS_PER_SEGMENT;
export const LOOP_MS = SEGMENT_MS * LOOP_SEGMENTS;

export interface VariantSpec {
  width: number;
  height: number;
  kbps: number;
  /** text sizes in px: name line, label line, clock */
  text: [number, number, number];
  label: { zh: string; en: string };
}

export const VARIANT_SPECS: Record<HlsVariant, VariantSpec> = {
  sub: { width: 640, height: 360, kbps: 400, text: [22, 16, 40], label: { zh: '子码流', en: 'sub' } },
  main: { width: 1280, height: 720, kbps: 1500, text: [40, 28, 72], label: { zh: '主码流', en: 'main' } },
};

/** Bump when the encoding changes in a way the key does not see. */
const FORMAT_VERSION = 1;

/** Where Debian's fonts-noto-cjk puts the font that draws Chinese names. */
const CJK_FONT_FILES = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc'];
const CJK_FONT_NAME = 'Noto Sans CJK SC';

export const defaultCacheDir = () => process.env.GCC_HLS_CACHE || join(tmpdir(), 'gcc-hls-cache');

export interface EncodedLoop {
  dir: string;
  /** per loop segment, its parts' durations */
  loop: LoopSegment[];
  /** part files per loop segment, absolute */
  files: string[][];
  /** wall time the encode took (from the cache's record) */
  encodeMs: number;
}

export type FfmpegStatus = { ok: true; version: string } | { ok: false; reason: string };

const probes = new Map<string, Promise<FfmpegStatus>>();

/** Whether ffmpeg runs at `path` (memoised per process: tests start many hubs). */
export function detectFfmpeg(path: string): Promise<FfmpegStatus> {
  let p = probes.get(path);
  if (!p) {
    p = new Promise<FfmpegStatus>((resolve) => {
      let out = '';
      let child: ChildProcess;
      try {
        child = spawn(path, ['-hide_banner', '-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (e) {
        resolve({ ok: false, reason: `ffmpeg cannot be started (${path}): ${(e as Error).message}` });
        return;
      }
      child.stdout!.on('data', (d) => (out += String(d)));
      child.on('error', (e: NodeJS.ErrnoException) =>
        resolve({
          ok: false,
          reason: e.code === 'ENOENT' ? `ffmpeg is not installed (no ${path}); install it (apt-get install ffmpeg) for the demo cameras` : `ffmpeg cannot be started (${path}): ${e.message}`,
        }),
      );
      child.on('close', (code) => {
        const version = /ffmpeg version (\S+)/.exec(out)?.[1];
        if (code === 0 && version) resolve({ ok: true, version });
        else resolve({ ok: false, reason: `${path} -version failed (exit ${code}); the demo cameras need a working ffmpeg with libx264` });
      });
    });
    probes.set(path, p);
  }
  return p;
}

/** At most two encodes at a time in this process: the build machines have two cores. */
class Limiter {
  private running = 0;
  private queue: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}
const encoders = new Limiter(2);

/** how long a failed encode's error is answered before ffmpeg is tried again */
const RETRY_FAILED_MS = 15_000;
/** encodes left half-done by a killed process are swept after this long */
const STALE_TMP_MS = 3_600_000;
let swept = false;

/** Removes the temp dirs of encodes whose process died (once per process, best effort). */
async function sweepStale(cacheDir: string): Promise<void> {
  if (swept) return;
  swept = true;
  try {
    for (const name of await readdir(cacheDir)) {
      if (!name.startsWith('.tmp-')) continue;
      const dir = join(cacheDir, name);
      if (Date.now() - (await stat(dir)).mtimeMs > STALE_TMP_MS) await rm(dir, { recursive: true, force: true });
    }
  } catch {
    /* a cache dir not made yet, or a race with another process: nothing to sweep */
  }
}

export class EncodeError extends Error {}

interface CameraText {
  id: string;
  name: string;
}

export class SegmentMaker {
  private readonly made = new Map<string, Promise<EncodedLoop>>();
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  private readonly cjk = CJK_FONT_FILES.some((f) => existsSync(f));

  constructor(
    private readonly cacheDir: string,
    private readonly ffmpegPath: string,
  ) {}

  /** The loop of a camera's variant: from the cache, or encoded now (concurrent callers share it). */
  get(camera: CameraText, variant: HlsVariant): Promise<EncodedLoop> {
    const key = this.key(camera, variant);
    let p = this.made.get(key);
    if (!p) {
      p = this.load(camera, variant, key);
      this.made.set(key, p);
      // a failed encode is tried again a little later: not on every request of a wall of players
      p.catch(() => setTimeout(() => this.made.get(key) === p && this.made.delete(key), RETRY_FAILED_MS).unref());
    }
    return p;
  }

  /** Forgets a loop (its files went missing: a tmp cleaner ran); the next get() makes it again. */
  forget(camera: CameraText, variant: HlsVariant): void {
    this.made.delete(this.key(camera, variant));
  }

  /** Stops encodes in flight; later calls fail. */
  close(): void {
    this.closed = true;
    for (const c of this.children) c.kill('SIGKILL');
  }

  private key(camera: CameraText, variant: HlsVariant): string {
    const spec = VARIANT_SPECS[variant];
    return createHash('sha256')
      .update(JSON.stringify([FORMAT_VERSION, FPS, PART_FRAMES, PARTS_PER_SEGMENT, LOOP_SEGMENTS, spec, camera.id, this.nameLine(camera), this.cjk]))
      .digest('hex')
      .slice(0, 16);
  }

  /** Chinese names need the CJK font; without it the id alone is drawn (no boxes for glyphs). */
  private nameLine(camera: CameraText): string {
    return this.cjk || /^[\x20-\x7e]*$/.test(camera.name) ? `${camera.id}  ${camera.name}` : camera.id;
  }

  private async load(camera: CameraText, variant: HlsVariant, key: string): Promise<EncodedLoop> {
    const dir = join(this.cacheDir, `${camera.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${variant}-${key}`);
    const cached = await readRecord(dir);
    if (cached) return cached;
    return encoders.run(async () => {
      // another process may have finished it while we queued
      const again = await readRecord(dir);
      if (again) return again;
      if (this.closed) throw new EncodeError('the hub is closing');
      return this.encode(camera, variant, dir);
    });
  }

  private async encode(camera: CameraText, variant: HlsVariant, dir: string): Promise<EncodedLoop> {
    await mkdir(this.cacheDir, { recursive: true });
    await sweepStale(this.cacheDir);
    const tmp = join(this.cacheDir, `.tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    const started = Date.now();
    try {
      await writeFile(join(tmp, 'name.txt'), this.nameLine(camera));
      await writeFile(join(tmp, 'label.txt'), `${this.cjk ? VARIANT_SPECS[variant].label.zh : VARIANT_SPECS[variant].label.en} ${VARIANT_SPECS[variant].width}×${VARIANT_SPECS[variant].height} ${FPS} fps`);
      await this.run(ffmpegArgs(variant, hueOf(camera.id), this.cjk), tmp);
      const parts = parseLoopIndex(await readFile(join(tmp, 'index.m3u8'), 'utf8'));
      const record: LoopRecord = { version: FORMAT_VERSION, cameraId: camera.id, variant, parts, encodeMs: Date.now() - started };
      await writeFile(join(tmp, 'loop.json'), JSON.stringify(record));
      try {
        await rename(tmp, dir);
      } catch (e) {
        // a concurrent process won the race: use its loop
        const theirs = await readRecord(dir);
        if (!theirs) throw e;
        await rm(tmp, { recursive: true, force: true });
        return theirs;
      }
      return toLoop(dir, record);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  private run(args: string[], cwd: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.ffmpegPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      this.children.add(child);
      // the hub answers requests while it encodes: the encoder yields the CPU to it
      if (child.pid !== undefined) {
        try {
          setPriority(child.pid, 10);
        } catch {
          /* not permitted here: runs at normal priority */
        }
      }
      let err = '';
      child.stderr!.on('data', (d) => (err = (err + String(d)).slice(-2000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        this.children.delete(child);
        reject(new EncodeError(`ffmpeg could not be started (${this.ffmpegPath}): ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (code === 0) resolve();
        else reject(new EncodeError(`ffmpeg failed (${signal ?? `exit ${code}`}) making the demo stream: ${err.trim().split('\n').slice(-3).join(' | ') || 'no message'}`));
      });
    });
  }
}

interface LoopRecord {
  version: number;
  cameraId: string;
  variant: HlsVariant;
  /** per part: file name and duration in ms, in loop order */
  parts: { file: string; ms: number }[];
  encodeMs: number;
}

async function readRecord(dir: string): Promise<EncodedLoop | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'loop.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return toLoop(dir, JSON.parse(raw) as LoopRecord);
  } catch {
    return undefined;
  }
}

function toLoop(dir: string, r: LoopRecord): EncodedLoop {
  const loop: LoopSegment[] = [];
  const files: string[][] = [];
  for (let s = 0; s < LOOP_SEGMENTS; s++) {
    const parts = r.parts.slice(s * PARTS_PER_SEGMENT, (s + 1) * PARTS_PER_SEGMENT);
    loop.push({ partsMs: parts.map((p) => p.ms) });
    files.push(parts.map((p) => join(dir, p.file)));
  }
  return { dir, loop, files, encodeMs: r.encodeMs };
}

/**
 * The parts ffmpeg wrote, checked against the geometry the timeline assumes: a part of another
 * length would shift every timestamp after it.
 */
export function parseLoopIndex(m3u8: string): { file: string; ms: number }[] {
  const parts: { file: string; ms: number }[] = [];
  let ms: number | undefined;
  for (const line of m3u8.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#EXTINF:')) ms = Math.round(Number.parseFloat(line.slice(8)) * 1000);
    else if (line && !line.startsWith('#')) {
      if (ms === undefined) throw new EncodeError(`ffmpeg's playlist lists ${line} without a duration`);
      parts.push({ file: line, ms });
      ms = undefined;
    }
  }
  const want = LOOP_SEGMENTS * PARTS_PER_SEGMENT;
  if (parts.length !== want || parts.some((p) => p.ms !== PART_MS)) {
    throw new EncodeError(`ffmpeg cut the loop into ${parts.length} parts (${parts.map((p) => p.ms).join(', ')} ms); expected ${want} of ${PART_MS} ms`);
  }
  return parts;
}

/** A hue per camera, so that tiles of the same test pattern tell apart at a glance. */
function hueOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % 360;
}

export function ffmpegArgs(variant: HlsVariant, hue: number, cjk: boolean): string[] {
  const s = VARIANT_SPECS[variant];
  const [nameSize, labelSize, clockSize] = s.text;
  const pad = Math.round(nameSize * 0.6);
  const font = cjk ? `font='${CJK_FONT_NAME}':` : '';
  const box = 'box=1:boxcolor=black@0.6';
  const loopS = LOOP_MS / 1000;
  // the clock: seconds mod the loop length and milliseconds of the frame's time in the loop
  const clock = `--\\:--\\:-%{eif\\:mod(t\\,${loopS})\\:d}.%{eif\\:mod(floor(t*1000+0.5)\\,1000)\\:d\\:3}`;
  const filters = [
    `hue=h=${hue}`,
    // below testsrc2's own small counter in the top left corner
    `drawtext=${font}textfile=name.txt:x=${pad}:y=${pad * 2}:fontsize=${nameSize}:fontcolor=white:${box}:boxborderw=${Math.round(pad / 2)}`,
    `drawtext=${font}textfile=label.txt:x=w-tw-${pad}:y=${pad * 2}:fontsize=${labelSize}:fontcolor=white:${box}:boxborderw=${Math.round(pad / 3)}`,
    `drawtext=font=monospace:text='${clock}':x=${pad}:y=h-th-${pad}:fontsize=${clockSize}:fontcolor=yellow:${box}:boxborderw=${Math.round(pad / 2)}`,
  ].join(',');
  const kbps = `${s.kbps}k`;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${s.width}x${s.height}:rate=${FPS}:duration=${loopS}`,
    '-vf', filters, '-filter_threads', '1',
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-threads', '1',
    '-b:v', kbps, '-maxrate', kbps, '-bufsize', kbps,
    // a key frame at every part: any part can start playback
    '-g', String(PART_FRAMES), '-keyint_min', String(PART_FRAMES), '-sc_threshold', '0',
    '-f', 'hls', '-hls_time', String(PART_MS / 1000), '-hls_list_size', '0', '-hls_playlist_type', 'vod',
    '-hls_flags', 'independent_segments', '-hls_segment_type', 'mpegts', '-start_number', '0',
    '-hls_segment_filename', 'p%d.ts', 'index.m3u8',
  ];
}
