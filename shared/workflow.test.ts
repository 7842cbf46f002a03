import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Command, type CommandInput, type CommandType } from './schema/commands';
import {
  EVENT_STATES,
  EventRecord,
  TimelineEntry,
  type EventState,
  type FieldRole,
  type Person,
  type Role,
} from './schema/entities';
import { ERROR_CODES, type ErrorCode } from './errors';
import { DEFAULT_TAXONOMY } from './taxonomy';
import { endOfDayCST, HOUR_MS } from './deadline';
import { allowedCommands, decide, type Actor, type Decision, type WorkflowContext } from './workflow';

/* ---------- fixtures ---------- */

const NOW = Date.UTC(2024, 4, 10, 2, 0); // 10:00 CST
const HASH = 'a'.repeat(64);
const HOTLINE = {
  orderNo: '12345-0001',
  receivedAt: NOW - HOUR_MS,
  callerName: 'Wang',
  callerPhone: '138 0000 0000',
  content: 'drain grate missing',
  type: 'municipal',
  address: 'No. 1 Road',
  deadline: NOW + 5 * 24 * HOUR_MS,
};

const person = (id: string, role: Role, townId?: string): Person => ({
  id,
  name: id,
  role,
  orgUnitId: 'O-1',
  ...(townId ? { townId } : {}),
  gridIds: [],
  onDuty: true,
});

const ASSIGNEE_ID = 'P-assignee';
const REPORTER_ID = 'P-reporter';
const LEADER = person('P-leader', 'leader', 'T-1');

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** An existing event in `state`, with an assignee and a reporter, overdue, from the hotline, in town T-1. */
function ev(state: EventState, over: Partial<EventRecord> = {}): EventRecord {
  return deepFreeze(
    EventRecord.parse({
      id: 'E-1',
      categoryId: 'dispute',
      tier: 'general',
      source: 'hotline',
      state,
      description: 'neighbours quarrel',
      position: { lng: 116.65, lat: 39.9 },
      gridIds: ['G-1'],
      communityId: 'C-1',
      townId: 'T-1',
      reportedAt: NOW - 10 * HOUR_MS,
      reporterId: REPORTER_ID,
      attachments: [],
      acceptedAt: NOW - 9 * HOUR_MS,
      deadline: NOW - HOUR_MS,
      assigneeId: ASSIGNEE_ID,
      timelineLength: 5,
      updatedAt: NOW - HOUR_MS,
      ...over,
    }),
  );
}

let seq = 0;
/** A schema-valid command of `type` for E-1 (parsed, so defaults are applied). */
function cmd(type: CommandType, over: Record<string, unknown> = {}): Command {
  const base = { commandId: `C-${++seq}`, eventId: 'E-1' };
  const payload: Record<CommandType, Record<string, unknown>> = {
    report: {
      categoryId: 'dispute',
      description: 'neighbours quarrel',
      position: { lng: 116.65, lat: 39.9 },
      source: 'field',
    },
    accept: {},
    reject: { reason: 'duplicate', duplicateOf: 'E-0' },
    dispatch: { assigneeId: ASSIGNEE_ID },
    acknowledge: {},
    arrive: { position: { lng: 116.651, lat: 39.901 } },
    feedback: { note: 'settled', attachments: [HASH] },
    review: {},
    return: { note: 'photo missing' },
    close: {},
    evaluate: { satisfaction: 'satisfied' },
    escalate: { escalation: { target: 'subcenter', orgUnitId: 'O-T1' }, note: 'needs the town' },
    note: { note: 'called the caller back' },
    supervise: {},
    split: {},
    callback: { phase: 'outcome', outcome: 'not_confirmed', note: 'the grate is still open' },
  };
  return Command.parse({ ...base, type, ...payload[type], ...over } as CommandInput);
}

const ctx = (over: Partial<WorkflowContext> = {}): WorkflowContext => ({
  taxonomy: DEFAULT_TAXONOMY,
  entryId: `T-${++seq}`,
  origin: 'console-1',
  place: { gridIds: ['G-1', 'G-9'], communityId: 'C-1', townId: 'T-1' },
  assignee: person(ASSIGNEE_ID, 'leader', 'T-1'),
  ...over,
});

function ok(d: Decision): Extract<Decision, { ok: true }> {
  if (!d.ok) throw new Error(`expected ok, got ${d.code}: ${d.message}`);
  return d;
}
function err(d: Decision): Extract<Decision, { ok: false }> {
  if (d.ok) throw new Error(`expected an error, got ok (${d.event.state})`);
  return d;
}

/* ---------- the hand-written expectation matrix ----------
 * Written from the rules in the brief, deliberately NOT derived from TRANSITIONS.
 */

const DESK = ['operator', 'duty_chief', 'subcenter_desk'] as const;
const FIELD = ['chief_leader', 'leader', 'administrator', 'informant', 'dedicated_member', 'legal'] as const;
const OPEN: EventState[] = ['reported', 'accepted', 'dispatched', 'acknowledged', 'on_site', 'feedback', 'returned', 'reviewed', 'escalated'];
const ALL_STATES: EventState[] = [...OPEN, 'rejected', 'closed', 'evaluated', 'merged'];

