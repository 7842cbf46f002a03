import { z } from 'zod';
import { AttachmentHash, Id, LngLat, Name, Phone, PolygonGeometry, Text, Timestamp } from './common';

/* ---------- places ---------- */

export const ORG_LEVELS = ['district', 'subcenter', 'community'] as const;
export const OrgLevel = z.enum(ORG_LEVELS);
export type OrgLevel = z.infer<typeof OrgLevel>;

export const OrgUnit = z
  .object({
    id: Id,
    level: OrgLevel,
    /** null only for the district itself */
    parentId: Id.nullable(),
    name: Name,
    center: LngLat.optional(),
    boundary: PolygonGeometry.optional(),
  })
  .strict();
export type OrgUnit = z.infer<typeof OrgUnit>;

export const GRID_KINDS = ['comprehensive', 'dedicated', 'dynamic'] as const;
export const GridKind = z.enum(GRID_KINDS);
export type GridKind = z.infer<typeof GridKind>;

/** The 15 domains of dedicated grids (专属网格), 谁主管谁负责. */
export const DEDICATED_DOMAINS = [
  'school',
  'hospital',
  'enterprise',
  'market',
  'shopping_district',
  'scenic_spot',
  'government',
  'five_small',
  'transport',
  'construction',
  'religious_site',
  'care_home',
  'industrial_park',
  'hazardous_chemicals',
  'finance',
] as const;
export const DedicatedDomain = z.enum(DEDICATED_DOMAINS);
export type DedicatedDomain = z.infer<typeof DedicatedDomain>;

export const Grid = z
  .object({
    id: Id,
    kind: GridKind,
    code: z.string().min(1).max(40),
    name: Name,
    communityId: Id,
    /** the town or street (subcenter) the grid belongs to; scopes what a sub-centre desk sees */
    townId: Id,
    domain: DedicatedDomain.optional(),
    /** the department in charge of a dedicated grid's domain */
    departmentId: Id.optional(),
    households: z.number().int().min(0).optional(),
    polygon: PolygonGeometry,
    /** a dynamic grid lives between these times */
    validFrom: Timestamp.optional(),
    validTo: Timestamp.optional(),
  })
  .strict();
export type Grid = z.infer<typeof Grid>;

/* ---------- people ---------- */

export const FIELD_ROLES = ['chief_leader', 'leader', 'administrator', 'informant', 'dedicated_member', 'legal'] as const;
export const DESK_ROLES = ['operator', 'duty_chief', 'subcenter_desk'] as const;
export const ROLES = [...FIELD_ROLES, ...DESK_ROLES] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export type FieldRole = (typeof FIELD_ROLES)[number];
export type DeskRole = (typeof DESK_ROLES)[number];
export const isFieldRole = (r: Role): r is FieldRole => (FIELD_ROLES as readonly string[]).includes(r);
export const isDeskRole = (r: Role): r is DeskRole => (DESK_ROLES as readonly string[]).includes(r);

export const Person = z
  .object({
    id: Id,
    name: Name,
    role: Role,
    phone: Phone.optional(),
    /** the org unit the person belongs to (community for field staff, subcenter or district for desks) */
    orgUnitId: Id,
    /** town scope, derived from orgUnitId at load time; absent for district-wide staff */
    townId: Id.optional(),
    /** grids the person is responsible for (leaders, members) */
    gridIds: z.array(Id).max(50),
    departmentId: Id.optional(),
    onDuty: z.boolean(),
  })
  .strict();
export type Person = z.infer<typeof Person>;

export const Department = z
  .object({ id: Id, name: Name, code: z.string().min(1).max(40) })
  .strict();
export type Department = z.infer<typeof Department>;

/** A field device (a leader's phone); its token is stored hashed and never leaves the hub. */
export const Device = z
  .object({ id: Id, personId: Id, label: Text(100), revoked: z.boolean() })
  .strict();
export type Device = z.infer<typeof Device>;

export const PositionFix = z
  .object({
    personId: Id,
    position: LngLat,
    /** metres, as the device reports it */
    accuracy: z.number().min(0).max(100_000).optional(),
    at: Timestamp,
  })
  .strict();
export type PositionFix = z.infer<typeof PositionFix>;

/* ---------- cameras ---------- */

export const Camera = z
  .object({
    id: Id,
    name: Name,
    position: LngLat,
    gridId: Id.optional(),
    townId: Id.optional(),
    mainUrl: z.string().max(2000),
    subUrl: z.string().max(2000),
    online: z.boolean(),
  })
  .strict();
export type Camera = z.infer<typeof Camera>;

/* ---------- events ---------- */

