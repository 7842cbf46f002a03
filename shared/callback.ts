/**
 * Video call-back (视频回访), the pure part: the console's call as a state machine (what the page
 * shows and what it must do next), the retry policy, and the call-back reminders. The page's WebRTC
 * code (renderer/console/call/session.ts) only carries out the effects this answers, so every
 * decision about a call can be tested without a browser.
 */
import type { CallAttempt, CallClientSignal, CallEndReason, CallServerSignal, IceServer } from './schema/call';

/** How long a leader's phone rings before the call counts as not answered (a hub setting). */
export const DEFAULT_RING_TIMEOUT_MS = 30_000;
/** An ICE link `disconnected` this long counts as lost (a brief dip recovers by itself). */
export const LOST_AFTER_DISCONNECTED_MS = 4_000;
/** The hub's answer to a start is awaited this long beyond the ring time before the call is given up. */
export const HUB_SILENCE_MARGIN_MS = 10_000;
/** One recording file stays under the hub's 10 MiB attachment limit; a longer call makes several. */
export const MAX_RECORDING_PART_BYTES = 9 * 1024 * 1024;
/** The reminder lists call-backs due within this window as coming up. */
export const CALLBACK_SOON_MS = 60 * 60_000;
/** What the call-back button offers, in minutes; 15 is the reports' "call back in 15 minutes". */
export const CALLBACK_DELAYS_MIN = [5, 15, 30, 60] as const;
export const DEFAULT_CALLBACK_DELAY_MIN = 15;

export type CallPhase = 'idle' | 'placing' | 'ringing' | 'connecting' | 'connected' | 'retrying' | 'ended';

export interface CallState {
  phase: CallPhase;
  callId: string;
  eventId: string;
  attempt: CallAttempt;
  /** the operator's click (page clock, ms): the set-up time runs from here */
  placedAt: number;
  /** when the current attempt was sent (the retry's set-up time runs from its own start) */
  attemptAt: number;
  connectedAt?: number;
  endedAt?: number;
  reason?: CallEndReason;
  /** the hub's or the page's own words about the end, when it has more to say than the reason */
  message?: string;
  recording: boolean;
  /** the automatic retry was used */
  retried: boolean;
  iceServers: IceServer[];
  ringTimeoutMs: number;
}

export type CallInput =
  | { type: 'place'; callId: string; eventId: string; recorded: boolean; at: number }
  | { type: 'signal'; signal: CallServerSignal; at: number }
  /** the peer connection reached `connected` */
  | { type: 'media_connected'; at: number }
  /** ICE failed, stayed disconnected too long, or the leader's page left */
  | { type: 'media_lost'; at: number }
  /** the page could not go on (no answer from the hub, a WebRTC error) */
  | { type: 'failure'; message: string; at: number }
  | { type: 'hangup'; at: number }
  | { type: 'recording'; on: boolean };

/** What the page must do after a transition, in order. */
export type CallEffect =
  | { do: 'send'; signal: CallClientSignal }
  /** set up the peer connection with these ICE servers (before the leader answers) */
  | { do: 'prepare'; iceServers: IceServer[] }
  /** make the offer and send it */
  | { do: 'offer' }
  /** drop the peer connection (a new one is prepared for the retry) */
  | { do: 'reset' }
  /** the call is over: close the peer connection, stop the recorder and the microphone */
  | { do: 'close' };

export interface Transition {
  state: CallState;
  effects: CallEffect[];
}

export const IDLE: CallState = {
  phase: 'idle',
  callId: '',
  eventId: '',
  attempt: 1,
  placedAt: 0,
  attemptAt: 0,
  recording: false,
  retried: false,
  iceServers: [],
  ringTimeoutMs: DEFAULT_RING_TIMEOUT_MS,
};

export const isLive = (p: CallPhase): boolean => p !== 'idle' && p !== 'ended';

const end = (s: CallState, reason: CallEndReason, at: number, effects: CallEffect[], message?: string): Transition => ({
  state: { ...s, phase: 'ended', reason, endedAt: at, recording: false, ...(message !== undefined ? { message } : {}) },
  effects: [...effects, { do: 'close' }],
});

/**
 * The console's call as a pure function of its state and what just happened. Signals for another
 * call are ignored; so is anything after the end.
 */
