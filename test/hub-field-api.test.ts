import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polygonCentroid } from '../shared/geo';
import { FieldAssignments, FieldProfile, type Change, type LngLat } from '../shared/schema';
import { tokenHash } from '../server/auth';
import {
  expectApplied,
  getChanges,
  headOf,
  LiveClient,
  login,
  openEvent,
  postCommand,
  reportCmd,
  request,
  startTestHub,
  uid,
  type TestHub,
} from './helpers/hub';

/**
 * The field API a grid leader's phone uses (GET /api/field/me, /api/field/assignments), what a field
 * device's live socket may see, and how the hub treats forged, revoked and replayed requests.
 */
const LEADER = 'leader-0-0-0';
const LEADER_DEV = `dev_demo_${LEADER}`;
const OTHER = 'leader-1-0-0';
const OTHER_DEV = `dev_demo_${OTHER}`;

let t: TestHub;
let op: string;
/** a point inside each leader's own grid, read from the API rather than hard-coded */
let here: LngLat;
let there: LngLat;

async function me(token: string): Promise<FieldProfile> {
  const r = await request(t.url, 'GET', '/api/field/me', { token });
  expect(r.status, r.text).toBe(200);
  const parsed = FieldProfile.safeParse(r.body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
  return parsed.data!;
}

async function assignments(token: string): Promise<FieldAssignments> {
  const r = await request(t.url, 'GET', '/api/field/assignments', { token });
  expect(r.status, r.text).toBe(200);
  const parsed = FieldAssignments.safeParse(r.body);
  expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
  return parsed.data!;
}

const homeOf = (p: FieldProfile, gridId: string): LngLat => polygonCentroid(p.grids.find((g) => g.id === gridId)!.polygon);

beforeAll(async () => {
  t = await startTestHub();
  op = await login(t.url, 'operator');
  here = homeOf(await me(LEADER_DEV), 'grid-0-0-0');
  there = homeOf(await me(OTHER_DEV), 'grid-1-0-0');
});
afterAll(async () => {
  await t?.close();
});

describe('field API over HTTP', () => {
  it('GET /api/field/me answers the person, their grids with polygons, their community and town', async () => {
    const p = await me(LEADER_DEV);
    expect(p.person).toMatchObject({ id: LEADER, role: 'leader' });
    expect(p.grids.map((g) => g.id)).toContain('grid-0-0-0');
    expect(p.grids[0]!.polygon.coordinates[0]!.length).toBeGreaterThanOrEqual(4);
    expect(p.town).toMatchObject({ id: 'town-jinsha', name: '金沙街道' });
    expect(p.community?.id).toBe(p.grids[0]!.communityId);

    // desks have the console; no token at all is a 401 that says what to send
    const desk = await request(t.url, 'GET', '/api/field/me', { token: op });
    expect(desk.status).toBe(403);
    expect(desk.body.error.code).toBe('forbidden');
    const none = await request(t.url, 'GET', '/api/field/assignments');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/Bearer/);
  });

  it('GET /api/field/assignments lists open events assigned to me and my recent reports, with the head to follow from', async () => {
    const before = await assignments(LEADER_DEV);
    const mine = await openEvent(t.url, op, { position: here, dispatchTo: LEADER });
    const theirs = await openEvent(t.url, op, { position: there, dispatchTo: OTHER });
    const report = reportCmd({ position: here, source: 'field', categoryId: 'environment', description: '河道漂浮垃圾' });
    await expectApplied(postCommand(t.url, LEADER_DEV, report));

    const a = await assignments(LEADER_DEV);
    expect(a.head).toBeGreaterThan(before.head);
    expect(a.head).toBeLessThanOrEqual(await headOf(t.url, op));
    expect(a.assignments.map((e) => e.id)).toContain(mine);
    expect(a.assignments.map((e) => e.id)).not.toContain(theirs);
    expect(a.assignments.every((e) => e.assigneeId === LEADER)).toBe(true);
    const rep = a.reports.find((e) => e.id === report.eventId);
    expect(rep).toMatchObject({ reporterId: LEADER, source: 'field' });
    expect(rep!.gridIds).toContain('grid-0-0-0');

    const other = await assignments(OTHER_DEV);
    expect(other.assignments.map((e) => e.id)).toContain(theirs);
    expect(other.assignments.map((e) => e.id)).not.toContain(mine);
    expect(other.reports.map((e) => e.id)).not.toContain(report.eventId);
  });

  it('answers 503 at /field with what to do when the renderer is not built', async () => {
    const bare = await startTestHub({ rendererDir: '/nonexistent/renderer' });
    try {
      const r = await request(bare.url, 'GET', '/field/');
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('unavailable');
      expect(r.body.error.message).toContain('npm run build');
      // the API itself does not depend on the page
      expect((await request(bare.url, 'GET', '/api/field/me', { token: LEADER_DEV })).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('a field device on the live feed', () => {
  it("receives its own assignment and nothing about another leader's event or the rest of the district", async () => {
    const from = await headOf(t.url, op);
    const phone = await LiveClient.open(t.url, LEADER_DEV, from);
    const desk = await LiveClient.open(t.url, op, from);
    try {
      const mine = await openEvent(t.url, op, { position: here, dispatchTo: LEADER });
      const theirs = await openEvent(t.url, op, { position: there, dispatchTo: OTHER });
      const pos = await request(t.url, 'POST', '/api/field/position', { token: OTHER_DEV, json: { position: there, accuracy: 5, at: Date.now() } });
      expect(pos.status).toBe(204);
      const ownPos = await request(t.url, 'POST', '/api/field/position', { token: LEADER_DEV, json: { position: here, accuracy: 5, at: Date.now() } });
      expect(ownPos.status).toBe(204);
      await expectApplied(postCommand(t.url, LEADER_DEV, { type: 'acknowledge', commandId: uid(), eventId: mine }));

      const head = await headOf(t.url, op);
      await desk.waitForSeq(head);
      await phone.waitFor(
        () => phone.changes.some((c) => c.kind === 'event' && c.id === mine && c.data.state === 'acknowledged'),
        'own acknowledgement',
      );
      await phone.barrier();
      expect(phone.contractViolations).toEqual([]);
      expect(phone.orderViolations).toEqual([]);

      const about = (c: Change): string | undefined =>
        c.kind === 'event' ? c.id : c.kind === 'timeline' ? c.data.eventId : undefined;
      // the desk saw everything, the phone only its own event (every step of it) and its own fix
      expect(desk.changes.some((c) => about(c) === theirs)).toBe(true);
      expect(phone.changes.some((c) => about(c) === theirs)).toBe(false);
      // from the dispatch on, the phone has every change the desk has about its event
      const mineOnDesk = desk.changes.filter((c) => about(c) === mine);
      const dispatched = mineOnDesk.findIndex((c) => c.kind === 'event' && c.data.assigneeId === LEADER);
      expect(phone.changes.filter((c) => about(c) === mine)).toEqual(mineOnDesk.slice(dispatched));
      expect(phone.changes.filter((c) => c.kind === 'timeline' && c.data.eventId === mine).map((c) => c.kind === 'timeline' && c.data.kind)).toEqual([
        'dispatch',
        'acknowledge',
      ]);
      for (const c of phone.changes) {
        if (c.kind === 'position') expect(c.data.personId).toBe(LEADER);
        else expect(['event', 'timeline', 'person']).toContain(c.kind);
        if (c.kind === 'person') expect(c.id).toBe(LEADER);
      }
      expect(phone.changes.some((c) => c.kind === 'position')).toBe(true);
    } finally {
      await phone.close();
      await desk.close();
    }
  });

  it('reads the same over HTTP: GET /api/changes with a device token holds only its own events and itself', async () => {
    const from = await headOf(t.url, op);
    const mine = await openEvent(t.url, op, { position: here, dispatchTo: LEADER });
    const theirs = await openEvent(t.url, op, { position: there, dispatchTo: OTHER });
    const page = await getChanges(t.url, LEADER_DEV, from);
    const deskPage = await getChanges(t.url, op, from);
    expect(page.head).toBe(deskPage.head);
    expect(page.cursor).toBe(deskPage.cursor);
    const ids = new Set(page.changes.map((c) => (c.kind === 'timeline' ? c.data.eventId : c.id)));
    expect(ids.has(mine)).toBe(true);
    expect(ids.has(theirs)).toBe(false);
    for (const c of page.changes) expect(['event', 'timeline', 'person', 'position']).toContain(c.kind);
    // and from the start of the log: none of the district's reference data
    const all = await getChanges(t.url, LEADER_DEV, 0, 5000);
    expect(all.changes.filter((c) => c.kind === 'grid' || c.kind === 'org_unit' || c.kind === 'camera')).toEqual([]);
  });

  it('an event reassigned away from the phone is told once, then no more', async () => {
    const from = await headOf(t.url, op);
    const phone = await LiveClient.open(t.url, LEADER_DEV, from);
    try {
      const ev = await openEvent(t.url, op, { position: here, dispatchTo: LEADER });
      await expectApplied(postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId: ev, assigneeId: 'leader-0-0-1' }));
      await expectApplied(postCommand(t.url, op, { type: 'note', commandId: uid(), eventId: ev, note: 'after the handover' }));
      await phone.barrier();
      const events = phone.changes.filter((c) => c.kind === 'event' && c.id === ev);
      expect(events.at(-1)).toMatchObject({ data: { assigneeId: 'leader-0-0-1' } });
      expect(phone.changes.some((c) => c.kind === 'timeline' && c.data.eventId === ev && c.data.kind === 'note')).toBe(false);
    } finally {
      await phone.close();
    }
  });
});

describe('field devices: forged, revoked and replayed', () => {
  it('refuses a forged device token and a revoked one with a 401 that says so, on HTTP and on the live feed', async () => {
    const forged = await request(t.url, 'GET', '/api/field/me', { token: 'dev_demo_nobody' });
    expect(forged.status).toBe(401);
    expect(forged.body.error).toMatchObject({ code: 'unauthenticated' });
    expect(forged.body.error.message).toMatch(/device token is not known/i);

    const person = 'leader-0-1-0';
    const token = `dev_demo_${person}`;
    expect((await request(t.url, 'GET', '/api/field/me', { token })).status).toBe(200);
    await t.hub.store.putDevice({ id: `device-${person}`, personId: person, label: 'lost phone', tokenHash: tokenHash(token), revoked: true });
    for (const path of ['/api/field/me', '/api/field/assignments']) {
      const r = await request(t.url, 'GET', path, { token });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(r.body.error.message).toMatch(/revoked/);
    }
    const cmd = await postCommand(t.url, token, reportCmd({ position: here, source: 'field' }));
    expect(cmd.status).toBe(401);
    const pos = await request(t.url, 'POST', '/api/field/position', { token, json: { position: here, at: Date.now() } });
    expect(pos.status).toBe(401);

    for (const bad of [token, 'dev_demo_nobody']) {
      const ws = await LiveClient.connect(t.url, bad, 0);
      expect(await ws.closed).toBe(4401);
      const err = ws.messages.find((m) => m.type === 'error');
      expect(err).toMatchObject({ type: 'error', error: { code: 'unauthenticated' } });
    }
  });

  it('applies a replayed command once and answers the replay with the first result', async () => {
    const ev = await openEvent(t.url, op, { position: here, dispatchTo: LEADER });
    const ack = { type: 'acknowledge', commandId: uid('ack'), eventId: ev };
    const first = await expectApplied(postCommand(t.url, LEADER_DEV, ack));
    const head = await headOf(t.url, op);
    const again = await postCommand(t.url, LEADER_DEV, ack);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await headOf(t.url, op)).toBe(head);
    expect((await t.hub.store.getEvent(ev))?.timelineLength).toBe(4);

    // the same id for a different command is still the first one's result, not a new effect
    const reused = await postCommand(t.url, LEADER_DEV, { type: 'arrive', commandId: ack.commandId, eventId: ev, position: here });
    expect(reused.body).toEqual(first.body);
    expect((await t.hub.store.getEvent(ev))?.state).toBe('acknowledged');
  });

  it('refuses a position outside the district, naming the position', async () => {
    const r = await request(t.url, 'POST', '/api/field/position', { token: LEADER_DEV, json: { position: { lng: 100.5, lat: 13.7 }, at: Date.now() } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(['out_of_district', 'invalid', 'out_of_scope']).toContain(r.body.error.code);
    expect(r.body.error.field).toMatch(/^position/);
  });
});
