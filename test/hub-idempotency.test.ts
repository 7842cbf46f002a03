import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allChanges,
  expectApplied,
  login,
  PLACES,
  postCommand,
  reportCmd,
  startTestHub,
  uid,
  type TestHub,
} from './helpers/hub';

let t: TestHub;
let op: string;

beforeEach(async () => {
  t = await startTestHub();
  op = await login(t.url, 'operator');
});
afterEach(async () => {
  await t.close();
});

const N = 100;

/** Sends the same command N times at once; answers every reply. */
async function burst(token: string, cmd: Record<string, unknown>, n = N) {
  return Promise.all(Array.from({ length: n }, () => postCommand(t.url, token, cmd)));
}

describe('idempotent commands over HTTP', () => {
  it('a report sent 100 times concurrently has one effect and one answer', async () => {
    const rowsBefore = await t.hub.store.countRows();
    const { head: headBefore } = await allChanges(t.url, op);
    const cmd = reportCmd({ position: PLACES.jinsha, description: 'one drain, reported a hundred times' });

    const replies = await burst(op, cmd);

    for (const r of replies) expect(r.status).toBe(200);
    // byte-identical bodies: the replays return the first result as it was stored
    const texts = new Set(replies.map((r) => r.text));
    expect(texts.size).toBe(1);
    const result = replies[0]!.body;
    expect(result.status).toBe('applied');
    expect(result.commandId).toBe(cmd.commandId);
    if (result.status !== 'applied') return;
    expect(result.changes.map((c) => c.kind)).toEqual(['event', 'timeline']);

    const rowsAfter = await t.hub.store.countRows();
    expect(rowsAfter.events! - rowsBefore.events!).toBe(1);
    expect(rowsAfter.timeline! - rowsBefore.timeline!).toBe(1);
    expect(rowsAfter.commands! - rowsBefore.commands!).toBe(1);
    expect(rowsAfter.changes! - rowsBefore.changes!).toBe(2);

    const { changes, head } = await allChanges(t.url, op, headBefore);
    expect(head).toBe(headBefore + 2);
    const mine = changes.filter((c) => (c.kind === 'event' && c.id === cmd.eventId) || (c.kind === 'timeline' && c.data.eventId === cmd.eventId));
    expect(mine.map((c) => c.kind)).toEqual(['event', 'timeline']);
    // the feed carries exactly what the command answered
    expect(mine).toEqual(result.changes);

    // and a later (sequential) replay still answers the same
    const again = await postCommand(t.url, op, cmd);
    expect(again.status).toBe(200);
    expect(again.text).toBe(replies[0]!.text);
    expect((await t.hub.store.countRows()).changes).toBe(rowsAfter.changes);
  });

  it('a transition (accept) sent 100 times concurrently appends one timeline entry', async () => {
    const rep = reportCmd();
    await expectApplied(postCommand(t.url, op, rep));
    const op2 = await login(t.url, 'operator2');
    const before = await t.hub.store.countRows();
    const accept = { type: 'accept', commandId: uid('accept'), eventId: rep.eventId, note: 'accepted once' };

    // half the copies come from another console: the id, not the sender, makes it the same command
    const replies = await Promise.all(
      Array.from({ length: N }, (_, i) => postCommand(t.url, i % 2 ? op2 : op, accept)),
    );
    for (const r of replies) expect(r.status).toBe(200);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);

    const after = await t.hub.store.countRows();
    expect(after.timeline! - before.timeline!).toBe(1);
    expect(after.changes! - before.changes!).toBe(2);
    expect(after.events).toBe(before.events);

    const event = await t.hub.store.getEvent(rep.eventId as string);
    expect(event?.state).toBe('accepted');
    expect(event?.timelineLength).toBe(2);
    const { changes } = await allChanges(t.url, op);
    const acceptEntries = changes.filter((c) => c.kind === 'timeline' && c.data.eventId === rep.eventId && c.data.kind === 'accept');
    expect(acceptEntries).toHaveLength(1);
  });

  it('a replay of a rejected command returns the same rejection, even after the event has moved on', async () => {
    const rep = reportCmd();
    await expectApplied(postCommand(t.url, op, rep));

    // dispatch before accept: refused by the workflow
    const dispatch = { type: 'dispatch', commandId: uid('dispatch'), eventId: rep.eventId, assigneeId: 'leader-0-0-0' };
    const first = await postCommand(t.url, op, dispatch);
    expect(first.status).toBe(409);
    expect(first.body.status).toBe('rejected');
    expect(first.body.error?.code).toBe('invalid_transition');

    // concurrent replays answer the same rejection
    const replays = await burst(op, dispatch, 50);
    for (const r of replays) {
      expect(r.status).toBe(409);
      expect(r.text).toBe(first.text);
    }

    // the event is accepted now, so the same dispatch would fit; its id has been answered already
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid('accept'), eventId: rep.eventId }));
    const before = await t.hub.store.countRows();
    const late = await postCommand(t.url, op, dispatch);
    expect(late.status).toBe(409);
    expect(late.text).toBe(first.text);
    expect(await t.hub.store.countRows()).toEqual(before);
    expect((await t.hub.store.getEvent(rep.eventId as string))?.state).toBe('accepted');

    const stored = await fetch(`${t.url}/api/commands/${dispatch.commandId}`, { headers: { authorization: `Bearer ${op}` } });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual(first.body);

    // a rejection for an event that does not exist replays the same way (404)
    const ghost = { type: 'accept', commandId: uid('accept'), eventId: 'no-such-event' };
    const g = await burst(op, ghost, 20);
    for (const r of g) {
      expect(r.status).toBe(404);
      expect(r.text).toBe(g[0]!.text);
    }
    expect(g[0]!.body.error).toMatchObject({ code: 'not_found', field: 'eventId' });
  });
});