type Relation = 'stranger' | 'assignee' | 'reporter';
interface MatrixActor {
  label: string;
  actor: Actor;
  desk: boolean;
  field: boolean;
  relation: Relation;
}
const MATRIX_ACTORS: MatrixActor[] = [
  ...DESK.map((r) => ({ label: r, actor: { id: `D-${r}`, role: r }, desk: true, field: false, relation: 'stranger' as const })),
  { label: 'system', actor: { id: 'hub', role: 'system' }, desk: false, field: false, relation: 'stranger' },
  ...FIELD.flatMap((r: FieldRole) =>
    (['stranger', 'assignee', 'reporter'] as const).map((relation) => ({
      label: `${r}/${relation}`,
      actor: {
        id: relation === 'assignee' ? ASSIGNEE_ID : relation === 'reporter' ? REPORTER_ID : `F-${r}`,
        role: r,
      },
      desk: false,
      field: true,
      relation,
    })),
  ),
];

type Who = (a: MatrixActor) => true | ErrorCode;
const deskOnly: Who = (a) => a.desk || 'role_not_allowed';
const assigneeOnly: Who = (a) => (a.field ? a.relation === 'assignee' || 'not_assignee' : 'role_not_allowed');

/** command -> states it may start from, the state it leads to ('same' = unchanged), who may issue it */
const EXPECT: Record<Exclude<CommandType, 'report'>, { from: EventState[]; to: EventState | 'same'; who: Who }> = {
  accept: { from: ['reported'], to: 'accepted', who: deskOnly },
  reject: { from: ['reported'], to: 'rejected', who: deskOnly },
  dispatch: {
    from: ['accepted', 'escalated', 'returned', 'dispatched', 'acknowledged'],
    to: 'dispatched',
    who: (a) => a.desk || a.actor.role === 'chief_leader' || 'role_not_allowed',
  },
  acknowledge: { from: ['dispatched', 'returned'], to: 'acknowledged', who: assigneeOnly },
  arrive: { from: ['acknowledged'], to: 'on_site', who: assigneeOnly },
  feedback: { from: ['acknowledged', 'on_site'], to: 'feedback', who: assigneeOnly },
  review: { from: ['feedback'], to: 'reviewed', who: deskOnly },
  return: { from: ['feedback'], to: 'returned', who: deskOnly },
  close: { from: ['reviewed'], to: 'closed', who: deskOnly },
  evaluate: {
    from: ['closed'],
    to: 'evaluated',
    who: (a) => ['operator', 'duty_chief', 'system'].includes(a.actor.role) || 'role_not_allowed',
  },
  escalate: {
    from: OPEN,
    to: 'escalated',
    who: (a) =>
      a.desk || a.actor.role === 'chief_leader' || (a.field ? a.relation === 'assignee' || 'not_assignee' : 'role_not_allowed'),
  },
  note: {
    from: ALL_STATES,
    to: 'same',
    who: (a) => a.desk || (a.field ? a.relation !== 'stranger' || 'not_assignee' : 'role_not_allowed'),
  },
  supervise: { from: OPEN, to: 'same', who: (a) => ['system', 'duty_chief'].includes(a.actor.role) || 'role_not_allowed' },
  split: { from: ['merged'], to: 'reported', who: deskOnly },
  // the call-back record (here an outcome): any state of a case (not a rejected or merged report), desks only (phases: shared/callback.test.ts)
  callback: { from: [...OPEN, 'closed', 'evaluated'], to: 'same', who: deskOnly },
};

function expected(type: Exclude<CommandType, 'report'>, state: EventState, a: MatrixActor): true | ErrorCode {
  const rule = EXPECT[type];
  const who = rule.who(a);
  if (who !== true) return who;
  return rule.from.includes(state) || 'invalid_transition';
}

describe('transition matrix: every command × state × role', () => {
  const types = Object.keys(EXPECT) as Exclude<CommandType, 'report'>[];
  it('covers every state', () => expect([...ALL_STATES].sort()).toEqual([...EVENT_STATES].sort()));

  describe.each(types)('%s', (type) => {
    it.each(ALL_STATES)('from %s', (state) => {
      const event = ev(state);
      for (const a of MATRIX_ACTORS) {
        const d = decide(event, cmd(type), a.actor, NOW, ctx());
        const want = expected(type, state, a);
        const got = d.ok ? true : d.code;
        expect(got, `${type} from ${state} by ${a.label}: ${d.ok ? '' : d.message}`).toBe(want);
        if (d.ok) {
          const to = EXPECT[type].to;
          expect(d.event.state).toBe(to === 'same' ? state : to);
          expect(d.entry.fromState).toBe(state);
          expect(d.entry.toState).toBe(d.event.state);
          expect(d.entry.actorRole).toBe(a.actor.role);
        }
      }
    });
  });

  it('report on an existing event is already_exists for everyone, in every state', () => {
    for (const state of ALL_STATES)
      for (const a of MATRIX_ACTORS) expect(err(decide(ev(state), cmd('report'), a.actor, NOW, ctx())).code).toBe('already_exists');
  });

  it('report of a new event is allowed for every role and system', () => {
    for (const a of MATRIX_ACTORS) expect(decide(undefined, cmd('report'), a.actor, NOW, ctx()).ok, a.label).toBe(true);
  });

  it('allowedCommands agrees with the matrix', () => {
    for (const state of ALL_STATES)
      for (const a of MATRIX_ACTORS) {
        const want = types.filter((t) => expected(t, state, a) === true).sort();
        expect(allowedCommands(ev(state), a.actor, NOW).sort(), `${state} / ${a.label}`).toEqual(want);
      }
    expect(allowedCommands(undefined, { id: 'x', role: 'informant' })).toEqual(['report']);
  });

  it('wrong-state messages say what is needed', () => {
    const d = err(decide(ev('closed'), cmd('dispatch'), { id: 'op', role: 'operator' }, NOW, ctx()));
    expect(d.message).toBe('Event E-1 is closed: dispatch needs accepted, escalated, returned, dispatched or acknowledged');
  });
});

