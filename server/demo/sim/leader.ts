import { v7 as uuidv7 } from 'uuid';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';
import { distanceM, polygonBBox, polygonCentroid, polygonContains, type BBox } from '../../../shared/geo';
import type { EventRecord, Grid, LngLat, Person } from '../../../shared/schema';
import { isFieldRole } from '../../../shared/schema';
import { categoryById, DEFAULT_TAXONOMY } from '../../../shared/taxonomy';
import { LEADERS, drawMs, untilOnDuty } from './behaviour';
import { deviceToken } from './client';
import { isRealtime } from './clock';
import { logVisit, visitIn } from './oversight';
import { ARRIVE_NOTES, DESCRIPTIONS, ESCALATE_NOTES, FEEDBACK_NOTES, ROADS, pickOf } from './content';
import type { SimContext } from './context';
import { sitePhoto } from './photo';
import { FIELD_CATEGORY_WEIGHTS, weightedPick } from './rhythm';

/**
 * The field staff's phones: every field person of the district with their device token. Leaders
 * patrol their grid and report what they find; whoever is dispatched acknowledges, travels,
 * arrives, handles and feeds back with a photo. Each step re-reads the event first: a human, the
 * desk or a re-dispatch may have moved it on meanwhile, and then the phone drops the task.
 */
interface Member {
  person: Person;
  token: string;
  grid: Grid | undefined;
  box: BBox | undefined;
  pos: LngLat;
  slow: boolean;
  unreliable: boolean;
  /** events the person is out on: meanwhile the patrol sends no fixes of its own */
  tasks: Set<string>;
  communityName: string;
}

/** A share of reports carry a photo from the start (the rest are text and position). */
const REPORT_PHOTO_SHARE = 0.5;

export class Fleet {
  private readonly members = new Map<string, Member>();
  /** leaders and dedicated members: they patrol (the reserved ones excluded) */
  private readonly patrollers: Member[] = [];
  /** grid leaders: they report what they find */
  private readonly leaders: Member[] = [];
  /** the dispatch each event is being worked on under: event id → the timeline length it was seen at */
  private readonly working = new Map<string, number>();

  /** the live demo logs visits for the ledgers; a discrete run leaves them out (see ./oversight.ts) */
  private readonly visits: boolean;

  constructor(private readonly ctx: SimContext) {
    this.visits = isRealtime(ctx.clock);
    const { district, reserved, rng } = ctx;
    const grids = new Map(district.grids.map((g) => [g.id, g]));
    const names = new Map(district.orgUnits.map((o) => [o.id, o.name]));
    for (const p of district.people) {
      if (!isFieldRole(p.role) || reserved.has(p.id)) continue;
      const grid = p.gridIds[0] !== undefined ? grids.get(p.gridIds[0]) : undefined;
      const m: Member = {
        person: p,
        token: deviceToken(p.id),
        grid,
        box: grid ? polygonBBox(grid.polygon) : undefined,
        pos: grid ? polygonCentroid(grid.polygon) : (district.orgUnits.find((o) => o.id === p.orgUnitId)?.center ?? district.orgUnits[0]!.center!),
        slow: rng() < LEADERS.slowShare,
        unreliable: rng() < LEADERS.unreliableShare,
        tasks: new Set(),
        communityName: names.get(p.orgUnitId) ?? '',
      };
      this.members.set(p.id, m);
      if (grid && (p.role === 'leader' || p.role === 'dedicated_member')) this.patrollers.push(m);
      if (grid && p.role === 'leader') this.leaders.push(m);
    }
  }

  get size(): number {
    return this.members.size;
  }

  /** A household visit (走访) on the way, unless out on a task. */
  private async visit(m: Member): Promise<void> {
    if (m.tasks.size > 0) return;
    try {
      await logVisit(this.ctx, m.token, m.person.id, m.communityName, m.pos);
    } catch (e) {
      this.ctx.counters.caught('visit', e);
    }
  }

  /** Plans each patroller's windows from today on. */
  start(): void {
    for (const m of this.patrollers) this.planPatrolDay(m, this.ctx.clock.now());
  }

  /* ---------------- reporting ---------------- */

