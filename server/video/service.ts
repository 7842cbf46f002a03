/**
 * The hub's demo cameras as live HLS: which cameras the hub serves, their loops, their timelines and
 * cuts, and their `online` flag in the registry.
 *
 * A camera is served by the hub when its registry URL for a variant is the hub-relative
 * `/hls/<id>/<variant>.m3u8` (the demo district writes those); cameras with absolute URLs stream
 * from their video gateway and the hub answers 404 for them. Every camera's timeline starts at
 * midnight UTC (timelineStart), so sequence numbers and program date-times agree between hubs
 * started the same day, and the burned-in clock reads as wall-clock seconds (segments.ts).
 */
import { readFile } from 'node:fs/promises';
import { DomainError } from '../../shared/errors';
import type { Camera } from '../../shared/schema';
import { HLS_VARIANTS, hlsPlaylistPath, type HlsVariant } from '../../shared/video';
import type { LiveHub } from '../live';
import type { HubStore } from '../store/interface';
import { hasPublished, livePlaylist, locate, nextPublishAt, type LiveStream, type Outage } from './playlist';
import { defaultCacheDir, detectFfmpeg, LOOP_MS, LOOP_SEGMENTS, PART_MS, PARTS_PER_SEGMENT, SEGMENT_MS, SegmentMaker, type EncodedLoop, type FfmpegStatus } from './segments';

export interface VideoOptions {
  /** where encoded loops are kept (shared by processes); default $GCC_HLS_CACHE or <tmp>/gcc-hls-cache */
  cacheDir?: string;
  /** default $GCC_FFMPEG or `ffmpeg` on the PATH */
  ffmpegPath?: string;
  /** low-latency HLS tags (parts, blocking reload, preload hints); default on. Off: plain 1 s segments */
  lowLatency?: boolean;
  /** complete segments in the sliding window; default 6 */
  windowSegments?: number;
  /** how long a cut stream's playlist stays frozen (served, not advancing) before requests fail; default 3 s */
  cutGraceMs?: number;
  /** wall-clock start of the streams' timeline (a multiple of the loop); default midnight UTC of the day the hub started */
  timelineStartMs?: number;
}

/** The control tests and the demo use: `hub.video`. */
export interface VideoControl {
  /** Stops the camera's stream at the hub: the playlist freezes, then requests fail; the registry marks it offline. */
  cut(cameraId: string): Promise<Camera>;
  /** Resumes at the live edge (a discontinuity, sequence numbers still rising); the registry marks it online. */
  restore(cameraId: string): Promise<Camera>;
  isCut(cameraId: string): boolean;
  /** Makes the loops now (warms the cache) for the given cameras, default every hub-served one. */
  prepare(cameraIds?: readonly string[], variants?: readonly HlsVariant[]): Promise<void>;
  ffmpeg(): Promise<FfmpegStatus>;
}

/** how long a published segment is still served to a player that fell behind */
const KEEP_MS = 60_000;
/** how long a playlist or media request waits for its encode before answering 503 */
const ENCODE_WAIT_MS = 20_000;

export const LOOP: LiveStream['loop'] = Array.from({ length: LOOP_SEGMENTS }, () => ({ partsMs: Array.from({ length: PARTS_PER_SEGMENT }, () => PART_MS) }));

/**
 * Where the timeline starts: midnight UTC of a day. Not the Unix epoch: hls.js keeps per-discontinuity
 * state in arrays indexed by the discontinuity sequence, and at epoch-sized numbers (1.8e8 loops)
 * it blocks the page for seconds per playlist. From midnight a day holds 8,640 loops, and hubs
 * started the same day (tests, a restart) agree on every number. Midnight is a multiple of the
 * loop, so the burned-in clock still reads as wall-clock seconds.
 */
export const timelineStart = (nowMs: number) => Math.floor(nowMs / 86_400_000) * 86_400_000;

export const isVariant = (v: string): v is HlsVariant => (HLS_VARIANTS as readonly string[]).includes(v);

/** Whether the hub serves this camera's variant (its registry URL is the hub-relative path). */
export const hubServes = (c: Camera, variant: HlsVariant) => (variant === 'main' ? c.mainUrl : c.subUrl) === hlsPlaylistPath(c.id, variant);
const hubServesAny = (c: Camera) => HLS_VARIANTS.some((v) => hubServes(c, v));

export class VideoService implements VideoControl {
  readonly lowLatency: boolean;
  readonly windowSegments: number;
  readonly cutGraceMs: number;
  private readonly ffmpegPath: string;
  private readonly maker: SegmentMaker;
  private readonly outages = new Map<string, Outage[]>();
  private readonly closing = new AbortController();
  private readonly startMs: number;