/* ---------- specific rules ---------- */

const OP: Actor = { id: 'P-op', role: 'operator' };

describe('merge and split', () => {
  const LEADER: Actor = { id: 'P-l2', role: 'leader' };
  it('a duplicate report joins the open event as a linked report, with an entry on each', () => {
    const parent = ev('dispatched', { id: 'E-0', timelineLength: 3 });
    const d = ok(decide(undefined, cmd('report', { attachments: [HASH] }), LEADER, NOW, ctx({ entryId: 'T-a', duplicateOf: parent })));
    expect(d.event).toMatchObject({ id: 'E-1', state: 'merged', mergedInto: 'E-0', reporterId: 'P-l2', attachments: [HASH] });
    expect(d.entry).toMatchObject({ kind: 'report', fromState: null, toState: 'merged', data: { mergedInto: 'E-0' } });
    expect(d.related?.event).toMatchObject({ id: 'E-0', state: 'dispatched', linkedReportIds: ['E-1'], timelineLength: 4, updatedAt: NOW });
    expect(d.related?.entry).toMatchObject({ id: 'T-a-link', eventId: 'E-0', index: 3, kind: 'link', fromState: 'dispatched', toState: 'dispatched', attachments: [HASH] });
    expect(d.related?.entry.data).toMatchObject({ reportId: 'E-1', reporterId: 'P-l2' });
    EventRecord.parse(d.related!.event);
    TimelineEntry.parse(d.related!.entry);
  });

  it('split brings the report back as a reported event and takes it off the parent', () => {
    const parent = ev('dispatched', { id: 'E-0', linkedReportIds: ['E-1', 'E-5'], timelineLength: 6 });
    const merged = ev('merged', { mergedInto: 'E-0', timelineLength: 1 });
    const d = ok(decide(merged, cmd('split', { note: 'a different grate' }), OP, NOW, ctx({ entryId: 'T-s', mergedInto: parent })));
    expect(d.event.state).toBe('reported');
    expect(d.event.mergedInto).toBeUndefined();
    expect(d.entry).toMatchObject({ kind: 'split', fromState: 'merged', toState: 'reported', note: 'a different grate', data: { splitFrom: 'E-0' } });
    expect(d.related?.event.linkedReportIds).toEqual(['E-5']);
    expect(d.related?.entry).toMatchObject({ id: 'T-s-unlink', eventId: 'E-0', index: 6, kind: 'unlink', data: { reportId: 'E-1' } });
    const last = ok(decide(merged, cmd('split'), OP, NOW, ctx({ mergedInto: { ...parent, linkedReportIds: ['E-1'] } })));
    expect(last.related?.event.linkedReportIds).toBeUndefined();
  });

  it('a leader cannot split, and nothing but split and note moves a merged report', () => {
    expect(err(decide(ev('merged', { mergedInto: 'E-0' }), cmd('split'), LEADER, NOW, ctx())).code).toBe('role_not_allowed');
    expect(allowedCommands(ev('merged', { mergedInto: 'E-0' }), OP, NOW).sort()).toEqual(['note', 'split']);
  });
});

