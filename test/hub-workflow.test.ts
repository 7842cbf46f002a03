import { superviseCommandId } from '../server/deadlines';
import { endOfDayCST } from '../shared/deadline';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, TimelineEntry } from '../shared/schema';
import {
  allChanges,
  contractProblem,
  expectApplied,
  getChanges,
  LiveClient,
  login,
  onePixelPng,
  PLACES,
  postCommand,
  reportCmd,
  request,
  startTestHub,
  uid,
  upload,
  type TestHub,
} from './helpers/hub';
import { SCHOOL } from './helpers/demo';

const hubs: TestHub[] = [];
const clients: LiveClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  return h;
}

const LEADER = 'leader-0-0-0';
const LEADER_DEV = `dev_demo_${LEADER}`;
const OTHER_DEV = 'dev_demo_leader-0-0-1';

function timelineOf(changes: readonly Change[], eventId: string): TimelineEntry[] {
  return changes.flatMap((c) => (c.kind === 'timeline' && c.data.eventId === eventId ? [c.data] : []));
}

describe('the closed loop over HTTP', () => {
  it('field report → accept → dispatch → acknowledge → arrive → feedback with a photo → review → close', async () => {
    const t = await hub();
    const op = await login(t.url, 'operator', 'operator', 'console-1');
    const watcher = await LiveClient.open(t.url, op, 0);
    clients.push(watcher);

    // the leader's phone reports what it sees
    const rep = reportCmd({ source: 'field', position: PLACES.jinsha, description: '井盖破损 broken drain grate' });
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(t.url, LEADER_DEV, rep));
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId, note: '立案' }));
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: LEADER, note: 'go and verify' }));

    // a field device that is not the assignee is refused, for every assignee step
    for (const cmd of [
      { type: 'acknowledge', commandId: uid(), eventId },
      { type: 'arrive', commandId: uid(), eventId, position: PLACES.jinsha },
      { type: 'feedback', commandId: uid(), eventId, note: 'fixed it (not really)' },
    ]) {
      const r = await postCommand(t.url, OTHER_DEV, cmd);
      expect(r.status, r.text).toBe(403);
      expect(r.body.status).toBe('rejected');
      expect(r.body.error).toMatchObject({ code: 'not_assignee' });
      expect(r.body.error?.message).toContain(LEADER);
    }
    // and so is a desk trying to acknowledge for the leader
    const deskAck = await postCommand(t.url, op, { type: 'acknowledge', commandId: uid(), eventId });
    expect(deskAck.status).toBe(403);
    expect(deskAck.body.error?.code).toBe('role_not_allowed');

    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId, note: '收到' }));
    const fix = await request(t.url, 'POST', '/api/field/position', {
      token: LEADER_DEV,
      json: { position: { lng: 121.0151, lat: 31.9951 }, accuracy: 8, at: Date.now() },
    });
    expect(fix.status).toBe(204);
    // a desk does not report positions
    expect((await request(t.url, 'POST', '/api/field/position', { token: op, json: { position: PLACES.jinsha, at: Date.now() } })).status).toBe(403);
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'arrive', commandId: uid(), eventId, position: { lng: 121.0151, lat: 31.9951 } }));

    // a real photo
    const png = onePixelPng([0, 128, 255, 255]);
    const up = await upload(t.url, LEADER_DEV, png, 'image/png');
    expect(up.status, up.text).toBe(201);
    const hash = createHash('sha256').update(png).digest('hex');
    expect(up.body).toMatchObject({ hash, mime: 'image/png', size: png.length });
    const back = await fetch(`${t.url}/api/attachments/${hash}`, { headers: { authorization: `Bearer ${op}` } });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toMatch(/^image\/png/);
    expect(Buffer.from(await back.arrayBuffer()).equals(png)).toBe(true);
    // uploading the same bytes again names the same file
    const again = await upload(t.url, LEADER_DEV, png, 'image/png');
    expect(again.status).toBe(201);
    expect(again.body.hash).toBe(hash);

    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: '已修复 repaired', attachments: [hash] }));
    // closing before review is out of order
    const early = await postCommand(t.url, op, { type: 'close', commandId: uid(), eventId });
    expect(early.status).toBe(409);
    expect(early.body.error?.code).toBe('invalid_transition');
    await expectApplied(postCommand(t.url, op, { type: 'review', commandId: uid(), eventId, note: 'checked on video' }));
    await expectApplied(postCommand(t.url, op, { type: 'close', commandId: uid(), eventId }));

    const event = await t.hub.store.getEvent(eventId);
    expect(event).toMatchObject({
      state: 'closed',
      assigneeId: LEADER,
      reporterId: LEADER,
      source: 'field',
      townId: 'town-jinsha',
      timelineLength: 8,
    });
    expect(event?.gridIds).toContain('grid-0-0-0');
    expect(typeof event?.closedAt).toBe('number');

    const { changes } = await allChanges(t.url, op);
    const tl = timelineOf(changes, eventId);
    const device = `device:device-${LEADER}`;
    expect(tl.map((e) => [e.index, e.kind, e.fromState, e.toState, e.actorId, e.actorRole, e.origin])).toEqual([
      [0, 'report', null, 'reported', LEADER, 'leader', device],
      [1, 'accept', 'reported', 'accepted', 'operator-1', 'operator', 'console-1'],
      [2, 'dispatch', 'accepted', 'dispatched', 'operator-1', 'operator', 'console-1'],
      [3, 'acknowledge', 'dispatched', 'acknowledged', LEADER, 'leader', device],
      [4, 'arrive', 'acknowledged', 'on_site', LEADER, 'leader', device],
      [5, 'feedback', 'on_site', 'feedback', LEADER, 'leader', device],
      [6, 'review', 'feedback', 'reviewed', 'operator-1', 'operator', 'console-1'],
      [7, 'close', 'reviewed', 'closed', 'operator-1', 'operator', 'console-1'],
    ]);
    expect(tl[2]!.data).toMatchObject({ assigneeId: LEADER });
    expect(tl[4]!.data).toMatchObject({ position: { lng: 121.0151, lat: 31.9951 } });
    expect(tl[5]!.attachments).toEqual([hash]);
    expect(tl[5]!.note).toBe('已修复 repaired');
    expect(tl[1]!.data).toHaveProperty('deadline');
    // entries are in time order
    for (let i = 1; i < tl.length; i++) expect(tl[i]!.at).toBeGreaterThanOrEqual(tl[i - 1]!.at);
    // the position fix went into the feed
    expect(changes.some((c) => c.kind === 'position' && c.id === LEADER && c.data.accuracy === 8)).toBe(true);

    // the live console saw the same, in order, all within the contract
    await watcher.waitForSeq(changes[changes.length - 1]!.seq);
    await watcher.barrier();
    expect(watcher.orderViolations).toEqual([]);
    expect(watcher.contractViolations).toEqual([]);
    expect(contractProblem(await getChanges(t.url, op, 0, 5000))).toBeUndefined();
    expect(watcher.changes).toEqual(changes);

    // the closed event takes no more field steps
    const late = await postCommand(t.url, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: 'one more thing' });
    expect(late.status).toBe(409);
  });

  it('an operator report, dispatched elsewhere, returned and redone', async () => {
    const t = await hub();
    const op = await login(t.url, 'operator');
    const rep = reportCmd({ position: PLACES.school, categoryId: 'food_safety' });
    const eventId = rep.eventId as string;
    const r = await expectApplied(postCommand(t.url, op, rep));
    const ev = r.body.status === 'applied' ? r.body.changes[0] : undefined;
    // a point in the school's dedicated grid concerns both grids
    expect(ev?.kind === 'event' && [...ev.data.gridIds].sort()).toEqual([SCHOOL.hostGridId, SCHOOL.gridId].sort());
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: SCHOOL.memberId }));
    // re-dispatched to the leader: the member's device may no longer act
    await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId, assigneeId: LEADER }));
    const stale = await postCommand(t.url, `dev_demo_${SCHOOL.memberId}`, { type: 'acknowledge', commandId: uid(), eventId });
    expect(stale.status).toBe(403);
    expect(stale.body.error?.code).toBe('not_assignee');
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: 'done' }));
    await expectApplied(postCommand(t.url, op, { type: 'return', commandId: uid(), eventId, note: 'photo missing' }));
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'feedback', commandId: uid(), eventId, note: 'done, really' }));
    await expectApplied(postCommand(t.url, op, { type: 'review', commandId: uid(), eventId }));
    await expectApplied(postCommand(t.url, op, { type: 'close', commandId: uid(), eventId }));
    const tl = timelineOf((await allChanges(t.url, op)).changes, eventId);
    expect(tl.map((e) => e.kind)).toEqual([
      'report', 'accept', 'dispatch', 'dispatch', 'acknowledge', 'feedback', 'return', 'acknowledge', 'feedback', 'review', 'close',
    ]);
    expect(tl[3]!.data).toMatchObject({ assigneeId: LEADER, previousAssigneeId: SCHOOL.memberId });
    expect(tl.map((e) => e.index)).toEqual(tl.map((_, i) => i));
  });
});

