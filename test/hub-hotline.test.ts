import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub } from '../server/hub';
import { hotlineEventId } from '../server/hotline';
import { expectApplied, login, PLACES, postCommand, removeDir, request, startTestHub, tempDir, uid, type TestHub } from './helpers/hub';
import { DEMO } from './helpers/demo';

const hubs: TestHub[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  return h;
}

const TOKEN = 'hotline_demo';
const LEADER = 'leader-0-0-0';
const LEADER_DEV = `dev_demo_${LEADER}`;
const LEADER_NAME = DEMO.people.find((p) => p.id === LEADER)!.name;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function order(over: Record<string, unknown> = {}) {
  const receivedAt = Date.now() - 60_000;
  return {
    orderNo: `GD${Math.floor(Math.random() * 1e12)}`,
    receivedAt,
    callerName: '张女士',
    callerPhone: '138 0000 1234',
    content: '金沙街道育才社区门口井盖破损，有人差点摔倒',
    type: '市政设施-井盖',
    address: '金沙街道育才社区育才路12号',
    position: PLACES.jinsha,
    deadline: receivedAt + 48 * 3600_000,
    ...over,
  };
}

/** `token: null` sends no Authorization header */
const intake = (base: string, body: unknown, token: string | null = TOKEN) =>
  request(base, 'POST', '/api/intake/12345', { token: token ?? undefined, json: body });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A webhook on 127.0.0.1 that answers 500 to the first `failFirst` attempts. */