describe('report', () => {
  it('creates a reported event from the command and the resolved place', () => {
    const c = cmd('report', { attachments: [HASH], address: 'No. 1 Road', reportedAt: NOW - 5000 });
    const d = ok(decide(undefined, c, { id: 'P-1', role: 'leader' }, NOW, ctx({ entryId: 'TL-0' })));
    expect(d.event).toEqual({
      id: 'E-1',
      categoryId: 'dispute',
      tier: 'general',
      source: 'field',
      state: 'reported',
      description: 'neighbours quarrel',
      position: { lng: 116.65, lat: 39.9 },
      address: 'No. 1 Road',
      gridIds: ['G-1', 'G-9'],
      communityId: 'C-1',
      townId: 'T-1',
      reportedAt: NOW - 5000,
      reporterId: 'P-1',
      attachments: [HASH],
      timelineLength: 1,
      updatedAt: NOW,
    });
    expect(d.entry).toMatchObject({ id: 'TL-0', eventId: 'E-1', index: 0, kind: 'report', fromState: null, toState: 'reported' });
    expect(d.entry.attachments).toEqual([HASH]);
    expect(d.entry.commandId).toBe(c.commandId);
    expect(d.entry.origin).toBe('console-1');
    EventRecord.parse(d.event);
    TimelineEntry.parse(d.entry);
  });

  it('tier defaults to the category, the command may override it', () => {
    expect(ok(decide(undefined, cmd('report', { categoryId: 'fire_safety' }), OP, NOW, ctx())).event.tier).toBe('special');
    expect(ok(decide(undefined, cmd('report', { tier: 'escalated' }), OP, NOW, ctx())).event.tier).toBe('escalated');
  });

  it('without a place the event has no grids; reportedAt defaults to now; system has no reporterId', () => {
    const d = ok(decide(undefined, cmd('report'), { id: 'intake', role: 'system' }, NOW, ctx({ place: undefined })));
    expect(d.event.gridIds).toEqual([]);
    expect(d.event.townId).toBeUndefined();
    expect(d.event.reportedAt).toBe(NOW);
    expect('reporterId' in d.event).toBe(false);
  });

  it('unknown category is unknown_reference on categoryId', () => {
    const d = err(decide(undefined, cmd('report', { categoryId: 'nope' }), OP, NOW, ctx()));
    expect([d.code, d.field]).toEqual(['unknown_reference', 'categoryId']);
  });

  it('hotline info only with source hotline', () => {
    const d = err(decide(undefined, cmd('report', { hotline: HOTLINE, source: 'phone' }), OP, NOW, ctx()));
    expect([d.code, d.field]).toEqual(['invalid', 'hotline']);
    const h = ok(decide(undefined, cmd('report', { hotline: HOTLINE, source: 'hotline' }), { id: 'intake', role: 'system' }, NOW, ctx()));
    expect(h.event.hotline).toEqual(HOTLINE);
  });

  it('a sub-centre desk reports only inside its town', () => {
    const desk: Actor = { id: 'P-sd', role: 'subcenter_desk', townId: 'T-1' };
    expect(decide(undefined, cmd('report'), desk, NOW, ctx()).ok).toBe(true);
    const out = err(decide(undefined, cmd('report'), desk, NOW, ctx({ place: { gridIds: ['G-5'], townId: 'T-2' } })));
    expect(out.code).toBe('out_of_scope');
    expect(err(decide(undefined, cmd('report'), desk, NOW, ctx({ place: undefined }))).code).toBe('out_of_scope');
  });
});

describe('references and ids', () => {
  it('a missing event is not_found on eventId', () => {
    const d = err(decide(undefined, cmd('accept'), OP, NOW, ctx()));
    expect([d.code, d.field]).toEqual(['not_found', 'eventId']);
  });

  it('a command for another event is refused', () => {
    const d = err(decide(ev('reported'), cmd('accept', { eventId: 'E-2' }), OP, NOW, ctx()));
    expect([d.code, d.field]).toEqual(['invalid', 'eventId']);
  });

  it('dispatch needs a known field person', () => {
    const e = ev('accepted', { assigneeId: undefined });
    for (const assignee of [null, undefined]) {
      const d = err(decide(e, cmd('dispatch'), OP, NOW, ctx({ assignee })));
      expect([d.code, d.field]).toEqual(['unknown_reference', 'assigneeId']);
    }
    const desk = err(decide(e, cmd('dispatch', { assigneeId: 'P-op2' }), OP, NOW, ctx({ assignee: person('P-op2', 'operator') })));
    expect([desk.code, desk.field]).toEqual(['invalid', 'assigneeId']);
  });

  it('dispatch sets the assignee and records the previous one on reassignment', () => {
    const first = ok(decide(ev('accepted', { assigneeId: undefined }), cmd('dispatch'), OP, NOW, ctx()));
    expect(first.event.assigneeId).toBe(ASSIGNEE_ID);
    expect(first.entry.data).toEqual({ assigneeId: ASSIGNEE_ID });
    const again = ok(decide(ev('acknowledged'), cmd('dispatch', { assigneeId: LEADER.id }), OP, NOW, ctx({ assignee: LEADER })));
    expect(again.event.assigneeId).toBe(LEADER.id);
    expect(again.event.state).toBe('dispatched');
    expect(again.entry.data).toEqual({ assigneeId: LEADER.id, previousAssigneeId: ASSIGNEE_ID });
  });
});

describe('assignee only', () => {
  it('only the current assignee acknowledges, arrives and feeds back', () => {
    const other: Actor = { id: 'P-other', role: 'leader' };
    const me: Actor = { id: ASSIGNEE_ID, role: 'leader' };
    expect(err(decide(ev('dispatched'), cmd('acknowledge'), other, NOW, ctx())).code).toBe('not_assignee');
    expect(ok(decide(ev('dispatched'), cmd('acknowledge'), me, NOW, ctx())).event.state).toBe('acknowledged');
    expect(err(decide(ev('acknowledged'), cmd('arrive'), other, NOW, ctx())).code).toBe('not_assignee');
    const arrived = ok(decide(ev('acknowledged'), cmd('arrive'), me, NOW, ctx()));
    expect(arrived.entry.data).toEqual({ position: { lng: 116.651, lat: 39.901 } });
    expect(err(decide(ev('on_site'), cmd('feedback'), other, NOW, ctx())).code).toBe('not_assignee');
    const fb = ok(decide(ev('on_site'), cmd('feedback'), me, NOW, ctx()));
    expect(fb.entry.note).toBe('settled');
    expect(fb.entry.attachments).toEqual([HASH]);
  });

  it('after reassignment the old assignee can no longer act', () => {
    const re = ok(decide(ev('dispatched'), cmd('dispatch', { assigneeId: LEADER.id }), OP, NOW, ctx({ assignee: LEADER })));
    expect(err(decide(re.event, cmd('acknowledge'), { id: ASSIGNEE_ID, role: 'leader' }, NOW, ctx())).code).toBe('not_assignee');
    expect(decide(re.event, cmd('acknowledge'), { id: LEADER.id, role: 'leader' }, NOW, ctx()).ok).toBe(true);
  });

  it('an event with no assignee yet cannot be acknowledged by anyone', () => {
    const d = err(decide(ev('dispatched', { assigneeId: undefined }), cmd('acknowledge'), { id: 'P-x', role: 'leader' }, NOW, ctx()));
    expect(d.code).toBe('not_assignee');
  });
});

