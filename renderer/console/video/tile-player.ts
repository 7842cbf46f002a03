/**
 * One tile's live player: hls.js on a pooled <video>, with the tile's state (connecting, playing,
 * stalled, offline, error, suspended) and its own recovery (recovery.ts). It never touches another
 * tile: every timer, error and rebuild here concerns this player only.
 */
import Hls, { ErrorDetails, ErrorTypes, Events, type ErrorData, type LevelUpdatedData } from 'hls.js';
import { LIVE_HLS_CONFIG, liveTuning } from './hls-config';
import { backoffMs, MediaRecovery, OFFLINE_AFTER_FAILURES, StallWatch } from './recovery';

export type PlayerState = 'connecting' | 'playing' | 'stalled' | 'offline' | 'error' | 'suspended';

export interface PlayerStats {
  url: string;
  state: PlayerState;
  /** decoded and dropped frames of the current load (getVideoPlaybackQuality) */
  frames: number;
  dropped: number;
  /** the program date time (ms since the epoch) of the frame on screen, from the playlist's EXT-X-PROGRAM-DATE-TIME */
  playingDate: number | null;
  /** seconds behind the live edge as hls.js estimates it */
  latency: number | null;
  targetLatency: number | null;
  lowLatency: boolean;
  rebuilds: number;
  mediaRecoveries: number;
}

export interface TilePlayerOptions {
  video: HTMLVideoElement;
  url: string;
  /** LL-HLS (parts, blocking reloads) when the stream offers it; else whole segments only (low-latency.ts) */
  lowLatency?: boolean;
  /** where the last frame is kept, greyed, while the stream is stalled or away */
  poster?: HTMLCanvasElement | null;
  onState: (state: PlayerState, detail?: string) => void;
  now?: () => number;
}

const WATCH_EVERY_MS = 1000;
/** after a rebuild, frames must advance this long before the tile counts as playing (recovery.ts) */
const CONFIRM_AFTER_FAILURE_MS = 2500;

export class TilePlayer {
  private hls: Hls | undefined;
  private state: PlayerState = 'connecting';
  private watch: StallWatch;
  private readonly media = new MediaRecovery();
  private watchTimer: ReturnType<typeof setInterval> | undefined;
  private rebuildTimer: ReturnType<typeof setTimeout> | undefined;
  /** rebuilds in a row that have not produced a frame */
  private failures = 0;
  private rebuilds = 0;
  private mediaRecoveries = 0;
  private destroyed = false;
  private suspended = false;
  /** after resuming, jump to the live sync point once the playlist is fresh again */
  private seekLive = false;
  private tuned = false;
  private lowLatency = false;
  private readonly now: () => number;
  private url: string;

  constructor(private readonly o: TilePlayerOptions) {
    this.now = o.now ?? (() => performance.now());
    this.url = o.url;
    this.watch = new StallWatch(this.now());
    const v = o.video;
    // muted and inline: autoplay is allowed without a gesture, and a wall of tiles must never speak
    v.muted = true;
    v.defaultMuted = true;
    v.playsInline = true;
    v.disablePictureInPicture = true;
    v.controls = false;
    this.build();
    this.watchTimer = setInterval(() => this.tick(), WATCH_EVERY_MS);
  }

  get currentState(): PlayerState {
    return this.state;
  }

  /** Switches the stream (the main stream for full screen, the sub stream back in the grid). */
  setUrl(url: string): void {
    if (url === this.url || this.destroyed) return;
    this.url = url;
    this.failures = 0;
    this.teardown(false);
    this.build();
  }

  /** Hidden: stops fetching and decoding, keeps the player for a quick return. */
  suspend(): void {
    if (this.destroyed || this.suspended) return;
    this.suspended = true;
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
    this.hls?.stopLoad();
    this.o.video.pause();
    this.set('suspended');
  }

  /** Shown again: loads from the live edge (not from where it stopped). */
  resume(): void {
    if (this.destroyed || !this.suspended) return;
    this.suspended = false;
    this.watch = new StallWatch(this.now());
    if (!this.hls) return this.build();
    this.seekLive = true;
    this.set('connecting');
    this.hls.startLoad(-1);
    this.play();
  }

