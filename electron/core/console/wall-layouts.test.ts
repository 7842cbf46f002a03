import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_WALL_LAYOUTS } from '../../../shared/schema';
import { ConsoleCache } from './cache';
import { resolveStreamUrl, wallCameras } from './video-sources';
import { WallLayouts } from './wall-layouts';

describe('wall layouts in the console cache', () => {
  let cache: ConsoleCache;
  let layouts: WallLayouts;
  let now = 1000;
  beforeEach(() => {
    cache = new ConsoleCache({ file: ':memory:', synchronous: 'NORMAL' });
    layouts = new WallLayouts(cache.db, () => now);
  });
  afterEach(() => cache.close());

  it('saves, replaces by name, lists in name order and deletes', () => {
    layouts.save({ name: '夜班', size: 4, tiles: ['cam-001', null, null, 'cam-002'] });
    const a = layouts.save({ name: '早班', size: 1, tiles: ['cam-003'], tour: { intervalS: 15, cameraIds: [] } });
    expect(a.updatedAt).toBe(1000);
    now = 2000;
    layouts.save({ name: '夜班', size: 9, tiles: Array(9).fill(null) });
    const list = layouts.list();
    // by name in code-point order (夜 U+591C before 早 U+65E9)
    expect(list.map((l) => [l.name, l.size, l.updatedAt])).toEqual([
      ['夜班', 9, 2000],
      ['早班', 1, 1000],
    ]);
    expect(layouts.delete('夜班')).toBe(true);
    expect(layouts.delete('夜班')).toBe(false);
    expect(layouts.list().map((l) => l.name)).toEqual(['早班']);
  });

  it('refuses a layout that breaks the schema, and more than the limit', () => {
    expect(() => layouts.save({ name: 'x', size: 4, tiles: ['a'] })).toThrow(/one entry per tile/);
    for (let i = 0; i < MAX_WALL_LAYOUTS; i++) layouts.save({ name: `l${i}`, size: 1, tiles: [null] });
    expect(() => layouts.save({ name: 'one more', size: 1, tiles: [null] })).toThrow(/delete one/);
    // replacing one that exists is still fine
    expect(layouts.save({ name: 'l0', size: 4, tiles: [null, null, null, null] }).size).toBe(4);
  });

  it('skips a stored row that no longer fits the schema instead of showing it broken', () => {
    layouts.save({ name: 'good', size: 1, tiles: [null] });
    cache.db.prepare('INSERT INTO wall_layouts (name, data, updated_at) VALUES (?, ?, ?)').run('bad', '{"name":"bad","size":7}', 1);
    expect(layouts.list().map((l) => l.name)).toEqual(['good']);
  });

  it('survives a reset of the hub data (layouts belong to the console)', () => {
    layouts.save({ name: 'keep', size: 1, tiles: ['cam-001'] });
    cache.resetHubData();
    expect(layouts.list().map((l) => l.name)).toEqual(['keep']);
  });
});

describe('camera stream URLs', () => {
  const origins = ['http://127.0.0.1:4300', 'http://127.0.0.1:4301', 'http://127.0.0.1:4302'];

  it('resolves a path against the origin and keeps an absolute http(s) URL', () => {
    expect(resolveStreamUrl('/hls/cam-001/sub.m3u8', origins[1]!)).toEqual({ url: 'http://127.0.0.1:4301/hls/cam-001/sub.m3u8' });
    expect(resolveStreamUrl('https://gw.example/live/9.m3u8', origins[0]!)).toEqual({ url: 'https://gw.example/live/9.m3u8' });
  });

  it('refuses other schemes, protocol-relative URLs and garbage, saying why', () => {
    expect(resolveStreamUrl('rtsp://10.0.0.9/stream', origins[0]!)).toEqual({ problem: expect.stringContaining('rtsp:') });
    expect(resolveStreamUrl('javascript:alert(1)', origins[0]!)).toEqual({ problem: expect.stringContaining('javascript:') });
    expect(resolveStreamUrl('', origins[0]!)).toEqual({ problem: expect.stringContaining('no stream URL') });
    expect('problem' in resolveStreamUrl('//evil.example/x.m3u8', origins[0]!)).toBe(true);
  });

  it('spreads the demo cameras over the media origins the way shared/video.ts does', () => {
    const cams = ['cam-001', 'cam-002', 'cam-003', 'cam-004'].map((id) => ({
      id,
      name: id,
      position: { lng: 121, lat: 32 },
      mainUrl: `/hls/${id}/main.m3u8`,
      subUrl: `/hls/${id}/sub.m3u8`,
      online: true,
    }));
    const out = wallCameras(cams, origins);
    expect(out.map((c) => new URL(c.subStream!).origin)).toEqual([origins[1], origins[2], origins[0], origins[1]]);
    expect(out[0]!.mainStream).toBe('http://127.0.0.1:4301/hls/cam-001/main.m3u8');
    const broken = wallCameras([{ ...cams[0]!, subUrl: 'rtsp://x/y' }], origins)[0]!;
    expect(broken.subStream).toBeUndefined();
    expect(broken.mainStream).toBeDefined();
    expect(broken.streamProblem).toMatch(/^sub: /);
  });
});