describe('town scope', () => {
  const sd: Actor = { id: 'P-sd', role: 'subcenter_desk', townId: 'T-1' };

  it('a sub-centre desk acts only on events of its town', () => {
    expect(decide(ev('reported'), cmd('accept'), sd, NOW, ctx()).ok).toBe(true);
    expect(err(decide(ev('reported', { townId: 'T-2' }), cmd('accept'), sd, NOW, ctx())).code).toBe('out_of_scope');
    expect(err(decide(ev('reported', { townId: undefined }), cmd('accept'), sd, NOW, ctx())).code).toBe('out_of_scope');
    expect(err(decide(ev('closed', { townId: 'T-2' }), cmd('note'), sd, NOW, ctx())).code).toBe('out_of_scope');
    expect(allowedCommands(ev('reported', { townId: 'T-2' }), sd)).toEqual([]);
  });

  it('a sub-centre desk dispatches only to people of its town', () => {
    const far = person('P-far', 'leader', 'T-2');
    const d = err(decide(ev('accepted'), cmd('dispatch', { assigneeId: far.id }), sd, NOW, ctx({ assignee: far })));
    expect([d.code, d.field]).toEqual(['out_of_scope', 'assigneeId']);
    const townless = person('P-dist', 'leader');
    expect(err(decide(ev('accepted'), cmd('dispatch', { assigneeId: townless.id }), sd, NOW, ctx({ assignee: townless }))).code).toBe(
      'out_of_scope',
    );
    expect(decide(ev('accepted'), cmd('dispatch', { assigneeId: LEADER.id }), sd, NOW, ctx({ assignee: LEADER })).ok).toBe(true);
    // a district-wide desk may dispatch anywhere
    expect(decide(ev('accepted'), cmd('dispatch', { assigneeId: far.id }), OP, NOW, ctx({ assignee: far })).ok).toBe(true);
  });
});

describe('deadlines', () => {
  const fresh = (over: Partial<EventRecord> = {}) => ev('reported', { acceptedAt: undefined, deadline: undefined, source: 'field', ...over });

  it('accept sets acceptedAt and a general deadline at the end of the CST day', () => {
    const d = ok(decide(fresh(), cmd('accept'), OP, NOW, ctx()));
    expect(d.event.acceptedAt).toBe(NOW);
    expect(d.event.deadline).toBe(endOfDayCST(NOW));
    expect(d.event.deadline).toBe(Date.UTC(2024, 4, 10, 16) - 1);
    expect(d.entry.data).toEqual({ tier: 'general', deadline: endOfDayCST(NOW) });
  });

  it('accept may set the tier: escalated = 72 h, special = the category hours', () => {
    const esc = ok(decide(fresh(), cmd('accept', { tier: 'escalated' }), OP, NOW, ctx()));
    expect([esc.event.tier, esc.event.deadline]).toEqual(['escalated', NOW + 72 * HOUR_MS]);
    const sp = ok(decide(fresh({ categoryId: 'fire_safety' }), cmd('accept', { tier: 'special' }), OP, NOW, ctx()));
    expect([sp.event.tier, sp.event.deadline]).toEqual(['special', NOW + 4 * HOUR_MS]);
  });

  it('a hotline order keeps its own deadline', () => {
    const d = ok(decide(fresh({ source: 'hotline', hotline: HOTLINE }), cmd('accept'), OP, NOW, ctx()));
    expect(d.event.deadline).toBe(HOTLINE.deadline);
  });

  it('a special event whose category left the taxonomy cannot get a deadline', () => {
    const d = err(decide(fresh({ categoryId: 'gone', tier: 'special' }), cmd('accept'), OP, NOW, ctx()));
    expect([d.code, d.field]).toEqual(['unknown_reference', 'categoryId']);
    // general and escalated deadlines do not need the category
    expect(decide(fresh({ categoryId: 'gone' }), cmd('accept'), OP, NOW, ctx()).ok).toBe(true);
  });

  it('escalate raises the tier and recomputes the deadline', () => {
    const later = NOW + 5 * HOUR_MS;
    const g = ok(decide(ev('dispatched', { source: 'field' }), cmd('escalate'), OP, later, ctx()));
    expect([g.event.tier, g.event.deadline, g.event.state]).toEqual(['escalated', later + 72 * HOUR_MS, 'escalated']);
    expect(g.event.escalation).toEqual({ target: 'subcenter', orgUnitId: 'O-T1' });
    const sp = ok(decide(ev('dispatched', { source: 'field', categoryId: 'fire_safety', tier: 'special' }), cmd('escalate'), OP, later, ctx()));
    expect([sp.event.tier, sp.event.deadline]).toEqual(['special', later + 4 * HOUR_MS]);
    const far = NOW + 500 * HOUR_MS;
    const keep = ok(decide(ev('dispatched', { source: 'field', tier: 'escalated', deadline: far }), cmd('escalate'), OP, later, ctx()));
    expect(keep.event.deadline).toBe(far);
  });

  it('escalate checks its target', () => {
    const a = err(decide(ev('accepted'), cmd('escalate', { escalation: { target: 'subcenter' } }), OP, NOW, ctx()));
    expect([a.code, a.field]).toEqual(['invalid', 'escalation.orgUnitId']);
    for (const escalation of [{ target: 'departments' }, { target: 'departments', departmentIds: [] }]) {
      const b = err(decide(ev('accepted'), cmd('escalate', { escalation }), OP, NOW, ctx()));
      expect([b.code, b.field]).toEqual(['invalid', 'escalation.departmentIds']);
    }
    const c = ok(decide(ev('accepted'), cmd('escalate', { escalation: { target: 'departments', departmentIds: ['DEP-1'] } }), OP, NOW, ctx()));
    expect(c.entry.note).toBe('needs the town');
  });
});