  /**
   * Ends the player. The frame on screen stays on the poster (shown greyed if the tile goes offline),
   * unless `keepFrame` is false: another camera takes the tile, and a copy of this one's last frame
   * would be thrown away at once (a tour changes cameras every few seconds).
   */
  destroy(keepFrame = true): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.watchTimer);
    clearTimeout(this.rebuildTimer);
    this.teardown(keepFrame && (this.state === 'playing' || this.state === 'stalled' || this.state === 'suspended'));
  }

  stats(): PlayerStats {
    const q = this.o.video.getVideoPlaybackQuality?.();
    const h = this.hls;
    let latency: number | null = null;
    let target: number | null = null;
    try {
      latency = h && Number.isFinite(h.latency) ? h.latency : null;
      target = h?.targetLatency ?? null;
    } catch {
      /* not live yet */
    }
    return {
      url: this.url,
      state: this.state,
      frames: q?.totalVideoFrames ?? 0,
      dropped: q?.droppedVideoFrames ?? 0,
      playingDate: h?.playingDate?.getTime() ?? null,
      latency,
      targetLatency: target,
      lowLatency: this.lowLatency,
      rebuilds: this.rebuilds,
      mediaRecoveries: this.mediaRecoveries,
    };
  }

  /* ---------- building and tearing down ---------- */

  private build(): void {
    if (this.destroyed) return;
    if (!Hls.isSupported()) {
      this.set('error', 'this browser has no Media Source Extensions: HLS cannot play');
      return;
    }
    this.tuned = false;
    this.seekLive = false;
    // after a failure, a few seconds of replayed buffer are not "back": frames must keep coming
    this.watch = new StallWatch(this.now(), this.failures > 0 ? { confirmMs: CONFIRM_AFTER_FAILURE_MS } : {});
    let hls: Hls;
    try {
      hls = new Hls({ ...LIVE_HLS_CONFIG, lowLatencyMode: this.o.lowLatency ?? true });
    } catch (err) {
      this.set('error', `hls.js refused to start: ${(err as Error).message}`);
      return;
    }
    this.hls = hls;
    hls.on(Events.MANIFEST_PARSED, () => this.play());
    hls.on(Events.LEVEL_UPDATED, (_e, data) => this.onLevel(data));
    hls.on(Events.ERROR, (_e, data) => this.onError(data));
    hls.attachMedia(this.o.video);
    hls.loadSource(this.url);
    if (this.state !== 'stalled' && this.state !== 'offline') this.set('connecting');
  }

  /** Destroys hls.js (which empties the element: no request, no decoder left behind). */
  private teardown(keepFrame: boolean): void {
    if (keepFrame) this.keepLastFrame();
    const h = this.hls;
    this.hls = undefined;
    if (h) {
      try {
        h.destroy();
      } catch (err) {
        console.warn('video wall: hls.js failed while being destroyed', err);
      }
    }
  }

  private scheduleRebuild(reason: string): void {
    if (this.destroyed || this.suspended || this.rebuildTimer) return;
    this.failures++;
    this.rebuilds++;
    const wasPlaying = this.watch.played || this.state === 'playing' || this.state === 'stalled';
    this.teardown(wasPlaying);
    if (this.failures >= OFFLINE_AFTER_FAILURES) this.set('offline', reason);
    else if (wasPlaying || this.state === 'stalled') this.set('stalled', reason);
    else this.set('connecting', reason);
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      this.build();
    }, backoffMs(this.failures));
  }

  /* ---------- hls.js events ---------- */

  private onLevel(data: LevelUpdatedData): void {
    const details = data.details;
    if (!this.tuned && this.hls && details.live) {
      this.tuned = true;
      const t = liveTuning(details, this.o.lowLatency ?? true);
      this.lowLatency = t.lowLatency;
      // an LL-HLS player keeps the server's PART-HOLD-BACK; a plain one plays closer than hls.js's default 3 segments
      if (!t.lowLatency) this.hls.targetLatency = t.targetLatency;
      this.hls.config.liveMaxLatencyDuration = t.maxLatency;
    }
    if (this.seekLive && this.hls) {
      const live = this.hls.liveSyncPosition;
      if (live !== null && Number.isFinite(live)) {
        this.seekLive = false;
        if (this.o.video.currentTime < live - 0.5) this.o.video.currentTime = live;
        this.play();
      }
    }
  }

  private onError(data: ErrorData): void {
    if (!data.fatal || this.destroyed) return;
    console.warn(`video wall: ${this.url}: ${data.type} ${data.details}${data.response?.code ? ` (HTTP ${data.response.code})` : ''}${data.error ? `: ${data.error.message}` : ''}`);
    if (data.type === ErrorTypes.MEDIA_ERROR) {
      const step = this.media.next(this.now());
      this.mediaRecoveries++;
      // recovering re-attaches the element, which loses its picture: keep it first
      if (step !== 'rebuild' && (this.state === 'playing' || this.state === 'stalled')) this.keepLastFrame();
      if (step === 'recover') return this.hls?.recoverMediaError();
      if (step === 'swapAndRecover') {
        this.hls?.swapAudioCodec();
        return this.hls?.recoverMediaError();
      }
      return this.scheduleRebuild(`media error: ${data.details}`);
    }
    if (data.type === ErrorTypes.NETWORK_ERROR) {
      const status = data.response?.code;
      return this.scheduleRebuild(`network error: ${data.details}${status ? ` (HTTP ${status})` : ''}`);
    }
    if (data.details === ErrorDetails.MANIFEST_INCOMPATIBLE_CODECS_ERROR) {
      // nothing a retry changes soon; try now and then in case the camera is reconfigured
      this.failures = Math.max(this.failures, OFFLINE_AFTER_FAILURES + 2);
      this.teardown(false);
      this.set('error', 'the stream uses codecs this browser cannot play');
      this.rebuildTimer = setTimeout(() => {
        this.rebuildTimer = undefined;
        this.build();
      }, 30_000);
      return;
    }
    this.scheduleRebuild(`${data.type}: ${data.details}`);
  }

  /* ---------- the watchdog ---------- */

  private tick(): void {
    if (this.destroyed || this.suspended || !this.hls) return;
    const v = this.o.video;
    const frames = v.getVideoPlaybackQuality?.().totalVideoFrames ?? 0;
    const verdict = this.watch.sample(frames, this.now(), bufferedAhead(v));
    switch (verdict) {
      case 'playing':
        if (this.state !== 'playing') this.set('playing');
        this.failures = 0;
        break;
      case 'stalled':
        if (this.state === 'playing') {
          this.keepLastFrame();
          this.set('stalled', 'no new frames');
        }
        // a paused element (autoplay refused, a seek) needs a nudge, not a rebuild
        if (v.paused) this.play();
        break;
      case 'rebuild':
        this.scheduleRebuild(this.watch.played ? 'no new frames' : 'no first frame');
        break;
      case 'waiting':
        if (v.paused && v.readyState >= 2) this.play();
        break;
    }
  }

  private play(): void {
    const p = this.o.video.play();
    // refused autoplay, or interrupted by a rebuild: the watchdog tries again
    if (p && typeof p.catch === 'function') p.catch(() => {});
  }

  /**
   * Copies the frame on screen to the poster canvas, which the tile shows greyed while the stream is
   * away. Only when the picture is about to go (a stall, a rebuild, a media recovery, the end of the
   * player), never periodically: in Chromium every read of a playing <video>'s frame
   * (drawImage or createImageBitmap alike) left ~3.5 MiB of the decoder's shared memory behind in
   * the renderer, and a copy every few seconds per tile grew it without end (issue 9).
   */
  private keepLastFrame(): void {
    const c = this.o.poster;
    const v = this.o.video;
    if (!c || v.readyState < 2 || v.videoWidth === 0) return;
    try {
      // resizing a canvas reallocates it: only when the picture's size changed
      if (c.width !== v.videoWidth) c.width = v.videoWidth;
      if (c.height !== v.videoHeight) c.height = v.videoHeight;
      c.getContext('2d')?.drawImage(v, 0, 0, c.width, c.height);
      c.dataset.kept = '1';
    } catch {
      /* a tainted or detached frame: the tile shows its state without the picture */
    }
  }

  private set(state: PlayerState, detail?: string): void {
    const changed = state !== this.state;
    this.state = state;
    if (changed) this.o.onState(state, detail);
  }
}

/** Seconds of media buffered from the playhead on (0 outside any buffered range). */
function bufferedAhead(v: HTMLVideoElement): number {
  const t = v.currentTime;
  const b = v.buffered;
  for (let i = 0; i < b.length; i++) if (b.start(i) <= t + 0.1 && t < b.end(i)) return b.end(i) - t;
  return 0;
}

/**
 * A snapshot of what the tile shows, at the stream's own resolution: JPEG (small enough for the
 * evidence limit), PNG if asked. The hub's CORS header keeps the frame untainted; the canvas would
 * refuse to export a tainted one.
 */
export async function snapshotOf(video: HTMLVideoElement, type: 'image/jpeg' | 'image/png' = 'image/jpeg', quality = 0.88): Promise<Blob> {
  if (video.readyState < 2 || video.videoWidth === 0) throw new Error('no picture on this tile yet');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this browser');
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob>((resolve, reject) => {
    try {
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the snapshot'))), type, quality);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** A Blob's bytes as base64 (no data: prefix), for the core's uploadEvidence. */
export async function blobToBase64(b: Blob): Promise<string> {
  const bytes = new Uint8Array(await b.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