  /** A leader (not a reserved one) reports something in their own grid. */
  async report(): Promise<void> {
    const { ctx } = this;
    const m = pickOf(this.leaders.length > 0 ? this.leaders : this.patrollers, ctx.rng);
    const categoryId = weightedPick(FIELD_CATEGORY_WEIGHTS, ctx.rng);
    const position = this.pointInGrid(m);
    m.pos = position;
    const attachments: string[] = [];
    const eventId = uuidv7();
    try {
      if (ctx.rng() < REPORT_PHOTO_SHARE) {
        attachments.push(await ctx.client.uploadPhoto(m.token, sitePhoto(ctx.rng)));
        ctx.counters.photos++;
      }
      ctx.counters.reportsSent++;
      ctx.counters.byCategory[categoryId] = (ctx.counters.byCategory[categoryId] ?? 0) + 1;
      ctx.onReportSent?.(eventId);
      const r = await ctx.client.command(m.token, {
        type: 'report',
        commandId: uuidv7(),
        eventId,
        categoryId,
        description: pickOf(DESCRIPTIONS[categoryId] ?? ['现场发现问题，请处理'], ctx.rng),
        position,
        address: `${m.communityName}${pickOf(ROADS, ctx.rng)}${1 + Math.floor(ctx.rng() * 200)}号`,
        source: 'field',
        attachments,
      });
      if (ctx.counters.result('report', r)) {
        ctx.counters.reportsApplied++;
        if (r.status === 'applied' && r.changes.some((c) => c.kind === 'event' && c.data.state === 'merged')) ctx.counters.reportsMerged++;
        if (r.status === 'applied') ctx.mirror.apply(r.changes);
      }
    } catch (e) {
      ctx.counters.caught('report', e);
    }
  }

  /* ---------------- patrol ---------------- */

  private planPatrolDay(m: Member, from: number): void {
    const { ctx } = this;
    const dayStart = Math.floor((from + CST_OFFSET_MS) / DAY_MS) * DAY_MS - CST_OFFSET_MS;
    const jitter = () => (ctx.rng() * 2 - 1) * LEADERS.patrolJitterMin * 60_000;
    for (const [h0, h1] of LEADERS.patrolWindows) {
      const start = dayStart + h0 * HOUR_MS + jitter();
      const end = dayStart + h1 * HOUR_MS + jitter();
      // joining a window already under way: spread the fleet's first fixes over one interval
      const first = start >= from ? start : from + ctx.rng() * ctx.patrolEveryMs;
      if (end > first) ctx.schedule.at(first, (t) => this.patrolStep(m, end, t));
      const visit = this.visits ? visitIn(m.person.id, start) : undefined;
      const when = visit === undefined ? 0 : start + (end - start) * visit;
      if (visit !== undefined && when >= from) ctx.schedule.at(when, () => this.visit(m));
    }
    // the next day is planned in the small hours, spread out so the plans do not all land at once
    ctx.schedule.at(dayStart + DAY_MS + 60_000 + Math.floor(ctx.rng() * HOUR_MS), (t) => this.planPatrolDay(m, t));
  }

  private async patrolStep(m: Member, until: number, at: number): Promise<void> {
    const { ctx } = this;
    if (at >= until) return;
    const next = at + ctx.patrolEveryMs * (0.8 + 0.4 * ctx.rng());
    if (next < until) ctx.schedule.at(next, (t) => this.patrolStep(m, until, t));
    if (m.tasks.size > 0) return; // out on a task: its own fixes go out
    m.pos = this.walk(m);
    await this.sendPosition(m);
  }

  /** A step of a few hundred metres towards somewhere else in the grid. */
  private walk(m: Member): LngLat {
    const target = this.pointInGrid(m);
    const f = Math.min(1, 0.2 + this.ctx.rng() * 0.4);
    return { lng: round7(m.pos.lng + (target.lng - m.pos.lng) * f), lat: round7(m.pos.lat + (target.lat - m.pos.lat) * f) };
  }

  private pointInGrid(m: Member): LngLat {
    const { rng } = this.ctx;
    if (!m.grid || !m.box) return m.pos;
    const [w, s, e, n] = m.box;
    for (let i = 0; i < 8; i++) {
      const pt = { lng: round7(w + (e - w) * (0.02 + 0.96 * rng())), lat: round7(s + (n - s) * (0.02 + 0.96 * rng())) };
      if (polygonContains(m.grid.polygon, pt)) return pt;
    }
    return polygonCentroid(m.grid.polygon);
  }

  private async sendPosition(m: Member): Promise<void> {
    const { ctx } = this;
    try {
      await ctx.client.position(m.token, { position: m.pos, accuracy: 5 + Math.round(ctx.rng() * 15), at: ctx.clock.now() });
      ctx.counters.positions++;
    } catch (e) {
      ctx.counters.caught('position', e);
    }
  }

  /* ---------------- assignments ---------------- */

  /** Every newer version of an event: a phone notices when it is (re)dispatched or returned to its person. */
  onEvent(ev: EventRecord): void {
    if (ev.assigneeId === undefined || (ev.state !== 'dispatched' && ev.state !== 'returned')) {
      return;
    }
    const m = this.members.get(ev.assigneeId);
    if (!m) return; // a reserved leader (a human) or someone outside the fleet
    const seen = this.working.get(ev.id);
    if (seen !== undefined && seen >= ev.timelineLength) return;
    this.working.set(ev.id, ev.timelineLength);
    if (m.unreliable && this.ctx.rng() < LEADERS.unreliableIgnores) return; // left unanswered: the deadline timer will notice
    const rework = ev.state === 'returned';
    this.ctx.schedule.at(this.ackTime(m, ev), () => this.acknowledge(m, ev.id, rework));
  }

