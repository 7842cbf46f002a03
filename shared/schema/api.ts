import { z } from 'zod';
import { ERROR_CODES } from '../errors';
import { Id, LngLat, Timestamp } from './common';
import { Change } from './changes';
import { Command } from './commands';
import { Role } from './entities';
import { CallClientSignal, CallServerSignal } from './call';

/* ---------- errors ---------- */

export const ApiError = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), field: z.string().optional() }) })
  .strict();
export type ApiError = z.infer<typeof ApiError>;

/* ---------- auth ---------- */

export const LoginRequest = z
  .object({
    username: z.string().min(1, 'must not be empty').max(100),
    password: z.string().min(1, 'must not be empty').max(200),
    /** a label for the console or desk logging in, shown in timelines */
    origin: z.string().max(100).optional(),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginRequest>;

export const Principal = z
  .object({
    /** the person acting */
    personId: Id,
    role: Role,
    name: z.string(),
    /** a sub-centre desk sees and acts on this town only */
    townId: Id.optional(),
  })
  .strict();
export type Principal = z.infer<typeof Principal>;

export const LoginResponse = z.object({ token: z.string(), expiresAt: Timestamp, principal: Principal }).strict();
export type LoginResponse = z.infer<typeof LoginResponse>;

/* ---------- commands ---------- */

export const CommandResult = z.discriminatedUnion('status', [
  z
    .object({
      status: z.literal('applied'),
      commandId: Id,
      /** the changes the command made, with their sequence numbers */
      changes: z.array(Change),
    })
    .strict(),
  z
    .object({
      status: z.literal('rejected'),
      commandId: Id,
      error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), field: z.string().optional() }),
    })
    .strict(),
]);
export type CommandResult = z.infer<typeof CommandResult>;

/** Several commands in one request, applied in order (an outbox draining). */
export const CommandBatch = z
  .object({ commands: z.array(Command).min(1, 'send at least one command').max(500, 'at most 500 commands a batch') })
  .strict();
export type CommandBatch = z.infer<typeof CommandBatch>;
export const CommandBatchResult = z.object({ results: z.array(CommandResult) }).strict();
export type CommandBatchResult = z.infer<typeof CommandBatchResult>;

/* ---------- change feed ---------- */

export const ChangesQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .strict();
export type ChangesQuery = z.infer<typeof ChangesQuery>;

export const ChangesPage = z
  .object({
    changes: z.array(Change),
    /** the cursor to ask from next */
    cursor: z.number().int().min(0),
    /** the hub's newest sequence number when the page was read */
    head: z.number().int().min(0),
  })
  .strict();
export type ChangesPage = z.infer<typeof ChangesPage>;

/** Messages a client sends over the live WebSocket. */
export const LiveClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), token: z.string().min(1), after: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('ping'), at: Timestamp }).strict(),
  /** video call-back signalling (shared/schema/call.ts), after hello */
  z.object({ type: z.literal('call'), call: CallClientSignal }).strict(),
]);
export type LiveClientMessage = z.infer<typeof LiveClientMessage>;

export const Alert = z
  .object({
    kind: z.enum(['overdue', 'urgent']),
    eventId: Id,
    at: Timestamp,
  })
  .strict();
export type Alert = z.infer<typeof Alert>;

/** Messages the hub sends over the live WebSocket. */
export const LiveServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), principal: Principal, head: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('changes'), changes: z.array(Change), head: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('alert'), alert: Alert }).strict(),
  z.object({ type: z.literal('pong'), at: Timestamp }).strict(),
  z.object({ type: z.literal('error'), error: ApiError.shape.error }).strict(),
  /** video call-back signalling relayed by the hub (shared/schema/call.ts) */
  z.object({ type: z.literal('call'), call: CallServerSignal }).strict(),
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;

/* ---------- field ---------- */

/** A position fix sent by a field device; the person is the device's owner. */
export const FieldPosition = z
  .object({ position: LngLat, accuracy: z.number().min(0).max(100_000).optional(), at: Timestamp })
  .strict();
export type FieldPosition = z.infer<typeof FieldPosition>;

/* ---------- recommendation ---------- */

export const RecommendQuery = z
  .object({ lng: z.coerce.number().min(-180).max(180), lat: z.coerce.number().min(-90).max(90) })
  .strict();
export type RecommendQuery = z.infer<typeof RecommendQuery>;

/** What /api/recommend answers: the place and the ranked candidates (shared/recommend.ts shapes). */
export interface RecommendResponse {
  place: { gridIds: string[]; communityId?: string; townId?: string };
  candidates: import('../recommend').Recommendation[];
}
