import { afterEach, describe, expect, it } from 'vitest';
import { Open311Error, Open311RequestCreated, Open311Service, Open311ServiceRequest } from '../shared/schema';
import { expectApplied, login, PLACES, postCommand, request, startTestHub, uid, type TestHub } from './helpers/hub';

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  return h;
}

const KEY = 'open311_demo';
const LEADER = 'leader-0-0-0';
const LEADER_DEV = `dev_demo_${LEADER}`;
const BASE = '/open311/v2';

const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });

/** Asserts the body is Open311's error array with this status, and answers its description. */
function open311Error(r: { status: number; body: unknown; text: string }, status: number): string {
  expect(r.status, r.text).toBe(status);
  const errs = Open311Error.parse(r.body);
  expect(errs[0]!.code).toBe(status);
  return errs[0]!.description;
}

describe('Open311 GeoReport v2', () => {
  it('lists one service per taxonomy category and describes each', async () => {
    const t = await hub();
    const r = await request(t.url, 'GET', `${BASE}/services.json`);
    expect(r.status).toBe(200);
    const services = Open311Service.array().parse(r.body);
    const fire = services.find((s) => s.service_code === 'fire_safety')!;
    expect(fire).toMatchObject({ service_name: '消防安全', type: 'realtime', metadata: false });
    expect(fire.keywords).toContain('fire');
    const def = await request(t.url, 'GET', `${BASE}/services/fire_safety.json`);
    expect(def.body).toEqual({ service_code: 'fire_safety', attributes: [] });
    open311Error(await request(t.url, 'GET', `${BASE}/services/no_such_thing.json`), 404);
    // XML is not served, and says so
    expect(open311Error(await request(t.url, 'GET', `${BASE}/services.xml`), 400)).toMatch(/JSON only/);
    expect(open311Error(await request(t.url, 'GET', `${BASE}/requests/x.xml`), 400)).toMatch(/JSON only/);
  });

  it('files a form-encoded request and reads it back without the reporter’s contact details', async () => {
    const t = await hub();
    const r = await request(t.url, 'POST', `${BASE}/requests.json`, {
      ...form({
        api_key: KEY,
        service_code: 'sanitation',
        lat: String(PLACES.jinsha.lat),
        long: String(PLACES.jinsha.lng),
        address_string: '金沙街道育才路12号',
        description: '路边垃圾堆了三天',
        first_name: '三',
        last_name: '张',
        email: 'zhang.san@example.cn',
        phone: '138 0000 1234',
        media_url: 'https://example.cn/p/1.jpg',
        device_id: 'ignored-by-the-hub',
      }),
    });
    expect(r.status, r.text).toBe(201);
    const [created] = Open311RequestCreated.parse(r.body);
    const id = created!.service_request_id;
    expect(created!.service_notice).toContain(id);

    // the desk sees the event, with the contact for a call-back
    const event = await t.hub.store.getEvent(id);
    expect(event).toMatchObject({ source: 'public', categoryId: 'sanitation', position: PLACES.jinsha, address: '金沙街道育才路12号', state: 'reported' });
    expect(event!.positionUnconfirmed).toBeUndefined();
    expect(event!.reporterContact).toMatchObject({ phone: '138 0000 1234', email: 'zhang.san@example.cn' });
    expect(event!.description).not.toContain('138 0000 1234');

    const got = await request(t.url, 'GET', `${BASE}/requests/${id}.json`);
    expect(got.status, got.text).toBe(200);
    const [sr] = Open311ServiceRequest.array().parse(got.body);
    expect(sr).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'sanitation',
      service_name: '环境卫生',
      description: '路边垃圾堆了三天',
      address: '金沙街道育才路12号',
      lat: PLACES.jinsha.lat,
      long: PLACES.jinsha.lng,
    });
    expect(sr!.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(sr!.agency_responsible).not.toBe('');
    for (const secret of ['138 0000 1234', 'zhang.san', '张', 'example.cn']) expect(got.text).not.toContain(secret);

    // the list finds it by id, by service code and in the default window; never with contact details
    const byId = await request(t.url, 'GET', `${BASE}/requests.json?service_request_id=${id},nonexistent`);
    expect(byId.body.map((x: { service_request_id: string }) => x.service_request_id)).toEqual([id]);
    const byCode = await request(t.url, 'GET', `${BASE}/requests.json?service_code=sanitation&status=open`);
    expect(byCode.body.map((x: { service_request_id: string }) => x.service_request_id)).toContain(id);
    const otherCode = await request(t.url, 'GET', `${BASE}/requests.json?service_code=fire_safety`);
    expect(otherCode.body).toEqual([]);
    const all = await request(t.url, 'GET', `${BASE}/requests.json`);
    expect(all.body.map((x: { service_request_id: string }) => x.service_request_id)).toContain(id);
    expect(all.text).not.toContain('138 0000 1234');
    const future = await request(t.url, 'GET', `${BASE}/requests.json?start_date=2999-01-01T00:00:00Z`);
    expect(future.body).toEqual([]);
    open311Error(await request(t.url, 'GET', `${BASE}/requests.json?status=pending`), 400);
  });

  it('files a JSON request placed by its address alone, flagged as a guessed position', async () => {
    const t = await hub();
    const r = await request(t.url, 'POST', `${BASE}/requests.json`, {
      json: { api_key: KEY, service_code: 'municipal_facilities', address_string: '某小区门口', description: '井盖丢了' },
    });
    expect(r.status, r.text).toBe(201);
    const id = r.body[0].service_request_id;
    const event = await t.hub.store.getEvent(id);
    expect(event).toMatchObject({ source: 'public', categoryId: 'municipal_facilities', positionUnconfirmed: true, description: '井盖丢了' });
  });

  it('refuses a bad key, a missing location and an unknown service code, storing nothing', async () => {
    const t = await hub();
    const before = await t.hub.store.countRows();
    const ok = { api_key: KEY, service_code: 'sanitation', lat: PLACES.jinsha.lat, long: PLACES.jinsha.lng, description: 'x' };
    const post = (body: Record<string, unknown>) => request(t.url, 'POST', `${BASE}/requests.json`, { json: body });

    expect(open311Error(await post({ ...ok, api_key: 'wrong' }), 403)).toMatch(/api_key/);
    const { api_key: _, ...keyless } = ok;
    open311Error(await post(keyless), 403);
    const { lat: _lat, long: _long, ...nowhere } = ok;
    expect(open311Error(await post(nowhere), 400)).toMatch(/location/);
    expect(open311Error(await post({ ...ok, long: undefined }), 400)).toMatch(/lat and long/);
    expect(open311Error(await post({ ...ok, service_code: 'ufo_sighting' }), 400)).toMatch(/service_code/);
    expect(open311Error(await post({ ...ok, lat: 95 }), 400)).toMatch(/lat/);
    expect(open311Error(await post({ ...ok, email: 'not-an-email' }), 400)).toMatch(/email/);
    open311Error(await request(t.url, 'POST', `${BASE}/requests.xml`, { json: ok }), 400);
    expect(await t.hub.store.countRows()).toEqual(before);

    // a hub without a key takes no requests at all, but still answers reads
    const keyless311 = await hub({ demo: false });
    open311Error(await request(keyless311.url, 'POST', `${BASE}/requests.json`, { json: ok }), 503);
    expect((await request(keyless311.url, 'GET', `${BASE}/services.json`)).status).toBe(200);
  });

  it('files a retried POST once when it carries an Idempotency-Key, and refuses the key reused', async () => {
    const t = await hub();
    const body = { api_key: KEY, service_code: 'dispute', lat: PLACES.jinsha.lat, long: PLACES.jinsha.lng, description: '楼上漏水，协商不成' };
    const key = uid('retry');
    const post = (b: Record<string, unknown>, k?: string) =>
      request(t.url, 'POST', `${BASE}/requests.json`, { json: b, ...(k ? { headers: { 'idempotency-key': k } } : {}) });
    const first = await post(body, key);
    expect(first.status, first.text).toBe(201);
    const rows = await t.hub.store.countRows();
    const again = await post(body, key);
    expect(again.body).toEqual(first.body);
    expect(await t.hub.store.countRows()).toEqual(rows);
    expect(open311Error(await post({ ...body, description: '另一件事' }, key), 409)).toMatch(/Idempotency-Key/);
    expect(await t.hub.store.countRows()).toEqual(rows);
    // without a key, each POST is a new request
    const a = await post(body);
    const b = await post(body);
    expect(a.body[0].service_request_id).not.toBe(b.body[0].service_request_id);
  });

  it('reads as closed once the centre closes the event through the workflow', async () => {
    const t = await hub();
    const r = await request(t.url, 'POST', `${BASE}/requests.json`, {
      ...form({ api_key: KEY, service_code: 'municipal_facilities', lat: String(PLACES.jinsha.lat), long: String(PLACES.jinsha.lng), description: '路灯不亮' }),
    });
    const eventId = r.body[0].service_request_id as string;
    const status = async () => (await request(t.url, 'GET', `${BASE}/requests/${eventId}.json`)).body[0];

    const op = await login(t.url, 'operator');
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: LEADER }));
    const dispatched = await status();
    expect(dispatched).toMatchObject({ status: 'open' });
    expect(dispatched.status_notes).toContain('已派遣');
    expect(dispatched.expected_datetime).toMatch(/\+08:00$/);

    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: '已更换灯泡' }));
    await expectApplied(postCommand(t.url, op, { type: 'review', commandId: uid(), eventId }));
    expect((await status()).status).toBe('open');
    await expectApplied(postCommand(t.url, op, { type: 'close', commandId: uid(), eventId }));
    const closed = await status();
    expect(closed).toMatchObject({ status: 'closed' });
    expect(closed.status_notes).toContain('已结案');
    expect(closed.expected_datetime).toBeUndefined();
    const list = await request(t.url, 'GET', `${BASE}/requests.json?status=closed`);
    expect(list.body.map((x: { service_request_id: string }) => x.service_request_id)).toEqual([eventId]);
  });

  it('does not show events that did not come from the public', async () => {
    const t = await hub();
    const op = await login(t.url, 'operator');
    const eventId = uid('ev');
    await expectApplied(
      postCommand(t.url, op, { type: 'report', commandId: uid(), eventId, categoryId: 'dispute', description: '内部', position: PLACES.jinsha, source: 'phone' }),
    );
    open311Error(await request(t.url, 'GET', `${BASE}/requests/${eventId}.json`), 404);
    expect((await request(t.url, 'GET', `${BASE}/requests.json?service_request_id=${eventId}`)).body).toEqual([]);
    expect((await request(t.url, 'GET', `${BASE}/requests.json`)).text).not.toContain(eventId);
  });
});
