import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../shared/schema';
import {
  allChanges,
  contractProblem,
  expectApplied,
  getChanges,
  headOf,
  LiveClient,
  login,
  openEvent,
  PLACES,
  postCommand,
  reportCmd,
  request,
  uid,
  type TestHub,
  startTestHub,
} from './helpers/hub';

let t: TestHub;
let op: string;
let op2: string;
const clients: LiveClient[] = [];

beforeEach(async () => {
  t = await startTestHub();
  [op, op2] = await Promise.all([login(t.url, 'operator', 'operator', 'console-a'), login(t.url, 'operator2', 'operator2', 'console-b')]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.close();
});

async function live(token: string, after: number): Promise<LiveClient> {
  const c = await LiveClient.open(t.url, token, after);
  clients.push(c);
  return c;
}

const seqs = (cs: readonly Change[]) => cs.map((c) => c.seq);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Some activity in several towns by two accounts and a field device. */
async function activity(label: string) {
  const a = await openEvent(t.url, op, { position: PLACES.jinsha, dispatchTo: 'leader-0-0-0' });
  const b = await openEvent(t.url, op2, { position: PLACES.xianfeng });
  await expectApplied(postCommand(t.url, op2, { type: 'dispatch', commandId: uid(), eventId: b, assigneeId: 'leader-1-0-0' }));
  await expectApplied(postCommand(t.url, op, reportCmd({ position: PLACES.dongshe, description: `${label} in dongshe` })));
  await expectApplied(postCommand(t.url, 'dev_demo_leader-0-0-0', { type: 'acknowledge', commandId: uid(), eventId: a }));
  const pos = await request(t.url, 'POST', '/api/field/position', {
    token: 'dev_demo_leader-1-0-0',
    json: { position: PLACES.xianfeng, accuracy: 5, at: Date.now() },
  });
  expect(pos.status).toBe(204);
  // concurrent commands from both consoles land in one or more batches
  await Promise.all([
    postCommand(t.url, op, reportCmd({ position: PLACES.school })),
    postCommand(t.url, op2, reportCmd({ position: PLACES.xianfeng })),
    postCommand(t.url, op, reportCmd({ position: PLACES.jinsha })),
  ]).then((rs) => rs.forEach((r) => expect(r.status).toBe(200)));
  return { a, b };
}

describe('change feed: live WebSocket and HTTP catch-up', () => {
  it('a console receives every change in order, misses none while away, and catches up exactly from its cursor', async () => {
    const c1 = await live(op, 0);
    const head0 = await headOf(t.url, op);
    await c1.waitForSeq(head0);
    expect(seqs(c1.changes)).toEqual(range(1, head0));

    await activity('first');
    const head1 = await headOf(t.url, op);
    expect(head1).toBeGreaterThan(head0);
    await c1.waitForSeq(head1);
    expect(c1.orderViolations).toEqual([]);
    expect(seqs(c1.changes)).toEqual(range(1, head1));
    // what came live is what the log holds
    expect(c1.changes).toEqual((await allChanges(t.url, op)).changes);

    // the console goes away at cursor C
    const C = c1.lastSeq;
    await c1.close();
    await activity('while away');
    const head2 = await headOf(t.url, op);
    expect(head2).toBeGreaterThan(C);

    // and comes back from C
    const c2 = await live(op, C);
    await c2.waitForSeq(head2);
    // a little more live traffic after catching up
    await expectApplied(postCommand(t.url, op2, reportCmd({ position: PLACES.dongshe })));
    const head3 = await headOf(t.url, op);
    await c2.waitForSeq(head3);
    await c2.barrier();
    expect(c2.orderViolations).toEqual([]);
    expect(seqs(c2.changes)).toEqual(range(C + 1, head3));
    const missed = await allChanges(t.url, op, C);
    expect(c2.changes).toEqual(missed.changes);
    expect(missed.head).toBe(head3);
    // everything on the wire keeps the shared contract
    expect(c1.contractViolations).toEqual([]);
    expect(c2.contractViolations).toEqual([]);
    expect(contractProblem(await getChanges(t.url, op, 0, 5000))).toBeUndefined();
  });

  it('consoles that connect or reconnect in the middle of a burst see every change exactly once, in order', async () => {
    const desk = await login(t.url, 'desk-jinsha');
    const early = await live(op, 0);
    const early2 = await live(op2, 0);
    const deskEarly = await live(desk, 0);
    const places = [PLACES.jinsha, PLACES.xianfeng, PLACES.dongshe, PLACES.school];
    const late: LiveClient[] = [];
    let sent = 0;
    const loop = async (n: number) => {
      for (let i = 0; i < 12; i++) {
        const tok = n % 2 ? op2 : op;
        const eventId = await openEvent(t.url, tok, { position: places[(n + i) % places.length]! });
        sent++;
        if (n === 0 && (i === 3 || i === 7)) {
          // join mid-burst: one from scratch, one from the current head
          late.push(await live(op, 0), await live(desk, 0));
          late.push(await live(op2, await headOf(t.url, op)));
        }
        if (i % 4 === 0) await postCommand(t.url, tok, { type: 'note', commandId: uid(), eventId, note: `n${n} i${i}` });
      }
    };
    await Promise.all([0, 1, 2, 3].map(loop));
    expect(sent).toBe(48);
    const full = await allChanges(t.url, op);
    const deskView = await allChanges(t.url, desk);
    const last = full.changes[full.changes.length - 1]!.seq;
    const deskLast = deskView.changes[deskView.changes.length - 1]!.seq;

    for (const c of [early, early2, ...late.filter((_, i) => i % 3 !== 1)]) {
      await c.waitForSeq(last);
      await c.barrier();
      expect(c.orderViolations).toEqual([]);
      expect(c.contractViolations).toEqual([]);
      const from = c.after;
      expect(seqs(c.changes)).toEqual(range(from + 1, last));
      expect(c.changes).toEqual(full.changes.filter((x) => x.seq > from));
    }
    for (const c of [deskEarly, ...late.filter((_, i) => i % 3 === 1)]) {
      await c.waitForSeq(deskLast);
      await c.barrier();
      expect(c.orderViolations).toEqual([]);
      expect(c.changes).toEqual(deskView.changes);
    }
  });

  it('a second hello on the same socket is refused and never duplicates the feed', async () => {
    // both hellos are on the wire before the hub has checked the first token
    const c = await LiveClient.connect(t.url, op, 0);
    c.ws.send(JSON.stringify({ type: 'hello', token: op, after: 0 }));
    // the hub refuses the second hello (error, close 4400); the first may or may not have been welcomed by then
    await c.waitFor(() => c.messages.some((m) => m.type === 'error') || c.closeCode !== undefined, 'refusal');
    clients.push(c);
    await expectApplied(postCommand(t.url, op, reportCmd()));
    const head = await headOf(t.url, op);
    await c.waitFor(() => c.lastSeq >= head || c.closeCode !== undefined, 'head or close').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    // whichever way the hub answers the second hello, one socket never gets a change twice
    expect(c.orderViolations).toEqual([]);
    expect(c.messages.filter((m) => m.type === 'welcome').length).toBeLessThanOrEqual(1);
    expect(c.messages.some((m) => m.type === 'error' && m.error.code === 'invalid')).toBe(true);
  });

  it('HTTP paging with a small limit walks the whole log with no gaps or duplicates', async () => {
    await activity('paging');
    const head = await headOf(t.url, op);
    // the tail of the log (the seeded district alone is thousands of changes; limit 1 walks one per request)
    const from = Math.max(0, head - 300);
    for (const limit of [1, 7, 50]) {
      const out: Change[] = [];
      let cursor = from;
      let pages = 0;
      for (;;) {
        const page = await getChanges(t.url, op, cursor, limit);
        pages++;
        expect(page.changes.length).toBeLessThanOrEqual(limit);
        expect(page.head).toBe(head);
        if (page.changes.length > 0) {
          expect(page.changes[0]!.seq).toBe(cursor + 1);
          expect(page.cursor).toBe(page.changes[page.changes.length - 1]!.seq);
        }
        out.push(...page.changes);
        if (page.changes.length < limit) {
          expect(page.cursor).toBe(head);
          break;
        }
        cursor = page.cursor;
        expect(pages).toBeLessThan(head + 5);
      }
      expect(seqs(out)).toEqual(range(from + 1, head));
    }
    // beyond the head: empty, cursor stays
    const past = await getChanges(t.url, op, head + 10, 5);
    expect(past.changes).toEqual([]);
    expect(past.cursor).toBe(head + 10);
    // a bad query names its field
    const bad = await request(t.url, 'GET', '/api/changes?after=-1', { token: op });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid', field: 'after' });
    const bad2 = await request(t.url, 'GET', '/api/changes?limit=0', { token: op });
    expect(bad2.status).toBe(400);
    expect(bad2.body.error).toMatchObject({ code: 'invalid', field: 'limit' });
  });

  it("a sub-centre desk sees only its town's and district-wide changes, and may not act in another town", async () => {
    const desk = await login(t.url, 'desk-jinsha');
    const me = await request(t.url, 'GET', '/api/me', { token: desk });
    expect(me.body).toMatchObject({ role: 'subcenter_desk', townId: 'town-jinsha' });

    const deskLive = await live(desk, 0);
    const { a, b } = await activity('scoped');
    const full = await allChanges(t.url, op);

    // the town each change belongs to, worked out from the full log
    const eventTown = new Map<string, string | undefined>();
    const personTown = new Map<string, string | undefined>();
    for (const c of full.changes) {
      if (c.kind === 'event') eventTown.set(c.id, c.data.townId);
      if (c.kind === 'person') personTown.set(c.id, c.data.townId);
    }
    const townOf = (c: Change): string | null => {
      switch (c.kind) {
        case 'event':
          return c.data.townId ?? null;
        case 'timeline':
          return eventTown.get(c.data.eventId) ?? null;
        case 'grid':
          return c.data.townId;
        case 'person':
          return c.data.townId ?? null;
        case 'position':
          return personTown.get(c.data.personId) ?? null;
        case 'org_unit':
          return c.data.level === 'subcenter' ? c.id : null;
        default:
          return c.kind === 'camera' ? (c.data.townId ?? null) : null;
      }
    };
    const expected = full.changes.filter((c) => {
      const town = townOf(c);
      return town === null || town === 'town-jinsha';
    });
    expect(expected.length).toBeLessThan(full.changes.length);
    expect(expected.some((c) => c.kind === 'event' && c.id === a)).toBe(true);

    // HTTP, walked in small pages
    const seen: Change[] = [];
    let cursor = 0;
    for (let i = 0; i < 1000; i++) {
      const page = await getChanges(t.url, desk, cursor, 9);
      seen.push(...page.changes);
      cursor = page.cursor;
      if (page.changes.length < 9) break;
    }
    expect(cursor).toBe(full.head);
    expect(seen).toEqual(expected);
    for (const c of seen) expect(['town-jinsha', null]).toContain(townOf(c));
    expect(seen.some((c) => c.kind === 'event' && c.id === b)).toBe(false);

    // the live feed, the same set
    await deskLive.waitForSeq(expected[expected.length - 1]!.seq);
    await deskLive.barrier();
    expect(deskLive.orderViolations).toEqual([]);
    expect(deskLive.changes).toEqual(expected);

    // acting on an event in another town is refused and changes nothing
    const rowsBefore = await t.hub.store.countRows();
    const headBefore = await headOf(t.url, op);
    const r = await postCommand(t.url, desk, { type: 'note', commandId: uid(), eventId: b, note: 'not mine' });
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('out_of_scope');
    expect(r.body.error?.message).toContain('town-jinsha');
    const r2 = await postCommand(t.url, desk, { type: 'dispatch', commandId: uid(), eventId: b, assigneeId: 'leader-1-0-1' });
    expect(r2.status).toBe(403);
    expect(r2.body.error?.code).toBe('out_of_scope');
    // reporting a position in another town, and dispatching its own event to another town's leader
    const r3 = await postCommand(t.url, desk, reportCmd({ position: PLACES.dongshe }));
    expect(r3.status).toBe(403);
    expect(r3.body.error).toMatchObject({ code: 'out_of_scope', field: 'position' });
    const own = reportCmd({ position: PLACES.jinsha });
    await expectApplied(postCommand(t.url, desk, own));
    await expectApplied(postCommand(t.url, desk, { type: 'accept', commandId: uid(), eventId: own.eventId }));
    const r4 = await postCommand(t.url, desk, { type: 'dispatch', commandId: uid(), eventId: own.eventId, assigneeId: 'leader-2-0-0' });
    expect(r4.status).toBe(403);
    expect(r4.body.error).toMatchObject({ code: 'out_of_scope', field: 'assigneeId' });
    expect((await t.hub.store.getEvent(b))?.timelineLength).toBe(3);
    const rowsAfter = await t.hub.store.countRows();
    // only the desk's own report and accept wrote (4 changes); the refusals left just their command records
    expect(rowsAfter.changes! - rowsBefore.changes!).toBe(4);
    expect(await headOf(t.url, op)).toBe(headBefore + 4);

    // the desk's live feed got its own event but never the other towns' ones
    await deskLive.waitFor(() => deskLive.changes.some((c) => c.kind === 'event' && c.id === own.eventId && c.data.state === 'accepted'), 'own accept');
    await deskLive.barrier();
    const fullNow = await allChanges(t.url, op);
    for (const c of fullNow.changes) if (c.kind === 'event') eventTown.set(c.id, c.data.townId);
    const expectedNow = fullNow.changes.filter((c) => [null, 'town-jinsha'].includes(townOf(c)));
    expect(deskLive.changes).toEqual(expectedNow);
    expect(deskLive.changes.some((c) => c.kind === 'event' && (c.id === b || c.data.townId === 'town-dongshe'))).toBe(false);
  });
});
