/**
 * The demo cameras' live HLS over real HTTP on loopback, with real ffmpeg: the playlist advances
 * in real time, segments and parts are H.264 in MPEG-TS, blocking reloads block, CORS is open on
 * /hls only, the media origins answer, a cut stalls then fails and a restore resumes at the live
 * edge, and the registry's online flag follows through the change feed.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../shared/schema';
import { detectFfmpeg } from '../server/video/segments';
import { allChanges, headOf, LiveClient, login, PLACES, request, sleep, startTestHub, tempDir, removeDir, type TestHub } from './helpers/hub';

const run = promisify(execFile);
const ffmpeg = await detectFfmpeg(process.env.GCC_FFMPEG || 'ffmpeg');
if (!ffmpeg.ok) console.warn(`hub-video: the stream tests are skipped: ${ffmpeg.reason}`);

/** What the tests read from a media playlist. */
function parse(text: string) {
  const segs: { msn: number; pdt: number; disc: boolean; duration: number; uri: string }[] = [];
  let msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1]);
  let pdt = NaN;
  let disc = false;
  let duration = NaN;
  for (const line of text.split('\n')) {
    if (line === '#EXT-X-DISCONTINUITY') disc = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#')) {
      segs.push({ msn: msn++, pdt, disc, duration, uri: line });
      disc = false;
    }
  }
  return {
    segs,
    last: segs[segs.length - 1]!,
    discontinuitySequence: Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(text)?.[1]),
    parts: [...text.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="([^"]+)"/g)].map((m) => ({ duration: Number(m[1]), uri: m[2]! })),
    hint: /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(text)?.[1],
  };
}

const playlist = async (base: string, cam = 'cam-001', variant = 'sub', query = '') => {
  const r = await request(base, 'GET', `/hls/${cam}/${variant}.m3u8${query}`);
  return { ...r, p: r.status === 200 ? parse(r.text) : undefined };
};

/** ffprobe's view of MPEG-TS bytes: container, codec, size, duration, and whether the first frame is a key frame. */
async function probe(bytes: Buffer) {
  const dir = await tempDir('probe');
  try {
    const file = join(dir, 'x.ts');
    await writeFile(file, bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name,profile,width,height', '-of', 'json', file]);
    const info = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: { codec_name: string; profile: string; width: number; height: number }[] };
    const frames = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-read_intervals', '%+#1', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', file]);
    // the first frame of a loop carries side data, so ffprobe prints "1," for it: only the first field counts
    return { format: info.format.format_name, duration: Number(info.format.duration), streams: info.streams, firstKey: frames.stdout.trim().split('\n')[0]!.split(',')[0] === '1' };
  } finally {
    await removeDir(dir);
  }
}

