/**
 * A sub-centre desk (分中心) through the real hub: every query and command it can make, asked once
 * for its own town and once for another. Its own town works; another town is refused with
 * out_of_scope (or looks absent where even its existence would tell something) and nothing is
 * written. It sends cases up to the district and never across to another town.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallClientSignal, CallServerSignal, LiveServerMessage } from '../shared/schema';
import { periodOf } from '../shared/stats';
import { expectApplied, LiveClient, login, openEvent, PLACES, postCommand, reportCmd, request, startTestHub, uid, type TestHub } from './helpers/hub';

let t: TestHub;
let op: string;
let desk: string;
/** events of the desk's town (jinsha) and of another (dongshe), dispatched */
let own: string;
let other: string;
const OWN_LEADER = 'leader-0-0-0';
const OTHER_LEADER = 'leader-4-0-0';

beforeAll(async () => {
  t = await startTestHub();
  op = await login(t.url, 'operator');
  desk = await login(t.url, 'desk-jinsha');
  own = await openEvent(t.url, op, { position: PLACES.jinsha, dispatchTo: OWN_LEADER });
  other = await openEvent(t.url, op, { position: PLACES.dongshe, dispatchTo: OTHER_LEADER });
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, token = desk) => request(t.url, 'GET', path, { token });

describe('a sub-centre desk at the hub', () => {
  it('queries: its own town answers, another town is refused', async () => {
    const now = Date.now();
    const period = periodOf('this_month', now);
    const hour = `from=${now - 3_600_000}&to=${now + 1}`;
    const cases: { path: string; ownPath: string; code: string; field?: string }[] = [
      { ownPath: `/api/recommend?lng=${PLACES.jinsha.lng}&lat=${PLACES.jinsha.lat}`, path: `/api/recommend?lng=${PLACES.dongshe.lng}&lat=${PLACES.dongshe.lat}`, code: 'out_of_scope', field: 'lng' },
      { ownPath: `/api/map/track?personId=${OWN_LEADER}&${hour}`, path: `/api/map/track?personId=${OTHER_LEADER}&${hour}`, code: 'out_of_scope' },
      { ownPath: `/api/map/patrol?gridId=grid-0-0-0&${hour}`, path: `/api/map/patrol?gridId=grid-4-0-0&${hour}`, code: 'out_of_scope' },
      { ownPath: `/api/stats/overview?from=${period.from}&to=${period.to}`, path: `/api/stats/overview?from=${period.from}&to=${period.to}&townId=town-dongshe`, code: 'out_of_scope', field: 'townId' },
      { ownPath: `/api/stats/breakdown?by=grid&from=${period.from}&to=${period.to}`, path: `/api/stats/breakdown?by=grid&from=${period.from}&to=${period.to}&townId=town-dongshe`, code: 'out_of_scope', field: 'townId' },
      { ownPath: '/api/stats/overdue', path: '/api/stats/overdue?townId=town-dongshe', code: 'out_of_scope', field: 'townId' },
      { ownPath: `/api/stats/export.xlsx?from=${period.from}&to=${period.to}`, path: `/api/stats/export.xlsx?from=${period.from}&to=${period.to}&townId=town-dongshe`, code: 'out_of_scope', field: 'townId' },
    ];
    for (const c of cases) {
      const ok = await get(c.ownPath);
      expect(ok.status, `${c.ownPath}: ${ok.text.slice(0, 200)}`).toBe(200);
      const refused = await get(c.path);
      expect(refused.status, c.path).toBe(403);
      expect(refused.body.error, c.path).toMatchObject({ code: c.code, ...(c.field ? { field: c.field } : {}) });
    }

    // what answers for its own town holds nothing of another
    const rec = await get(`/api/recommend?lng=${PLACES.jinsha.lng}&lat=${PLACES.jinsha.lat}`);
    expect(rec.body.candidates.length).toBeGreaterThan(0);
    expect(rec.body.candidates[0].personId).toBe(OWN_LEADER);
    expect(rec.body.candidates.map((c: { rank: number }) => c.rank)).toEqual(rec.body.candidates.map((_: unknown, i: number) => i + 1));
    const people = new Map<string, string | undefined>();
    for (const id of rec.body.candidates.map((c: { personId: string }) => c.personId)) people.set(id, (await t.hub.store.getPerson(id))?.townId);
    expect([...new Set(people.values())]).toEqual(['town-jinsha']);
    const grids = await get(`/api/stats/breakdown?by=grid&from=${period.from}&to=${period.to}`);
    expect(grids.body.townId).toBe('town-jinsha');
    expect(grids.body.rows.every((r: { id: string }) => r.id.startsWith('grid-0-'))).toBe(true);
    const overdue = await get('/api/stats/overdue');
    expect(overdue.body.items.every((e: { townId?: string }) => e.townId === 'town-jinsha')).toBe(true);
    // a district operator's recommendation is not narrowed
    const wide = await get(`/api/recommend?lng=${PLACES.jinsha.lng}&lat=${PLACES.jinsha.lat}`, op);
    expect(wide.body.candidates.length).toBeGreaterThanOrEqual(rec.body.candidates.length);
  });

  it("a command's result: its own and its town's readable, another town's looks absent", async () => {
    const mine = await expectApplied(postCommand(t.url, desk, { type: 'note', commandId: uid(), eventId: own, note: '分中心已知悉' }));
    const opOnOwn = uid();
    await expectApplied(postCommand(t.url, op, { type: 'note', commandId: opOnOwn, eventId: own, note: 'district note' }));
    const opOnOther = uid();
    await expectApplied(postCommand(t.url, op, { type: 'note', commandId: opOnOther, eventId: other, note: 'district note' }));
    expect((await get(`/api/commands/${mine.body.commandId}`)).status).toBe(200);
    expect((await get(`/api/commands/${opOnOwn}`)).body).toMatchObject({ status: 'applied', commandId: opOnOwn });
    const hidden = await get(`/api/commands/${opOnOther}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('not_found');
    expect(hidden.text).not.toContain(other);
    // the district still reads everything
    expect((await get(`/api/commands/${opOnOther}`, op)).status).toBe(200);
  });

  it('commands: acts in its town, refused in another with nothing written, single or batched', async () => {
    const rows = await t.hub.store.countRows();
    const refusals = [
      { type: 'accept', commandId: uid(), eventId: other },
      { type: 'dispatch', commandId: uid(), eventId: other, assigneeId: OTHER_LEADER },
      { type: 'supervise', commandId: uid(), eventId: other, note: '催办' },
      { type: 'escalate', commandId: uid(), eventId: other, note: '上报', escalation: { target: 'district' } },
      { type: 'close', commandId: uid(), eventId: other, note: '办结' },
    ];
    for (const c of refusals) {
      const r = await postCommand(t.url, desk, c);
      expect(r.status, c.type).toBe(403);
      expect(r.body.error?.code, c.type).toBe('out_of_scope');
    }
    const batch = await request(t.url, 'POST', '/api/commands/batch', { token: desk, json: { commands: refusals.map((c) => ({ ...c, commandId: uid() })) } });
    expect(batch.status, batch.text).toBe(200);
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(refusals.map(() => 'rejected'));
    expect(batch.body.results.every((r: { error: { code: string } }) => r.error.code === 'out_of_scope')).toBe(true);
    const after = await t.hub.store.countRows();
    expect(after.changes).toBe(rows.changes);
    expect(after.events).toBe(rows.events);
    expect((await t.hub.store.getEvent(other))?.state).toBe('dispatched');
  });

  it('escalates up to the district or to departments, never across to another town', async () => {
    const rep = reportCmd({ position: PLACES.jinsha });
    await expectApplied(postCommand(t.url, desk, rep));
    const eventId = rep.eventId as string;
    await expectApplied(postCommand(t.url, desk, { type: 'accept', commandId: uid(), eventId }));
    const across = await postCommand(t.url, desk, { type: 'escalate', commandId: uid(), eventId, note: '请东沙处理', escalation: { target: 'subcenter', orgUnitId: 'town-dongshe' } });
    expect(across.status).toBe(403);
    expect(across.body.error).toMatchObject({ code: 'out_of_scope', field: 'escalation.orgUnitId' });
    await expectApplied(postCommand(t.url, desk, { type: 'escalate', commandId: uid(), eventId, note: '需区级协调', escalation: { target: 'district' } }));
    const ev = await t.hub.store.getEvent(eventId);
    expect(ev).toMatchObject({ state: 'escalated', tier: 'escalated', escalation: { target: 'district' } });
    // the district sees it and can send it on to departments; the district itself cannot "escalate to the district"
    const self = await postCommand(t.url, op, { type: 'escalate', commandId: uid(), eventId, note: 'x', escalation: { target: 'district' } });
    expect(self.status).toBe(400);
    expect(self.body.error).toMatchObject({ code: 'invalid', field: 'escalation.target' });
  });

  it('call-back: placed on its own events, refused on another town', async () => {
    const c = await LiveClient.open(t.url, desk, 1e9);
    const calls = () => c.messages.filter((m): m is Extract<LiveServerMessage, { type: 'call' }> => m.type === 'call').map((m) => m.call as CallServerSignal);
    const send = (s: CallClientSignal) => c.ws.send(JSON.stringify({ type: 'call', call: s }));
    send({ kind: 'start', callId: 'desk-other', eventId: other, attempt: 1, recorded: false });
    await c.waitFor(() => calls().some((s) => s.kind === 'error'), 'refusal');
    expect(calls().find((s) => s.kind === 'error')).toMatchObject({ refused: 'start', error: { code: 'out_of_scope' } });
    send({ kind: 'start', callId: 'desk-own', eventId: own, attempt: 1, recorded: false });
    // the leader's phone is not connected here: the call is refused for that, not for scope
    await c.waitFor(() => calls().some((s) => s.callId === 'desk-own'), 'own call answered');
    const answer = calls().find((s) => s.callId === 'desk-own')!;
    expect(answer.kind === 'error' ? answer.error.code : answer.kind).not.toBe('out_of_scope');
    await c.close();
  });
});
