import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Camera } from '../shared/schema';
import { login, onePixelPng, PLACES, request, startTestHub, type TestHub } from './helpers/hub';

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

const TOKEN = 'camera_demo';
/** A camera of the test's own, so the test does not depend on the demo district's cameras. */
const CAMERA: Camera = {
  id: 'cam-test-gate',
  name: '育才路口',
  position: PLACES.jinsha,
  mainUrl: 'rtsp://127.0.0.1/cam-test-gate/main',
  subUrl: 'rtsp://127.0.0.1/cam-test-gate/sub',
  online: true,
};

async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  await h.hub.store.upsertReference([{ kind: 'camera', data: CAMERA }]);
  return h;
}

let n = 0;
const alarm = (over: Record<string, unknown> = {}) => ({
  alarmId: `ALM-${Date.now()}-${n++}`,
  cameraId: CAMERA.id,
  type: 'fire_smoke',
  at: Date.now() - 5_000,
  snapshot: onePixelPng().toString('base64'),
  ...over,
});
/** `token: null` sends no Authorization header */
const post = (base: string, body: unknown, token: string | null = TOKEN) =>
  request(base, 'POST', '/api/intake/camera-alarm', { token: token ?? undefined, json: body });

describe('camera alarms', () => {
  it('files an alarm as a camera event at the camera, with its snapshot as evidence', async () => {
    const t = await hub();
    const a = alarm();
    const r = await post(t.url, a);
    expect(r.status, r.text).toBe(200);
    const hash = createHash('sha256').update(onePixelPng()).digest('hex');
    expect(r.body).toEqual({ eventId: `camera-${a.alarmId}`, status: 'applied', snapshot: hash });
    const event = await t.hub.store.getEvent(r.body.eventId);
    expect(event).toMatchObject({
      source: 'camera',
      categoryId: 'fire_safety',
      tier: 'special',
      state: 'reported',
      position: CAMERA.position,
      reportedAt: a.at,
      attachments: [hash],
    });
    expect(event!.description).toContain('烟火');
    expect(event!.address).toContain(CAMERA.id);
    // the desk can open the snapshot
    const op = await login(t.url, 'operator');
    const img = await request(t.url, 'GET', `/api/attachments/${hash}`, { token: op });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
  });

  it('maps alarm types to categories and takes an alarm without a snapshot', async () => {
    const t = await hub();
    const cases = [
      ['straw_burning', 'straw_burning'],
      ['garbage', 'sanitation'],
      ['illegal_construction', 'illegal_construction'],
      ['crowd', 'public_order'],
    ] as const;
    for (const [type, categoryId] of cases) {
      const { snapshot: _, ...bare } = alarm({ type, description: `平台说明 ${type}` });
      const r = await post(t.url, bare);
      expect(r.status, r.text).toBe(200);
      expect(r.body.snapshot).toBeUndefined();
      expect(await t.hub.store.getEvent(r.body.eventId)).toMatchObject({ categoryId, attachments: [], description: `平台说明 ${type}` });
    }
  });

  it('answers a repeated alarm as before and refuses its id reused for another alarm, storing nothing', async () => {
    const t = await hub();
    const a = alarm();
    const first = await post(t.url, a);
    expect(first.status).toBe(200);
    const rows = await t.hub.store.countRows();
    const again = await post(t.url, a);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await t.hub.store.countRows()).toEqual(rows);

    for (const other of [{ type: 'crowd' }, { at: a.at + 1 }, { snapshot: onePixelPng([0, 0, 255, 255]).toString('base64') }]) {
      const r = await post(t.url, { ...a, ...other });
      expect(r.status, JSON.stringify(other)).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'already_exists', field: 'alarmId' });
    }
    expect(await t.hub.store.countRows()).toEqual(rows);
  });

  it('refuses an unknown camera, a bad type, a snapshot that is not an image, and one over the limit', async () => {
    const t = await hub({ maxAttachmentBytes: 4096 });
    const before = await t.hub.store.countRows();
    const unknown = await post(t.url, alarm({ cameraId: 'cam-nowhere' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_reference', field: 'cameraId' });
    expect(unknown.body.error.message).toContain('cam-nowhere');

    const badType = await post(t.url, alarm({ type: 'ufo' }));
    expect(badType.status).toBe(400);
    expect(badType.body.error.field).toBe('type');

    const text = await post(t.url, alarm({ snapshot: Buffer.from('just some text, not a picture').toString('base64') }));
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({ code: 'unsupported_media', field: 'snapshot' });

    const big = await post(t.url, alarm({ snapshot: Buffer.concat([onePixelPng(), Buffer.alloc(8192)]).toString('base64') }));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'too_large', field: 'snapshot' });

    const notBase64 = await post(t.url, alarm({ snapshot: '<<not base64>>' }));
    expect(notBase64.status).toBe(400);
    expect(notBase64.body.error.field).toBe('snapshot');
    expect(await t.hub.store.countRows()).toEqual(before);
  });

  it('needs the platform token, and answers 503 on a hub without one', async () => {
    const t = await hub();
    expect((await post(t.url, alarm(), null)).status).toBe(401);
    expect((await post(t.url, alarm(), 'guess')).status).toBe(401);
    // a desk session is not the platform
    expect((await post(t.url, alarm(), await login(t.url, 'operator'))).status).toBe(401);
    const bare = await hub({ demo: false });
    const r = await post(bare.url, alarm());
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('unavailable');
  });
});
