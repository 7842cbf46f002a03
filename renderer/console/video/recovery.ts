/**
 * How a tile recovers by itself, as pure rules (tile-player.ts applies them to hls.js):
 * - a fatal media error (decoder hiccup, bad fragment): hls.recoverMediaError(); if another follows
 *   soon, swap the audio codec once and recover again; if that fails too, rebuild the player;
 * - a fatal network error (playlist or segments unreachable, the camera cut): rebuild the player
 *   after a backoff that doubles from 1 s and stops at a few seconds, so a camera that comes back
 *   plays again within seconds, without a storm of requests while it is away;
 * - frames not advancing while the stream should play: stalled, and rebuilt after a while.
 * Each tile keeps its own state: one tile's trouble never touches another's player.
 */

export const BACKOFF_BASE_MS = 1000;
/** the longest wait between attempts: a camera back from a cut plays within about this long */
export const BACKOFF_CAP_MS = 5000;
/** media errors closer together than this escalate (recover → swap codec → rebuild) */
export const MEDIA_ERROR_WINDOW_MS = 5000;
/** this many failed rebuilds in a row (no frame in between) and the tile says offline */
export const OFFLINE_AFTER_FAILURES = 3;

/** The wait before attempt `n` (1-based) of rebuilding: 1 s, 2 s, 4 s, then the cap; ±20 % jitter so tiles cut together do not retry in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type MediaStep = 'recover' | 'swapAndRecover' | 'rebuild';

/** The escalation of fatal media errors of one player. */
export class MediaRecovery {
  private lastAt = -Infinity;
  private step = 0;
  private swapped = false;

  /** What to do about a fatal media error at `now`. */
  next(now: number): MediaStep {
    this.step = now - this.lastAt <= MEDIA_ERROR_WINDOW_MS ? this.step + 1 : 0;
    this.lastAt = now;
    if (this.step === 0) return 'recover';
    if (this.step === 1 && !this.swapped) {
      this.swapped = true;
      return 'swapAndRecover';
    }
    return 'rebuild';
  }
}

/**
 * Watches decoded frames: playing while they advance; stalled when they stop for `stallMs` after
 * playing; asks for a rebuild once stalled for `rebuildMs` more, or when no frame came within
 * `startMs` of starting. With `confirmMs` (after a rebuild), frames must keep advancing that long
 * before the tile counts as playing again: a stream frozen at the source still replays the few
 * seconds it had buffered, which must not read as "live" and reset the road to offline.
 */
export interface StallTimes {
  stallMs: number;
  startMs: number;
  rebuildMs: number;
  confirmMs: number;
  /**
   * Frames stopped while seconds of media wait in the buffer: the decoder is starved of CPU, not
   * the stream of data, and a rebuild would throw the buffer away and make it worse. The tile shows
   * stalled and is rebuilt only once this long has passed.
   */
  starvedMs: number;
}

export const STALL_TIMES: StallTimes = { stallMs: 2500, startMs: 12_000, rebuildMs: 6000, confirmMs: 0, starvedMs: 30_000 };
/** seconds buffered ahead of the playhead that count as "data is there" */
export const BUFFERED_AHEAD_S = 1;

export class StallWatch {
  private frames = -1;
  private movedAt: number;
  /** when the current run of advancing frames began */
  private runStart: number | undefined;
  private everPlayed = false;
  private readonly o: StallTimes;

  constructor(startedAt: number, opts: Partial<StallTimes> = {}) {
    this.movedAt = startedAt;
    this.o = { ...STALL_TIMES, ...opts };
  }

  /** Feeds the decoded frame count at `now` (and the seconds buffered ahead of the playhead); answers the verdict. */
  sample(frames: number, now: number, bufferedAheadS = 0): 'playing' | 'waiting' | 'stalled' | 'rebuild' {
    const advanced = this.frames >= 0 && frames > this.frames;
    // the first sample, or a count that went back (a new load on the element): a new baseline
    if (this.frames < 0 || frames < this.frames || advanced) this.frames = frames;
    if (advanced) {
      if (now - this.movedAt >= this.o.stallMs) this.runStart = undefined;
      this.movedAt = now;
      this.runStart ??= now;
      if (this.everPlayed || now - this.runStart >= this.o.confirmMs) {
        this.everPlayed = true;
        return 'playing';
      }
      return 'waiting';
    }
    const still = now - this.movedAt;
    if (still >= this.o.stallMs) this.runStart = undefined;
    const starved = bufferedAheadS >= BUFFERED_AHEAD_S && still < this.o.starvedMs;
    if (!this.everPlayed) return still >= this.o.startMs && !starved ? 'rebuild' : 'waiting';
    if (still >= this.o.stallMs + this.o.rebuildMs && !starved) return 'rebuild';
    if (still >= this.o.stallMs) return 'stalled';
    return 'playing';
  }

  get played(): boolean {
    return this.everPlayed;
  }
}
