import { z } from 'zod';
import { AttachmentHash, Id, LngLat, Text, Timestamp } from './common';
import { Escalation, HotlineOrderInfo, ReporterContact, Satisfaction, Source, Tier } from './entities';

/**
 * Commands: everything that changes an event goes through one of these, from a console, a field
 * device, an intake adapter or the hub's own timers. `commandId` is made by the client; the hub
 * applies each id once and answers a replay with the first result.
 */
const base = {
  commandId: Id,
  eventId: Id,
};
const note = Text(4000);
const attachments = z.array(AttachmentHash).max(20, 'at most 20 attachments');

export const ReportCommand = z
  .object({
    ...base,
    type: z.literal('report'),
    categoryId: Id,
    description: Text(4000).min(1, 'must not be empty'),
    position: LngLat,
    address: Text(500).optional(),
    source: Source,
    /** defaults to the category's tier */
    tier: Tier.optional(),
    reportedAt: Timestamp.optional(),
    attachments: attachments.default([]),
    hotline: HotlineOrderInfo.optional(),
    reporterContact: ReporterContact.optional(),
    /** the position is a guess (e.g. a hotline order placed at its community's centre) */
    positionUnconfirmed: z.boolean().optional(),
  })
  .strict();

export const REJECT_REASONS = ['duplicate', 'invalid', 'out_of_scope'] as const;

export const COMMAND_SCHEMAS = {
  report: ReportCommand,
  accept: z.object({ ...base, type: z.literal('accept'), tier: Tier.optional(), note: note.optional() }).strict(),
  reject: z
    .object({
      ...base,
      type: z.literal('reject'),
      reason: z.enum(REJECT_REASONS),
      duplicateOf: Id.optional(),
      note: note.optional(),
    })
    .strict(),
  dispatch: z.object({ ...base, type: z.literal('dispatch'), assigneeId: Id, note: note.optional() }).strict(),
  acknowledge: z.object({ ...base, type: z.literal('acknowledge'), note: note.optional() }).strict(),
  arrive: z.object({ ...base, type: z.literal('arrive'), position: LngLat, note: note.optional() }).strict(),
  feedback: z
    .object({ ...base, type: z.literal('feedback'), note: note.min(1, 'must not be empty'), attachments: attachments.default([]) })
    .strict(),
  review: z.object({ ...base, type: z.literal('review'), note: note.optional() }).strict(),
  return: z.object({ ...base, type: z.literal('return'), note: note.min(1, 'say why it goes back') }).strict(),
  close: z.object({ ...base, type: z.literal('close'), note: note.optional() }).strict(),
  evaluate: z
    .object({ ...base, type: z.literal('evaluate'), satisfaction: Satisfaction, note: note.optional() })
    .strict(),
  escalate: z
    .object({ ...base, type: z.literal('escalate'), escalation: Escalation, note: note.min(1, 'say why it is escalated') })
    .strict(),
  note: z
    .object({ ...base, type: z.literal('note'), note: note.min(1, 'must not be empty'), attachments: attachments.default([]) })
    .strict(),
  supervise: z.object({ ...base, type: z.literal('supervise'), note: note.optional() }).strict(),
  /** takes a report that was merged into another event out again, as an event of its own */
  split: z.object({ ...base, type: z.literal('split'), note: note.optional() }).strict(),
} as const;

export type CommandType = keyof typeof COMMAND_SCHEMAS;
export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as CommandType[];

export const Command = z.discriminatedUnion('type', [
  COMMAND_SCHEMAS.report,
  COMMAND_SCHEMAS.accept,
  COMMAND_SCHEMAS.reject,
  COMMAND_SCHEMAS.dispatch,
  COMMAND_SCHEMAS.acknowledge,
  COMMAND_SCHEMAS.arrive,
  COMMAND_SCHEMAS.feedback,
  COMMAND_SCHEMAS.review,
  COMMAND_SCHEMAS.return,
  COMMAND_SCHEMAS.close,
  COMMAND_SCHEMAS.evaluate,
  COMMAND_SCHEMAS.escalate,
  COMMAND_SCHEMAS.note,
  COMMAND_SCHEMAS.supervise,
  COMMAND_SCHEMAS.split,
]);
export type Command = z.infer<typeof Command>;
export type CommandInput = z.input<typeof Command>;
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
