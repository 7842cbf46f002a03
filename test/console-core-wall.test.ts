/**
 * What the console core gives the video wall, against a real in-process demo hub: the cameras with
 * absolute stream URLs over the hub's media origins and their online state (with a notice when it
 * changes), the console's saved layouts, snapshots uploaded as evidence and attached by a command,
 * and the new-events notice the alarm linkage listens to. Every request goes through the core's
 * validating entry, as the page's would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../electron/core/console/core';
import { ConsoleNotice, ConsoleResponse, MAX_EVIDENCE_BYTES, WallCameras, WallLayout, type ApiError } from '../shared/schema';
import { mediaOriginFor } from '../shared/video';
import { expectApplied, login, onePixelPng, postCommand, removeDir, reportCmd, startTestHub, tempDir, uid, type TestHub } from './helpers/hub';
import { until as untilDone } from './helpers/wait';

let hub: TestHub;
let core: ConsoleCore;
let dataDir: string;
let op2: string;
const notices: ConsoleNotice[] = [];

const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000) =>
  untilDone(fn, what, timeoutMs, { everyMs: 25 });

let nextId = 1;
async function raw(msg: Record<string, unknown>): Promise<ConsoleResponse> {
  return ConsoleResponse.parse(await core.request({ id: nextId++, ...msg }));
}
async function ask<T>(msg: Record<string, unknown>): Promise<T> {
  const res = await raw(msg);
  if (!res.ok) throw new Error(`${String(msg.type)} failed: ${res.error.error.code} ${res.error.error.message}`);
  return res.result as T;
}
async function refused(msg: Record<string, unknown>): Promise<ApiError['error']> {
  const res = await raw(msg);
  if (res.ok) throw new Error(`${String(msg.type)} was accepted`);
  return res.error.error;
}

beforeAll(async () => {
  hub = await startTestHub();
  dataDir = await tempDir('console-wall');
  core = new ConsoleCore({ hubUrl: hub.url, dataDir, origin: 'console-wall-test' });
  core.onNotice((n) => notices.push(ConsoleNotice.parse(n)));
  op2 = await login(hub.url, 'operator2');
  await ask({ type: 'login', username: 'operator', password: 'operator' });
  await until(() => core.cache.counts().cameras >= 30, 'the cameras in the cache');
});

afterAll(async () => {
  await core?.close();
  await hub?.close();
  if (dataDir) await removeDir(dataDir);
});

describe('the console core for the video wall', () => {
  it('answers the cameras with stream URLs over the hub\'s media origins', async () => {
    const r = WallCameras.parse(await ask({ type: 'cameras' }));
    expect(r.origins).toEqual(hub.hub.mediaOrigins);
    expect(r.origins.length).toBeGreaterThan(1);
    expect(r.cameras).toHaveLength(30);
    for (const c of r.cameras) {
      const origin = mediaOriginFor(c.id, r.origins);
      expect(c.subStream).toBe(`${origin}/hls/${c.id}/sub.m3u8`);
      expect(c.mainStream).toBe(`${origin}/hls/${c.id}/main.m3u8`);
      expect(c.streamProblem).toBeUndefined();
    }
    // the URL plays: the hub answers the playlist from that origin, open to the page's origin
    const cam = r.cameras[0]!;
    await hub.hub.video.prepare([cam.id], ['sub']);
    const pl = await fetch(cam.subStream!);
    expect(pl.status).toBe(200);
    expect(pl.headers.get('access-control-allow-origin')).toBe('*');
    expect(await pl.text()).toContain('#EXT-X-PROGRAM-DATE-TIME');
  });

  it('tells the page when a camera goes offline and comes back', async () => {
    const from = notices.length;
    await hub.hub.video.cut('cam-002');
    await until(() => notices.slice(from).some((n) => n.type === 'cameras'), 'a cameras notice after the cut');
    let cams = WallCameras.parse(await ask({ type: 'cameras' })).cameras;
    expect(cams.find((c) => c.id === 'cam-002')!.online).toBe(false);
    expect(cams.filter((c) => !c.online).map((c) => c.id)).toEqual(['cam-002']);
    const mid = notices.length;
    await hub.hub.video.restore('cam-002');
    await until(() => notices.slice(mid).some((n) => n.type === 'cameras'), 'a cameras notice after the restore');
    cams = WallCameras.parse(await ask({ type: 'cameras' })).cameras;
    expect(cams.every((c) => c.online)).toBe(true);
  });

  it('keeps named layouts, validated on the way in', async () => {
    const saved = WallLayout.parse(await ask({ type: 'saveWallLayout', layout: { name: '夜班九分屏', size: 9, tiles: ['cam-001', null, null, null, 'cam-005', null, null, null, 'cam-009'], tour: { intervalS: 30, cameraIds: [] } } }));
    expect(saved.updatedAt).toBeGreaterThan(0);
    await ask({ type: 'saveWallLayout', layout: { name: '单画面', size: 1, tiles: ['cam-010'] } });
    const list = await ask<{ layouts: WallLayout[] }>({ type: 'wallLayouts' });
    expect(list.layouts.map((l) => l.name).sort()).toEqual(['单画面', '夜班九分屏'].sort());

    const wrongCount = await refused({ type: 'saveWallLayout', layout: { name: 'x', size: 4, tiles: ['cam-001'] } });
    expect(wrongCount).toMatchObject({ code: 'invalid', field: 'layout.tiles' });
    const wrongSize = await refused({ type: 'saveWallLayout', layout: { name: 'x', size: 12, tiles: [] } });
    expect(wrongSize).toMatchObject({ code: 'invalid', field: 'layout.size' });
    const shortTour = await refused({ type: 'saveWallLayout', layout: { name: 'x', size: 1, tiles: [null], tour: { intervalS: 1, cameraIds: [] } } });
    expect(shortTour).toMatchObject({ code: 'invalid', field: 'layout.tour.intervalS' });

    expect(await ask({ type: 'deleteWallLayout', name: '单画面' })).toEqual({ deleted: true });
    expect(await ask({ type: 'deleteWallLayout', name: '单画面' })).toEqual({ deleted: false });
    // the layouts are the console's own: they outlive a restart of the core
    await core.close();
    core = new ConsoleCore({ hubUrl: hub.url, dataDir, origin: 'console-wall-test' });
    core.onNotice((n) => notices.push(ConsoleNotice.parse(n)));
    expect((await ask<{ layouts: WallLayout[] }>({ type: 'wallLayouts' })).layouts.map((l) => l.name)).toEqual(['夜班九分屏']);
    await ask({ type: 'login', username: 'operator', password: 'operator' });
  });

  it('uploads a snapshot as evidence and attaches it to an event with a note', async () => {
    const eventId = uid('wall-ev');
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId })));
    await until(() => core.cache.event(eventId), 'the event in the cache');
    const png = onePixelPng([10, 20, 30, 255]);
    const up = await ask<{ hash: string; mime: string; size: number }>({ type: 'uploadEvidence', mime: 'image/png', data: png.toString('base64') });
    expect(up).toMatchObject({ mime: 'image/png', size: png.length });
    expect(up.hash).toMatch(/^[0-9a-f]{64}$/);
    await ask({ type: 'command', command: { type: 'note', commandId: uid('note'), eventId, note: '视频抓图 Snapshot: cam-001', attachments: [up.hash] } });
    const entry = await until(() => core.cache.timeline(eventId).find((e) => e.kind === 'note'), 'the note from the hub');
    expect(entry.attachments).toEqual([up.hash]);
    // the hub has the bytes
    const got = await fetch(`${hub.url}/api/attachments/${up.hash}`, { headers: { authorization: `Bearer ${op2}` } });
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
  });

  it('refuses evidence that is too large, not base64, not an image type, or not what it claims', async () => {
    const big = Buffer.alloc(MAX_EVIDENCE_BYTES + 3, 1).toString('base64');
    expect(await refused({ type: 'uploadEvidence', mime: 'image/jpeg', data: big })).toMatchObject({ code: 'invalid', field: 'data' });
    expect(await refused({ type: 'uploadEvidence', mime: 'image/jpeg', data: 'not base64!' })).toMatchObject({ code: 'invalid', field: 'data' });
    expect(await refused({ type: 'uploadEvidence', mime: 'text/html', data: 'PGgxPg==' })).toMatchObject({ code: 'invalid', field: 'mime' });
    // the hub sniffs the bytes: text sent as a JPEG is refused with the hub's reason
    const lie = await refused({ type: 'uploadEvidence', mime: 'image/jpeg', data: Buffer.from('just some text, not a picture').toString('base64') });
    expect(lie.code).toBe('unsupported_media');
    expect(lie.message).toMatch(/photos, voice notes and video clips/);
  });

  it('tells the page about events that just happened, not about old ones caught up on', async () => {
    const from = notices.length;
    const fresh = uid('fresh');
    const old = uid('old');
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId: old, categoryId: 'fire_safety', reportedAt: Date.now() - 3_600_000 })));
    await expectApplied(postCommand(hub.url, op2, reportCmd({ eventId: fresh, categoryId: 'fire_safety' })));
    const n = await until(
      () => notices.slice(from).find((x): x is Extract<ConsoleNotice, { type: 'newEvents' }> => x.type === 'newEvents' && x.events.some((e) => e.id === fresh)),
      'a newEvents notice with the fresh event',
    );
    expect(n.events.find((e) => e.id === fresh)).toMatchObject({ categoryId: 'fire_safety', tier: 'special', source: 'phone' });
    await until(() => core.cache.event(old), 'the old event in the cache');
    expect(notices.slice(from).some((x) => x.type === 'newEvents' && x.events.some((e) => e.id === old))).toBe(false);
  });
});