describe('notes, closing, evaluation, supervision', () => {
  it('notes are appended to closed, evaluated and rejected events; the state is unchanged', () => {
    for (const state of ['closed', 'evaluated', 'rejected'] as const) {
      const e = ev(state);
      const d = ok(decide(e, cmd('note', { attachments: [HASH] }), OP, NOW, ctx()));
      expect(d.event.state).toBe(state);
      expect(d.event.timelineLength).toBe(e.timelineLength + 1);
      expect(d.entry).toMatchObject({ index: e.timelineLength, kind: 'note', fromState: state, toState: state, note: 'called the caller back' });
      expect(d.entry.attachments).toEqual([HASH]);
    }
  });

  it('close sets closedAt; reject records reason and duplicate', () => {
    expect(ok(decide(ev('reviewed'), cmd('close'), OP, NOW, ctx())).event.closedAt).toBe(NOW);
    const r = ok(decide(ev('reported'), cmd('reject'), OP, NOW, ctx()));
    expect(r.entry.data).toEqual({ reason: 'duplicate', duplicateOf: 'E-0' });
    expect(ok(decide(ev('reported'), cmd('reject', { reason: 'invalid', duplicateOf: undefined }), OP, NOW, ctx())).entry.data).toEqual({
      reason: 'invalid',
    });
  });

  it('only hotline cases are evaluated', () => {
    const d = err(decide(ev('closed', { source: 'field' }), cmd('evaluate'), OP, NOW, ctx()));
    expect(d.code).toBe('not_hotline');
    expect(allowedCommands(ev('closed', { source: 'field' }), OP)).not.toContain('evaluate');
    const h = ok(decide(ev('closed', { source: 'phone', hotline: HOTLINE }), cmd('evaluate', { satisfaction: 'dissatisfied' }), OP, NOW, ctx()));
    expect(h.event.satisfaction).toBe('dissatisfied');
  });

  it('supervise happens once, only when overdue', () => {
    const sys: Actor = { id: 'timer', role: 'system' };
    const e = ev('dispatched', { deadline: NOW - 1 });
    const first = ok(decide(e, cmd('supervise'), sys, NOW, ctx()));
    expect(first.event.supervisedAt).toBe(NOW);
    expect(first.event.state).toBe('dispatched');
    expect(first.entry.kind).toBe('supervise');
    const again = err(decide(first.event, cmd('supervise'), sys, NOW + 1, ctx()));
    expect(again.code).toBe('invalid_transition');
    expect(again.message).toMatch(/already/);
    expect(allowedCommands(first.event, sys, NOW + 1)).not.toContain('supervise');

    const notYet = err(decide(ev('dispatched', { deadline: NOW }), cmd('supervise'), sys, NOW, ctx()));
    expect(notYet.code).toBe('invalid_transition');
    expect(notYet.message).toMatch(/not overdue/);
    expect(allowedCommands(ev('dispatched', { deadline: NOW }), sys, NOW)).not.toContain('supervise');
    expect(err(decide(ev('reported', { deadline: undefined }), cmd('supervise'), sys, NOW, ctx())).code).toBe('invalid_transition');
  });
});

describe('the whole loop', () => {
  it('report → … → evaluated, with consecutive entries and valid records', () => {
    const me: Actor = { id: ASSIGNEE_ID, role: 'leader' };
    const sys: Actor = { id: 'intake', role: 'system' };
    const steps: [CommandType, Actor, Record<string, unknown>?][] = [
      ['report', sys, { source: 'hotline', hotline: HOTLINE }],
      ['accept', OP],
      ['dispatch', OP],
      ['acknowledge', me],
      ['arrive', me],
      ['feedback', me],
      ['return', OP],
      ['acknowledge', me],
      ['feedback', me],
      ['review', OP],
      ['close', OP],
      ['evaluate', sys],
      ['note', OP],
    ];
    let e: EventRecord | undefined;
    const states: EventState[] = [];
    steps.forEach(([type, actor, over], i) => {
      const before = e && structuredClone(e);
      const d = ok(decide(e && deepFreeze(e), cmd(type, over), actor, NOW + i * 1000, ctx({ entryId: `TL-${i}` })));
      if (before) expect(e).toEqual(before);
      expect(d.entry.index).toBe(i);
      expect(d.entry.at).toBe(NOW + i * 1000);
      EventRecord.parse(d.event);
      TimelineEntry.parse(d.entry);
      e = d.event;
      states.push(e.state);
    });
    expect(states).toEqual([
      'reported', 'accepted', 'dispatched', 'acknowledged', 'on_site', 'feedback', 'returned',
      'acknowledged', 'feedback', 'reviewed', 'closed', 'evaluated', 'evaluated',
    ]);
    expect(e!.timelineLength).toBe(steps.length);
    expect(e!.satisfaction).toBe('satisfied');
  });
});

