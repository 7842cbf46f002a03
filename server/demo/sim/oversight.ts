import { v7 as uuidv7 } from 'uuid';
import { DAY_MS } from '../../../shared/deadline';
import { cstDateString } from '../../../shared/ledgers';
import type { LngLat } from '../../../shared/schema';
import { HubCallError, type DeskSession } from './client';
import type { SimContext } from './context';

/**
 * What the live demo adds for the ledgers (台账) and the three rates (三率), through the same API a
 * real phone and desk use: a household visit (走访) in most patrol windows, and on start the
 * district's findings of the last 30 days, a compliance inspection per comprehensive grid and an
 * awareness survey per community. Only with a realtime clock: a discrete run measures the loop.
 * Choices come from a hash of the person or unit, not the simulator's random stream, so adding
 * them leaves the rest of a seeded run as it was.
 */

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const VISIT_NOTES = ['独居老人，身体尚好', '了解用水用电情况', '宣传防诈骗知识', '家中有困难，已记录诉求', '核实人口信息', '张贴网格员联系卡'];

/** a stable number in [0, 1) from a text: the same person, day and window always choose the same */
export function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** Whether a leader visits a household in this patrol window, and when (a fraction of the window). */
export function visitIn(personId: string, windowStart: number): number | undefined {
  const key = `${personId}:${windowStart}`;
  return unit(`visit:${key}`) < 0.8 ? 0.1 + 0.8 * unit(`when:${key}`) : undefined;
}

export async function logVisit(ctx: SimContext, token: string, personId: string, communityName: string, position: LngLat): Promise<void> {
  const at = ctx.clock.now();
  const k = `${personId}:${at}`;
  const body = {
    visitId: uuidv7(),
    household: `${communityName}${1 + Math.floor(unit(`b:${k}`) * 30)}幢${101 + Math.floor(unit(`r:${k}`) * 6) * 100} ${SURNAMES[Math.floor(unit(`s:${k}`) * SURNAMES.length)]}家`,
    note: VISIT_NOTES[Math.floor(unit(`n:${k}`) * VISIT_NOTES.length)]!,
    position,
    at,
  };
  const r = await ctx.client.request<{ error?: { code: string; message: string } }>('visit', 'POST', '/api/field/visits', { token, json: body });
  if (r.status !== 201 && r.status !== 200) throw new HubCallError(r.body?.error?.code ?? 'http', r.body?.error?.message ?? `HTTP ${r.status}`, r.status);
}

/** The district's inspections and surveys of the last 30 days, as its desk records them. */
export async function recordOversight(ctx: SimContext, desk: DeskSession): Promise<void> {
  const now = ctx.clock.now();
  const post = async (path: string, json: unknown) => {
    const r = await desk.call((t) => ctx.client.request<{ error?: { code: string; message: string } }>('oversight', 'POST', path, { token: t, json }));
    // 200: already recorded by an earlier start on the same day
    if (r.status !== 201 && r.status !== 200) throw new HubCallError(r.body?.error?.code ?? 'http', r.body?.error?.message ?? `HTTP ${r.status}`, r.status);
  };
  for (const g of ctx.district.grids) {
    if (g.kind !== 'comprehensive') continue;
    const date = cstDateString(now - Math.floor(unit(`cd:${g.id}`) * 30) * DAY_MS);
    const compliant = unit(`cc:${g.id}:${date}`) < 0.9;
    await post('/api/ledgers/compliance', {
      entryId: `demo-c-${g.id}-${date}`,
      gridId: g.id,
      date,
      compliant,
      score: Math.round(compliant ? 80 + unit(`cs:${g.id}`) * 20 : 55 + unit(`cs:${g.id}`) * 25),
    });
  }
  for (const c of ctx.district.orgUnits) {
    if (c.level !== 'community') continue;
    const date = cstDateString(now - Math.floor(unit(`ad:${c.id}`) * 30) * DAY_MS);
    const asked = 30 + Math.floor(unit(`aa:${c.id}`) * 31);
    await post('/api/ledgers/awareness', {
      entryId: `demo-a-${c.id}-${date}`,
      unitId: c.id,
      date,
      asked,
      aware: Math.round(asked * (0.8 + unit(`aw:${c.id}`) * 0.18)),
    });
  }
}
