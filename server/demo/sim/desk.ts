import { v7 as uuidv7 } from 'uuid';
import type { CommandInput, EventRecord, EventState, Satisfaction } from '../../../shared/schema';
import { HOUR_MS } from '../../../shared/deadline';
import { DESK, drawMs, untilOnDuty, type LogNormal } from './behaviour';
import { DeskSession } from './client';
import { CLOSE_NOTES, RETURN_NOTES, REVIEW_NOTES, pickOf } from './content';
import type { SimContext } from './context';
import { weightedPick } from './rhythm';

export const SIM_DESK_ACCOUNT = { username: 'operator2', password: 'operator2' } as const;
/** the origin the simulated desk signs in with; timeline entries carry it */
export const SIM_DESK_ORIGIN = 'simulator-desk';

type Step = 'accept' | 'dispatch' | 'review' | 'close' | 'evaluate' | 'redispatch';

/** What the desk does next with an event in each state; the others wait on someone else. */
const STEP_FOR_STATE: Partial<Record<EventState, Step>> = {
  reported: 'accept',
  accepted: 'dispatch',
  escalated: 'dispatch',
  dispatched: 'redispatch',
  feedback: 'review',
  reviewed: 'close',
  closed: 'evaluate',
};

const DELAYS: Record<Step, LogNormal> = {
  accept: DESK.accept,
  dispatch: DESK.dispatch,
  review: DESK.review,
  close: DESK.close,
  evaluate: DESK.evaluate,
  redispatch: { medianMin: DESK.redispatchAfterSupervisionMin, sigma: 0.3 },
};

/**
 * The simulated dispatch desk, signed in as operator2: it follows the events the change feed brings
 * and takes each one step round the loop after an operator's delay. In the realtime demo every step
 * waits a few minutes so a human at the console gets the first go; a step is dropped when the
 * event moved on meanwhile (the feed then brings the version to act on).
 */
export class Desk {
  readonly session: DeskSession;
  /** the event version (timeline length) each event's planned step is for */
  private readonly planned = new Map<string, number>();

  constructor(private readonly ctx: SimContext) {
    this.session = new DeskSession(ctx.client, SIM_DESK_ACCOUNT.username, SIM_DESK_ACCOUNT.password, SIM_DESK_ORIGIN);
  }

  onEvent(ev: EventRecord): void {
    const step = this.stepFor(ev);
    if (!step) return;
    const key = ev.timelineLength;
    if ((this.planned.get(ev.id) ?? -1) >= key) return;
    this.planned.set(ev.id, key);
    const { ctx } = this;
    let delay = step === 'redispatch' && ev.supervisedAt === undefined ? DESK.redispatchUnacknowledgedH * 3_600_000 : drawMs(DELAYS[step], ctx.rng);
    // nobody is reassigned at night: the next leader is asleep too; give the first an hour of the morning
    if (step === 'redispatch') {
      const wait = untilOnDuty(ctx.clock.now() + delay);
      if (wait > 0) delay += wait + HOUR_MS;
    }
    if (ctx.humanGrace) {
      const touched = ctx.mirror.lastHumanDeskTouch(ev.id);
      const grace = touched !== undefined && ctx.clock.now() - touched < DESK.humanTouchedGraceMin * 60_000 ? DESK.humanTouchedGraceMin : DESK.humanGraceMin;
      delay = Math.max(delay, grace * 60_000);
    }
    ctx.schedule.after(delay, () => this.act(ev.id, key, step));
  }

  private stepFor(ev: EventRecord): Step | undefined {
    const step = STEP_FOR_STATE[ev.state];
    // only a hotline case is evaluated, once: the call back to the citizen
    return step === 'evaluate' && (!ev.hotline || ev.satisfaction) ? undefined : step;
  }

  private async act(id: string, key: number, step: Step): Promise<void> {
    const { ctx } = this;
    const ev = ctx.mirror.get(id);
    if (!ev || ev.timelineLength !== key) return; // someone moved it on: the newer version has its own plan
    const rng = ctx.rng;
    switch (step) {
      case 'accept':
        if (rng() < DESK.rejectShare) return this.send({ type: 'reject', commandId: uuidv7(), eventId: id, reason: 'invalid', note: '经核实不属实' });
        return this.send({ type: 'accept', commandId: uuidv7(), eventId: id });
      case 'dispatch': {
        // after an escalation the same leader leads, with the departments
        const to = ev.state === 'escalated' && ev.assigneeId ? ev.assigneeId : await this.candidate(ev);
        if (to) await this.send({ type: 'dispatch', commandId: uuidv7(), eventId: id, assigneeId: to });
        return;
      }
      case 'redispatch': {
        const to = await this.candidate(ev, ev.assigneeId);
        if (to) await this.send({ type: 'dispatch', commandId: uuidv7(), eventId: id, assigneeId: to, note: '原责任人未签收，改派' });
        return;
      }
      case 'review':
        if (rng() < DESK.returnShare) return this.send({ type: 'return', commandId: uuidv7(), eventId: id, note: pickOf(RETURN_NOTES, rng) });
        return this.send({ type: 'review', commandId: uuidv7(), eventId: id, note: pickOf(REVIEW_NOTES, rng) });
      case 'close':
        return this.send({ type: 'close', commandId: uuidv7(), eventId: id, note: pickOf(CLOSE_NOTES, rng) });
      case 'evaluate':
        return this.send({ type: 'evaluate', commandId: uuidv7(), eventId: id, satisfaction: weightedPick(DESK.satisfaction, rng) as Satisfaction });
    }
  }

  /** The first recommended person who is not reserved for a human (nor `avoid`), if any is offered. */
  private async candidate(ev: EventRecord, avoid?: string): Promise<string | undefined> {
    const { ctx } = this;
    try {
      const rec = await this.session.call((t) => ctx.client.recommend(t, ev.position));
      const ids = rec.candidates.map((c) => c.personId);
      const free = ids.filter((p) => !ctx.reserved.has(p) && p !== avoid);
      const pick = free[0] ?? ids.find((p) => p !== avoid) ?? ids[0];
      if (!pick) ctx.counters.fail('dispatch:no_candidate');
      return pick;
    } catch (e) {
      ctx.counters.caught('recommend', e);
      return undefined;
    }
  }

  private async send(cmd: CommandInput): Promise<void> {
    const { ctx } = this;
    try {
      const r = await this.session.call((t) => ctx.client.command(t, cmd));
      if (r.status === 'applied') ctx.mirror.apply(r.changes);
      ctx.counters.result(cmd.type, r);
    } catch (e) {
      ctx.counters.caught(cmd.type, e);
    }
  }
}
