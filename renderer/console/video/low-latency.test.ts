import { describe, expect, it } from 'vitest';
import { configuredLowLatency, lowLatencyTiles } from './low-latency';

const u = (port: number, cam: string) => `http://127.0.0.1:${port}/hls/${cam}/sub.m3u8`;

describe('low-latency tiles', () => {
  it('plays low-latency while at most two streams share an origin', () => {
    const urls = [u(1, 'a'), u(2, 'b'), u(1, 'c'), undefined, u(3, 'd'), u(3, 'e'), u(3, 'f')];
    expect(lowLatencyTiles(urls, null)).toEqual([true, true, true, false, false, false, false]);
  });

  it('plays the enlarged tile low-latency, alone', () => {
    const urls = [u(1, 'a'), u(1, 'b'), u(1, 'c')];
    expect(lowLatencyTiles(urls, 2)).toEqual([false, false, true]);
  });

  it('can be forced on or off', () => {
    const urls = [u(1, 'a'), u(1, 'b'), u(1, 'c')];
    expect(lowLatencyTiles(urls, null, 'on')).toEqual([true, true, true]);
    expect(lowLatencyTiles(urls, 0, 'off')).toEqual([false, false, false]);
    expect(configuredLowLatency('?ll=off', 'on')).toBe('off');
    expect(configuredLowLatency('', 'on')).toBe('on');
    expect(configuredLowLatency('?ll=maybe', null)).toBe('auto');
  });
});
