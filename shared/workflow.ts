import { COMMAND_TYPES, type Command, type CommandOf, type CommandType } from './schema/commands';
import {
  DESK_ROLES,
  FIELD_ROLES,
  ROLES,
  isFieldRole,
  isOpenState,
  type EventRecord,
  type EventState,
  type Person,
  type Role,
  type TimelineEntry,
} from './schema/entities';
import type { ErrorCode } from './errors';
import { categoryById, type Taxonomy } from './taxonomy';
import { deadlineFor } from './deadline';

/**
 * The one closed loop (DOMAIN.md "The closed loop") as a pure function: `decide(event, command, …)`
 * answers either the new event and the timeline entry to append, or an error. The hub applies the
 * result; consoles use `allowedCommands` to show only the buttons that can work.
 */

export type ActorRole = Role | 'system';

export interface Actor {
  id: string;
  role: ActorRole;
  /** set => a sub-centre desk scoped to that town */
  townId?: string;
}

export interface Place {
  gridIds: string[];
  communityId?: string;
  townId?: string;
}

/**
 * A district's own rules where the reports differ. `callbackConfirmsReview`: a call-back that
 * confirms the work on site counts as the review step (审核), so the event moves feedback → reviewed.
 */
export interface WorkflowRules {
  callbackConfirmsReview?: boolean;
}

export interface WorkflowContext {
  taxonomy: Taxonomy;
  /** id for the new timeline entry (the caller makes it so decide stays pure) */
  entryId: string;
  /** console or device label, copied into the entry */
  origin?: string;
  /** for `report`: the grids etc. containing the position, resolved by the hub */
  place?: Place;
  /** for `dispatch`: the person named by assigneeId, looked up by the hub (null = unknown id) */
  assignee?: Person | null;
  /** for `report`: the open event this report duplicates (shared/dedup.ts); it joins that event */
  duplicateOf?: EventRecord;
  /** for `split`: the event the report was merged into (null = it no longer exists) */
  mergedInto?: EventRecord | null;
  /** the district's rules (default: none apply) */
  rules?: WorkflowRules;
}

/** A change to a second event that the command makes together with its own (merge and split). */
export interface RelatedChange {
  event: EventRecord;
  entry: TimelineEntry;
}

export type Decision =
  | { ok: true; event: EventRecord; entry: TimelineEntry; related?: RelatedChange }
  | { ok: false; code: ErrorCode; message: string; field?: string };

export type FromStates = readonly EventState[] | 'none' | 'any_open' | 'any';

export interface TransitionRule {
  /** states the command may start from: a list, 'none' (no event yet), any open state, any state */
  from: FromStates;
  /** the state it leads to, or 'same' (the state is unchanged) */
  to: EventState | 'same';
  /** roles that may issue it */
  roles: readonly ActorRole[];
  /** only the event's current assignee may issue it (and must hold one of `roles`) */
  assigneeOnly?: boolean;
  /** a field-role actor outside `roles` may still issue it when they are the event's assignee */
  alsoAssignee?: boolean;
  /** a field-role actor outside `roles` may still issue it when they reported the event */
  alsoReporter?: boolean;
}

const DESK: readonly ActorRole[] = DESK_ROLES;
const FIELD: readonly ActorRole[] = FIELD_ROLES;
const EVERYONE: readonly ActorRole[] = [...ROLES, 'system'];

