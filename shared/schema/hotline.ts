import { z } from 'zod';
import { Id, LngLat, Phone, Text, Timestamp } from './common';
import { Satisfaction } from './entities';

/**
 * The 12345 government hotline (12345工单): a work order as the hotline platform sends it to
 * `POST /api/intake/12345`, and the reply the hub sends back once the case is closed.
 */
const required = (max: number) => Text(max).trim().min(1, 'must not be empty');

export const HotlineWorkOrder = z
  .object({
    /** the hotline's own order number; intake is idempotent by it */
    orderNo: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    receivedAt: Timestamp,
    callerName: required(100),
    callerPhone: Phone,
    content: required(4000),
    /** the hotline's own classification text, mapped to a taxonomy category (HOTLINE_TYPE_CATEGORIES) */
    type: required(100),
    /** overrides the mapping from `type` when the platform already knows the category */
    categoryId: Id.optional(),
    address: required(500),
    /** when absent, the event is placed at the community named in the address and flagged unconfirmed */
    position: LngLat.optional(),
    /** the hotline's own deadline for the case */
    deadline: Timestamp,
  })
  .strict()
  .refine((o) => o.deadline > o.receivedAt, { message: 'must be after receivedAt', path: ['deadline'] });
export type HotlineWorkOrder = z.infer<typeof HotlineWorkOrder>;

/** What the hub POSTs to the hotline's reply webhook, once per order, when its event is closed. */
export const HotlineReply = z
  .object({
    orderNo: z.string().min(1).max(64),
    eventId: Id,
    /** what was done: the last feedback and close notes */
    result: Text(8000),
    /** the name of the person who handled it (the assignee) */
    handledBy: Text(200),
    handledAt: Timestamp,
    /** the centre's confirmation (e.g. the video call-back at review) */
    confirmation: Text(4000).optional(),
    satisfaction: Satisfaction.optional(),
  })
  .strict();
export type HotlineReply = z.infer<typeof HotlineReply>;

/** The answer to an intake: the same for every repeat of the same order. */
export interface HotlineIntakeResult {
  eventId: string;
  status: 'applied' | 'rejected';
}
