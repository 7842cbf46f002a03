import { describe, expect, it } from 'vitest';
import { liveTuning } from './hls-config';
import { BACKOFF_CAP_MS, backoffMs, MediaRecovery, StallWatch } from './recovery';

describe('tile recovery', () => {
  it('backs off 1 s, 2 s, 4 s, then holds at the cap, with jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 9].map((n) => backoffMs(n, mid))).toEqual([1000, 2000, 4000, BACKOFF_CAP_MS, BACKOFF_CAP_MS]);
    expect(backoffMs(1, () => 0)).toBe(800);
    expect(backoffMs(1, () => 1)).toBe(1200);
  });

  it('escalates media errors: recover, then swap the audio codec once, then rebuild', () => {
    const m = new MediaRecovery();
    expect(m.next(0)).toBe('recover');
    expect(m.next(1000)).toBe('swapAndRecover');
    expect(m.next(2000)).toBe('rebuild');
    // far apart, each one is a first
    expect(m.next(60_000)).toBe('recover');
    // the codec is swapped once only
    expect(m.next(61_000)).toBe('rebuild');
  });

  it('calls a tile playing while frames advance, stalled when they stop, and asks for a rebuild after a while', () => {
    const w = new StallWatch(0, { stallMs: 2500, rebuildMs: 6000, startMs: 12_000 });
    expect(w.sample(0, 0)).toBe('waiting');
    expect(w.sample(20, 1000)).toBe('playing');
    expect(w.sample(40, 2000)).toBe('playing');
    expect(w.sample(40, 3000)).toBe('playing');
    expect(w.sample(40, 4600)).toBe('stalled');
    expect(w.sample(40, 10_000)).toBe('stalled');
    expect(w.sample(40, 10_600)).toBe('rebuild');
    expect(w.sample(60, 11_000)).toBe('playing');
  });

  it('does not rebuild a tile whose decoder is starved while media waits in its buffer', () => {
    const w = new StallWatch(0, { stallMs: 2500, rebuildMs: 6000, starvedMs: 30_000 });
    w.sample(0, 0, 0);
    expect(w.sample(20, 1000, 2)).toBe('playing');
    expect(w.sample(20, 4000, 3)).toBe('stalled');
    expect(w.sample(20, 12_000, 3)).toBe('stalled');
    // the same stop with nothing buffered is the stream's: rebuild
    expect(w.sample(20, 12_000, 0)).toBe('rebuild');
    // starved for too long: rebuild anyway
    expect(w.sample(20, 31_001, 3)).toBe('rebuild');
  });

  it('asks for a rebuild when no first frame comes', () => {
    const w = new StallWatch(0, { startMs: 12_000 });
    expect(w.sample(0, 11_000)).toBe('waiting');
    expect(w.sample(0, 12_000)).toBe('rebuild');
  });

  it('after a rebuild, a short replay of buffered frames does not count as playing', () => {
    const w = new StallWatch(0, { confirmMs: 2500, stallMs: 2500, startMs: 12_000 });
    expect(w.sample(0, 0)).toBe('waiting');
    expect(w.sample(15, 1000)).toBe('waiting');
    expect(w.sample(30, 2000)).toBe('waiting');
    // the source is frozen: the replay ends
    expect(w.sample(30, 3000)).toBe('waiting');
    expect(w.sample(30, 5000)).toBe('waiting');
    expect(w.played).toBe(false);
    // the stream is back: frames keep coming for the confirm time
    expect(w.sample(40, 6000)).toBe('waiting');
    expect(w.sample(60, 7000)).toBe('waiting');
    expect(w.sample(80, 8000)).toBe('waiting');
    expect(w.sample(100, 9000)).toBe('playing');
    expect(w.played).toBe(true);
  });

  it('aims at the server\'s PART-HOLD-BACK with LL-HLS, and at two segments and a margin with plain HLS', () => {
    expect(liveTuning({ targetduration: 1, partHoldBack: 1.5, partTarget: 0.5 })).toEqual({ targetLatency: 1.5, maxLatency: 3.5, lowLatency: true });
    expect(liveTuning({ targetduration: 2, partHoldBack: 0, partTarget: 0 })).toEqual({ targetLatency: 4.5, maxLatency: 8.5, lowLatency: false });
    // a player not in low-latency mode reads whole segments of an LL stream
    expect(liveTuning({ targetduration: 1, partHoldBack: 1.5, partTarget: 0.5 }, false)).toEqual({ targetLatency: 2.5, maxLatency: 4.5, lowLatency: false });
  });
});