/** Who may do what from where. `decide` and `allowedCommands` read this table; nothing else does. */
export const TRANSITIONS: Record<CommandType, TransitionRule> = {
  report: { from: 'none', to: 'reported', roles: EVERYONE },
  accept: { from: ['reported'], to: 'accepted', roles: DESK },
  reject: { from: ['reported'], to: 'rejected', roles: DESK },
  dispatch: {
    from: ['accepted', 'escalated', 'returned', 'dispatched', 'acknowledged'],
    to: 'dispatched',
    roles: [...DESK, 'chief_leader'],
  },
  acknowledge: { from: ['dispatched', 'returned'], to: 'acknowledged', roles: FIELD, assigneeOnly: true },
  arrive: { from: ['acknowledged'], to: 'on_site', roles: FIELD, assigneeOnly: true },
  feedback: { from: ['acknowledged', 'on_site'], to: 'feedback', roles: FIELD, assigneeOnly: true },
  review: { from: ['feedback'], to: 'reviewed', roles: DESK },
  return: { from: ['feedback'], to: 'returned', roles: DESK },
  close: { from: ['reviewed'], to: 'closed', roles: DESK },
  evaluate: { from: ['closed'], to: 'evaluated', roles: ['operator', 'duty_chief', 'system'] },
  escalate: { from: 'any_open', to: 'escalated', roles: [...DESK, 'chief_leader'], alsoAssignee: true },
  note: { from: 'any', to: 'same', roles: DESK, alsoAssignee: true, alsoReporter: true },
  supervise: { from: 'any_open', to: 'same', roles: ['system', 'duty_chief'] },
  split: { from: ['merged'], to: 'reported', roles: DESK },
  // the record of a video call-back stays writable after closing (a call may end as the case is
  // closed); placing or scheduling one needs an open event (checked in decideCallback). A rejected
  // or merged report is no case of its own: nobody is called about it.
  callback: {
    from: ['reported', 'accepted', 'dispatched', 'acknowledged', 'on_site', 'feedback', 'returned', 'reviewed', 'escalated', 'closed', 'evaluated'],
    to: 'same',
    roles: DESK,
  },
};

type Fail = Extract<Decision, { ok: false }>;
const fail = (code: ErrorCode, message: string, field?: string): Fail =>
  field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };

