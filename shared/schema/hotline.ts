import { z } from 'zod';
import { Id, LngLat, Phone, Text, Timestamp } from './common';
import { Satisfaction, type HotlineOrderInfo } from './entities';

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

/**
 * Hotline type text → taxonomy category: the first entry whose keyword the type contains wins.
 * Data, not code: extend it as the hotline's classifications show up.
 */
export const HOTLINE_TYPE_CATEGORIES: readonly (readonly [keyword: string, categoryId: string])[] = [
  ['违法搭建', 'illegal_construction'],
  ['违建', 'illegal_construction'],
  ['井盖', 'municipal_facilities'],
  ['路灯', 'municipal_facilities'],
  ['市政', 'municipal_facilities'],
  ['危化', 'hazardous_chemicals'],
  ['消防', 'fire_safety'],
  ['安全生产', 'work_safety'],
  ['食品', 'food_safety'],
  ['秸秆', 'straw_burning'],
  ['环保', 'environment'],
  ['污染', 'environment'],
  ['噪音', 'environment'],
  ['群租', 'group_rental'],
  ['烟花', 'fireworks'],
  ['疫情', 'epidemic'],
  ['纠纷', 'dispute'],
  ['治安', 'public_order'],
  ['走失', 'missing_person'],
  ['垃圾', 'sanitation'],
  ['卫生', 'sanitation'],
  ['drain', 'municipal_facilities'],
  ['construction', 'illegal_construction'],
  ['noise', 'environment'],
  ['rubbish', 'sanitation'],
  ['garbage', 'sanitation'],
];
export const HOTLINE_FALLBACK_CATEGORY = 'livelihood';

/** The category an order goes under: its own categoryId, else the type mapping, else livelihood. */
export function hotlineCategory(order: Pick<HotlineWorkOrder, 'type' | 'categoryId'>): string {
  if (order.categoryId !== undefined) return order.categoryId;
  const t = order.type.toLowerCase();
  return HOTLINE_TYPE_CATEGORIES.find(([k]) => t.includes(k.toLowerCase()))?.[1] ?? HOTLINE_FALLBACK_CATEGORY;
}

/** The order details the event carries. */
export function hotlineOrderInfo(o: HotlineWorkOrder): HotlineOrderInfo {
  return {
    orderNo: o.orderNo,
    receivedAt: o.receivedAt,
    callerName: o.callerName,
    callerPhone: o.callerPhone,
    content: o.content,
    type: o.type,
    address: o.address,
    deadline: o.deadline,
  };
}
