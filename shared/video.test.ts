import { describe, expect, it } from 'vitest';
import { cameraStreamUrl, hlsPlaylistPath, isHubStreamUrl, mediaOriginFor, resolveStreamUrl, VideoOrigins } from './video';

const ORIGINS = ['http://127.0.0.1:4300', 'http://127.0.0.1:4301', 'http://127.0.0.1:4302', 'http://127.0.0.1:4303', 'http://127.0.0.1:4304'];

describe('media origins', () => {
  it('spreads numbered cameras evenly: any 16 consecutive land at most 4 on one of 5 origins', () => {
    for (let start = 1; start <= 20; start++) {
      const load = new Map<string, number>();
      for (let i = start; i < start + 16; i++) {
        const o = mediaOriginFor(`cam-${String(i).padStart(3, '0')}`, ORIGINS);
        load.set(o, (load.get(o) ?? 0) + 1);
      }
      expect(Math.max(...load.values())).toBeLessThanOrEqual(4);
    }
  });

  it('is stable for a camera, hashes ids without a number, and needs an origin', () => {
    expect(mediaOriginFor('cam-007', ORIGINS)).toBe(ORIGINS[2]);
    expect(mediaOriginFor('gate-east', ORIGINS)).toBe(mediaOriginFor('gate-east', ORIGINS));
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => mediaOriginFor(`gate-${id}`, ORIGINS))).size).toBeGreaterThan(1);
    expect(mediaOriginFor('cam-007', ['http://h:1'])).toBe('http://h:1');
    expect(() => mediaOriginFor('cam-007', [])).toThrow(/at least one origin/);
  });

  it('resolves hub streams against the camera origin and leaves a gateway URL alone', () => {
    expect(hlsPlaylistPath('cam-001', 'sub')).toBe('/hls/cam-001/sub.m3u8');
    expect(isHubStreamUrl('/hls/cam-001/sub.m3u8')).toBe(true);
    expect(isHubStreamUrl('https://vms.example/a.m3u8')).toBe(false);
    expect(resolveStreamUrl('/hls/cam-001/sub.m3u8', 'cam-001', ORIGINS)).toBe('http://127.0.0.1:4301/hls/cam-001/sub.m3u8');
    expect(resolveStreamUrl('https://vms.example/a.m3u8', 'cam-001', ORIGINS)).toBe('https://vms.example/a.m3u8');
    const cam = { id: 'cam-010', mainUrl: '/hls/cam-010/main.m3u8', subUrl: '/hls/cam-010/sub.m3u8' };
    expect(cameraStreamUrl(cam, 'main', ORIGINS)).toBe('http://127.0.0.1:4300/hls/cam-010/main.m3u8');
    expect(VideoOrigins.safeParse({ origins: ORIGINS }).success).toBe(true);
    expect(VideoOrigins.safeParse({ origins: [] }).success).toBe(false);
  });
});