/** "a, b or c" */
function orList(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

function describeFrom(from: FromStates): string {
  if (from === 'none') return 'no existing event';
  if (from === 'any') return 'an event in any state';
  if (from === 'any_open') return 'an open event (not rejected, closed or evaluated)';
  return orList(from);
}

function stateAllowed(from: FromStates, state: EventState): boolean {
  if (from === 'any') return true;
  if (from === 'any_open') return isOpenState(state);
  if (from === 'none') return false;
  return from.includes(state);
}

const isField = (role: ActorRole): boolean => role !== 'system' && isFieldRole(role);

/**
 * Existence, scope, role, assignee and state checks for `type` on `event` by `actor`, in that
 * order; payload checks come later in `decide`. Answers the first failure, or null.
 */
function gate(event: EventRecord | undefined, type: CommandType, actor: Actor): Fail | null {
  const rule = TRANSITIONS[type] as TransitionRule | undefined;
  if (!rule) return fail('invalid', `Unknown command type ${String(type)}`, 'type');

  if (rule.from === 'none') {
    if (event) return fail('already_exists', `Event ${event.id} already exists; use a new event id to report`, 'eventId');
    if (!rule.roles.includes(actor.role)) return roleFail(type, actor, rule);
    return null;
  }
  if (!event) return fail('not_found', `No such event; it may have been mistyped or not synced yet`, 'eventId');

  if (actor.townId !== undefined && event.townId !== actor.townId)
    return fail(
      'out_of_scope',
      `Event ${event.id} is ${event.townId === undefined ? 'not in any town' : `in town ${event.townId}`}; your desk covers town ${actor.townId} only`,
    );

  const field = isField(actor.role);
  const isAssignee = field && event.assigneeId !== undefined && event.assigneeId === actor.id;
  const isReporter = field && event.reporterId !== undefined && event.reporterId === actor.id;
  const inRoles = rule.roles.includes(actor.role);

  if (rule.assigneeOnly) {
    if (!inRoles) return roleFail(type, actor, rule);
    if (!isAssignee)
      return fail(
        'not_assignee',
        event.assigneeId === undefined
          ? `Event ${event.id} has no assignee yet; only the assignee may ${type} it`
          : `Only the assignee of event ${event.id} (${event.assigneeId}) may ${type} it`,
      );
  } else if (!inRoles) {
    const granted = (rule.alsoAssignee === true && isAssignee) || (rule.alsoReporter === true && isReporter);
    if (!granted) {
      if (field && (rule.alsoAssignee || rule.alsoReporter)) {
        const who = [rule.alsoAssignee ? 'its assignee' : '', rule.alsoReporter ? 'its reporter' : ''].filter(Boolean);
        return fail(
          'not_assignee',
          `A ${actor.role} may ${type} event ${event.id} only as ${orList(who)}; otherwise ask ${orList(rule.roles as string[])}`,
        );
      }
      return roleFail(type, actor, rule);
    }
  }

  if (!stateAllowed(rule.from, event.state))
    return fail('invalid_transition', `Event ${event.id} is ${event.state}: ${type} needs ${describeFrom(rule.from)}`);
  return null;
}

function roleFail(type: CommandType, actor: Actor, rule: TransitionRule): Fail {
  const extra = [rule.assigneeOnly || rule.alsoAssignee ? 'the assignee' : '', rule.alsoReporter ? 'the reporter' : ''].filter(Boolean);
  const who = rule.assigneeOnly ? `the event's assignee` : orList([...(rule.roles as string[]), ...extra]);
  return fail('role_not_allowed', `Role ${actor.role} may not ${type}: ${type} is for ${who}`);
}

const isHotline = (e: EventRecord): boolean => e.source === 'hotline' || e.hotline !== undefined;

/** Drop keys whose value is undefined (records stay minimal and deep-equal compares cleanly). */
function compact<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Decide what `command` by `actor` at `now` does to `event` (undefined for a new report).
 * Pure: never mutates its inputs and never throws for a schema-valid command.
 */
export function decide(
  event: EventRecord | undefined,
  command: Command,
  actor: Actor,
  now: number,
  ctx: WorkflowContext,
): Decision {
  if (command.type !== 'report') {
    if (!event) return fail('not_found', `Event ${command.eventId} does not exist`, 'eventId');
    if (event.id !== command.eventId)
      return fail('invalid', `Command is for event ${command.eventId} but was applied to event ${event.id}`, 'eventId');
  }
  const gated = gate(event, command.type, actor);
  if (gated) return gated;

  if (command.type === 'report') return decideReport(command, actor, now, ctx);
  // gate guarantees the event exists for every other command
  const ev = event as EventRecord;
  const rule = TRANSITIONS[command.type];
  const to: EventState = rule.to === 'same' ? ev.state : rule.to;

  let patch: Partial<EventRecord> = {};
  let data: Record<string, unknown> | undefined;

  switch (command.type) {
    case 'accept': {
      const tier = command.tier ?? ev.tier;
      const dl = computeDeadline(ev, tier, now, now, ctx);
      if (!dl.ok) return dl;
      patch = { acceptedAt: now, tier, deadline: dl.deadline };
      data = { tier, deadline: dl.deadline };
      break;
    }
    case 'reject':
      data = compact({ reason: command.reason, duplicateOf: command.duplicateOf });
      break;
    case 'dispatch': {
      const p = ctx.assignee;
      if (!p) return fail('unknown_reference', `No person with id ${command.assigneeId}`, 'assigneeId');
      if (p.id !== command.assigneeId)
        return fail('unknown_reference', `Looked up person ${p.id} but the command names ${command.assigneeId}`, 'assigneeId');
      if (!isFieldRole(p.role))
        return fail('invalid', `${p.name} (${p.role}) is desk staff; dispatch to a grid worker or leader`, 'assigneeId');
      if (actor.townId !== undefined && p.townId !== actor.townId)
        return fail('out_of_scope', `${p.name} works outside your town ${actor.townId}; dispatch to someone in your town or escalate`, 'assigneeId');
      patch = { assigneeId: p.id };
      data = compact({ assigneeId: p.id, previousAssigneeId: ev.assigneeId });
      break;
    }
    case 'arrive':
      data = { position: command.position };
      break;
    case 'close':
      patch = { closedAt: now };
      break;
    case 'evaluate':
      if (!isHotline(ev))
        return fail('not_hotline', `Event ${ev.id} did not come from the 12345 hotline; only hotline cases are evaluated`);
      patch = { satisfaction: command.satisfaction };
      data = { satisfaction: command.satisfaction };
      break;
    case 'escalate': {
      const esc = command.escalation;
      if (esc.target === 'subcenter' && esc.orgUnitId === undefined)
        return fail('invalid', 'Escalating to a sub-centre needs the sub-centre (orgUnitId)', 'escalation.orgUnitId');
      if (esc.target === 'subcenter' && actor.townId !== undefined && esc.orgUnitId !== actor.townId)
        return fail('out_of_scope', `A sub-centre desk cannot hand a case to another town (${esc.orgUnitId}); escalate it to the district instead`, 'escalation.orgUnitId');
      if (esc.target === 'district' && actor.townId === undefined && (actor.role === 'operator' || actor.role === 'duty_chief'))
        return fail('invalid', 'The case is already at the district; escalate it to a sub-centre or to departments', 'escalation.target');
      if (esc.target === 'departments' && (esc.departmentIds === undefined || esc.departmentIds.length === 0))
        return fail('invalid', 'Escalating to departments needs at least one department', 'escalation.departmentIds');
      const tier = ev.tier === 'special' ? 'special' : 'escalated';
      const dl = computeDeadline(ev, tier, ev.acceptedAt ?? now, now, ctx);
      if (!dl.ok) return dl;
      patch = { escalation: esc, tier, deadline: dl.deadline };
      data = { escalation: esc, tier, deadline: dl.deadline };
      break;
    }
    case 'supervise':
      if (ev.supervisedAt !== undefined)
        return fail('invalid_transition', `Event ${ev.id} is already under supervision (since ${new Date(ev.supervisedAt).toISOString()})`);
      if (ev.deadline === undefined)
        return fail('invalid_transition', `Event ${ev.id} has no deadline yet, so it cannot be overdue`);
      if (!(ev.deadline < now))
        return fail('invalid_transition', `Event ${ev.id} is not overdue: its deadline is ${new Date(ev.deadline).toISOString()}`);
      patch = { supervisedAt: now };
      data = { deadline: ev.deadline };
      break;
    case 'callback': {
      const d = decideCallback(ev, command, now, ctx);
      if (!d.ok) return d;
      patch = d.patch;
      data = d.data;
      if (d.to) {
        const next: EventRecord = compact({ ...ev, ...patch, state: d.to, timelineLength: ev.timelineLength + 1, updatedAt: now });
        return { ok: true, event: next, entry: makeEntry(ev.id, ev.timelineLength, ev.state, d.to, command, actor, now, ctx, data) };
      }
      break;
    }
    case 'split': {
      const parent = ctx.mergedInto;
      const next: EventRecord = compact({ ...ev, ...patch, state: to, mergedInto: undefined, timelineLength: ev.timelineLength + 1, updatedAt: now });
      const entry = makeEntry(ev.id, ev.timelineLength, ev.state, to, command, actor, now, ctx, compact({ splitFrom: ev.mergedInto }));
      // the parent may have been removed from the feed in an old store; the report comes back regardless
      if (!parent) return { ok: true, event: next, entry };
      return { ok: true, event: next, entry, related: unlink(parent, ev.id, command, actor, now, ctx) };
    }
    case 'acknowledge':
    case 'feedback':
    case 'review':
    case 'return':
    case 'note':
      break;
  }

  const next: EventRecord = compact({
    ...ev,
    ...patch,
    state: to,
    timelineLength: ev.timelineLength + 1,
    updatedAt: now,
  });
  return { ok: true, event: next, entry: makeEntry(ev.id, ev.timelineLength, ev.state, to, command, actor, now, ctx, data) };
}

/**
 * A `callback` command's effect: the reminder set or cleared, what the timeline entry records, and
 * for a confirming outcome under the district's rule the move to reviewed (审核).
 */
function decideCallback(
  ev: EventRecord,
  c: CommandOf<'callback'>,
  now: number,
  ctx: WorkflowContext,
): { ok: true; patch: Partial<EventRecord>; data: Record<string, unknown>; to?: EventState } | Fail {
  const needsOpenWithLeader = (what: string): Fail | null => {
    if (!isOpenState(ev.state)) return fail('invalid_transition', `Event ${ev.id} is ${ev.state}: a call-back can be ${what} only on an open event`);
    if (ev.assigneeId === undefined) return fail('invalid_transition', `Event ${ev.id} has no assigned leader to call back; dispatch it first`);
    return null;
  };
  const call = compact({ callId: c.callId, attempt: c.attempt });
  switch (c.phase) {
    case 'scheduled': {
      const bad = needsOpenWithLeader('scheduled');
      if (bad) return bad;
      const dueAt = now + (c.afterMinutes ?? 0) * 60_000;
      return { ok: true, patch: { callbackDueAt: dueAt }, data: { phase: c.phase, dueAt, afterMinutes: c.afterMinutes, leaderId: ev.assigneeId } };
    }
    case 'unscheduled':
      if (ev.callbackDueAt === undefined) return fail('invalid_transition', `Event ${ev.id} has no call-back scheduled`);
      return { ok: true, patch: { callbackDueAt: undefined }, data: { phase: c.phase, dueAt: ev.callbackDueAt } };
    case 'started': {
      const bad = needsOpenWithLeader('placed');
      if (bad) return bad;
      // the call is being made: a scheduled reminder has done its job
      return {
        ok: true,
        patch: { callbackDueAt: undefined },
        data: compact({ phase: c.phase, ...call, leaderId: ev.assigneeId, recorded: c.recorded, wasDueAt: ev.callbackDueAt }),
      };
    }
    case 'connected':
      return { ok: true, patch: {}, data: compact({ phase: c.phase, ...call, setupMs: c.setupMs }) };
    case 'lost':
      return { ok: true, patch: {}, data: { phase: c.phase, ...call } };
    case 'ended':
      return { ok: true, patch: {}, data: compact({ phase: c.phase, ...call, reason: c.reason, durationMs: c.durationMs }) };
    case 'snapshot':
      return { ok: true, patch: {}, data: compact({ phase: c.phase, ...call, takenAt: c.takenAt, position: c.position, positionAt: c.positionAt }) };
    case 'recording':
      return { ok: true, patch: {}, data: compact({ phase: c.phase, ...call, durationMs: c.durationMs }) };
    case 'outcome': {
      const review = c.outcome === 'confirmed' && ctx.rules?.callbackConfirmsReview === true && ev.state === 'feedback';
      const data = compact({ phase: c.phase, ...call, outcome: c.outcome, review: review || undefined });
      return review ? { ok: true, patch: {}, data, to: 'reviewed' } : { ok: true, patch: {}, data };
    }
  }
}

function decideReport(command: CommandOf<'report'>, actor: Actor, now: number, ctx: WorkflowContext): Decision {
  if (actor.townId !== undefined && ctx.place?.townId !== actor.townId)
    return fail('out_of_scope', `The position is outside your town ${actor.townId}; report it to the desk that covers it`, 'position');
  if (ctx.place && ctx.place.gridIds.length === 0)
    return fail('invalid', `The position ${command.position.lng}, ${command.position.lat} is outside the district: no grid contains it`, 'position');
  const category = categoryById(ctx.taxonomy, command.categoryId);
  if (!category) return fail('unknown_reference', `Unknown category ${command.categoryId}`, 'categoryId');
  if (command.hotline !== undefined && command.source !== 'hotline')
    return fail('invalid', `Hotline order details are only for source 'hotline' (got '${command.source}')`, 'hotline');

  const tier = command.tier ?? category.defaultTier;
  const attachments = [...(command.attachments ?? [])];
  const event: EventRecord = compact({
    id: command.eventId,
    categoryId: category.id,
    tier,
    source: command.source,
    state: 'reported' as const,
    description: command.description,
    position: command.position,
    address: command.address,
    gridIds: [...(ctx.place?.gridIds ?? [])],
    communityId: ctx.place?.communityId,
    townId: ctx.place?.townId,
    reportedAt: command.reportedAt ?? now,
    reporterId: actor.role === 'system' ? undefined : actor.id,
    attachments,
    hotline: command.hotline,
    reporterContact: command.reporterContact,
    positionUnconfirmed: command.positionUnconfirmed || undefined,
    timelineLength: 1,
    updatedAt: now,
  });
  const data = { categoryId: category.id, tier, source: command.source };
  const target = ctx.duplicateOf;
  if (!target) return { ok: true, event, entry: makeEntry(event.id, 0, null, 'reported', command, actor, now, ctx, data) };

  // a duplicate joins the open event it repeats: the operator sees one case with its linked reports
  const merged: EventRecord = { ...event, state: 'merged', mergedInto: target.id };
  const entry = makeEntry(event.id, 0, null, 'merged', command, actor, now, ctx, { ...data, mergedInto: target.id });
  const linkData = compact({ reportId: event.id, reporterId: event.reporterId, description: event.description, position: event.position });
  const related: RelatedChange = {
    event: { ...target, linkedReportIds: [...(target.linkedReportIds ?? []), event.id], timelineLength: target.timelineLength + 1, updatedAt: now },
    entry: { ...makeEntry(target.id, target.timelineLength, target.state, target.state, command, actor, now, ctx, linkData), id: `${ctx.entryId}-link`, kind: 'link' },
  };
  return { ok: true, event: merged, entry, related };
}

/** The parent's side of a split: the report leaves its linked reports, with an entry saying so. */
function unlink(parent: EventRecord, reportId: string, command: Command, actor: Actor, now: number, ctx: WorkflowContext): RelatedChange {
  const rest = (parent.linkedReportIds ?? []).filter((id) => id !== reportId);
  const event: EventRecord = compact({
    ...parent,
    linkedReportIds: rest.length > 0 ? rest : undefined,
    timelineLength: parent.timelineLength + 1,
    updatedAt: now,
  });
  const entry = makeEntry(parent.id, parent.timelineLength, parent.state, parent.state, command, actor, now, ctx, { reportId });
  return { event, entry: { ...entry, id: `${ctx.entryId}-unlink`, kind: 'unlink' } };
}

function computeDeadline(
  ev: EventRecord,
  tier: EventRecord['tier'],
  acceptedAt: number,
  now: number,
  ctx: WorkflowContext,
): { ok: true; deadline: number } | Fail {
  const category = categoryById(ctx.taxonomy, ev.categoryId);
  if (tier === 'special' && !category && ev.hotline === undefined)
    return fail('unknown_reference', `Category ${ev.categoryId} is no longer in the taxonomy; its deadline cannot be set`, 'categoryId');
  return {
    ok: true,
    deadline: deadlineFor(
      { tier, category, acceptedAt, hotlineDeadline: ev.hotline?.deadline, previousDeadline: ev.deadline },
      now,
    ),
  };
}

function makeEntry(
  eventId: string,
  index: number,
  fromState: EventState | null,
  toState: EventState,
  command: Command,
  actor: Actor,
  now: number,
  ctx: WorkflowContext,
  data: Record<string, unknown> | undefined,
): TimelineEntry {
  const note = 'note' in command ? command.note : undefined;
  const attachments = 'attachments' in command ? [...(command.attachments ?? [])] : [];
  return compact({
    id: ctx.entryId,
    eventId,
    index,
    kind: command.type,
    fromState,
    toState,
    actorId: actor.id,
    actorRole: actor.role,
    origin: ctx.origin,
    at: now,
    note,
    attachments,
    data: data && Object.keys(data).length > 0 ? data : undefined,
    commandId: command.commandId,
  });
}

/**
 * The commands `actor` may issue on `event` now (undefined = no event yet: only `report`), for a UI
 * to show its buttons. Checks scope, role, assignee and state; for `evaluate` that the event is a
 * hotline case; for `supervise` that it has a deadline and is not yet supervised, and, when `now` is
 * given, that the deadline has passed. Payload checks (assignee, category, …) are left to `decide`.
 */
export function allowedCommands(event: EventRecord | undefined, actor: Actor, now?: number): CommandType[] {
  return COMMAND_TYPES.filter((type) => {
    if (gate(event, type, actor)) return false;
    if (!event) return true;
    if (type === 'evaluate') return isHotline(event);
    if (type === 'supervise')
      return event.supervisedAt === undefined && event.deadline !== undefined && (now === undefined || event.deadline < now);
    return true;
  });
}
