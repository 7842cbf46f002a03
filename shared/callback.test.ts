import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoAnswer, callClock, callRecordId, callReducer, IDLE, partitionCallbacks, type CallInput, type CallState } from './callback';
import { Id } from './schema/common';
import { CallId, type CallServerSignal } from './schema/call';
import { Command, CallbackCommand } from './schema/commands';
import { EventRecord, type EventState } from './schema/entities';
import { DEFAULT_TAXONOMY } from './taxonomy';
import { decide, type Actor, type WorkflowContext } from './workflow';

/* ---------- the console's call ---------- */

const ICE = [{ urls: 'stun:stun.example.org' }];
const sig = (s: CallServerSignal, at = 0): CallInput => ({ type: 'signal', signal: s, at });

function run(inputs: CallInput[], from: CallState = IDLE) {
  let state = from;
  const effects: ReturnType<typeof callReducer>['effects'][] = [];
  for (const i of inputs) {
    const t = callReducer(state, i);
    state = t.state;
    effects.push(t.effects);
  }
  return { state, effects };
}

describe('callReducer: the console side of a call', () => {
  it('a call answered and connected: start, prepare with the hub\'s ICE servers, offer, report the set-up time', () => {
    const { state, effects } = run([
      { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 1000 },
      sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 1, iceServers: ICE, ringTimeoutMs: 30_000 }, 1050),
      sig({ kind: 'accepted', callId: 'K', attempt: 1 }, 3000),
      { type: 'media_connected', at: 3400 },
    ]);
    expect(state).toMatchObject({ phase: 'connected', attempt: 1, connectedAt: 3400, iceServers: ICE, retried: false });
    expect(effects).toEqual([
      [{ do: 'send', signal: { kind: 'start', callId: 'K', eventId: 'E', attempt: 1, recorded: false } }],
      [{ do: 'prepare', iceServers: ICE }],
      [{ do: 'offer' }],
      [{ do: 'send', signal: { kind: 'connected', callId: 'K', attempt: 1, setupMs: 2400 } }],
    ]);
  });

  it('a lost connection is retried once, as attempt 2 of the same call; a second loss ends it as lost', () => {
    const connected = run([
      { type: 'place', callId: 'K', eventId: 'E', recorded: true, at: 0 },
      sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 1, iceServers: [], ringTimeoutMs: 30_000 }),
      sig({ kind: 'accepted', callId: 'K', attempt: 1 }),
      { type: 'media_connected', at: 500 },
    ]).state;
    const lost = callReducer(connected, { type: 'media_lost', at: 9000 });
    expect(lost.state).toMatchObject({ phase: 'retrying', attempt: 2, attemptAt: 9000, retried: true, recording: true });
    expect(lost.state.connectedAt).toBeUndefined();
    expect(lost.effects).toEqual([{ do: 'reset' }, { do: 'send', signal: { kind: 'start', callId: 'K', eventId: 'E', attempt: 2, recorded: true } }]);
    // a late `ringing` of attempt 1 does not move the retry
    expect(callReducer(lost.state, sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 1, iceServers: [], ringTimeoutMs: 1 })).state.phase).toBe('retrying');
    const again = run(
      [
        sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 2, iceServers: [], ringTimeoutMs: 30_000 }),
        sig({ kind: 'accepted', callId: 'K', attempt: 2 }),
        { type: 'media_connected', at: 12_000 },
      ],
      lost.state,
    );
    expect(again.state).toMatchObject({ phase: 'connected', attempt: 2 });
    expect(again.effects[2]).toEqual([{ do: 'send', signal: { kind: 'connected', callId: 'K', attempt: 2, setupMs: 3000 } }]);
    const end = callReducer(again.state, sig({ kind: 'peer_left', callId: 'K' }, 20_000));
    expect(end.state).toMatchObject({ phase: 'ended', reason: 'lost', endedAt: 20_000, recording: false });
    expect(end.effects).toEqual([{ do: 'send', signal: { kind: 'hangup', callId: 'K', reason: 'lost' } }, { do: 'close' }]);
  });

  it('the retry not answered reads as lost, not as "no answer"; a first call not answered is no_answer', () => {
    const base = run([
      { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 0 },
      sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 1, iceServers: [], ringTimeoutMs: 30_000 }),
    ]).state;
    expect(callReducer(base, sig({ kind: 'ended', callId: 'K', reason: 'no_answer' })).state.reason).toBe('no_answer');
    const retrying = run([sig({ kind: 'accepted', callId: 'K', attempt: 1 }), { type: 'media_connected', at: 1 }, { type: 'media_lost', at: 2 }], base).state;
    for (const reason of ['no_answer', 'offline'] as const) {
      const t = callReducer(retrying, sig({ kind: 'ended', callId: 'K', reason, message: 'why' }, 40_000));
      expect(t.state).toMatchObject({ phase: 'ended', reason: 'lost', message: 'why' });
      expect(t.effects).toEqual([{ do: 'close' }]);
    }
    expect(callReducer(retrying, sig({ kind: 'ended', callId: 'K', reason: 'declined' })).state.reason).toBe('declined');
  });

  it('failures an operator understands: offline, declined, camera denied, refused, hung up, a silent hub', () => {
    const placing = callReducer(IDLE, { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 0 }).state;
    for (const reason of ['offline', 'busy', 'declined', 'camera_denied', 'no_answer', 'hangup_leader'] as const) {
      expect(callReducer(placing, sig({ kind: 'ended', callId: 'K', reason })).state).toMatchObject({ phase: 'ended', reason });
    }
    const refused = callReducer(placing, sig({ kind: 'error', callId: 'K', refused: 'start', error: { code: 'invalid_transition', message: 'dispatch it first' } }));
    expect(refused.state).toMatchObject({ phase: 'ended', reason: 'failed', message: 'dispatch it first' });
    // a refused candidate is not the end of the call
    expect(callReducer(placing, sig({ kind: 'error', callId: 'K', refused: 'candidate', error: { code: 'x', message: 'y' } })).state.phase).toBe('placing');
    const hung = callReducer(placing, { type: 'hangup', at: 5 });
    expect(hung.state).toMatchObject({ phase: 'ended', reason: 'hangup_operator' });
    expect(hung.effects).toEqual([{ do: 'send', signal: { kind: 'hangup', callId: 'K' } }, { do: 'close' }]);
    const silent = callReducer(placing, { type: 'failure', message: 'The hub did not answer', at: 10_000 });
    expect(silent.state).toMatchObject({ phase: 'ended', reason: 'failed', message: 'The hub did not answer' });
    expect(silent.effects[0]).toEqual({ do: 'send', signal: { kind: 'hangup', callId: 'K', reason: 'failed' } });
  });

  it('ignores other calls\' signals, anything after the end, and a second place while a call is on', () => {
    const placing = callReducer(IDLE, { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 0 }).state;
    expect(callReducer(placing, sig({ kind: 'ended', callId: 'OTHER', reason: 'no_answer' })).state).toBe(placing);
    expect(callReducer(placing, { type: 'place', callId: 'K2', eventId: 'E2', recorded: false, at: 1 }).state).toBe(placing);
    const ended = callReducer(placing, { type: 'hangup', at: 1 }).state;
    for (const i of [sig({ kind: 'accepted', callId: 'K', attempt: 1 }), { type: 'media_lost', at: 2 } as CallInput, { type: 'hangup', at: 3 } as CallInput]) {
      expect(callReducer(ended, i)).toEqual({ state: ended, effects: [] });
    }
    // a new call may follow an ended one
    expect(callReducer(ended, { type: 'place', callId: 'K3', eventId: 'E', recorded: false, at: 9 }).state).toMatchObject({ phase: 'placing', callId: 'K3', attempt: 1, retried: false });
  });

  it('recording on and off tells the leader once each', () => {
    const s = run([
      { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 0 },
      sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: 1, iceServers: [], ringTimeoutMs: 1 }),
    ]).state;
    const on = callReducer(s, { type: 'recording', on: true });
    expect(on.effects).toEqual([{ do: 'send', signal: { kind: 'recording', callId: 'K', on: true } }]);
    expect(callReducer(on.state, { type: 'recording', on: true }).effects).toEqual([]);
    expect(callReducer(on.state, { type: 'recording', on: false }).state.recording).toBe(false);
  });

  it('never leaves the known phases and never retries more than once, whatever happens (property)', () => {
    const input: fc.Arbitrary<CallInput> = fc.oneof(
      fc.constant<CallInput>({ type: 'media_connected', at: 1 }),
      fc.constant<CallInput>({ type: 'media_lost', at: 2 }),
      fc.constant<CallInput>({ type: 'hangup', at: 3 }),
      fc.boolean().map((on): CallInput => ({ type: 'recording', on })),
      fc.constantFrom(1, 2).map((attempt) => sig({ kind: 'ringing', callId: 'K', eventId: 'E', attempt: attempt as 1 | 2, iceServers: [], ringTimeoutMs: 1 })),
      fc.constantFrom(1, 2).map((attempt) => sig({ kind: 'accepted', callId: 'K', attempt: attempt as 1 | 2 })),
      fc.constant(sig({ kind: 'peer_left', callId: 'K' })),
      fc.constantFrom('no_answer', 'declined', 'offline').map((reason) => sig({ kind: 'ended', callId: 'K', reason: reason as 'no_answer' })),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 30 }), (inputs) => {
        let state = callReducer(IDLE, { type: 'place', callId: 'K', eventId: 'E', recorded: false, at: 0 }).state;
        let starts = 1;
        for (const i of inputs) {
          const t = callReducer(state, i);
          starts += t.effects.filter((e) => e.do === 'send' && e.signal.kind === 'start').length;
          if (state.phase === 'ended') expect(t.state).toBe(state);
          state = t.state;
          expect(state.attempt === 2).toBe(state.retried);
        }
        expect(starts).toBeLessThanOrEqual(2);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('the clock runs from connection, or from the click while setting up', () => {
    const s: CallState = { ...IDLE, phase: 'connected', placedAt: 1000, connectedAt: 4000 };
    expect(callClock(s, 65_000)).toBe(61);
    expect(callClock({ ...s, connectedAt: undefined } as CallState, 4000)).toBe(3);
    expect(callClock({ ...s, endedAt: 10_000 }, 99_000)).toBe(6);
  });
});