/* ---------- property: random command sequences ---------- */

describe('property: random command sequences', () => {
  const PEOPLE: Person[] = [
    person('P-l1', 'leader', 'T-1'),
    person('P-l2', 'informant', 'T-1'),
    person('P-ch', 'chief_leader', 'T-1'),
    person('P-far', 'dedicated_member', 'T-2'),
    person('P-desk', 'operator'),
  ];
  type ActorPick = Actor | 'assignee' | 'reporter';
  const actorArb: fc.Arbitrary<ActorPick> = fc.constantFrom<ActorPick>(
    'assignee',
    'reporter',
    { id: 'P-op', role: 'operator' },
    { id: 'P-dc', role: 'duty_chief' },
    { id: 'P-sd1', role: 'subcenter_desk', townId: 'T-1' },
    { id: 'P-sd2', role: 'subcenter_desk', townId: 'T-2' },
    { id: 'timer', role: 'system' },
    { id: 'P-l1', role: 'leader' },
    { id: 'P-ch', role: 'chief_leader' },
    { id: 'P-x', role: 'legal' },
  );
  const note = fc.string({ minLength: 1, maxLength: 20 });
  const hashes = fc.array(fc.constant(HASH), { maxLength: 2 });
  /** a schema-valid payload per command type (some with references or targets decide must refuse) */
  const PAYLOADS: { [K in CommandType]: fc.Arbitrary<Record<string, unknown>> } = {
    report: fc.constant({ categoryId: 'dispute', description: 'again', position: { lng: 116, lat: 39 }, source: 'field' }),
    accept: fc.record({ tier: fc.option(fc.constantFrom('general', 'escalated', 'special'), { nil: undefined }) }),
    reject: fc.record({ reason: fc.constantFrom('duplicate', 'invalid', 'out_of_scope') }),
    dispatch: fc.record({ assigneeId: fc.constantFrom('P-l1', 'P-l1', 'P-l2', 'P-ch', 'P-far', 'P-desk', 'P-nobody') }),
    acknowledge: fc.constant({}),
    arrive: fc.record({
      position: fc.record({ lng: fc.double({ min: -180, max: 180, noNaN: true }), lat: fc.double({ min: -90, max: 90, noNaN: true }) }),
    }),
    feedback: fc.record({ note, attachments: hashes }),
    review: fc.constant({}),
    return: fc.record({ note }),
    close: fc.constant({}),
    evaluate: fc.record({ satisfaction: fc.constantFrom('satisfied', 'basically_satisfied', 'dissatisfied') }),
    escalate: fc.record({
      note,
      escalation: fc.constantFrom(
        { target: 'subcenter', orgUnitId: 'O-T1' },
        { target: 'subcenter' },
        { target: 'departments', departmentIds: ['DEP-1', 'DEP-2'] },
        { target: 'departments', departmentIds: [] },
      ),
    }),
    note: fc.record({ note, attachments: hashes }),
    supervise: fc.constant({}),
    split: fc.record({ note: fc.option(note, { nil: undefined }) }),
    callback: fc.constantFrom<Record<string, unknown>>(
      { phase: 'outcome', outcome: 'not_confirmed', note: 'not seen on site' },
      { phase: 'scheduled', afterMinutes: 15 },
      { phase: 'snapshot', callId: 'K-1', attachments: [HASH], takenAt: NOW },
    ),
  };
  const TYPES = Object.keys(PAYLOADS) as CommandType[];
  /** who a guided step sends, per command (from the rules, not from TRANSITIONS) */
  const GUIDED_ACTOR: Record<CommandType, ActorPick> = {
    report: 'reporter',
    accept: { id: 'P-op', role: 'operator' },
    reject: { id: 'P-op', role: 'operator' },
    dispatch: { id: 'P-sd1', role: 'subcenter_desk', townId: 'T-1' },
    acknowledge: 'assignee',
    arrive: 'assignee',
    feedback: 'assignee',
    review: { id: 'P-dc', role: 'duty_chief' },
    return: { id: 'P-dc', role: 'duty_chief' },
    close: { id: 'P-op', role: 'operator' },
    evaluate: { id: 'timer', role: 'system' },
    escalate: 'assignee',
    note: 'reporter',
    supervise: { id: 'timer', role: 'system' },
    split: { id: 'P-op', role: 'operator' },
    callback: { id: 'P-op', role: 'operator' },
  };
  const stepArb = fc.record({
    /** guided: a command the hand-written matrix allows from the current state, sent by a plausible actor */
    guided: fc.integer({ min: 0, max: 9 }).map((n) => n < 7),
    pick: fc.nat(),
    type: fc.constantFrom(...TYPES),
    actor: actorArb,
    payloads: fc.record(PAYLOADS),
    dt: fc.integer({ min: 0, max: 30 * HOUR_MS }),
    // now and then a command for another event, which must be refused
    eventId: fc.constantFrom('E-1', 'E-1', 'E-1', 'E-1', 'E-1', 'E-1', 'E-1', 'E-1', 'E-1', 'E-2'),
  });
  const startArb = fc.record({
    categoryId: fc.constantFrom('dispute', 'public_order', 'fire_safety', 'livelihood'),
    hotline: fc.boolean(),
    reporter: fc.constantFrom('P-l1', 'P-l2', 'P-ch'),
    /** now and then the report duplicates an open event and is merged into it */
    duplicate: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  });
  const PARENT = deepFreeze(ev('accepted', { id: 'E-0', linkedReportIds: ['E-7'] }));

  it('keeps every invariant', () => {
    const reached = new Set<string>();
    const okTypes = new Set<string>();
    const t0 = performance.now();
    fc.assert(
      fc.property(startArb, fc.array(stepArb, { minLength: 5, maxLength: 40, size: 'max' }), (start, steps) => {
        let n = 0;
        const report = Command.parse({
          type: 'report',
          commandId: 'C-0',
          eventId: 'E-1',
          categoryId: start.categoryId,
          description: 'start',
          position: { lng: 116.65, lat: 39.9 },
          source: start.hotline ? 'hotline' : 'field',
          ...(start.hotline ? { hotline: HOTLINE } : {}),
        });
        const reporter: Actor = { id: start.reporter, role: PEOPLE.find((p) => p.id === start.reporter)!.role };
        const first = ok(decide(undefined, report, reporter, NOW, ctx({ entryId: 'TL-0', ...(start.duplicate ? { duplicateOf: PARENT } : {}) })));
        let event = deepFreeze(first.event);
        reached.add(event.state);
        if (start.duplicate) {
          expect(first.event).toMatchObject({ state: 'merged', mergedInto: 'E-0' });
          expect(first.related?.event.linkedReportIds).toEqual(['E-7', 'E-1']);
        }
        const indexes = [first.entry.index];
        let okCount = 0; // ok decisions after the report
        let now = NOW;

        for (const s of steps) {
          now += s.dt;
          let type = s.type;
          let pickActor = s.actor;
          if (s.guided) {
            const candidates = TYPES.filter((t) => t !== 'report' && EXPECT[t as Exclude<CommandType, 'report'>].from.includes(event.state));
            type = candidates[s.pick % candidates.length]!;
            pickActor = GUIDED_ACTOR[type];
          }
          let actor: Actor;
          if (pickActor === 'assignee') {
            const p = PEOPLE.find((x) => x.id === event.assigneeId) ?? PEOPLE[0]!;
            actor = { id: p.id, role: p.role };
          } else if (pickActor === 'reporter') actor = reporter;
          else actor = pickActor;
          const command = Command.parse({ commandId: `C-${++n}`, eventId: s.eventId, type, ...s.payloads[type] });
          const assigneeId = command.type === 'dispatch' ? command.assigneeId : undefined;
          const before = event;
          const snapshot = JSON.stringify(event);
          const d = decide(
            event,
            command,
            actor,
            now,
            ctx({ entryId: `TL-${n}`, assignee: PEOPLE.find((p) => p.id === assigneeId) ?? null, mergedInto: PARENT }),
          );

          // the input is never changed (it is also deep-frozen): deep-equal via its JSON
          if (JSON.stringify(event) !== snapshot) expect(event).toEqual(JSON.parse(snapshot));
          if (d.ok) {
            okCount++;
            expect(EVENT_STATES).toContain(d.event.state);
            expect(d.event.timelineLength).toBe(before.timelineLength + 1);
            expect(d.entry.index).toBe(before.timelineLength);
            expect(d.entry.fromState).toBe(before.state);
            expect(d.entry.toState).toBe(d.event.state);
            expect(d.event.id).toBe('E-1');
            EventRecord.parse(d.event);
            TimelineEntry.parse(d.entry);
            // a second event changes only on a split, and then it is the parent losing this report
            if (d.related) {
              expect(command.type).toBe('split');
              expect(d.related.event.id).toBe('E-0');
              expect(d.related.event.linkedReportIds).toEqual(['E-7']);
              expect(d.related.entry).toMatchObject({ eventId: 'E-0', index: PARENT.timelineLength, kind: 'unlink' });
            }
            indexes.push(d.entry.index);
            event = deepFreeze(d.event);
            reached.add(event.state);
            okTypes.add(command.type);
          } else {
            expect(ERROR_CODES).toContain(d.code);
            expect(d.message.length).toBeGreaterThan(0);
          }
          expect(event.timelineLength).toBeGreaterThanOrEqual(before.timelineLength);
        }
        expect(event.timelineLength).toBe(1 + okCount);
        expect(indexes).toEqual(indexes.map((_, i) => i));
      }),
      { seed: 20240510, numRuns: 200 },
    );
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    // the sequences really travel the loop
    expect([...reached].sort()).toEqual([...EVENT_STATES].sort());
    expect([...okTypes].sort()).toEqual(TYPES.filter((t) => t !== 'report').sort());
  });
});
