import { z } from 'zod';
import { Id, Text, Timestamp } from './common';
import { EventState, Person, PositionFix, Role } from './entities';

/**
 * Video call-back (视频回访): the signalling between an operator's console and the assigned grid
 * leader's field page, relayed by the hub over the live WebSocket (`{ type: 'call', call }` in both
 * directions), and the vocabulary of the `callback` command that records a call in the event's
 * timeline. Media flow browser to browser (WebRTC); the hub sees only these messages.
 */

/** Made by the console (a uuid); short enough that the hub's record ids built from it stay Ids. */
export const CallId = Id.max(40, 'a call id is at most 40 characters');

/** One STUN/TURN server as RTCPeerConnection takes it; a deployment configures them on the hub. */
export const IceServer = z
  .object({
    urls: z.union([
      z.string().regex(/^(stun|stuns|turn|turns):\S+$/, 'must be a stun:, stuns:, turn: or turns: URL').max(500),
      z
        .array(z.string().regex(/^(stun|stuns|turn|turns):\S+$/, 'must be a stun:, stuns:, turn: or turns: URL').max(500))
        .min(1, 'name at least one URL')
        .max(10),
    ]),
    username: z.string().max(500).optional(),
    credential: z.string().max(500).optional(),
  })
  .strict();
export type IceServer = z.infer<typeof IceServer>;
export const IceServers = z.array(IceServer).max(10, 'at most 10 ICE servers');

export const SessionDescription = z
  .object({ type: z.enum(['offer', 'answer']), sdp: z.string().min(1).max(60_000, 'an SDP this long is not a call') })
  .strict();
export type SessionDescription = z.infer<typeof SessionDescription>;