describe('field page and reminders', () => {
  it('answers by itself only the retry of a call it took', () => {
    expect(autoAnswer({ callId: 'K', attempt: 2 }, new Set(['K']))).toBe(true);
    expect(autoAnswer({ callId: 'K', attempt: 1 }, new Set(['K']))).toBe(false);
    expect(autoAnswer({ callId: 'K', attempt: 2 }, new Set(['OTHER']))).toBe(false);
  });

  it('splits call-backs into due and coming up, earliest first', () => {
    const now = 1_000_000;
    const items = [
      { eventId: 'late', dueAt: now - 60_000 },
      { eventId: 'far', dueAt: now + 2 * 3_600_000 },
      { eventId: 'soon', dueAt: now + 10 * 60_000 },
      { eventId: 'now', dueAt: now },
    ];
    const { due, soon } = partitionCallbacks(items, now);
    expect(due.map((c) => c.eventId)).toEqual(['late', 'now']);
    expect(soon.map((c) => c.eventId)).toEqual(['soon']);
  });

  it('the hub\'s record ids built from any call id are valid ids', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/), (callId) => {
        expect(CallId.safeParse(callId).success).toBe(true);
        for (const what of ['started', 'lost', 'ended', 'connected-1', 'connected-2'] as const) expect(Id.safeParse(callRecordId(callId, what)).success).toBe(true);
      }),
    );
  });
});

