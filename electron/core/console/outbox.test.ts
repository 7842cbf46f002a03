import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/errors';
import type { Command, CommandResult, ConsoleNotice, EventRecord } from '../../../shared/schema';
import type { Actor } from '../../../shared/workflow';
import { ConsoleCache } from './cache';
import { HubError } from './hub-client';
import { Outbox, type OutboxSender } from './outbox';
import { event, eventDraft, POINT_A, referenceDrafts, sequence, T0 } from './test-fixtures';

const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
const NOW = T0 + 60_000;

type Settled = Extract<ConsoleNotice, { type: 'settled' }>;

/** A hub stand-in: records what it was sent and answers from a script. */
class FakeHub implements OutboxSender {
  sent: Command[][] = [];
  lookups: string[] = [];
  known = new Map<string, CommandResult>();
  answer: (c: Command) => CommandResult = (c) => ({ status: 'applied', commandId: c.commandId, changes: [] });
  failNext = 0;
  loseNextAnswer = false;
  async send(commands: Command[]): Promise<CommandResult[]> {
    this.sent.push(commands);
    if (this.failNext > 0) {
      this.failNext--;
      throw new DomainError('unavailable', 'The hub cannot be reached');
    }
    const results = commands.map((c) => this.answer(c));
    for (const r of results) this.known.set(r.commandId, r);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new DomainError('unavailable', 'The connection dropped before the answer');
    }
    return results;
  }
  async lookup(commandId: string): Promise<CommandResult | null> {
    this.lookups.push(commandId);
    return this.known.get(commandId) ?? null;
  }
}

let cache: ConsoleCache;
afterEach(() => cache?.close());

function setup(seed: EventRecord[] = [event({ id: 'ev-1' })]) {
  cache = new ConsoleCache({ file: ':memory:' });
  cache.applyChanges(sequence([...referenceDrafts(), ...seed.map(eventDraft)]), { advanceCursor: true });
  const settled: Settled[] = [];
  const changed: string[][] = [];
  const outbox = new Outbox(cache, { now: () => NOW, origin: 'test-console', onSettled: (n) => settled.push(n), onChanged: (ids) => changed.push(ids), retryMs: 5, maxRetryMs: 20 });
  return { outbox, settled, changed };
}