  /** Off duty at night the phone waits for the morning, unless the tier is urgent. */
  private ackTime(m: Member, ev: EventRecord): number {
    const { ctx } = this;
    const now = ctx.clock.now();
    const delay = drawMs(LEADERS.acknowledge, ctx.rng, m.slow ? LEADERS.slowFactor : 1);
    const asleep = untilOnDuty(now);
    if (asleep === 0 || LEADERS.urgentTiers.includes(ev.tier)) return now + delay;
    return now + asleep + drawMs(LEADERS.wakeUp, ctx.rng) + delay;
  }

  /** The event as the phone knows it, if it is still this person's in one of `states`. */
  private still(m: Member, id: string, states: readonly string[]): EventRecord | undefined {
    const ev = this.ctx.mirror.get(id);
    return ev && ev.assigneeId === m.person.id && states.includes(ev.state) ? ev : undefined;
  }

  private async send(m: Member, type: string, cmd: Record<string, unknown>): Promise<boolean> {
    const { ctx } = this;
    try {
      const r = await ctx.client.command(m.token, { commandId: uuidv7(), type, ...cmd } as never);
      if (r.status === 'applied') ctx.mirror.apply(r.changes);
      return ctx.counters.result(type, r);
    } catch (e) {
      ctx.counters.caught(type, e);
      return false;
    }
  }

  private async acknowledge(m: Member, id: string, rework: boolean): Promise<void> {
    if (!this.still(m, id, ['dispatched', 'returned'])) return;
    if (!(await this.send(m, 'acknowledge', { eventId: id }))) return;
    const { ctx } = this;
    if (rework) {
      ctx.schedule.after(drawMs(LEADERS.rework, ctx.rng), () => this.feedback(m, id));
      return;
    }
    m.tasks.add(id);
    const ev = ctx.mirror.get(id)!;
    const km = distanceM(m.pos, ev.position) / 1000;
    const kmh = km <= LEADERS.walkUpToKm ? LEADERS.walkKmh : LEADERS.ebikeKmh;
    const travelMs = LEADERS.setOffMin * 60_000 + (km / kmh) * HOUR_MS;
    const from = m.pos;
    const legs = Math.min(6, Math.floor(travelMs / ctx.enRouteEveryMs));
    for (let i = 1; i <= legs; i++) {
      const f = i / (legs + 1);
      ctx.schedule.after((travelMs * i) / (legs + 1), async () => {
        if (!this.still(m, id, ['acknowledged'])) return;
        m.pos = { lng: round7(from.lng + (ev.position.lng - from.lng) * f), lat: round7(from.lat + (ev.position.lat - from.lat) * f) };
        await this.sendPosition(m);
      });
    }
    ctx.schedule.after(travelMs, () => this.arrive(m, id));
  }

  private async arrive(m: Member, id: string): Promise<void> {
    const ev = this.still(m, id, ['acknowledged']);
    if (!ev) return void m.tasks.delete(id);
    const { ctx } = this;
    m.pos = { lng: round7(ev.position.lng + (ctx.rng() - 0.5) * 1e-4), lat: round7(ev.position.lat + (ctx.rng() - 0.5) * 1e-4) };
    if (!(await this.send(m, 'arrive', { eventId: id, position: m.pos, note: pickOf(ARRIVE_NOTES, ctx.rng) }))) return void m.tasks.delete(id);
    const joint = ev.escalation !== undefined;
    if (!joint && ctx.rng() < LEADERS.escalateShare[ev.tier]) {
      ctx.schedule.after(drawMs(LEADERS.handling.general, ctx.rng) / 2, () => this.escalate(m, id));
      return;
    }
    ctx.schedule.after(drawMs(joint ? LEADERS.jointHandling : LEADERS.handling[ev.tier], ctx.rng), () => this.feedback(m, id));
  }

  private async escalate(m: Member, id: string): Promise<void> {
    m.tasks.delete(id);
    const ev = this.still(m, id, ['on_site', 'acknowledged']);
    if (!ev) return;
    const dept = categoryById(DEFAULT_TAXONOMY, ev.categoryId)?.departmentCode;
    const escalation = dept ? { target: 'departments', departmentIds: [`dept-${dept}`] } : { target: 'subcenter', orgUnitId: ev.townId };
    await this.send(m, 'escalate', { eventId: id, escalation, note: pickOf(ESCALATE_NOTES, this.ctx.rng) });
  }

  private async feedback(m: Member, id: string): Promise<void> {
    try {
      if (!this.still(m, id, ['acknowledged', 'on_site'])) return;
      const { ctx } = this;
      let hash: string;
      try {
        hash = await ctx.client.uploadPhoto(m.token, sitePhoto(ctx.rng));
        ctx.counters.photos++;
      } catch (e) {
        return ctx.counters.caught('upload', e);
      }
      await this.send(m, 'feedback', { eventId: id, note: pickOf(FEEDBACK_NOTES, ctx.rng), attachments: [hash] });
    } finally {
      m.tasks.delete(id);
    }
  }
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;
