import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallClientSignal, CallServerSignal, Change, LiveServerMessage, TimelineEntry } from '../shared/schema';
import { allChanges, expectApplied, LiveClient, login, openEvent, postCommand, startTestHub, uid, upload, onePixelPng, type TestHub } from './helpers/hub';

/**
 * The hub's call-back signalling over real WebSockets on loopback: who may place, answer and signal
 * a call (and the clear refusals for everyone else), ringing that times out, the ICE servers handed
 * to both ends, the records the hub writes into the timeline, and the `callback` command's rules
 * (schedule, outcome as the review step). The browser side is test/callback-ui.test.ts.
 */
const LEADER = 'leader-0-0-0';
const OTHER_LEADER = 'leader-0-0-1';
const dev = (p: string) => `dev_demo_${p}`;

let t: TestHub;
let op: string;

const calls = (c: LiveClient): CallServerSignal[] =>
  c.messages.filter((m): m is Extract<LiveServerMessage, { type: 'call' }> => m.type === 'call').map((m) => m.call);
const sendCall = (c: LiveClient, call: CallClientSignal) => c.ws.send(JSON.stringify({ type: 'call', call }));
const waitCall = async (c: LiveClient, pred: (s: CallServerSignal) => boolean, what: string, timeoutMs = 5000) => {
  await c.waitFor(() => calls(c).some(pred), what, timeoutMs);
  return calls(c).find(pred)!;
};
const timelineOf = (changes: Change[], id: string): TimelineEntry[] =>
  changes.filter((c): c is Extract<Change, { kind: 'timeline' }> => c.kind === 'timeline' && c.data.eventId === id).map((c) => c.data);
const eventOf = async (id: string) =>
  (await allChanges(t.url, op)).changes.filter((c): c is Extract<Change, { kind: 'event' }> => c.kind === 'event' && c.id === id).at(-1)?.data;

beforeAll(async () => {
  t = await startTestHub({
    callRingTimeoutMs: 1500,
    iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'] }],
    turnSecret: 'shared-secret',
  });
  op = await login(t.url, 'operator');
});
afterAll(async () => {
  await t?.close();
});

async function sockets() {
  const console1 = await LiveClient.open(t.url, op, 1e9);
  const leader = await LiveClient.open(t.url, dev(LEADER), 1e9);
  return { console1, leader };
}

