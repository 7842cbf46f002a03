/**
 * The console core (electron/core/console) against a real in-process demo hub: sign-in, catching
 * up the cache, live changes, one-click dispatch through the outbox, a command the hub rejects
 * rolled back and explained, and the WebSocket transport's origin check.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleNotice, ConsoleResponse, ConsoleServerMessage, EventDetail, QueuePage, ReferenceData, SessionInfo } from '../shared/schema';
import type { RecommendResponse } from '../shared/schema';
import { ConsoleCore } from '../electron/core/console/core';
import { Recommendations } from '../electron/core/console/recommend';
import { attachmentRequestAllowed, registerAttachmentRoute } from '../electron/core/console/attachments-route';
import { registerConsoleCoreSocket } from '../electron/core/console/transport-ws';
import { expectApplied, login, onePixelPng, PLACES, postCommand, removeDir, reportCmd, request, startTestHub, tempDir, uid, type TestHub } from './helpers/hub';
import { until } from './helpers/wait';

let hub: TestHub;
let core: ConsoleCore;
let dataDir: string;
const notices: ConsoleNotice[] = [];
let op2: string;
/** reported before the console signs in: it must arrive through the catch-up */
let earlierEventId: string;

let nextId = 1;
async function ask<T>(msg: Record<string, unknown>): Promise<T> {
  const res = ConsoleResponse.parse(await core.request({ id: nextId++, ...msg }));
  if (!res.ok) throw new Error(`${String(msg.type)} failed: ${res.error.error.code} ${res.error.error.message}`);
  return res.result as T;
}

beforeAll(async () => {
  hub = await startTestHub();
  dataDir = await tempDir('console-core');
  core = new ConsoleCore({ hubUrl: hub.url, dataDir, origin: 'console-test' });
  core.onNotice((n) => notices.push(ConsoleNotice.parse(n)));
  op2 = await login(hub.url, 'operator2');
  const rep = reportCmd({ position: PLACES.xianfeng, description: '登录前的上报' });
  earlierEventId = rep.eventId as string;
  await expectApplied(postCommand(hub.url, op2, rep));
});

afterAll(async () => {
  await core?.close();
  await hub?.close();
  if (dataDir) await removeDir(dataDir);
});