  constructor(
    private readonly store: HubStore,
    private readonly live: LiveHub,
    opts: VideoOptions = {},
  ) {
    this.ffmpegPath = opts.ffmpegPath ?? (process.env.GCC_FFMPEG || 'ffmpeg');
    this.maker = new SegmentMaker(opts.cacheDir ?? defaultCacheDir(), this.ffmpegPath);
    this.lowLatency = opts.lowLatency ?? true;
    this.windowSegments = opts.windowSegments ?? 6;
    this.cutGraceMs = opts.cutGraceMs ?? 3000;
    this.startMs = opts.timelineStartMs ?? timelineStart(Date.now());
    if (this.startMs % LOOP_MS !== 0) throw new Error(`timelineStartMs must be a multiple of the ${LOOP_MS} ms loop`);
  }

  ffmpeg(): Promise<FfmpegStatus> {
    return detectFfmpeg(this.ffmpegPath);
  }

  /** At start: hub-served cameras are online exactly when ffmpeg can make their streams. */
  async start(): Promise<void> {
    const cams = (await this.store.listCameras()).filter(hubServesAny);
    if (cams.length === 0) return;
    // nothing is cut yet in a new process; cameras already right are not written again
    await this.setOnline(cams.map((c) => c.id), (await this.ffmpeg()).ok);
  }

  close(): void {
    this.closing.abort();
    this.maker.close();
  }

  isCut(cameraId: string): boolean {
    const o = this.outages.get(cameraId);
    return !!o && o[o.length - 1]!.toMs === undefined;
  }

  async cut(cameraId: string): Promise<Camera> {
    const cam = await this.servedCamera(cameraId);
    if (!this.isCut(cameraId)) {
      const list = this.outages.get(cameraId) ?? [];
      list.push({ fromMs: Date.now() });
      this.outages.set(cameraId, list);
    }
    return (await this.setOnline([cam.id], false))[0] ?? cam;
  }

  async restore(cameraId: string): Promise<Camera> {
    const cam = await this.servedCamera(cameraId);
    if (this.isCut(cameraId)) {
      const list = this.outages.get(cameraId)!;
      // a restore in the cut's own millisecond still ends after it: outages stay ordered and disjoint
      list[list.length - 1]!.toMs = Math.max(Date.now(), list[list.length - 1]!.fromMs + 1);
    }
    const ok = (await this.ffmpeg()).ok;
    return (await this.setOnline([cam.id], ok))[0] ?? cam;
  }

  async prepare(cameraIds?: readonly string[], variants: readonly HlsVariant[] = HLS_VARIANTS): Promise<void> {
    const cams = cameraIds ? await Promise.all(cameraIds.map((id) => this.servedCamera(id))) : (await this.store.listCameras()).filter(hubServesAny);
    await Promise.all(cams.flatMap((c) => variants.filter((v) => hubServes(c, v)).map((v) => this.loopOf(c, v))));
  }

  /* ---------------- for the routes ---------------- */

  /** The camera a request names, checked: known, served by the hub for this variant. */
  async streamCamera(cameraId: string, variant: string): Promise<{ camera: Camera; variant: HlsVariant }> {
    if (!isVariant(variant)) throw new DomainError('invalid', `Unknown stream variant "${variant}": use main or sub.`, 'variant');
    const camera = await this.store.getCamera(cameraId);
    if (!camera) throw new DomainError('not_found', `No camera ${cameraId} in the registry.`, 'cameraId');
    if (!hubServes(camera, variant)) {
      throw new DomainError('not_found', `Camera ${cameraId} streams from its video gateway (${variant === 'main' ? camera.mainUrl : camera.subUrl}), not from this hub.`, 'cameraId');
    }
    return { camera, variant };
  }

  /**
   * The media playlist now; with `_HLS_msn` (and `_HLS_part`) a blocking reload that waits until the
   * playlist holds that segment or part, at most three target durations.
   */
  async playlist(camera: Camera, variant: HlsVariant, msn: number | undefined, part: number | undefined): Promise<string> {
    this.checkLive(camera.id);
    await this.loopOf(camera, variant);
    const stream = this.stream(camera.id);
    const build = () => livePlaylist(stream(), { nowMs: Date.now(), windowSegments: this.windowSegments, lowLatency: this.lowLatency, ...uris(variant) });
    if (msn === undefined || !this.lowLatency) return build().text;
    const first = build();
    if (msn > first.lastMsn + 2) {
      throw new DomainError('invalid', `_HLS_msn=${msn} is more than two segments past the live edge (last segment ${first.lastMsn}).`, '_HLS_msn');
    }
    const deadline = Date.now() + 3 * first.targetDurationS * 1000;
    while (!hasPublished(stream(), Date.now(), msn, part) && Date.now() < deadline) {
      const next = nextPublishAt(stream(), Date.now());
      // wake at the next publication; while frozen, look again soon (a restore ends it)
      await this.sleep(Math.min(next === undefined ? 250 : Math.max(1, next - Date.now()), deadline - Date.now()));
      this.checkLive(camera.id);
    }
    return build().text;
  }