/** GET with a Host header of our choosing (fetch will not send one). */
function getWithHost(url: string, host: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, authorization: `Bearer ${token}` } }, (res) => {
      let data = '';
      res.on('data', (d) => (data += String(d)));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!ffmpeg.ok)('demo camera HLS', () => {
  let t: TestHub;
  let op: string;
  beforeAll(async () => {
    t = await startTestHub();
    op = await login(t.url, 'operator');
    // made once per machine (the cache outlives the run); from the cache this takes milliseconds
    const started = Date.now();
    await t.hub.video.prepare(['cam-001', 'cam-002'], ['sub']);
    await t.hub.video.prepare(['cam-001'], ['main']);
    console.log(`hub-video: loops ready in ${Date.now() - started} ms`);
  }, 120_000);
  afterAll(() => t?.close());

  it('serves a sliding-window playlist that advances with the wall clock', async () => {
    const a = await playlist(t.url);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(a.headers.get('cache-control')).toBe('no-cache');
    expect(a.text).toMatch(/^#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n/);
    expect(a.text).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    expect(a.text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,HOLD-BACK=3.000');
    const p = a.p!;
    expect(p.segs).toHaveLength(6);
    // the last complete segment ended within the last second; PDTs step by the segments' durations
    const end = p.last.pdt + p.last.duration * 1000;
    expect(Date.now() - end).toBeGreaterThanOrEqual(-50);
    expect(Date.now() - end).toBeLessThan(1500);
    for (let i = 1; i < p.segs.length; i++) if (!p.segs[i]!.disc) expect(p.segs[i]!.pdt - p.segs[i - 1]!.pdt).toBe(1000);
    expect(p.segs.every((s) => s.uri === `sub/${s.msn}.ts`)).toBe(true);
    expect(p.parts.length).toBeGreaterThan(0);
    expect(p.hint).toMatch(/^sub\/\d+\.[01]\.ts$/);

    await sleep(2100);
    const b = (await playlist(t.url)).p!;
    expect(b.last.msn - p.last.msn).toBeGreaterThanOrEqual(2);
    expect(b.last.msn - p.last.msn).toBeLessThanOrEqual(3);
    // a segment in both playlists kept its time
    const again = b.segs.find((s) => s.msn === p.last.msn)!;
    expect(again.pdt).toBe(p.last.pdt);
  });

  it('answers CORS with * on /hls only', async () => {
    const origin = { headers: { origin: 'http://127.0.0.1:5999' } };
    expect((await request(t.url, 'GET', '/hls/cam-001/sub.m3u8', origin)).headers.get('access-control-allow-origin')).toBe('*');
    expect((await request(t.url, 'GET', '/hls/cam-999/sub.m3u8', origin)).headers.get('access-control-allow-origin')).toBe('*');
    expect((await request(t.url, 'GET', '/hls/nowhere', origin)).headers.get('access-control-allow-origin')).toBe('*');
    const api = await request(t.url, 'GET', '/api/health', origin);
    expect(api.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('blocks a playlist reload until the asked part or segment is out', async () => {
    const p = (await playlist(t.url)).p!;
    const next = p.last.msn + 1;
    let at = Date.now();
    const seg = await playlist(t.url, 'cam-001', 'sub', `?_HLS_msn=${next}`);
    expect(seg.status).toBe(200);
    expect(seg.p!.last.msn).toBe(next);
    expect(Date.now() - at).toBeLessThan(1800);
    at = Date.now();
    const part = await playlist(t.url, 'cam-001', 'sub', `?_HLS_msn=${next + 1}&_HLS_part=0`);
    expect(part.text).toContain(`URI="sub/${next + 1}.0.ts"`);
    expect(Date.now() - at).toBeLessThan(1300);
    // too far ahead, malformed, or a part without its segment
    const far = await playlist(t.url, 'cam-001', 'sub', `?_HLS_msn=${next + 10}`);
    expect([far.status, far.body.error.code, far.body.error.field]).toEqual([400, 'invalid', '_HLS_msn']);
    expect((await playlist(t.url, 'cam-001', 'sub', '?_HLS_msn=x')).status).toBe(400);
    expect((await playlist(t.url, 'cam-001', 'sub', '?_HLS_part=1')).body.error.field).toBe('_HLS_part');
  });

  it('serves segments and parts as H.264 in MPEG-TS, each part starting on a key frame', async () => {
    const p = (await playlist(t.url)).p!;
    const seg = await fetch(`${t.url}/hls/cam-001/${p.last.uri}`);
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(seg.headers.get('access-control-allow-origin')).toBe('*');
    const s = await probe(Buffer.from(await seg.arrayBuffer()));
    expect(s.format).toBe('mpegts');
    expect(s.streams).toEqual([{ codec_name: 'h264', profile: 'Main', width: 640, height: 360 }]);
    expect(s.duration).toBeCloseTo(1, 1);
    expect(s.firstKey).toBe(true);

    const part = p.parts[p.parts.length - 1]!;
    const pp = await probe(Buffer.from(await (await fetch(`${t.url}/hls/cam-001/${part.uri}`)).arrayBuffer()));
    expect([pp.streams[0]!.codec_name, pp.firstKey]).toEqual(['h264', true]);
    expect(pp.duration).toBeCloseTo(0.5, 1);

    // the hinted part is not out yet: the request waits for it instead of failing
    const hint = (await playlist(t.url)).p!.hint!;
    const at = Date.now();
    const early = await fetch(`${t.url}/hls/cam-001/${hint}`);
    expect(early.status).toBe(200);
    expect(Date.now() - at).toBeLessThan(1200);
    expect((await early.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    const main = (await playlist(t.url, 'cam-001', 'main')).p!;
    const m = await probe(Buffer.from(await (await fetch(`${t.url}/hls/cam-001/${main.last.uri}`)).arrayBuffer()));
    expect(m.streams).toEqual([{ codec_name: 'h264', profile: 'Main', width: 1280, height: 720 }]);
  });

  it('keeps its bitrates: sub about 400 kbit/s, main about 1.5 Mbit/s', async () => {
    const sizes = async (variant: string) => {
      const p = (await playlist(t.url, 'cam-001', variant)).p!;
      const bytes = await Promise.all(p.segs.map(async (s) => (await (await fetch(`${t.url}/hls/cam-001/${s.uri}`)).arrayBuffer()).byteLength));
      return (bytes.reduce((a, b) => a + b, 0) * 8) / (p.segs.length * 1000);
    };
    const sub = await sizes('sub');
    const main = await sizes('main');
    // MPEG-TS adds about a fifth on top of the video bitrate
    expect(sub).toBeGreaterThan(200);
    expect(sub).toBeLessThan(600);
    expect(main).toBeGreaterThan(900);
    expect(main).toBeLessThan(2200);
  });

  it('lists its media origins for signed-in consoles, each serving /hls only', async () => {
    expect((await request(t.url, 'GET', '/api/video/origins')).status).toBe(401);
    const r = await request(t.url, 'GET', '/api/video/origins', { token: op });
    expect(r.status).toBe(200);
    expect(r.body.origins).toEqual(t.hub.mediaOrigins);
    expect(r.body.origins).toHaveLength(5);
    expect(r.body.origins[0]).toBe(t.url);
    expect(new Set(r.body.origins).size).toBe(5);
    for (const o of r.body.origins as string[]) {
      const p = await request(o, 'GET', '/hls/cam-002/sub.m3u8');
      expect([o, p.status, p.headers.get('access-control-allow-origin')]).toEqual([o, 200, '*']);
    }
    const media = r.body.origins[1] as string;
    const api = await request(media, 'GET', '/api/video/origins', { token: op });
    expect([api.status, api.body.error.code]).toEqual([404, 'not_found']);
    // origins carry the host name the console reached the hub by (a wall PC on the LAN)
    const viaName = await getWithHost(`${t.url}/api/video/origins`, `localhost:${t.hub.port}`, op);
    expect(viaName.body.origins[0]).toBe(`http://localhost:${t.hub.port}`);
  });

  it('refuses what it does not serve: unknown camera, bad variant, bad names, a gateway camera', async () => {
    let r = await playlist(t.url, 'cam-999');
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([404, 'not_found', 'cameraId']);
    r = await playlist(t.url, 'cam-001', 'hd');
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([400, 'invalid', 'variant']);
    const bad = await request(t.url, 'GET', '/hls/cam-001/sub/abc.ts');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid']);
    const gone = await request(t.url, 'GET', '/hls/cam-001/sub/5.ts');
    expect([gone.status, gone.body.error.code]).toEqual([404, 'not_found']);
    const gateway: Camera = { id: 'cam-gw-1', name: '外部平台摄像头', position: PLACES.jinsha, mainUrl: 'https://vms.example/cam-gw-1/main.m3u8', subUrl: 'https://vms.example/cam-gw-1/sub.m3u8', online: true };
    await t.hub.store.upsertReference([{ kind: 'camera', data: gateway }]);
    r = await playlist(t.url, 'cam-gw-1');
    expect([r.status, r.body.error.code]).toEqual([404, 'not_found']);
    expect(r.body.error.message).toContain('video gateway');
    const cut = await request(t.url, 'POST', '/api/video/cameras/cam-gw-1/cut', { token: op });
    expect([cut.status, cut.body.error.code]).toEqual([400, 'invalid']);
  });

  it('cuts a stream: the playlist freezes, then fails; the registry says offline; a restore resumes at the live edge', async () => {
    const live = await LiveClient.open(t.url, op, await headOf(t.url, op));
    try {
      const leader = await request(t.url, 'POST', '/api/video/cameras/cam-002/cut', { token: 'dev_demo_leader-0-0-0' });
      expect([leader.status, leader.body.error.code]).toEqual([403, 'forbidden']);

      const before = (await playlist(t.url, 'cam-002')).p!;
      const cut = await request(t.url, 'POST', '/api/video/cameras/cam-002/cut', { token: op });
      expect(cut.status).toBe(200);
      expect(cut.body.camera).toMatchObject({ id: 'cam-002', online: false });
      expect(t.hub.video.isCut('cam-002')).toBe(true);
      await live.waitFor(() => live.changes.some((c) => c.kind === 'camera' && c.data.id === 'cam-002' && !c.data.online), 'camera offline');

      // frozen: served, not advancing, no preload hint
      const frozen = (await playlist(t.url, 'cam-002')).p!;
      await sleep(1300);
      const still = await playlist(t.url, 'cam-002');
      expect(still.status).toBe(200);
      expect(still.p!.last.msn).toBe(frozen.last.msn);
      expect(still.p!.hint).toBeUndefined();
      expect(frozen.last.msn).toBeGreaterThanOrEqual(before.last.msn);
      // then failing, segments too
      await sleep(2000);
      const failing = await playlist(t.url, 'cam-002');
      expect([failing.status, failing.body.error.code]).toEqual([503, 'unavailable']);
      expect(failing.body.error.message).toMatch(/cut at the hub/);
      expect(failing.headers.get('access-control-allow-origin')).toBe('*');
      expect((await request(t.url, 'GET', `/hls/cam-002/${frozen.last.uri}`)).status).toBe(503);
      // other cameras play on
      expect((await playlist(t.url, 'cam-001')).status).toBe(200);

      const restored = await t.hub.video.restore('cam-002');
      expect(restored.online).toBe(true);
      await live.waitFor(() => live.changes.some((c) => c.kind === 'camera' && c.data.id === 'cam-002' && c.data.online), 'camera online');
      // the next segment after the restore follows the frozen one's number, behind a discontinuity, at the wall clock
      const resumed = await playlist(t.url, 'cam-002', 'sub', `?_HLS_msn=${frozen.last.msn + 1}`);
      expect(resumed.status).toBe(200);
      const first = resumed.p!.segs.find((s) => s.msn === frozen.last.msn + 1)!;
      expect(first.disc).toBe(true);
      expect(first.pdt - (frozen.last.pdt + frozen.last.duration * 1000)).toBeGreaterThan(3000);
      expect(Date.now() - first.pdt).toBeLessThan(2500);
      expect(resumed.p!.discontinuitySequence).toBeGreaterThanOrEqual(frozen.discontinuitySequence);
      const seg = await request(t.url, 'GET', `/hls/cam-002/${first.uri}`);
      expect(seg.status).toBe(200);
    } finally {
      await live.close();
    }
  });
});

describe('demo cameras without ffmpeg', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ video: { ffmpegPath: '/nonexistent/ffmpeg' } });
  });
  afterAll(() => t?.close());

  it('answers 503 naming ffmpeg, and the registry lists the cameras offline', async () => {
    const r = await playlist(t.url, 'cam-001');
    expect([r.status, r.body.error.code]).toEqual([503, 'unavailable']);
    expect(r.body.error.message).toContain('ffmpeg is not installed');
    const cams = await t.hub.store.listCameras();
    expect(cams.length).toBeGreaterThan(0);
    expect(cams.every((c) => !c.online)).toBe(true);
    const op = await login(t.url, 'operator');
    const feed = await allChanges(t.url, op);
    const last = new Map(feed.changes.filter((c) => c.kind === 'camera').map((c) => [c.id, c.kind === 'camera' && c.data.online]));
    expect([...last.values()].every((online) => online === false)).toBe(true);
    // a restore cannot bring it online without ffmpeg
    expect((await t.hub.video.restore('cam-001')).online).toBe(false);
  });
});
