import { z } from 'zod';
import { AttachmentHash, Id, LngLat, Text, Timestamp } from './common';
import { Escalation, HotlineOrderInfo, ReporterContact, Satisfaction, Source, Tier } from './entities';
import { CALLBACK_FIELDS, CALLBACK_OPTIONAL_KEYS, CallAttempt, CallbackOutcome, CallbackPhase, CallEndReason, CallId, MAX_CALLBACK_DELAY_MIN } from './call';

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

/**
 * A video call-back (视频回访) on the event: scheduling its reminder, the call's course as the hub
 * saw it, the operator's snapshots and recording, and the outcome (confirmed on site or not, with a
 * note). Which fields a phase takes is fixed by CALLBACK_FIELDS (shared/schema/call.ts).
 */
export const CallbackCommand = z
  .object({
    ...base,
    type: z.literal('callback'),
    phase: CallbackPhase,
    callId: CallId.optional(),
    attempt: CallAttempt.optional(),
    /** the console was recording from the start (the leader was told) */
    recorded: z.boolean().optional(),
    /** `scheduled`: call back this many minutes from now (the hub's clock) */
    afterMinutes: z.number().int().min(1, 'at least 1 minute').max(MAX_CALLBACK_DELAY_MIN, `at most ${MAX_CALLBACK_DELAY_MIN} minutes`).optional(),
    reason: CallEndReason.optional(),
    durationMs: z.number().int().min(0).max(86_400_000).optional(),
    setupMs: z.number().int().min(0).max(600_000).optional(),
    outcome: CallbackOutcome.optional(),
    /** `snapshot`: when the frame was taken, and the leader's last known position then */
    takenAt: Timestamp.optional(),
    position: LngLat.optional(),
    positionAt: Timestamp.optional(),
    note: note.optional(),
    attachments: attachments.default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const rule = CALLBACK_FIELDS[c.phase];
    // an empty attachment list is the default, the same as none
    const has = (k: string) => (k === 'attachments' ? c.attachments.length > 0 : (c as Record<string, unknown>)[k] !== undefined);
    for (const k of rule.required)
      if (!has(k))
        ctx.addIssue({ code: 'custom', path: [k], message: `a ${c.phase} call-back record needs ${k}` });
    for (const k of CALLBACK_OPTIONAL_KEYS)
      if (has(k) && !rule.required.includes(k) && !rule.optional.includes(k))
        ctx.addIssue({ code: 'custom', path: [k], message: `a ${c.phase} call-back record takes no ${k}` });
    if (c.phase === 'outcome' && c.outcome === 'not_confirmed' && !c.note?.trim())
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'say why the work was not confirmed on site' });
  });

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
  callback: CallbackCommand,
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
  COMMAND_SCHEMAS.callback,
]);
export type Command = z.infer<typeof Command>;
export type CommandInput = z.input<typeof Command>;
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
