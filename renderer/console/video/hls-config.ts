/**
 * hls.js tuned for live tiles: stay near the live edge, catch up when behind, keep little in the
 * buffers (36 tiles of memory add up), and leave retrying to the tile (recovery.ts) after a short
 * try of hls.js's own, so a cut camera costs one request every few seconds, not a storm.
 */
import type { HlsConfig, LevelDetails } from 'hls.js';
// the transmuxer worker as a file of the build, served from the page's own origin: the page's CSP
// (worker-src falls back to script-src 'self') allows it, where hls.js's inline blob: worker would
// need `worker-src blob:`. One worker serves every player of the page.
import workerPath from 'hls.js/dist/hls.worker.js?url';

/** What every tile's player starts from. */
export const LIVE_HLS_CONFIG: Partial<HlsConfig> = {
  enableWorker: true,
  workerPath,
  // LL-HLS where the stream offers it: parts, blocking playlist reloads, PART-HOLD-BACK as target;
  // also what lets hls.js speed playback up to catch up (maxLiveSyncPlaybackRate works in it only).
  // Each tile's player turns it off when its origin's connections are scarce (low-latency.ts)
  lowLatencyMode: true,
  maxLiveSyncPlaybackRate: 1.1,
  // liveSyncDuration and liveMaxLatencyDuration are set per stream once its playlist is known
  // (liveTuning): given here, they would override an LL-HLS stream's PART-HOLD-BACK
  // a few seconds ahead, a little behind (for the decoder's reference frames), nothing more
  maxBufferLength: 4,
  maxMaxBufferLength: 8,
  maxBufferSize: 8 * 1000 * 1000,
  backBufferLength: 2,
  // one rendition per URL (the sub or the main stream): no bandwidth probing, no level capping
  testBandwidth: false,
  capLevelToPlayerSize: false,
  startFragPrefetch: true,
  // hls.js retries briefly itself; past that the error is fatal and the tile rebuilds with backoff
  manifestLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 4000,
      maxLoadTimeMs: 6000,
      timeoutRetry: { maxNumRetry: 1, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: 1, retryDelayMs: 500, maxRetryDelayMs: 1000 },
    },
  },
  playlistLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 4000,
      maxLoadTimeMs: 6000,
      timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 },
    },
  },
  fragLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 4000,
      maxLoadTimeMs: 8000,
      timeoutRetry: { maxNumRetry: 2, retryDelayMs: 0, maxRetryDelayMs: 0 },
      errorRetry: { maxNumRetry: 3, retryDelayMs: 500, maxRetryDelayMs: 2000 },
    },
  },
};

/** How far behind the live edge to play, and past which lag to jump back to it (seconds). */
export interface LiveTuning {
  targetLatency: number;
  maxLatency: number;
  lowLatency: boolean;
}

/**
 * The latency to aim for, from the playlist: with LL-HLS the server's PART-HOLD-BACK (parts arrive
 * as they are made); with plain HLS a segment appears only once complete and is seen at the next
 * playlist reload, so two target durations and a margin, which is under hls.js's default of three.
 * A player not in low-latency mode reads the segments only, so plain tuning applies to it.
 */
export function liveTuning(details: Pick<LevelDetails, 'targetduration' | 'partHoldBack' | 'partTarget'>, lowLatencyMode = true): LiveTuning {
  const td = details.targetduration > 0 ? details.targetduration : 2;
  if (lowLatencyMode && details.partHoldBack > 0 && details.partTarget > 0) {
    return { targetLatency: details.partHoldBack, maxLatency: details.partHoldBack + 2 * td, lowLatency: true };
  }
  const target = 2 * td + 0.5;
  return { targetLatency: target, maxLatency: target + 2 * td, lowLatency: false };
}
