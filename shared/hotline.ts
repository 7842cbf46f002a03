import type { EventRecord, HotlineOrderInfo, HotlineReply, HotlineWorkOrder, TimelineEntry } from './schema';

/* The 12345 hotline's domain rules: how an order becomes an event, and what the reply says. */

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

/**
 * The reply for a closed hotline event: what was done (the last feedback note and the close note),
 * who did it (the assignee), when it was closed, and the centre's confirmation (the review note).
 */
export function buildHotlineReply(event: EventRecord, timeline: readonly TimelineEntry[], assigneeName: string | undefined, at: number): HotlineReply {
  const lastNote = (kind: string) => [...timeline].reverse().find((t) => t.kind === kind && t.note && t.note.trim())?.note?.trim();
  const result = [lastNote('feedback'), lastNote('close')].filter(Boolean).join('\n') || 'Handled and closed by the command centre.';
  const confirmation = lastNote('review');
  return {
    orderNo: event.hotline!.orderNo,
    eventId: event.id,
    result: result.slice(0, 8000),
    handledBy: (assigneeName ?? 'command centre').slice(0, 200),
    handledAt: event.closedAt ?? at,
    ...(confirmation ? { confirmation: confirmation.slice(0, 4000) } : {}),
    ...(event.satisfaction ? { satisfaction: event.satisfaction } : {}),
  };
}