/* ---------- the callback command ---------- */

const NOW = Date.UTC(2024, 4, 10, 2, 0);
const OP: Actor = { id: 'P-op', role: 'operator' };
const ctx = (over: Partial<WorkflowContext> = {}): WorkflowContext => ({ taxonomy: DEFAULT_TAXONOMY, entryId: 'T-1', origin: 'console-1', ...over });
const ev = (state: EventState, over: Partial<EventRecord> = {}): EventRecord =>
  EventRecord.parse({
    id: 'E-1',
    categoryId: 'municipal_facilities',
    tier: 'general',
    source: 'hotline',
    state,
    description: 'drain grate missing',
    position: { lng: 120.9, lat: 32 },
    gridIds: ['G-1'],
    reportedAt: NOW - 3_600_000,
    attachments: [],
    assigneeId: 'P-l',
    timelineLength: 5,
    updatedAt: NOW - 60_000,
    ...over,
  });
const cb = (body: Record<string, unknown>) => Command.parse({ type: 'callback', commandId: 'C-1', eventId: 'E-1', ...body });
const ok = (d: ReturnType<typeof decide>) => {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d;
};

describe('decide: callback', () => {
  it('scheduled sets the reminder from the hub\'s clock; placing the call clears it; unscheduled clears it', () => {
    const s = ok(decide(ev('on_site'), cb({ phase: 'scheduled', afterMinutes: 15 }), OP, NOW, ctx()));
    expect(s.event.callbackDueAt).toBe(NOW + 15 * 60_000);
    expect(s.event.state).toBe('on_site');
    expect(s.entry).toMatchObject({ kind: 'callback', fromState: 'on_site', toState: 'on_site', data: { phase: 'scheduled', dueAt: NOW + 15 * 60_000, afterMinutes: 15, leaderId: 'P-l' } });
    const started = ok(decide(s.event, cb({ phase: 'started', callId: 'K', attempt: 1 }), OP, NOW + 1, ctx()));
    expect(started.event.callbackDueAt).toBeUndefined();
    expect('callbackDueAt' in started.event).toBe(false);
    expect(started.entry.data).toMatchObject({ phase: 'started', callId: 'K', leaderId: 'P-l', wasDueAt: NOW + 15 * 60_000 });
    const un = ok(decide(s.event, cb({ phase: 'unscheduled' }), OP, NOW + 1, ctx()));
    expect(un.event.callbackDueAt).toBeUndefined();
    const none = decide(ev('on_site'), cb({ phase: 'unscheduled' }), OP, NOW, ctx());
    expect(none).toMatchObject({ ok: false, code: 'invalid_transition' });
  });

  it('nobody is called about a closed case or one without a leader; its record may still be written', () => {
    expect(decide(ev('closed'), cb({ phase: 'scheduled', afterMinutes: 5 }), OP, NOW, ctx())).toMatchObject({ ok: false, code: 'invalid_transition' });
    expect(decide(ev('accepted', { assigneeId: undefined }), cb({ phase: 'started', callId: 'K', attempt: 1 }), OP, NOW, ctx())).toMatchObject({
      ok: false,
      code: 'invalid_transition',
      message: expect.stringContaining('dispatch it first'),
    });
    expect(ok(decide(ev('closed'), cb({ phase: 'ended', callId: 'K', reason: 'hangup_operator' }), OP, NOW, ctx())).event.state).toBe('closed');
  });

  it('a confirmed call-back is the review (feedback → reviewed) only under the rule and only from feedback', () => {
    const rules = { callbackConfirmsReview: true };
    const yes = ok(decide(ev('feedback'), cb({ phase: 'outcome', outcome: 'confirmed', note: 'seen on site' }), OP, NOW, ctx({ rules })));
    expect(yes.event.state).toBe('reviewed');
    expect(yes.entry).toMatchObject({ fromState: 'feedback', toState: 'reviewed', note: 'seen on site', data: { phase: 'outcome', outcome: 'confirmed', review: true } });
    expect(ok(decide(ev('feedback'), cb({ phase: 'outcome', outcome: 'confirmed' }), OP, NOW, ctx())).event.state).toBe('feedback');
    expect(ok(decide(ev('on_site'), cb({ phase: 'outcome', outcome: 'confirmed' }), OP, NOW, ctx({ rules }))).event.state).toBe('on_site');
    const no = ok(decide(ev('feedback'), cb({ phase: 'outcome', outcome: 'not_confirmed', note: 'grate still open' }), OP, NOW, ctx({ rules })));
    expect(no.event.state).toBe('feedback');
    expect(no.entry.data).not.toHaveProperty('review');
    // a sub-centre desk of another town cannot write it
    expect(decide(ev('feedback', { townId: 'T-1' }), cb({ phase: 'outcome', outcome: 'confirmed' }), { id: 'D', role: 'subcenter_desk', townId: 'T-2' }, NOW, ctx({ rules }))).toMatchObject({
      ok: false,
      code: 'out_of_scope',
    });
  });

  it('the schema takes each phase\'s fields and nothing else', () => {
    const valid = [
      { phase: 'scheduled', afterMinutes: 15 },
      { phase: 'started', callId: 'K', attempt: 1, recorded: true },
      { phase: 'connected', callId: 'K', attempt: 2, setupMs: 800 },
      { phase: 'ended', callId: 'K', reason: 'lost', durationMs: 1000 },
      { phase: 'snapshot', callId: 'K', attachments: ['a'.repeat(64)], takenAt: NOW, position: { lng: 1, lat: 2 }, positionAt: NOW },
      { phase: 'recording', callId: 'K', attachments: ['b'.repeat(64)], durationMs: 5000 },
      { phase: 'outcome', outcome: 'confirmed' },
    ];
    for (const v of valid) expect(CallbackCommand.safeParse({ type: 'callback', commandId: 'C', eventId: 'E', ...v }).success, JSON.stringify(v)).toBe(true);
    const invalid: [Record<string, unknown>, string][] = [
      [{ phase: 'scheduled', afterMinutes: 15, callId: 'K' }, 'callId'],
      [{ phase: 'scheduled', afterMinutes: 24 * 60 + 1 }, 'afterMinutes'],
      [{ phase: 'started', callId: 'K' }, 'attempt'],
      [{ phase: 'ended', callId: 'K' }, 'reason'],
      [{ phase: 'snapshot', callId: 'K', takenAt: NOW }, 'attachments'],
      [{ phase: 'outcome', outcome: 'not_confirmed', note: '  ' }, 'note'],
      [{ phase: 'outcome' }, 'outcome'],
      [{ phase: 'connected', callId: 'K'.repeat(41), attempt: 1 }, 'callId'],
    ];
    for (const [v, field] of invalid) {
      const r = CallbackCommand.safeParse({ type: 'callback', commandId: 'C', eventId: 'E', ...v });
      expect(r.success, JSON.stringify(v)).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(field);
    }
  });
});