export function callReducer(s: CallState, i: CallInput): Transition {
  const same: Transition = { state: s, effects: [] };
  if (i.type === 'place') {
    if (isLive(s.phase)) return same;
    const state: CallState = {
      ...IDLE,
      phase: 'placing',
      callId: i.callId,
      eventId: i.eventId,
      placedAt: i.at,
      attemptAt: i.at,
      recording: i.recorded,
    };
    return { state, effects: [{ do: 'send', signal: { kind: 'start', callId: i.callId, eventId: i.eventId, attempt: 1, recorded: i.recorded } }] };
  }
  if (!isLive(s.phase)) return same;

  switch (i.type) {
    case 'recording':
      if (s.recording === i.on) return same;
      return { state: { ...s, recording: i.on }, effects: [{ do: 'send', signal: { kind: 'recording', callId: s.callId, on: i.on } }] };
    case 'hangup':
      return end(s, 'hangup_operator', i.at, [{ do: 'send', signal: { kind: 'hangup', callId: s.callId } }]);
    case 'failure':
      return end(s, 'failed', i.at, [{ do: 'send', signal: { kind: 'hangup', callId: s.callId, reason: 'failed' } }], i.message);
    case 'media_connected':
      if (s.phase !== 'connecting') return same;
      return {
        state: { ...s, phase: 'connected', connectedAt: i.at },
        effects: [{ do: 'send', signal: { kind: 'connected', callId: s.callId, attempt: s.attempt, setupMs: Math.max(0, Math.round(i.at - s.attemptAt)) } }],
      };
    case 'media_lost':
      return lost(s, i.at);
    case 'signal':
      return onSignal(s, i.signal, i.at);
  }
}

/** The connection went: the first time, place the call again once; after that, it has ended. */
function lost(s: CallState, at: number): Transition {
  if (s.phase !== 'connecting' && s.phase !== 'connected') return { state: s, effects: [] };
  if (s.retried) return end(s, 'lost', at, [{ do: 'send', signal: { kind: 'hangup', callId: s.callId, reason: 'lost' } }]);
  const state: CallState = { ...s, phase: 'retrying', attempt: 2, attemptAt: at, retried: true };
  delete state.connectedAt;
  return {
    state,
    effects: [{ do: 'reset' }, { do: 'send', signal: { kind: 'start', callId: s.callId, eventId: s.eventId, attempt: 2, recorded: s.recording } }],
  };
}

function onSignal(s: CallState, sig: CallServerSignal, at: number): Transition {
  const same: Transition = { state: s, effects: [] };
  if (sig.callId !== undefined && sig.callId !== s.callId) return same;
  switch (sig.kind) {
    case 'ringing':
      if ((s.phase !== 'placing' && s.phase !== 'retrying') || sig.attempt !== s.attempt) return same;
      return {
        state: { ...s, phase: 'ringing', iceServers: sig.iceServers, ringTimeoutMs: sig.ringTimeoutMs },
        effects: [{ do: 'prepare', iceServers: sig.iceServers }],
      };
    case 'accepted':
      if (s.phase !== 'ringing' || sig.attempt !== s.attempt) return same;
      return { state: { ...s, phase: 'connecting' }, effects: [{ do: 'offer' }] };
    case 'peer_left':
      return lost(s, at);
    case 'ended': {
      // the retry was not answered: for the operator the call was lost, not "not answered"
      const retryFailed = s.retried && s.phase !== 'connected' && (sig.reason === 'no_answer' || sig.reason === 'offline');
      return end(s, retryFailed ? 'lost' : sig.reason, at, [], sig.message);
    }
    case 'error':
      // a refused start ends the call; a refused candidate or description is the link's problem, not the call's
      if (sig.refused === 'start') return end(s, 'failed', at, [], sig.error.message);
      return same;
    default:
      return same;
  }
}

/** Seconds shown on the call's clock: from connection, or from the click while it is being set up. */
export function callClock(s: CallState, now: number): number {
  const from = s.connectedAt ?? s.placedAt;
  const to = s.endedAt ?? now;
  return Math.max(0, Math.floor((to - from) / 1000));
}

/* ---------- the field page's side ---------- */

export type FieldCallPhase = 'idle' | 'ringing' | 'preparing' | 'connecting' | 'connected' | 'waiting' | 'ended';

/**
 * Whether the field page answers a ring without the leader's tap: only the automatic retry of a
 * call this page already took (its connection dropped; the leader is still holding the phone up).
 */
export function autoAnswer(ring: { callId: string; attempt: CallAttempt }, acceptedCallIds: ReadonlySet<string>): boolean {
  return ring.attempt === 2 && acceptedCallIds.has(ring.callId);
}

/* ---------- reminders ---------- */

export interface ScheduledCallback {
  eventId: string;
  dueAt: number;
}

/** Splits scheduled call-backs into those due now and those due within `soonMs`, earliest first. */
export function partitionCallbacks<T extends ScheduledCallback>(items: readonly T[], now: number, soonMs = CALLBACK_SOON_MS): { due: T[]; soon: T[] } {
  const sorted = [...items].sort((a, b) => a.dueAt - b.dueAt || a.eventId.localeCompare(b.eventId));
  return { due: sorted.filter((c) => c.dueAt <= now), soon: sorted.filter((c) => c.dueAt > now && c.dueAt - now <= soonMs) };
}

/* ---------- records ---------- */

/**
 * The command id the hub gives each record it writes about a call: fixed by the call and what is
 * recorded, so a record written twice (a retried write, a replayed signal) lands once.
 */
export function callRecordId(callId: string, what: 'started' | 'lost' | 'ended' | `connected-${CallAttempt}`): string {
  return `${callId}.${what}`;
}