describe('call-back signalling through the hub', () => {
  it('rings the assigned leader with the event, the caller and the ICE servers; relays only between the two bound ends', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    const { console1, leader } = await sockets();
    const stranger = await LiveClient.open(t.url, dev(OTHER_LEADER), 1e9);
    const callId = uid('call').slice(0, 40);
    sendCall(console1, { kind: 'start', callId, eventId, attempt: 1, recorded: false });

    const ringing = await waitCall(console1, (s) => s.kind === 'ringing', 'ringing');
    const ring = await waitCall(leader, (s) => s.kind === 'ring', 'ring');
    expect(ringing).toMatchObject({ callId, eventId, attempt: 1, ringTimeoutMs: 1500 });
    expect(ring).toMatchObject({ callId, attempt: 1, recorded: false, brief: { eventId, categoryId: 'municipal_facilities', callerRole: 'operator' } });
    // ICE: the STUN server as configured; TURN with credentials minted per person that coturn can check
    for (const s of [ringing, ring]) {
      if (s.kind !== 'ringing' && s.kind !== 'ring') throw new Error('unreachable');
      expect(s.iceServers[0]).toEqual({ urls: 'stun:stun.example.org:3478' });
      expect(s.iceServers[1]!.username).toMatch(/^\d+:/);
      expect(s.iceServers[1]!.credential).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
    expect(ring.kind === 'ring' && ring.iceServers[1]!.username!.endsWith(`:${LEADER}`)).toBe(true);

    // a device that is not the event's assigned leader is refused, whatever it sends, and nothing reaches the console
    const before = console1.messages.length;
    sendCall(stranger, { kind: 'accept', callId });
    sendCall(stranger, { kind: 'candidate', callId, candidate: { candidate: 'candidate:1 1 udp 2122260223 10.0.0.9 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    sendCall(stranger, { kind: 'description', callId, description: { type: 'answer', sdp: 'v=0\r\n' } });
    await stranger.waitFor(() => calls(stranger).filter((s) => s.kind === 'error').length >= 3, 'three refusals');
    const refusals = calls(stranger).filter((s) => s.kind === 'error');
    expect(refusals.map((r) => r.kind === 'error' && r.refused)).toEqual(['accept', 'candidate', 'description']);
    for (const r of refusals) {
      if (r.kind !== 'error') continue;
      expect(r.error.code).toBe('not_assignee');
      expect(r.error.message).toContain(`not the leader assigned to event ${eventId}`);
      expect(r.error.message).toContain('Signalling refused');
    }
    // the stranger's live link stays up: the refusal is the call's, not the session's
    expect(stranger.closeCode).toBeUndefined();
    await console1.barrier();
    expect(console1.messages.slice(before).filter((m) => m.type === 'call')).toEqual([]);

    // the leader answers; descriptions and candidates now pass between the two, both ways
    sendCall(leader, { kind: 'accept', callId });
    await waitCall(console1, (s) => s.kind === 'accepted', 'accepted');
    sendCall(console1, { kind: 'description', callId, description: { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' } });
    const offer = await waitCall(leader, (s) => s.kind === 'description', 'offer at the leader');
    expect(offer).toMatchObject({ description: { type: 'offer' } });
    sendCall(leader, { kind: 'candidate', callId, candidate: { candidate: 'candidate:2 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    await waitCall(console1, (s) => s.kind === 'candidate', 'candidate at the console');
    // a leader's second page is not in the call once the first answered
    const second = await LiveClient.open(t.url, dev(LEADER), 1e9);
    sendCall(second, { kind: 'candidate', callId, candidate: { candidate: 'candidate:3 1 udp 1 127.0.0.1 9 typ host' } });
    const elsewhere = await waitCall(second, (s) => s.kind === 'error', 'refusal on the second page');
    expect(elsewhere.kind === 'error' && elsewhere.error.message).toMatch(/answered on another device/);

    sendCall(console1, { kind: 'connected', callId, attempt: 1, setupMs: 420 });
    sendCall(console1, { kind: 'recording', callId, on: true });
    await waitCall(leader, (s) => s.kind === 'recording' && s.on, 'recording notice at the leader');
    sendCall(leader, { kind: 'hangup', callId });
    const ended = await waitCall(console1, (s) => s.kind === 'ended', 'ended');
    expect(ended).toMatchObject({ reason: 'hangup_leader' });

    // the hub wrote the call's course into the timeline, as the operator, from the operator's console
    await expect.poll(async () => timelineOf((await allChanges(t.url, op)).changes, eventId).filter((e) => e.kind === 'callback').length).toBe(3);
    const records = timelineOf((await allChanges(t.url, op)).changes, eventId).filter((e) => e.kind === 'callback');
    expect(records.map((e) => e.data?.phase)).toEqual(['started', 'connected', 'ended']);
    expect(records[1]!.data).toMatchObject({ callId, attempt: 1, setupMs: 420 });
    expect(records[2]!.data).toMatchObject({ callId, reason: 'hangup_leader' });
    expect(records.every((e) => e.actorRole === 'operator' && e.commandId.startsWith(callId))).toBe(true);
    await Promise.all([console1, leader, stranger, second].map((c) => c.close()));
  });

  it('refuses a call from a field device, for an event it is not assigned, and for an unknown call', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    const other = await LiveClient.open(t.url, dev(OTHER_LEADER), 1e9);
    sendCall(other, { kind: 'start', callId: 'k-field-start', eventId, attempt: 1, recorded: false });
    const r1 = await waitCall(other, (s) => s.kind === 'error', 'refusal');
    expect(r1).toMatchObject({ refused: 'start', error: { code: 'role_not_allowed' } });
    sendCall(other, { kind: 'accept', callId: 'k-nothing' });
    await other.waitFor(() => calls(other).filter((s) => s.kind === 'error').length === 2, 'second refusal');
    expect(calls(other).filter((s) => s.kind === 'error')[1]).toMatchObject({ refused: 'accept', error: { code: 'not_found' } });
    await other.close();

    // not dispatched yet: nobody to call
    const undispatched = await openEvent(t.url, op);
    const c = await LiveClient.open(t.url, op, 1e9);
    sendCall(c, { kind: 'start', callId: 'k-no-leader', eventId: undispatched, attempt: 1, recorded: false });
    const r2 = await waitCall(c, (s) => s.kind === 'error', 'no leader');
    expect(r2).toMatchObject({ refused: 'start', error: { code: 'invalid_transition' } });
    expect(r2.kind === 'error' && r2.error.message).toMatch(/no assigned leader.*dispatch it first/);
    // malformed signalling fails the shared schema like any malformed live message: a broken client is cut off
    c.ws.send(JSON.stringify({ type: 'call', call: { kind: 'start', callId: 'x', eventId: 'y', attempt: 3, recorded: false } }));
    await c.closed;
    expect(c.messages.at(-1)).toMatchObject({ type: 'error', error: { code: 'invalid' } });
  });

  it('a leader whose page is not connected is offline; a phone that does not answer times out', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: 'leader-0-1-0' });
    const c = await LiveClient.open(t.url, op, 1e9);
    sendCall(c, { kind: 'start', callId: 'k-offline', eventId, attempt: 1, recorded: false });
    const off = await waitCall(c, (s) => s.kind === 'ended', 'offline');
    expect(off).toMatchObject({ reason: 'offline' });
    expect(off.kind === 'ended' && off.message).toMatch(/not connected \(offline\); phone [0-9+\- ]+ or schedule a call-back/);

    const leader = await LiveClient.open(t.url, dev('leader-0-1-0'), 1e9);
    const t0 = Date.now();
    sendCall(c, { kind: 'start', callId: 'k-timeout', eventId, attempt: 1, recorded: false });
    await waitCall(leader, (s) => s.kind === 'ring', 'ring');
    const ended = await waitCall(c, (s) => s.kind === 'ended' && s.callId === 'k-timeout', 'no answer', 5000);
    expect(ended).toMatchObject({ reason: 'no_answer' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    // the ringing page is told too, so it stops ringing
    await waitCall(leader, (s) => s.kind === 'ended' && s.callId === 'k-timeout', 'ended at the leader');
    await Promise.all([c.close(), leader.close()]);
  });

  it('the answering page leaving tells the console; the console retries once and a page that comes back is rung again', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    const { console1, leader } = await sockets();
    sendCall(console1, { kind: 'start', callId: 'k-lost', eventId, attempt: 1, recorded: true });
    await waitCall(leader, (s) => s.kind === 'ring', 'ring');
    sendCall(leader, { kind: 'accept', callId: 'k-lost' });
    await waitCall(console1, (s) => s.kind === 'accepted', 'accepted');
    await leader.close();
    await waitCall(console1, (s) => s.kind === 'peer_left', 'peer_left');
    sendCall(console1, { kind: 'start', callId: 'k-lost', eventId, attempt: 2, recorded: true });
    await waitCall(console1, (s) => s.kind === 'ringing' && s.attempt === 2, 'ringing again');
    const back = await LiveClient.open(t.url, dev(LEADER), 1e9);
    const ring = await waitCall(back, (s) => s.kind === 'ring', 'ring on the returning page');
    expect(ring).toMatchObject({ attempt: 2, recorded: true });
    sendCall(back, { kind: 'accept', callId: 'k-lost' });
    await waitCall(console1, (s) => s.kind === 'accepted' && s.attempt === 2, 'accepted again');
    // a third attempt is not a retry
    sendCall(console1, { kind: 'start', callId: 'k-lost', eventId, attempt: 1, recorded: true });
    sendCall(console1, { kind: 'hangup', callId: 'k-lost' });
    await waitCall(back, (s) => s.kind === 'ended', 'ended');
    await expect
      .poll(async () => timelineOf((await allChanges(t.url, op)).changes, eventId).filter((e) => e.kind === 'callback').map((e) => e.data?.phase))
      .toEqual(['started', 'lost', 'ended']);
    await Promise.all([console1.close(), back.close()]);
  });
});

describe('the callback command', () => {
  it('schedules a reminder on the event, and placing the call clears it', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    const t0 = Date.now();
    await expectApplied(postCommand(t.url, op, { type: 'callback', commandId: uid('cb'), eventId, phase: 'scheduled', afterMinutes: 15 }));
    const e = await eventOf(eventId);
    expect(e!.callbackDueAt).toBeGreaterThanOrEqual(t0 + 15 * 60_000);
    expect(e!.callbackDueAt).toBeLessThan(Date.now() + 15 * 60_000 + 1);
    const { console1, leader } = await sockets();
    sendCall(console1, { kind: 'start', callId: 'k-due', eventId, attempt: 1, recorded: false });
    await waitCall(leader, (s) => s.kind === 'ring', 'ring');
    await expect.poll(async () => (await eventOf(eventId))!.callbackDueAt).toBeUndefined();
    sendCall(console1, { kind: 'hangup', callId: 'k-due' });
    await Promise.all([console1.close(), leader.close()]);
  });

  it('refuses malformed records naming the field, and a leader writing one', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    const bad = async (body: Record<string, unknown>, field: string, token = op) => {
      const r = await postCommand(t.url, token, { type: 'callback', commandId: uid('cb'), eventId, ...body });
      return { r, field };
    };
    const cases = await Promise.all([
      bad({ phase: 'scheduled' }, 'afterMinutes'),
      bad({ phase: 'scheduled', afterMinutes: 0 }, 'afterMinutes'),
      bad({ phase: 'outcome', outcome: 'not_confirmed' }, 'note'),
      bad({ phase: 'snapshot', callId: 'k', takenAt: Date.now() }, 'attachments'),
      bad({ phase: 'ended', callId: 'k', reason: 'no_answer', afterMinutes: 5 }, 'afterMinutes'),
    ]);
    for (const { r, field } of cases) {
      expect(r.status, r.text).toBe(400);
      expect((r.body as unknown as { error: { field?: string } }).error.field).toBe(field);
    }
    const leader = await postCommand(t.url, dev(LEADER), { type: 'callback', commandId: uid('cb'), eventId, phase: 'outcome', outcome: 'confirmed' });
    expect(leader.status).toBe(403);
    expect((leader.body as unknown as { error: { code: string } }).error.code).toBe('role_not_allowed');
  });

  it('a confirmed call-back is the review step when the district says so; a snapshot carries time and position', async () => {
    const eventId = await openEvent(t.url, op, { dispatchTo: LEADER });
    for (const c of [
      { type: 'acknowledge' },
      { type: 'feedback', note: '已更换井盖' },
    ]) await expectApplied(postCommand(t.url, dev(LEADER), { ...c, commandId: uid(c.type), eventId }));
    const photo = await upload(t.url, op, onePixelPng(), 'image/png');
    const takenAt = Date.now();
    await expectApplied(
      postCommand(t.url, op, { type: 'callback', commandId: uid('cb'), eventId, phase: 'snapshot', callId: 'k-snap', attachments: [photo.body.hash], takenAt, position: { lng: 120.9, lat: 32.0 }, positionAt: takenAt - 5000 }),
    );
    const r = await expectApplied(postCommand(t.url, op, { type: 'callback', commandId: uid('cb'), eventId, phase: 'outcome', callId: 'k-snap', outcome: 'confirmed', note: '现场已修复' }));
    const entry = r.body.status === 'applied' ? r.body.changes.find((c) => c.kind === 'timeline') : undefined;
    expect(entry?.kind === 'timeline' && entry.data).toMatchObject({ kind: 'callback', fromState: 'feedback', toState: 'reviewed', note: '现场已修复', data: { phase: 'outcome', outcome: 'confirmed', review: true } });
    expect((await eventOf(eventId))!.state).toBe('reviewed');
    const snap = timelineOf((await allChanges(t.url, op)).changes, eventId).find((e) => e.data?.phase === 'snapshot');
    expect(snap).toMatchObject({ attachments: [photo.body.hash], data: { takenAt, position: { lng: 120.9, lat: 32.0 }, positionAt: takenAt - 5000 } });
  });

  it('without the rule, a confirmed call-back is recorded and the review stays for the operator', async () => {
    const other = await startTestHub({ callbackConfirmsReview: false });
    try {
      const tok = await login(other.url, 'operator');
      const eventId = await openEvent(other.url, tok, { dispatchTo: LEADER });
      for (const c of [{ type: 'acknowledge' }, { type: 'feedback', note: 'done' }]) await expectApplied(postCommand(other.url, dev(LEADER), { ...c, commandId: uid(c.type), eventId }));
      const r = await expectApplied(postCommand(other.url, tok, { type: 'callback', commandId: uid('cb'), eventId, phase: 'outcome', outcome: 'confirmed' }));
      const entry = r.body.status === 'applied' ? r.body.changes.find((c) => c.kind === 'timeline') : undefined;
      expect(entry?.kind === 'timeline' && entry.data.toState).toBe('feedback');
    } finally {
      await other.close();
    }
  });
});