const waitFor = async (pred: () => boolean, what: string) => {
  const until = Date.now() + 5000;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Outbox', () => {
  it('shows a command at once, marked pending, and keeps the pre-image', () => {
    const { outbox, changed } = setup();
    const before = cache.event('ev-1')!;
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    const shown = cache.event('ev-1')!;
    expect(shown.state).toBe('accepted');
    expect(shown.deadline).toBeGreaterThan(NOW);
    expect(cache.isPending('ev-1')).toBe(true);
    expect(cache.queue({}, 'urgency', 0, 10, NOW).rows[0]).toMatchObject({ pending: true, event: { id: 'ev-1', state: 'accepted' } });
    expect(outbox.entry('cmd-accept')).toMatchObject({ status: 'pending', preImage: before });
    expect(outbox.pendingEntries('ev-1')).toMatchObject([{ kind: 'accept', fromState: 'reported', toState: 'accepted', actorId: 'op-1', origin: 'test-console' }]);
    expect(outbox.pendingCount).toBe(1);
    expect(changed).toEqual([['ev-1']]);
  });

  it('refuses what the workflow refuses on the cached state, storing nothing', () => {
    const { outbox } = setup();
    const attempt = () =>
      outbox.enqueue(
        [
          { type: 'accept', commandId: 'cmd-a', eventId: 'ev-1' },
          { type: 'close', commandId: 'cmd-close', eventId: 'ev-1' },
        ],
        OPERATOR,
      );
    expect(attempt).toThrow(/close needs/);
    expect(outbox.pendingCount).toBe(0);
    expect(cache.event('ev-1')!.state).toBe('reported');
  });

  it('rolls a rejected command back to the pre-image and says why', async () => {
    const { outbox, settled } = setup();
    const before = cache.event('ev-1')!;
    const hub = new FakeHub();
    hub.answer = (c) => ({ status: 'rejected', commandId: c.commandId, error: { code: 'invalid_transition', message: 'Event ev-1 is closed: accept needs reported' } });
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'the settled notice');
    expect(cache.event('ev-1')).toEqual(before);
    expect(cache.isPending('ev-1')).toBe(false);
    expect(settled[0]).toEqual({
      type: 'settled',
      commandId: 'cmd-accept',
      eventId: 'ev-1',
      commandType: 'accept',
      status: 'rejected',
      error: { error: { code: 'invalid_transition', message: 'Event ev-1 is closed: accept needs reported' } },
    });
    expect(outbox.entry('cmd-accept')?.status).toBe('rejected');
  });

  it('removes a rejected report that the hub never had', async () => {
    const { outbox, settled } = setup([]);
    const hub = new FakeHub();
    hub.answer = (c) => ({ status: 'rejected', commandId: c.commandId, error: { code: 'invalid', message: 'outside the district' } });
    outbox.enqueue(
      [{ type: 'report', commandId: 'cmd-report', eventId: 'ev-new', categoryId: 'municipal_facilities', description: '路灯不亮', position: POINT_A, source: 'phone', attachments: [] }],
      OPERATOR,
    );
    expect(cache.event('ev-new')).toMatchObject({ state: 'reported', gridIds: ['grid-a'], townId: 'town-a' });
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'the settled notice');
    expect(cache.event('ev-new')).toBeUndefined();
  });

  it('confirms an applied command with the hub changes', async () => {
    const { outbox, settled } = setup();
    const hub = new FakeHub();
    const hubVersion = event({ id: 'ev-1', state: 'accepted', acceptedAt: NOW + 5, deadline: NOW + 3600_000, timelineLength: 2, updatedAt: NOW + 5 });
    hub.answer = (c) => ({ status: 'applied', commandId: c.commandId, changes: [{ seq: 1000, kind: 'event', id: 'ev-1', at: NOW + 5, data: hubVersion }] });
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'the settled notice');
    expect(settled[0]!.status).toBe('applied');
    expect(cache.event('ev-1')).toEqual(hubVersion);
    expect(cache.isPending('ev-1')).toBe(false);
  });

  it('sends in order, one batch, and keeps the optimistic picture while the feed moves', async () => {
    const { outbox, settled } = setup();
    outbox.enqueue(
      [
        { type: 'accept', commandId: 'cmd-1', eventId: 'ev-1' },
        { type: 'dispatch', commandId: 'cmd-2', eventId: 'ev-1', assigneeId: 'leader-a' },
      ],
      OPERATOR,
    );
    expect(cache.event('ev-1')).toMatchObject({ state: 'dispatched', assigneeId: 'leader-a' });
    // the feed brings an unrelated update of the event (a note from the field) before the answer
    const noted = event({ id: 'ev-1', timelineLength: 2, updatedAt: T0 + 30_000 });
    cache.applyChanges([{ seq: cache.cursor + 1, kind: 'event', id: 'ev-1', at: noted.updatedAt, data: noted }], { advanceCursor: true });
    expect(cache.event('ev-1')).toMatchObject({ state: 'dispatched', assigneeId: 'leader-a', timelineLength: 4 });

    const hub = new FakeHub();
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 2, 'both settled');
    expect(hub.sent.map((b) => b.map((c) => c.commandId))).toEqual([['cmd-1', 'cmd-2']]);
    expect(settled.map((s) => s.commandId)).toEqual(['cmd-1', 'cmd-2']);
  });

  it('keeps commands through network failures and sends them again under the same ids', async () => {
    const { outbox, settled } = setup();
    const hub = new FakeHub();
    hub.failNext = 2;
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'settled after retries');
    expect(hub.sent.length).toBe(3);
    expect(new Set(hub.sent.flat().map((c) => c.commandId))).toEqual(new Set(['cmd-accept']));
    expect(outbox.pendingCount).toBe(0);
  });

  it('settles a command whose answer was lost by asking the hub, without sending it again', async () => {
    const { outbox, settled } = setup();
    const hub = new FakeHub();
    hub.loseNextAnswer = true;
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'settled through the lookup');
    expect(hub.sent.length).toBe(1);
    expect(hub.lookups).toEqual(['cmd-accept']);
    expect(settled[0]!.status).toBe('applied');
  });

  it('isolates a command the hub refuses as a request and rejects only that one', async () => {
    const { outbox, settled } = setup([event({ id: 'ev-1' }), event({ id: 'ev-2' })]);
    const hub = new FakeHub();
    const send = hub.send.bind(hub);
    hub.send = async (commands) => {
      if (commands.some((c) => c.commandId === 'bad')) {
        hub.sent.push(commands);
        throw new HubError(400, 'invalid', 'attachments: unknown attachment', 'commands.0.attachments');
      }
      return send(commands);
    };
    outbox.enqueue([{ type: 'note', commandId: 'bad', eventId: 'ev-1', note: 'see photo', attachments: [] }], OPERATOR);
    outbox.enqueue([{ type: 'accept', commandId: 'good', eventId: 'ev-2' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 2, 'both settled');
    expect(Object.fromEntries(settled.map((s) => [s.commandId, s.status]))).toEqual({ bad: 'rejected', good: 'applied' });
  });

  it('sends only the signed-in operator’s commands', async () => {
    const { outbox, settled } = setup([event({ id: 'ev-1' }), event({ id: 'ev-2' })]);
    outbox.enqueue([{ type: 'accept', commandId: 'mine', eventId: 'ev-1' }], OPERATOR);
    outbox.enqueue([{ type: 'accept', commandId: 'theirs', eventId: 'ev-2' }], { id: 'op-2', role: 'operator' });
    const hub = new FakeHub();
    outbox.setSender(hub, 'op-1');
    await waitFor(() => settled.length === 1, 'mine settled');
    await outbox.idle();
    expect(hub.sent.flat().map((c) => c.commandId)).toEqual(['mine']);
    expect(outbox.entry('theirs')?.status).toBe('pending');
  });
  it('cuts a long backoff short once the hub is heard from again, and asks about a lost answer only once', async () => {
    cache = new ConsoleCache({ file: ':memory:' });
    cache.applyChanges(sequence([...referenceDrafts(), eventDraft(event({ id: 'ev-1' }))]), { advanceCursor: true });
    const settled: Settled[] = [];
    // a backoff that would last a minute after the first failure
    const outbox = new Outbox(cache, { now: () => NOW, onSettled: (n) => settled.push(n), retryMs: 60_000, maxRetryMs: 60_000 });
    const hub = new FakeHub();
    hub.failNext = 1;
    outbox.enqueue([{ type: 'accept', commandId: 'cmd-accept', eventId: 'ev-1' }], OPERATOR);
    outbox.setSender(hub, 'op-1');
    await waitFor(() => hub.sent.length === 1, 'the first, failed send');
    await outbox.idle();
    // the feed delivered changes: the hub is reachable; the retry comes at the first delay, not the grown one
    (outbox as unknown as { opts: { retryMs: number } }).opts.retryMs = 5;
    outbox.linkAlive();
    await waitFor(() => settled.length === 1, 'settled soon after the link came back');
    // asked once (the send failed before the hub saw it), then sent again under the same id
    expect(hub.lookups).toEqual(['cmd-accept']);
    expect(hub.sent.flat().map((c) => c.commandId)).toEqual(['cmd-accept', 'cmd-accept']);
    outbox.stop();
  });
});