  /** A segment (part undefined) or part as MPEG-TS bytes, waiting briefly for one about to come out. */
  async media(camera: Camera, variant: HlsVariant, msn: number, part: number | undefined): Promise<Buffer> {
    this.checkLive(camera.id);
    const loop = await this.loopOf(camera, variant);
    const stream = this.stream(camera.id);
    const what = part === undefined ? `Segment ${msn}` : `Part ${msn}.${part}`;
    const deadline = Date.now() + 3 * SEGMENT_MS;
    for (;;) {
      const at = Date.now();
      const found = locate(stream(), at, msn, part, KEEP_MS);
      if (found.status === 'ready') return this.read(camera, variant, loop, found.loopIndex, found.parts);
      if (found.status === 'expired') throw new DomainError('not_found', `${what} of ${camera.id}/${variant} is no longer in the live window; reload the playlist.`);
      if (found.status === 'never') {
        if (this.isCut(camera.id)) throw this.cutError(camera.id);
        throw new DomainError('not_found', `${what} of ${camera.id}/${variant} does not exist; reload the playlist.`);
      }
      // not out yet: wait when it is due soon (a preload hint), else the player is ahead of the stream
      if (found.readyAtMs > deadline) throw new DomainError('not_found', `${what} of ${camera.id}/${variant} is not published yet; reload the playlist.`);
      await this.sleep(Math.min(found.readyAtMs - at, 250));
      this.checkLive(camera.id);
    }
  }

  /* ---------------- inside ---------------- */

  private stream(cameraId: string): () => LiveStream {
    return () => ({ loop: LOOP, startMs: this.startMs, independentParts: true, outages: this.outages.get(cameraId) ?? [] });
  }

  /** Refuses when the hub cannot make the stream, or a cut has outlasted its grace. */
  private checkLive(cameraId: string): void {
    if (this.closing.signal.aborted) throw new DomainError('unavailable', 'The hub is shutting down.');
    const o = this.outages.get(cameraId);
    const last = o?.[o.length - 1];
    if (last && last.toMs === undefined && Date.now() - last.fromMs >= this.cutGraceMs) throw this.cutError(cameraId);
  }

  private cutError(cameraId: string): DomainError {
    return new DomainError('unavailable', `The stream of camera ${cameraId} is cut at the hub (offline); it resumes when restored (hub.video.restore or POST /api/video/cameras/${cameraId}/restore).`);
  }

  private async loopOf(camera: Camera, variant: HlsVariant): Promise<EncodedLoop> {
    const status = await this.ffmpeg();
    if (!status.ok) throw new DomainError('unavailable', `The hub cannot make the demo camera streams: ${status.reason}.`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DomainError('unavailable', `The stream of camera ${camera.id} (${variant}) is still being prepared; retry in a few seconds.`)),
        ENCODE_WAIT_MS,
      );
    });
    try {
      return await Promise.race([this.maker.get({ id: camera.id, name: camera.name }, variant), timeout]);
    } catch (e) {
      if (e instanceof DomainError) throw e;
      throw new DomainError('unavailable', `The stream of camera ${camera.id} (${variant}) could not be made: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(camera: Camera, variant: HlsVariant, loop: EncodedLoop, loopIndex: number, parts: number[]): Promise<Buffer> {
    try {
      return Buffer.concat(await Promise.all(parts.map((p) => readFile(loop.files[loopIndex]![p]!))));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // the cache was cleaned under us: make the loop again, once
      this.maker.forget({ id: camera.id, name: camera.name }, variant);
      const again = await this.loopOf(camera, variant);
      return Buffer.concat(await Promise.all(parts.map((p) => readFile(again.files[loopIndex]![p]!))));
    }
  }

  private async servedCamera(cameraId: string): Promise<Camera> {
    const cam = await this.store.getCamera(cameraId);
    if (!cam) throw new DomainError('not_found', `No camera ${cameraId} in the registry.`, 'cameraId');
    if (!hubServesAny(cam)) throw new DomainError('invalid', `Camera ${cameraId} streams from its video gateway; the hub can cut and restore only the streams it serves.`, 'cameraId');
    return cam;
  }

  /** Writes the flag to the store and the change feed (consoles see it live); unchanged cameras are skipped. */
  private async setOnline(ids: readonly string[], online: boolean): Promise<Camera[]> {
    const changed: Camera[] = [];
    for (const id of ids) {
      const cam = await this.store.getCamera(id);
      if (cam && cam.online !== online) changed.push({ ...cam, online });
    }
    if (changed.length > 0) this.live.publish(await this.store.upsertReference(changed.map((data) => ({ kind: 'camera' as const, data }))));
    return changed;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.closing.signal;
    if (signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Segment and part URIs, relative to the playlist at /hls/<id>/<variant>.m3u8. */
export const uris = (variant: HlsVariant) => ({
  segmentUri: (msn: number) => `${variant}/${msn}.ts`,
  partUri: (msn: number, part: number) => `${variant}/${msn}.${part}.ts`,
});
