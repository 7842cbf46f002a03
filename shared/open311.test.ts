import { describe, expect, it } from 'vitest';
import { isoCst, open311Contact, open311Description, open311Request, open311Services, open311Status, OPEN311_STATE_NOTES } from './open311';
import { EVENT_STATES, Open311RequestInput, Open311Service, Open311ServiceRequest, type EventRecord } from './schema';
import { categoryById, DEFAULT_TAXONOMY } from './taxonomy';

const event = (over: Partial<EventRecord> = {}): EventRecord => ({
  id: 'ev-1',
  categoryId: 'sanitation',
  tier: 'general',
  source: 'public',
  state: 'reported',
  description: '垃圾',
  position: { lng: 121.01, lat: 31.99 },
  gridIds: [],
  reportedAt: Date.UTC(2026, 10, 24, 1, 2, 3),
  attachments: [],
  timelineLength: 1,
  updatedAt: Date.UTC(2026, 10, 24, 1, 2, 3),
  ...over,
});

describe('Open311 mapping', () => {
  it('offers every category as a service, in the standard shape', () => {
    const services = open311Services(DEFAULT_TAXONOMY);
    expect(services.map((s) => s.service_code)).toEqual(DEFAULT_TAXONOMY.categories.map((c) => c.id));
    for (const s of services) expect(Open311Service.safeParse(s).success).toBe(true);
    const sub = open311Services({ version: 1, categories: [...DEFAULT_TAXONOMY.categories, { id: 'grate', name: { zh: '井盖', en: 'Drain grate' }, parentId: 'municipal_facilities', defaultTier: 'general', deadlineHours: 24 }] });
    expect(sub.find((s) => s.service_code === 'grate')!.group).toBe('市政设施');
  });

  it('has a public note for every state, and two statuses', () => {
    for (const s of EVENT_STATES) expect(OPEN311_STATE_NOTES[s]).toBeTruthy();
    expect(open311Status('dispatched')).toBe('open');
    expect(open311Status('closed')).toBe('closed');
    expect(open311Status('rejected')).toBe('closed');
  });

  it('writes times in China Standard Time', () => {
    expect(isoCst(Date.UTC(2026, 10, 24, 17, 30, 0))).toBe('2026-11-25T01:30:00+08:00');
  });

  it('keeps the reporter for the desk apart from what the public reads', () => {
    const input = { service_code: 'sanitation', description: '路灯坏了', first_name: '三', last_name: '张', phone: '138 0000 1234', email: 'z@example.cn' };
    expect(open311Description(input, '市政设施')).toBe('路灯坏了');
    expect(open311Description({}, '市政设施')).toBe('市民通过 Open311 上报：市政设施');
    const contact = open311Contact(input as Parameters<typeof open311Contact>[0]);
    expect(contact).toEqual({ name: '张三', phone: '138 0000 1234', email: 'z@example.cn' });
    expect(open311Contact({ service_code: 'sanitation' } as Parameters<typeof open311Contact>[0])).toBeUndefined();
    const r = open311Request(event({ description: '路灯坏了', reporterContact: contact }), { category: categoryById(DEFAULT_TAXONOMY, 'sanitation'), agency: 'x' });
    expect(JSON.stringify(r)).not.toMatch(/138|example\.cn|张三/);
  });

  it('maps an event to a request, with the deadline while it is open', () => {
    const deadline = Date.UTC(2026, 10, 24, 15, 59, 59);
    const r = open311Request(event({ state: 'dispatched', deadline, address: '育才路' }), { category: categoryById(DEFAULT_TAXONOMY, 'sanitation'), agency: '金沙街道' });
    expect(Open311ServiceRequest.parse(r)).toMatchObject({
      service_request_id: 'ev-1',
      status: 'open',
      service_name: '环境卫生',
      address: '育才路',
      lat: 31.99,
      long: 121.01,
      requested_datetime: '2026-11-24T09:02:03+08:00',
      expected_datetime: '2026-11-24T23:59:59+08:00',
      agency_responsible: '金沙街道',
    });
    expect(open311Request(event({ state: 'closed', deadline }), { category: undefined, agency: 'x' }).expected_datetime).toBeUndefined();
  });

  it('gives a merged report the status of the event it joined', () => {
    const target = event({ id: 'ev-2', state: 'closed', updatedAt: Date.UTC(2026, 10, 25) });
    const r = open311Request(event({ state: 'merged', mergedInto: 'ev-2' }), { category: undefined, agency: 'x', mergedInto: target });
    expect(r.status).toBe('closed');
    expect(r.status_notes).toContain('合并');
    expect(r.updated_datetime).toBe(isoCst(target.updatedAt));
  });

  it('reads coordinates from form text or JSON numbers, and refuses text that is not a number', () => {
    const base = { api_key: 'k', service_code: 'sanitation' };
    expect(Open311RequestInput.parse({ ...base, lat: '31.5', long: '121' })).toMatchObject({ lat: 31.5, long: 121 });
    expect(Open311RequestInput.parse({ ...base, lat: 31.5, long: 121 })).toMatchObject({ lat: 31.5, long: 121 });
    expect(Open311RequestInput.safeParse({ ...base, lat: 'north' }).success).toBe(false);
    expect(Open311RequestInput.safeParse({ ...base, lat: '91' }).success).toBe(false);
    expect(Open311RequestInput.safeParse({ ...base, media_url: 'javascript:alert(1)' }).success).toBe(false);
  });
});