async function receiver(failFirst: number) {
  const attempts: unknown[] = [];
  const delivered: any[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      attempts.push(JSON.parse(body));
      if (attempts.length <= failFirst) {
        res.statusCode = 500;
        res.end('down');
      } else {
        delivered.push(JSON.parse(body));
        res.statusCode = 204;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}/reply`, attempts, delivered, close };
}

/** Drives a hotline event from intake to closed, through the demo desk and the leader's phone. */
async function driveToClosed(base: string, eventId: string) {
  const op = await login(base, 'operator');
  await expectApplied(postCommand(base, op, { type: 'accept', commandId: uid(), eventId }));
  await expectApplied(postCommand(base, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: LEADER, note: 'go and verify' }));
  await expectApplied(postCommand(base, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId }));
  await expectApplied(postCommand(base, LEADER_DEV, { type: 'arrive', commandId: uid(), eventId, position: PLACES.jinsha }));
  await expectApplied(postCommand(base, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: '井盖已更换 grate replaced' }));
  await expectApplied(postCommand(base, op, { type: 'review', commandId: uid(), eventId, note: '视频回访确认 confirmed on video' }));
  await expectApplied(postCommand(base, op, { type: 'close', commandId: uid(), eventId }));
}

describe('12345 intake', () => {
  it('is idempotent by order number: 20 concurrent repeats make one event with identical answers', async () => {
    const t = await hub();
    const o = order();
    const replies = await Promise.all(Array.from({ length: 20 }, () => intake(t.url, o)));
    for (const r of replies) expect(r.status, r.text).toBe(200);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    const eventId = hotlineEventId(o.orderNo);
    expect(replies[0]!.body).toEqual({ eventId, status: 'applied' });
    const rows = await t.hub.store.countRows();
    expect(rows.hotline_orders).toBe(1);
    const ev = await t.hub.store.getEvent(eventId);
    expect(ev).toMatchObject({ source: 'hotline', state: 'reported', categoryId: 'municipal_facilities', townId: 'town-jinsha', timelineLength: 1 });
    expect(ev?.hotline).toMatchObject({ orderNo: o.orderNo, callerName: '张女士', deadline: o.deadline });
    expect(ev?.positionUnconfirmed).toBeUndefined();
    // and later, once more
    const again = await intake(t.url, o);
    expect(again.text).toBe(replies[0]!.text);
    expect(await t.hub.store.countRows()).toEqual(rows);
  });

  it('refuses a reused order number with different content, storing nothing', async () => {
    const t = await hub();
    const o = order();
    expect((await intake(t.url, o)).status).toBe(200);
    const before = await t.hub.store.countRows();
    const eventBefore = await t.hub.store.getEvent(hotlineEventId(o.orderNo));
    const r = await intake(t.url, { ...o, content: '完全不同的内容' });
    expect(r.status, r.text).toBe(409);
    expect(r.body.error.code).toBe('already_exists');
    expect(r.body.error.message).toContain(o.orderNo);
    expect(await t.hub.store.countRows()).toEqual(before);
    expect(await t.hub.store.getEvent(hotlineEventId(o.orderNo))).toEqual(eventBefore);
  });

  it('answers 400 naming the field for bad orders, and stores nothing', async () => {
    const t = await hub();
    const before = await t.hub.store.countRows();
    const o = order();
    const { orderNo: _n, ...noNumber } = o;
    const cases: [unknown, string][] = [
      [noNumber, 'orderNo'],
      [{ ...o, callerPhone: 'call me' }, 'callerPhone'],
      [{ ...o, content: '   ' }, 'content'],
      [{ ...o, deadline: o.receivedAt - 1 }, 'deadline'],
      [{ ...o, receivedAt: 'yesterday' }, 'receivedAt'],
      [{ ...o, position: { lng: 500, lat: 31 } }, 'position.lng'],
      [{ ...o, extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const r = await intake(t.url, body);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe('invalid');
      if (field) {
        expect(r.body.error.field).toBe(field);
        expect(r.body.error.message).toContain(field);
      }
    }
    const unknownCategory = await intake(t.url, { ...o, categoryId: 'no_such_category' });
    expect(unknownCategory.status).toBe(422);
    expect(unknownCategory.body.error.field).toBe('categoryId');
    expect(await t.hub.store.countRows()).toEqual(before);
  });

  it('needs the intake token, not a desk session; without a configured token it answers 503', async () => {
    const t = await hub();
    const o = order();
    expect((await intake(t.url, o, null)).status).toBe(401);
    expect((await intake(t.url, o, 'hotline_forged')).status).toBe(401);
    const op = await login(t.url, 'operator');
    const desk = await intake(t.url, o, op);
    expect(desk.status).toBe(401);
    expect(desk.body.error.code).toBe('unauthenticated');
    expect((await t.hub.store.countRows()).hotline_orders).toBe(0);
    // a desk still cannot smuggle hotline details through the command route
    const smuggled = await postCommand(t.url, op, {
      type: 'report', commandId: uid(), eventId: uid('ev'), categoryId: 'livelihood', description: 'x', position: PLACES.jinsha, source: 'hotline',
      hotline: { orderNo: 'X1', receivedAt: 1, callerName: 'a', callerPhone: '123', content: 'c', type: 't', address: 'a', deadline: 2 },
    });
    expect(smuggled.status).toBe(403);

    const configured = await hub({ demo: true, hotlineToken: 'secret-intake' });
    expect((await intake(configured.url, o, TOKEN)).status).toBe(401);
    expect((await intake(configured.url, o, 'secret-intake')).status).toBe(200);

    const bare = await hub({ demo: false });
    const off = await intake(bare.url, o);
    expect(off.status).toBe(503);
    expect(off.body.error.message).toMatch(/not configured/);
  });

  it('places an order without position at the centre of the community its address names, flagged unconfirmed', async () => {
    const t = await hub();
    const o = order({ address: '金沙街道北川门新村3栋', type: '噪音扰民' });
    delete (o as { position?: unknown }).position;
    const r = await intake(t.url, o);
    expect(r.status, r.text).toBe(200);
    const ev = (await t.hub.store.getEvent(r.body.eventId))!;
    const community = (await t.hub.store.listOrgUnits()).find((u) => u.name === '北川门新村')!;
    expect(ev.position).toEqual(community.center);
    expect(ev.positionUnconfirmed).toBe(true);
    expect(ev.categoryId).toBe('environment');
    expect(ev.townId).toBe('town-jinsha');

    // an address naming no community: the district centre; an unknown type: livelihood
    const o2 = order({ address: '某地某路', type: '咨询' });
    delete (o2 as { position?: unknown }).position;
    const r2 = await intake(t.url, o2);
    const ev2 = (await t.hub.store.getEvent(r2.body.eventId))!;
    expect(ev2.position).toEqual((await t.hub.store.getOrgUnit('district'))!.center);
    expect(ev2.positionUnconfirmed).toBe(true);
    expect(ev2.categoryId).toBe('livelihood');
  });

  it('keeps long or unsafe order numbers within the id limit', async () => {
    const t = await hub();
    const o = order({ orderNo: `长/${'9'.repeat(60)}` });
    const r = await intake(t.url, o);
    expect(r.status, r.text).toBe(200);
    expect(r.body.eventId.length).toBeLessThanOrEqual(64);
    expect((await intake(t.url, o)).body.eventId).toBe(r.body.eventId);
  });
});

describe('12345 replies', () => {
  it('delivers exactly one reply after close, retrying through a failing webhook', async () => {
    const rx = await receiver(2);
    const t = await hub({ hotlineReplyUrl: rx.url, hotlineRetryBaseMs: 40 });
    const o = order();
    const { body } = await intake(t.url, o);
    await driveToClosed(t.url, body.eventId);
    await until('the reply', async () => rx.delivered.length === 1);
    expect(rx.attempts).toHaveLength(3);
    expect(rx.delivered[0]).toMatchObject({
      orderNo: o.orderNo,
      eventId: body.eventId,
      result: '井盖已更换 grate replaced',
      handledBy: LEADER_NAME,
      confirmation: '视频回访确认 confirmed on video',
    });
    expect(typeof rx.delivered[0].handledAt).toBe('number');
    // nothing more, after several more retry periods, and an evaluate after close enqueues nothing
    const op = await login(t.url, 'operator');
    await expectApplied(postCommand(t.url, op, { type: 'evaluate', commandId: uid(), eventId: body.eventId, satisfaction: 'satisfied' }));
    await sleep(600);
    await t.hub.drainHotlineReplies();
    expect(rx.attempts).toHaveLength(3);
    const [rec] = await t.hub.store.listHotlineReplies();
    expect(rec).toMatchObject({ orderNo: o.orderNo, attempts: 3 });
    expect(typeof rec!.deliveredAt).toBe('number');
  });

  it('keeps a reply pending while the webhook is down across a restart, and delivers it after', async () => {
    const dataDir = await tempDir();
    cleanups.push(() => removeDir(dataDir));
    // a port that refuses: a receiver that is closed again
    const down = await receiver(0);
    await down.close();
    const opts = { demo: true, port: 0, deadlineSweepMs: 3600_000, dataDir, hotlineRetryBaseMs: 40, hotlineRetryCapMs: 200 };
    const first = await startHub({ ...opts, hotlineReplyUrl: down.url });
    let closed = false;
    cleanups.push(async () => void (closed || (await first.close())));
    const { body } = await intake(first.url, order());
    await driveToClosed(first.url, body.eventId);
    await until('a failed attempt', async () => ((await first.store.listHotlineReplies())[0]?.attempts ?? 0) >= 2);
    await first.close();
    closed = true;

    const rx = await receiver(0);
    const second = await startHub({ ...opts, hotlineReplyUrl: rx.url });
    cleanups.push(() => second.close());
    await until('the reply after restart', async () => rx.delivered.length === 1);
    expect(rx.delivered[0]).toMatchObject({ eventId: body.eventId, handledBy: LEADER_NAME });
    await sleep(400);
    expect(rx.attempts).toHaveLength(1);
  });
});