describe('console core against a demo hub', () => {
  it('refuses work before sign-in and a wrong password with the hub reason', async () => {
    const res = await core.request({ id: 1, type: 'dispatchTop', eventId: 'ev-x' });
    expect(res).toMatchObject({ ok: false, error: { error: { code: 'unauthenticated' } } });
    const bad = await core.request({ id: 2, type: 'login', username: 'operator', password: 'wrong' });
    expect(bad.ok).toBe(false);
    const malformed = await core.request({ id: 3, type: 'queue', filter: {}, sort: 'sideways', offset: 0, limit: 10 });
    expect(malformed).toMatchObject({ id: 3, ok: false, error: { error: { code: 'invalid', field: 'sort' } } });
  });

  it('signs in and catches the cache up: grids, people, events', async () => {
    const session = SessionInfo.parse(await ask({ type: 'login', username: 'operator', password: 'operator' }));
    expect(session.principal).toMatchObject({ personId: expect.any(String), role: 'operator' });
    const caught = await until(() => {
      const s = core.session();
      return s.link === 'online' && s.cursor >= s.head && s.head > 0 ? s : undefined;
    }, 'the cache to catch up and go online');
    const counts = core.cache.counts();
    console.log(`console core: caught up to seq ${caught.cursor}:`, counts);
    expect(counts.grids).toBe(1100);
    expect(counts.people).toBeGreaterThan(1400);
    expect(counts.orgUnits).toBeGreaterThan(250);
    expect(counts.events).toBeGreaterThanOrEqual(1);
    expect(core.cache.event(earlierEventId)).toMatchObject({ state: 'reported', description: '登录前的上报' });
    expect(core.cache.timeline(earlierEventId).map((e) => e.kind)).toEqual(['report']);
    const ref = ReferenceData.parse(await ask({ type: 'reference' }));
    expect(ref.categories.map((c) => c.id)).toContain('municipal_facilities');
    // the hub's departments come down the feed into the cache, for escalating to them
    expect(ref.departments.length).toBe(13);
    expect(ref.departments.map((d) => d.id)).toContain('dept-sanitation');
  });

  it('shows a report made by another operator, and dispatches it in one step to the top candidate', async () => {
    const rep = reportCmd({ position: PLACES.jinsha, description: '控制台测试：井盖缺失' });
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(hub.url, op2, rep));
    await until(() => notices.some((n) => n.type === 'changed' && n.eventIds.includes(eventId)), 'the changed notice');
    const page = QueuePage.parse(await ask({ type: 'queue', filter: { text: '控制台测试' }, sort: 'urgency', offset: 0, limit: 10 }));
    expect(page.rows.map((r) => r.event.id)).toEqual([eventId]);
    expect(page.rows[0]).toMatchObject({ pending: false, townName: expect.any(String), gridName: expect.any(String), event: { state: 'reported' } });

    const rec = await request<RecommendResponse>(hub.url, 'GET', `/api/recommend?lng=${PLACES.jinsha.lng}&lat=${PLACES.jinsha.lat}`, { token: op2 });
    const top = rec.body.candidates[0]!.personId;
    const detail = EventDetail.parse(await ask({ type: 'event', eventId }));
    expect(detail.candidates[0]).toMatchObject({ person: { id: top }, rank: 1 });
    // offline, the same ranking comes from the cache: the grid's own leader first
    const local = new Recommendations(core.cache, core.client).localCandidates(PLACES.jinsha, Date.now());
    expect(local[0]?.person.id).toBe(top);
    expect(local[0]?.reasons.some((r) => r.kind === 'responsible')).toBe(true);
    expect(detail.timeline.length).toBe(1);

    const settledBefore = notices.filter((n) => n.type === 'settled').length;
    const res = await ask<{ commandIds: string[]; assigneeId: string; status: string }>({ type: 'dispatchTop', eventId });
    expect(res).toMatchObject({ assigneeId: top, status: 'pending' });
    expect(res.commandIds).toHaveLength(2);
    // the operator sees it at once, before the hub answered
    expect(core.cache.event(eventId)).toMatchObject({ state: 'dispatched', assigneeId: top });

    await until(() => notices.filter((n) => n.type === 'settled').length >= settledBefore + 2, 'both commands settled');
    const settled = notices.filter((n): n is Extract<ConsoleNotice, { type: 'settled' }> => n.type === 'settled').slice(settledBefore);
    expect(settled.map((s) => [s.commandId, s.commandType, s.status])).toEqual([
      [res.commandIds[0], 'accept', 'applied'],
      [res.commandIds[1], 'dispatch', 'applied'],
    ]);
    const onHub = await hub.hub.store.getEvent(eventId);
    expect(onHub).toMatchObject({ state: 'dispatched', assigneeId: top });
    await until(() => core.cache.event(eventId)?.timelineLength === 3 && !core.cache.isPending(eventId), 'the hub state in the cache');
    const after = EventDetail.parse(await ask({ type: 'event', eventId }));
    expect(after.row.pending).toBe(false);
    expect(after.timeline.map((e) => e.kind)).toEqual(['report', 'accept', 'dispatch']);
    expect(after.timeline[2]!.origin).toBe('console-test');
    expect(core.session().outbox).toBe(0);
  });

  it('rolls back a command the hub rejects because another operator got there first, and says why', async () => {
    const rep = reportCmd({ position: PLACES.jinsha, description: '控制台测试：被另一席位处理' });
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(hub.url, op2, rep));
    await until(() => core.cache.event(eventId), 'the report in the cache');

    // this console acts while its commands cannot leave yet; meanwhile operator2 rejects the report
    core.holdOutbox(true);
    const sessionsBefore = notices.length;
    const res = await ask<{ commandIds: string[] }>({ type: 'dispatchTop', eventId });
    expect(core.cache.event(eventId)).toMatchObject({ state: 'dispatched' });
    expect(core.session().outbox).toBe(2);
    // the top bar's count is pushed, not asked for
    const outboxPushed = () =>
      notices
        .slice(sessionsBefore)
        .filter((n): n is Extract<ConsoleNotice, { type: 'session' }> => n.type === 'session')
        .map((n) => n.session.outbox);
    expect(outboxPushed()).toContain(2);
    await expectApplied(postCommand(hub.url, op2, { type: 'reject', commandId: uid('reject'), eventId, reason: 'invalid' }));
    // the feed brings operator2's change; the pending commands no longer fit on top of it
    await until(() => core.cache.eventRecords(eventId).confirmed?.state === 'rejected', 'the rejection through the feed');

    const settledBefore = notices.filter((n) => n.type === 'settled').length;
    core.holdOutbox(false);
    await until(() => notices.filter((n) => n.type === 'settled').length >= settledBefore + 2, 'both commands settled');
    const settled = notices.filter((n): n is Extract<ConsoleNotice, { type: 'settled' }> => n.type === 'settled').slice(settledBefore);
    expect(settled.map((s) => [s.commandId, s.status])).toEqual([
      [res.commandIds[0], 'rejected'],
      [res.commandIds[1], 'rejected'],
    ]);
    expect(settled[0]!.error?.error).toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('rejected') });
    // rolled back: the cache shows the hub's record, nothing pending
    const shown = core.cache.event(eventId)!;
    expect(shown).toEqual(core.cache.eventRecords(eventId).confirmed);
    expect(shown.state).toBe('rejected');
    expect(shown.assigneeId).toBeUndefined();
    expect(core.cache.isPending(eventId)).toBe(false);
    const onHub = await hub.hub.store.getEvent(eventId);
    expect(onHub?.state).toBe('rejected');
    await until(() => outboxPushed().at(-1) === 0, 'a session notice with the emptied outbox');
  });

  it('refuses locally what the cached state already rules out', async () => {
    const rep = reportCmd({ position: PLACES.jinsha });
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(hub.url, op2, rep));
    await until(() => core.cache.event(eventId), 'the report in the cache');
    const res = await core.request({ id: 99, type: 'command', command: { type: 'close', commandId: uid('close'), eventId } });
    expect(res).toMatchObject({ ok: false, error: { error: { code: 'invalid_transition' } } });
  });
});

