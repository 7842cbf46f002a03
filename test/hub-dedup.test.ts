import { afterEach, describe, expect, it } from 'vitest';
import type { Change, EventRecord } from '../shared/schema';
import { expectApplied, getChanges, login, PLACES, postCommand, reportCmd, request, startTestHub, uid, type TestHub } from './helpers/hub';

/**
 * Field reports of the same thing: a second report of the same category within 100 m and 12 h of
 * an open event joins it as a linked report; the operator sees the link and can split it out again.
 */
const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

const A = 'dev_demo_leader-0-0-0';
const B = 'dev_demo_leader-0-0-1';
/** about 30 m north-east of PLACES.jinsha */
const NEAR = { lng: PLACES.jinsha.lng + 0.0002, lat: PLACES.jinsha.lat + 0.0002 };
/** about 1 km away, still in town-jinsha */
const FAR = { lng: PLACES.jinsha.lng, lat: PLACES.jinsha.lat + 0.009 };

const fieldReport = (over: Record<string, unknown> = {}) =>
  reportCmd({ source: 'field', categoryId: 'municipal_facilities', position: PLACES.jinsha, ...over });

async function eventOf(t: TestHub, id: string): Promise<EventRecord> {
  const e = await t.hub.store.getEvent(id);
  if (!e) throw new Error(`no event ${id}`);
  return e;
}

describe('deduplication of field reports', () => {
  it('a second nearby report of the same category joins the first, and the operator splits it out again', async () => {
    const t = await startTestHub();
    hubs.push(t);
    const op = await login(t.url, 'operator', 'operator', 'console-1');
    const first = fieldReport({ description: '井盖破损' });
    await expectApplied(postCommand(t.url, A, first));
    const head = (await getChanges(t.url, op, 0, 1)).head;

    const second = fieldReport({ description: '这里井盖坏了', position: NEAR });
    const r = await expectApplied(postCommand(t.url, B, second));
    // the answer tells the phone what happened: its report merged, the first event gained a link
    const changed = r.body.status === 'applied' ? r.body.changes : [];
    const events = changed.filter((c): c is Extract<Change, { kind: 'event' }> => c.kind === 'event');
    expect(events.map((c) => [c.id, c.data.state])).toEqual([
      [second.eventId, 'merged'],
      [first.eventId, 'reported'],
    ]);
    expect(await eventOf(t, second.eventId)).toMatchObject({ state: 'merged', mergedInto: first.eventId, reporterId: 'leader-0-0-1' });
    expect(await eventOf(t, first.eventId)).toMatchObject({ state: 'reported', linkedReportIds: [second.eventId], timelineLength: 2 });

    // the console sees both changes in the feed, the link entry on the first event's timeline
    const feed = (await getChanges(t.url, op, head)).changes;
    const link = feed.find((c) => c.kind === 'timeline' && c.data.eventId === first.eventId);
    expect(link?.kind === 'timeline' && link.data).toMatchObject({ kind: 'link', data: { reportId: second.eventId, reporterId: 'leader-0-0-1' } });

    // the operator judges it a different grate: split brings it back as its own reported event
    const split = await postCommand(t.url, op, { type: 'split', commandId: uid(), eventId: second.eventId, note: '另一处井盖' });
    expect(split.status).toBe(200);
    expect(await eventOf(t, second.eventId)).toMatchObject({ state: 'reported', timelineLength: 2 });
    expect((await eventOf(t, second.eventId)).mergedInto).toBeUndefined();
    const parent = await eventOf(t, first.eventId);
    expect(parent.linkedReportIds).toBeUndefined();
    expect(parent.timelineLength).toBe(3);
    // and it can be handled on its own now
    await expectApplied(postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId: second.eventId }));

    // a leader may not split; a report that is not merged cannot be split
    const leaderSplit = await postCommand(t.url, A, { type: 'split', commandId: uid(), eventId: second.eventId });
    expect(leaderSplit.status).toBe(403);
    const notMerged = await postCommand(t.url, op, { type: 'split', commandId: uid(), eventId: first.eventId });
    expect(notMerged.status).toBe(409);
    expect(notMerged.body.error?.message).toMatch(/split needs merged/);
  });

  it('keeps apart what is not the same: another category, far away, long after, a closed event, desk intake', async () => {
    const t = await startTestHub();
    hubs.push(t);
    const op = await login(t.url, 'operator', 'operator');
    const first = fieldReport();
    await expectApplied(postCommand(t.url, A, first));
    const others = [
      fieldReport({ categoryId: 'sanitation', position: NEAR }),
      fieldReport({ position: FAR }),
      fieldReport({ position: NEAR, reportedAt: Date.now() + 13 * 3600_000 }),
      reportCmd({ source: 'phone', categoryId: 'municipal_facilities', position: NEAR }),
    ];
    for (const o of others) {
      await expectApplied(postCommand(t.url, o.source === 'phone' ? op : B, o));
      expect((await eventOf(t, o.eventId as string)).state, JSON.stringify(o)).toBe('reported');
    }
    expect((await eventOf(t, first.eventId as string)).linkedReportIds).toBeUndefined();

    // a rejected event takes no linked reports: the next report joins the open desk-made one nearby
    await expectApplied(postCommand(t.url, op, { type: 'reject', commandId: uid(), eventId: first.eventId, reason: 'invalid' }));
    const after = fieldReport({ position: NEAR });
    await expectApplied(postCommand(t.url, B, after));
    expect(await eventOf(t, after.eventId as string)).toMatchObject({ state: 'merged', mergedInto: others[3]!.eventId });
  });

  it('duplicates arriving together in one batch merge into the first of them', async () => {
    const t = await startTestHub();
    hubs.push(t);
    const reports = Array.from({ length: 5 }, (_, i) => fieldReport({ position: { lng: PLACES.jinsha.lng + i * 0.00005, lat: PLACES.jinsha.lat } }));
    const r = await request(t.url, 'POST', '/api/commands/batch', { token: B, json: { commands: reports } });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(Array(5).fill('applied'));
    const states = await Promise.all(reports.map((c) => eventOf(t, c.eventId as string)));
    expect(states.map((e) => e.state)).toEqual(['reported', 'merged', 'merged', 'merged', 'merged']);
    expect(states[0]!.linkedReportIds).toEqual(reports.slice(1).map((c) => c.eventId));
    // a replay of a merged report changes nothing
    const again = await postCommand(t.url, B, reports[1]!);
    expect(again.status).toBe(200);
    expect((await eventOf(t, reports[0]!.eventId as string)).linkedReportIds).toHaveLength(4);
  });
});