export const IceCandidate = z
  .object({
    candidate: z.string().max(1000),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .strict();
export type IceCandidate = z.infer<typeof IceCandidate>;

/** The first try, and the one automatic retry after the connection was lost. */
export const CallAttempt = z.union([z.literal(1), z.literal(2)]);
export type CallAttempt = z.infer<typeof CallAttempt>;

/** Why a field page turns a call down. */
export const DECLINE_REASONS = ['declined', 'camera_denied', 'busy'] as const;
export const DeclineReason = z.enum(DECLINE_REASONS);
export type DeclineReason = z.infer<typeof DeclineReason>;

/**
 * How a call ended, in words an operator acts on (shared/callback.ts maps each to a message):
 * hung up by either side, not answered in time, declined, the leader's camera not allowed, the
 * leader on another call, the leader's page not connected, the connection lost (after the one
 * retry), the operator's console gone, or signalling that failed.
 */
export const CALL_END_REASONS = [
  'hangup_operator',
  'hangup_leader',
  'no_answer',
  'declined',
  'camera_denied',
  'busy',
  'offline',
  'lost',
  'operator_left',
  'failed',
] as const;
export const CallEndReason = z.enum(CALL_END_REASONS);
export type CallEndReason = z.infer<typeof CallEndReason>;

/* ---------- client → hub ---------- */

const cid = { callId: CallId };

export const CallClientSignal = z.discriminatedUnion('kind', [
  /** a desk places (attempt 1) or re-places after a loss (attempt 2) a call on an event's assigned leader */
  z.object({ kind: z.literal('start'), ...cid, eventId: Id, attempt: CallAttempt, recorded: z.boolean() }).strict(),
  /** the leader's page answers; it has its camera and microphone already */
  z.object({ kind: z.literal('accept'), ...cid }).strict(),
  z.object({ kind: z.literal('decline'), ...cid, reason: DeclineReason }).strict(),
  /** SDP offer (console) or answer (field page), relayed to the other end */
  z.object({ kind: z.literal('description'), ...cid, description: SessionDescription }).strict(),
  z.object({ kind: z.literal('candidate'), ...cid, candidate: IceCandidate }).strict(),
  /** the console sees media flowing: recorded in the timeline with the set-up time */
  z.object({ kind: z.literal('connected'), ...cid, attempt: CallAttempt, setupMs: z.number().int().min(0).max(600_000) }).strict(),
  /** the console started or stopped recording: the leader is told on screen */
  z.object({ kind: z.literal('recording'), ...cid, on: z.boolean() }).strict(),
  /** `reason` (console only): why the console gave up, so the record says what the operator saw */
  z.object({ kind: z.literal('hangup'), ...cid, reason: z.enum(['lost', 'failed']).optional() }).strict(),
]);
export type CallClientSignal = z.infer<typeof CallClientSignal>;
export type CallClientKind = CallClientSignal['kind'];

/* ---------- hub → client ---------- */

/** What the leader's phone shows about the call before answering. */
export const CallBrief = z
  .object({
    eventId: Id,
    categoryId: Id,
    description: Text(200),
    address: Text(500).optional(),
    callerName: z.string().max(200),
    callerRole: Role,
  })
  .strict();
export type CallBrief = z.infer<typeof CallBrief>;

const callError = z.object({ code: z.string().max(40), message: z.string().max(2000) }).strict();

export const CallServerSignal = z.discriminatedUnion('kind', [
  /** to the caller: the leader's phone(s) are ringing */
  z
    .object({ kind: z.literal('ringing'), ...cid, eventId: Id, attempt: CallAttempt, iceServers: IceServers, ringTimeoutMs: z.number().int().min(1) })
    .strict(),
  /** to the leader's page(s): an incoming call */
  z
    .object({
      kind: z.literal('ring'),
      ...cid,
      attempt: CallAttempt,
      brief: CallBrief,
      recorded: z.boolean(),
      iceServers: IceServers,
      ringTimeoutMs: z.number().int().min(1),
    })
    .strict(),
  /** to the caller: answered; send the offer */
  z.object({ kind: z.literal('accepted'), ...cid, attempt: CallAttempt }).strict(),
  /** to the leader's other pages: answered on another device */
  z.object({ kind: z.literal('taken'), ...cid }).strict(),
  z.object({ kind: z.literal('description'), ...cid, description: SessionDescription }).strict(),
  z.object({ kind: z.literal('candidate'), ...cid, candidate: IceCandidate }).strict(),
  z.object({ kind: z.literal('recording'), ...cid, on: z.boolean() }).strict(),
  /** to the caller: the answering page's link to the hub closed (the page was closed or lost its network) */
  z.object({ kind: z.literal('peer_left'), ...cid }).strict(),
  z.object({ kind: z.literal('ended'), ...cid, reason: CallEndReason, message: z.string().max(2000).optional() }).strict(),
  /** to the sender: its message was refused (nothing was relayed) */
  z.object({ kind: z.literal('error'), callId: CallId.optional(), refused: z.string().max(40), error: callError }).strict(),
]);
export type CallServerSignal = z.infer<typeof CallServerSignal>;
export type CallServerKind = CallServerSignal['kind'];

/* ---------- the `callback` command ---------- */

/**
 * The phases a `callback` command records. `scheduled`/`unscheduled` set and clear the event's
 * call-back reminder; `started`, `lost`, `connected` and `ended` are written by the hub as the call
 * goes; `snapshot`, `recording` and `outcome` are the operator's.
 */
export const CALLBACK_PHASES = ['scheduled', 'unscheduled', 'started', 'connected', 'lost', 'ended', 'snapshot', 'recording', 'outcome'] as const;
export const CallbackPhase = z.enum(CALLBACK_PHASES);
export type CallbackPhase = z.infer<typeof CallbackPhase>;

export const CALLBACK_OUTCOMES = ['confirmed', 'not_confirmed'] as const;
export const CallbackOutcome = z.enum(CALLBACK_OUTCOMES);
export type CallbackOutcome = z.infer<typeof CallbackOutcome>;

/** The longest a call-back may be put off: a day. */
export const MAX_CALLBACK_DELAY_MIN = 24 * 60;

/**
 * Which of the command's optional fields each phase takes (`required`) or may take (`optional`);
 * anything else is refused, so a malformed record never reaches a timeline.
 */
export const CALLBACK_FIELDS: Record<CallbackPhase, { required: readonly string[]; optional: readonly string[] }> = {
  scheduled: { required: ['afterMinutes'], optional: ['note'] },
  unscheduled: { required: [], optional: ['note'] },
  started: { required: ['callId', 'attempt'], optional: ['recorded'] },
  connected: { required: ['callId', 'attempt'], optional: ['setupMs'] },
  lost: { required: ['callId', 'attempt'], optional: [] },
  ended: { required: ['callId', 'reason'], optional: ['attempt', 'durationMs'] },
  snapshot: { required: ['callId', 'attachments', 'takenAt'], optional: ['position', 'positionAt', 'note'] },
  recording: { required: ['callId', 'attachments'], optional: ['durationMs', 'note'] },
  outcome: { required: ['outcome'], optional: ['callId', 'note'] },
};

/** The optional fields of the `callback` command, for the check above. */
export const CALLBACK_OPTIONAL_KEYS = ['callId', 'attempt', 'recorded', 'afterMinutes', 'reason', 'durationMs', 'setupMs', 'outcome', 'takenAt', 'position', 'positionAt', 'note', 'attachments'] as const;

/* ---------- the console core's part (shared/schema/console.ts requests `call`, `callbacks`, `leaderFix`, `uploadRecording`) ---------- */

/** An event with a call-back due, as the reminder lists it (from the console's cache). */
export const CallbackItem = z
  .object({
    eventId: Id,
    dueAt: Timestamp,
    categoryId: Id,
    description: Text(200),
    state: EventState,
    assigneeId: Id.optional(),
    assigneeName: z.string().optional(),
  })
  .strict();
export type CallbackItem = z.infer<typeof CallbackItem>;

export const LeaderFix = z.object({ person: Person.nullable(), fix: PositionFix.nullable() }).strict();
export type LeaderFix = z.infer<typeof LeaderFix>;

/** One recording file goes to the hub in pieces small enough for the console host's 1 MiB messages. */
export const RECORDING_CHUNK_BYTES = 512 * 1024;
export const RECORDING_MIMES = ['video/webm', 'audio/webm', 'video/mp4'] as const;
export const RecordingChunk = z
  .object({
    /** made by the page, one per file */
    uploadId: Id,
    /** 0, 1, 2, … in order; the core refuses a gap */
    index: z.number().int().min(0).max(40),
    mime: z.enum(RECORDING_MIMES),
    data: z.base64('must be base64').max(Math.ceil(RECORDING_CHUNK_BYTES / 3) * 4, `a chunk is at most ${RECORDING_CHUNK_BYTES} bytes`),
    /** the file is complete with this chunk: the core uploads it and answers its hash */
    last: z.boolean(),
  })
  .strict();
export type RecordingChunk = z.infer<typeof RecordingChunk>;

export type RecordingChunkResult = { done: false; received: number } | { done: true; hash: string; mime: string; size: number };