describe('the console core WebSocket transport', () => {
  let app: FastifyInstance;
  let origin: string;
  let wsUrl: string;

  beforeAll(async () => {
    app = Fastify();
    await registerConsoleCoreSocket(app, core, () => origin);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    origin = `http://127.0.0.1:${addr.port}`;
    wsUrl = `ws://127.0.0.1:${addr.port}/api/core`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const open = (o: string | undefined) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, o === undefined ? {} : { headers: { origin: o } });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('answers requests from the host page and pushes notices', async () => {
    const ws = await open(origin);
    const messages: ConsoleServerMessage[] = [];
    ws.on('message', (raw) => messages.push(ConsoleServerMessage.parse(JSON.parse(String(raw)))));
    ws.send(JSON.stringify({ id: 7, type: 'session' }));
    await until(() => messages.some((m) => 'id' in m && m.id === 7), 'the answer');
    const answer = messages.find((m) => 'id' in m && m.id === 7) as Extract<ConsoleResponse, { ok: true }>;
    expect(answer.ok).toBe(true);
    expect((answer.result as SessionInfo).principal?.role).toBe('operator');

    ws.send('not json');
    await until(() => messages.some((m) => 'id' in m && m.id === -1), 'the bad_json answer');

    // a report by another operator arrives as a notice on this socket
    const rep = reportCmd({ position: PLACES.jinsha });
    await expectApplied(postCommand(hub.url, op2, rep));
    await until(() => messages.some((m) => 'notice' in m && m.notice.type === 'changed' && m.notice.eventIds.includes(rep.eventId as string)), 'the changed notice');
    ws.close();
  });

  it('refuses pages from any other origin, and connections without one', async () => {
    await expect(open('http://evil.example')).rejects.toThrow(/HTTP 403/);
    await expect(open(origin.replace('127.0.0.1', 'localhost'))).rejects.toThrow(/HTTP 403/);
    await expect(open(undefined)).rejects.toThrow(/HTTP 403/);
  });
});

describe('photos and voice notes through the console host (/api/core/attachments/:hash)', () => {
  let app: FastifyInstance;
  let origin: string;
  let base: string;
  let hash: string;
  const png = onePixelPng([0, 128, 255, 255]);

  beforeAll(async () => {
    // a grid leader's phone uploads a photo to the hub
    const up = await request<{ hash: string; mime: string }>(hub.url, 'POST', '/api/attachments?purpose=photo', {
      token: 'dev_demo_leader-0-0-0',
      raw: png,
      contentType: 'image/png',
    });
    expect(up.status).toBe(201);
    hash = up.body.hash;
    app = Fastify();
    registerAttachmentRoute(app, core, () => origin);
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    base = `${origin}/api/core/attachments/`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = (path: string, headers: Record<string, string>) => fetch(base + path, { headers });
  const samePage = { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'image' };

  it('serves the photo to the console page with its type, fetched with the core session', async () => {
    const res = await get(hash, samePage);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);

    const meta = await get(`${hash}/meta`, samePage);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toEqual({ hash, mime: 'image/png', size: png.length });
    // an older browser without Sec-Fetch-Site, naming the page by Origin or Referer
    expect((await get(hash, { origin })).status).toBe(200);
    expect((await get(hash, { referer: `${origin}/console/` })).status).toBe(200);
  });

  it('refuses other websites, and requests that do not say where they come from', async () => {
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'none' },
      { origin: 'http://evil.example' },
      { referer: 'http://evil.example/page' },
      { 'sec-fetch-site': 'same-origin', origin: 'http://evil.example' },
      { origin: origin.replace('127.0.0.1', 'localhost') },
      {},
    ];
    for (const headers of refused) {
      const res = await get(hash, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect((await get(`${hash}/meta`, headers)).status).toBe(403);
    }
    expect(attachmentRequestAllowed({ 'sec-fetch-site': 'same-origin' }, origin)).toBe(true);
    expect(attachmentRequestAllowed({}, origin)).toBe(false);
  });

  it('answers 404 for an attachment the hub does not have and 400 for a malformed hash', async () => {
    const missing = 'ab'.repeat(32);
    expect((await get(missing, samePage)).status).toBe(404);
    expect((await get(`${missing}/meta`, samePage)).status).toBe(404);
    expect((await get('not-a-hash', samePage)).status).toBe(400);
    expect((await get(hash.toUpperCase(), samePage)).status).toBe(400);
  });

  it('answers 401 when the core has no session', async () => {
    const idle = new ConsoleCore({ hubUrl: hub.url, cacheFile: ':memory:', origin: 'console-idle' });
    const other = Fastify();
    let otherOrigin = '';
    registerAttachmentRoute(other, idle, () => otherOrigin);
    await other.listen({ host: '127.0.0.1', port: 0 });
    otherOrigin = `http://127.0.0.1:${(other.server.address() as { port: number }).port}`;
    try {
      const res = await fetch(`${otherOrigin}/api/core/attachments/${hash}`, { headers: samePage });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      expect((await fetch(`${otherOrigin}/api/core/attachments/${hash}/meta`, { headers: samePage })).status).toBe(401);
    } finally {
      await other.close();
      await idle.close();
    }
  });
});