export const TIERS = ['general', 'escalated', 'special'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export const SOURCES = ['field', 'hotline', 'camera', 'public', 'phone', 'inspection'] as const;
export const Source = z.enum(SOURCES);
export type Source = z.infer<typeof Source>;

/** The states of the one closed loop (DOMAIN.md). */
export const EVENT_STATES = [
  'reported',
  'accepted',
  'rejected',
  'dispatched',
  'acknowledged',
  'on_site',
  'feedback',
  'returned',
  'reviewed',
  'escalated',
  'closed',
  'evaluated',
  'merged',
] as const;
export const EventState = z.enum(EVENT_STATES);
export type EventState = z.infer<typeof EventState>;

/**
 * States in which nothing more is expected of the event. A `merged` report lives on inside the
 * event it duplicates; an operator may split it out again.
 */
export const FINAL_STATES: readonly EventState[] = ['rejected', 'closed', 'evaluated', 'merged'];
export const isOpenState = (s: EventState): boolean => !FINAL_STATES.includes(s);

/** What the 12345 hotline's work order (工单) carries. */
export const HotlineOrderInfo = z
  .object({
    orderNo: z.string().min(1).max(64),
    receivedAt: Timestamp,
    callerName: Text(100),
    callerPhone: Phone,
    content: Text(4000),
    type: Text(100),
    address: Text(500),
    deadline: Timestamp,
  })
  .strict();
export type HotlineOrderInfo = z.infer<typeof HotlineOrderInfo>;

/** subcenter: a district desk hands a case to a town; district: a town desk sends one up; departments: the whistle (吹哨报到) */
export const ESCALATION_TARGETS = ['subcenter', 'district', 'departments'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];
export const Escalation = z
  .object({
    target: z.enum(ESCALATION_TARGETS),
    orgUnitId: Id.optional(),
    departmentIds: z.array(Id).max(20).optional(),
  })
  .strict();
export type Escalation = z.infer<typeof Escalation>;

/** How to reach a member of the public who reported (Open311, a call at the desk); desks only. */
export const ReporterContact = z
  .object({
    name: Text(100).optional(),
    phone: Phone.optional(),
    email: z.email('must be an email address').max(254).optional(),
    /** a link the reporter gave (a photo elsewhere); shown, never fetched by the hub */
    mediaUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500).optional(),
  })
  .strict();
export type ReporterContact = z.infer<typeof ReporterContact>;

export const SATISFACTION = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export const Satisfaction = z.enum(SATISFACTION);
export type Satisfaction = z.infer<typeof Satisfaction>;

export const EventRecord = z
  .object({
    id: Id,
    categoryId: Id,
    tier: Tier,
    source: Source,
    state: EventState,
    description: Text(4000),
    position: LngLat,
    address: Text(500).optional(),
    /** every grid that contains the position: a comprehensive one and any dedicated ones */
    gridIds: z.array(Id),
    communityId: Id.optional(),
    townId: Id.optional(),
    reportedAt: Timestamp,
    reporterId: Id.optional(),
    attachments: z.array(AttachmentHash),
    acceptedAt: Timestamp.optional(),
    deadline: Timestamp.optional(),
    assigneeId: Id.optional(),
    escalation: Escalation.optional(),
    /** set once, when the deadline passed and the event was put under supervision (督办) */
    supervisedAt: Timestamp.optional(),
    /** a video call-back (视频回访) is due at this time: set by a scheduled `callback`, cleared when a call is placed */
    callbackDueAt: Timestamp.optional(),
    closedAt: Timestamp.optional(),
    satisfaction: Satisfaction.optional(),
    hotline: HotlineOrderInfo.optional(),
    reporterContact: ReporterContact.optional(),
    /** the position was guessed (a hotline order placed at its community's centre), not reported */
    positionUnconfirmed: z.boolean().optional(),
    /** this report duplicated an open event and joined it as a linked report (state `merged`) */
    mergedInto: Id.optional(),
    /** reports merged into this event, oldest first */
    linkedReportIds: z.array(Id).optional(),
    /** number of timeline entries; the next entry's index */
    timelineLength: z.number().int().min(0),
    updatedAt: Timestamp,
  })
  .strict();
export type EventRecord = z.infer<typeof EventRecord>;

export const TimelineEntry = z
  .object({
    id: Id,
    eventId: Id,
    /** position in the event's timeline, from 0 */
    index: z.number().int().min(0),
    /** the command type that made it, or 'supervise' from the deadline timer */
    kind: z.string().min(1).max(40),
    fromState: EventState.nullable(),
    toState: EventState,
    actorId: Id,
    actorRole: z.union([Role, z.literal('system')]),
    /** which console or device it came from */
    origin: z.string().max(100).optional(),
    at: Timestamp,
    note: Text(4000).optional(),
    attachments: z.array(AttachmentHash),
    /** command-specific detail (assignee, escalation target, position at arrival, …) */
    data: z.record(z.string(), z.unknown()).optional(),
    /** the command that made it, for idempotency and audit */
    commandId: Id,
  })
  .strict();
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Attachment = z
  .object({
    hash: AttachmentHash,
    mime: z.string().max(100),
    size: z.number().int().min(0),
    createdAt: Timestamp,
  })
  .strict();
export type Attachment = z.infer<typeof Attachment>;