describe('deadlines and supervision', () => {
  it('an accepted event past its deadline gets exactly one supervise entry after two sweeps, and one overdue alert', async () => {
    // 09:00 CST today: the general event below is due at the end of its CST day, which a run started
    // in the evening would pass within the five hours this test moves the clock
    let clock = endOfDayCST(Date.now()) + 1 - 15 * 3600_000;
    const t = await hub({ now: () => clock });
    const op = await login(t.url, 'operator');
    const desk = await login(t.url, 'desk-xianfeng');
    const operatorLive = await LiveClient.open(t.url, op, 0);
    const otherTownLive = await LiveClient.open(t.url, desk, 0);
    clients.push(operatorLive, otherTownLive);

    // fire safety is a special event: 4 hours once accepted
    const rep = reportCmd({ categoryId: 'fire_safety', position: PLACES.jinsha, description: 'blocked fire exit' });
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(t.url, op, rep));
    const acc = await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId }));
    const accepted = acc.body.status === 'applied' ? acc.body.changes.find((c) => c.kind === 'event') : undefined;
    const deadline = accepted?.kind === 'event' ? accepted.data.deadline : undefined;
    expect(deadline).toBe(clock + 4 * 3600_000);

    // another event that is not yet due
    const later = reportCmd({ categoryId: 'livelihood', position: PLACES.jinsha });
    await expectApplied(postCommand(t.url, op, later));
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId: later.eventId }));

    // not due yet: nothing happens
    expect(await t.hub.sweepDeadlines()).toBe(0);
    clock = deadline! - 1;
    expect(await t.hub.sweepDeadlines()).toBe(0);

    clock = deadline! + 60_000;
    const first = await t.hub.sweepDeadlines();
    const second = await t.hub.sweepDeadlines();
    expect(first).toBe(1);
    expect(second).toBe(0);
    clock += 3600_000;
    expect(await t.hub.sweepDeadlines()).toBe(0);

    const { changes } = await allChanges(t.url, op);
    const tl = timelineOf(changes, eventId);
    const sup = tl.filter((e) => e.kind === 'supervise');
    expect(sup).toHaveLength(1);
    expect(sup[0]).toMatchObject({ actorId: 'system', actorRole: 'system', origin: 'deadline-timer', fromState: 'accepted', toState: 'accepted' });
    expect(sup[0]!.data).toMatchObject({ deadline });
    const event = await t.hub.store.getEvent(eventId);
    expect(event?.supervisedAt).toBe(deadline! + 60_000);
    expect(event?.timelineLength).toBe(3);
    expect(timelineOf(changes, later.eventId as string).some((e) => e.kind === 'supervise')).toBe(false);

    // one alert for the district console, none for another town's desk
    await operatorLive.waitFor(() => operatorLive.alerts.length > 0, 'overdue alert');
    await operatorLive.barrier();
    await otherTownLive.barrier();
    expect(operatorLive.alerts).toEqual([{ kind: 'overdue', eventId, at: deadline! + 60_000 }]);
    expect(otherTownLive.alerts).toEqual([]);
    // the supervise entry reached the live feed too
    await operatorLive.waitFor(() => operatorLive.changes.some((c) => c.kind === 'timeline' && c.data.kind === 'supervise'), 'supervise change');
    expect(operatorLive.contractViolations).toEqual([]);

    // a restart of the timer cannot supervise it twice: the same command id answers the first result
    const replay = await request(t.url, 'GET', `/api/commands/${encodeURIComponent(superviseCommandId(eventId, deadline))}`, { token: op });
    expect(replay.status).toBe(200);
    expect(replay.body.status).toBe('applied');
  });

  it('supervising an event whose id is as long as the contract allows keeps the feed within the contract', async () => {
    let clock = Date.now();
    const t = await hub({ now: () => clock });
    const op = await login(t.url, 'operator');
    const watcher = await LiveClient.open(t.url, op, 0);
    clients.push(watcher);
    const eventId = `hotline-12345-${'0'.repeat(50)}`; // 64 characters: a valid Id
    expect(eventId).toHaveLength(64);
    await expectApplied(postCommand(t.url, op, reportCmd({ eventId, categoryId: 'fire_safety' })));
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId }));
    clock += 5 * 3600_000;
    expect(await t.hub.sweepDeadlines()).toBe(1);
    const page = await getChanges(t.url, op, 0, 5000);
    const sup = timelineOf(page.changes, eventId).find((e) => e.kind === 'supervise');
    expect(sup).toBeDefined();
    // the deadline timer's command id ends up in TimelineEntry.commandId, an Id of at most 64 characters
    expect(contractProblem(page)).toBeUndefined();
    await watcher.waitFor(() => watcher.changes.some((c) => c.kind === 'timeline' && c.data.kind === 'supervise'), 'supervise');
    expect(watcher.contractViolations).toEqual([]);
  });

  it('a live hello with a bad token gets an error message and the socket is closed', async () => {
    const t = await hub();
    for (const token of ['ses_not-a-real-session', 'dev_demo_nobody', 'garbage']) {
      const c = await LiveClient.connect(t.url, token, 0);
      const code = await c.closed;
      expect(code).toBe(4401);
      expect(c.messages).toHaveLength(1);
      expect(c.messages[0]).toMatchObject({ type: 'error', error: { code: 'unauthenticated' } });
      expect(c.changes).toEqual([]);
    }
    // a hello that is not JSON, or not a hello, is refused too
    const op = await login(t.url, 'operator');
    const c = await LiveClient.connect(t.url, op, 0);
    await c.waitFor(() => c.messages.some((m) => m.type === 'welcome'), 'welcome');
    c.ws.send(JSON.stringify({ type: 'hello', token: op, after: 0 }));
    expect(await c.closed).toBe(4400);
    expect(c.messages.some((m) => m.type === 'error' && m.error.code === 'invalid')).toBe(true);
  });
});
