import { z } from 'zod';
import { ApiError, Principal } from './api';
import { Command } from './commands';
import { Id, LngLat, Text, Timestamp } from './common';
import { Camera, Department, EventRecord, EventState, Grid, GridKind, OrgUnit, Person, Source, Tier, TimelineEntry } from './entities';
import { CallClientSignal, CallServerSignal, RecordingChunk, type CallbackItem, type LeaderFix, type RecordingChunkResult } from './call';
import { Basemap, MapEventsQuery, type GridInfo, type MapConfig, type MapEventPoint, type MapPerson, type PersonInfo } from './map';
import { BreakdownDimension, StatsPeriod, type OverdueItem, type StatsAnswer, type StatsBreakdown, type StatsOverview } from './stats';
import { PERIOD_KINDS } from '../stats';
import { BulletinQuery, CstDate, LedgerPeriodKind, type Bulletin, type Ledger, type Rates } from './ledgers';
import { EvidenceUpload, NewEventBrief, WallLayoutInput, WallLayoutName, type UploadedEvidence, type WallCameras, type WallLayout } from './wall';
import { WallScreenPatch, WallScreenState } from './wall-screen';

/**
 * The console core's API: what a renderer page asks of the Node core that keeps the local cache and
 * the outbox (electron/core/console). The same messages travel over Electron IPC in the desktop app
 * and over a WebSocket when the console host serves a browser; both sides validate them here.
 *
 * Requests are answered once ({ id, ok, result | error }); the core also pushes notices (cache
 * changed, link state, a command settled, an alert) without being asked.
 */

/* ---------- the queue ---------- */

export const QUEUE_SORTS = ['urgency', 'newest', 'deadline'] as const;
export const QueueSort = z.enum(QUEUE_SORTS);
export type QueueSort = z.infer<typeof QueueSort>;

export const QueueFilter = z
  .object({
    /** default: the open states (and `reported`), not merged/closed/rejected/evaluated */
    states: z.array(EventState).max(20).optional(),
    tiers: z.array(Tier).max(3).optional(),
    sources: z.array(Source).max(10).optional(),
    townId: Id.optional(),
    categoryId: Id.optional(),
    assigneeId: Id.optional(),
    overdueOnly: z.boolean().optional(),
    /** matched against description, address, id, hotline order number, caller name */
    text: Text(200).optional(),
  })
  .strict();
export type QueueFilter = z.infer<typeof QueueFilter>;

/** One queue row: the event plus the names the UI shows, resolved from the cache. */
export const QueueRow = z
  .object({
    event: EventRecord,
    townName: z.string().optional(),
    communityName: z.string().optional(),
    gridName: z.string().optional(),
    assigneeName: z.string().optional(),
    /** a command of this console's outbox is pending on the event */
    pending: z.boolean(),
    overdue: z.boolean(),
  })
  .strict();
export type QueueRow = z.infer<typeof QueueRow>;

export const QueuePage = z
  .object({ total: z.number().int().min(0), offset: z.number().int().min(0), rows: z.array(QueueRow) })
  .strict();
export type QueuePage = z.infer<typeof QueuePage>;

/* ---------- one event ---------- */

/** Why a person is recommended (shared/recommend.ts `Reason`, as a schema). */
export const CandidateReason = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('responsible'), gridId: Id, gridKind: GridKind, gridName: z.string() }).strict(),
  z.object({ kind: z.literal('distance'), meters: z.number().min(0) }).strict(),
  z.object({ kind: z.literal('fix_age'), seconds: z.number().min(0), stale: z.boolean() }).strict(),
  z.object({ kind: z.literal('no_fix') }).strict(),
  z.object({ kind: z.literal('on_duty'), onDuty: z.boolean() }).strict(),
  z.object({ kind: z.literal('load'), openAssignments: z.number().int().min(0) }).strict(),
]);

/** A recommended responder (shared/recommend.ts `Recommendation`) with the person it names. */
export const Candidate = z
  .object({
    person: Person,
    rank: z.number().int().min(1),
    distanceM: z.number().min(0).optional(),
    fixAgeS: z.number().min(0).optional(),
    onDuty: z.boolean(),
    openAssignments: z.number().int().min(0),
    responsibleGridIds: z.array(Id),
    reasons: z.array(CandidateReason),
  })
  .strict();
export type Candidate = z.infer<typeof Candidate>;

export const EventDetail = z
  .object({
    row: QueueRow,
    timeline: z.array(TimelineEntry),
    /** reports merged into this event, and the event this one was merged into */
    linked: z.array(EventRecord),
    mergedInto: EventRecord.optional(),
    grids: z.array(Grid),
    candidates: z.array(Candidate),
    /** people named in the timeline and candidates, by id */
    people: z.record(z.string(), Person),
    /** timeline entries that are this console's pending commands, not yet confirmed by the hub */
    pendingEntryIds: z.array(z.string()).optional(),
  })
  .strict();
export type EventDetail = z.infer<typeof EventDetail>;

/* ---------- requests ---------- */

/** A ledger's or the three rates' period as the console asks for it: a kind and a CST date inside it. */
export const LedgerAsk = z.object({ period: LedgerPeriodKind, date: CstDate, townId: Id.optional() }).strict();
export type LedgerAsk = z.infer<typeof LedgerAsk>;

const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ id: z.number().int().min(0), type: z.literal(type), ...shape }).strict();

export const ConsoleRequest = z.discriminatedUnion('type', [
  req('session', {}),
  req('login', { username: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
  req('logout', {}),
  req('queue', { filter: QueueFilter, sort: QueueSort, offset: z.number().int().min(0), limit: z.number().int().min(1).max(500) }),
  req('event', { eventId: Id }),
  /** any command; applied to the cache at once as pending, sent through the outbox */
  req('command', { command: Command }),
  /** accept (if reported) and dispatch to the top candidate, in one step */
  req('dispatchTop', { eventId: Id, assigneeId: Id.optional() }),
  req('reference', {}),
  /** the video wall: cameras with absolute stream URLs and their online state */
  req('cameras', {}),
  /** the video wall's saved layouts (this console's own) */
  req('wallLayouts', {}),
  /** saves a layout under its name, replacing one of the same name */
  req('saveWallLayout', { layout: WallLayoutInput }),
  req('deleteWallLayout', { name: WallLayoutName }),
  /** a snapshot (or other evidence) uploaded to the hub; attach it with a command naming the hash */
  req('uploadEvidence', EvidenceUpload.shape),
  /** video call-back signalling, relayed by the core over its live link to the hub (shared/schema/call.ts) */
  req('call', { signal: CallClientSignal }),
  /** open events with a call-back scheduled, from the cache: the console's reminder */
  req('callbacks', {}),
  /** a person and their last position fix from the cache (a call snapshot's position) */
  req('leaderFix', { personId: Id }),
  /** a call recording, in chunks; the last one uploads the file to the hub as evidence */
  req('uploadRecording', RecordingChunk.shape),
  /** the map: the basemap setting and where the host serves its archive */
  req('mapConfig', {}),
  /** changes the basemap (validated: a local PMTiles file must be a PMTiles v3 archive, an MBTiles file an SQLite file with tiles and a known format) */
  req('setBasemap', { basemap: Basemap }),
  /** every grid's outline, for the map's grid layers */
  req('mapGrids', {}),
  /** field staff with their last fix and status, for the map's people layer */
  req('mapPeople', {}),
  /** open events, or every event of a period and category (heat map), as points */
  req('mapEvents', { query: MapEventsQuery }),
  /** a grid clicked on the map: names, people with phones, open events, this week's patrol */
  req('gridInfo', { gridId: Id }),
  /** a person clicked on the map: status, assignments, the track of the last hours */
  req('personInfo', { personId: Id, hours: z.number().int().min(1).max(72) }),
  /** statistics of a period, asked of the hub (the last answer, marked stale, while it cannot be asked) */
  req('statsOverview', { period: StatsPeriod }),
  req('statsBreakdown', { by: BreakdownDimension, period: StatsPeriod }),
  /** the overdue list (督办), most overdue first */
  req('statsOverdue', { limit: z.number().int().min(1).max(500), townId: Id.optional() }),
  /** the statistics view and the report (issue 9): people's and places' names for ids in the figures, from the cache */
  req('statsNames', { ids: z.array(Id).max(500) }),
  /** the ledger (台账) of grid staff, and the three rates (三率), of a named period containing a CST date */
  req('statsLedger', { query: LedgerAsk }),
  req('statsRates', { query: LedgerAsk }),
  /** the three-day bulletin (三天一通报): every grid ranked by its workers' reports in the three CST days ending on `date` (default yesterday) */
  req('statsBulletin', { query: BulletinQuery }),
  /* the wall screen (指挥中心大屏, issue 9): what it shows, set from a console page, kept in the cache */
  req('wallScreen', {}),
  req('setWallScreen', { patch: WallScreenPatch }),
]);
export type ConsoleRequest = z.infer<typeof ConsoleRequest>;
export type ConsoleRequestType = ConsoleRequest['type'];

export const CoreLink = z.enum(['online', 'reconnecting', 'offline']);
export type CoreLink = z.infer<typeof CoreLink>;

export const SessionInfo = z
  .object({
    principal: Principal.nullable(),
    hubUrl: z.string(),
    link: CoreLink,
    /** when the link entered its current state (ms since the epoch): "offline since hh:mm" */
    linkSince: Timestamp.optional(),
    /** the hub's change sequence the cache has reached, and the hub's head when last heard */
    cursor: z.number().int().min(0),
    head: z.number().int().min(0),
    outbox: z.number().int().min(0),
  })
  .strict();
export type SessionInfo = z.infer<typeof SessionInfo>;

export const ReferenceData = z
  .object({ orgUnits: z.array(OrgUnit), departments: z.array(Department), cameras: z.array(Camera), categories: z.array(z.object({ id: Id, zh: z.string(), en: z.string() }).strict()) })
  .strict();
export type ReferenceData = z.infer<typeof ReferenceData>;

/** What each request answers. */
export interface ConsoleResults {
  session: SessionInfo;
  login: SessionInfo;
  logout: SessionInfo;
  queue: QueuePage;
  event: EventDetail;
  command: { commandId: string; status: 'pending' };
  dispatchTop: { commandIds: string[]; assigneeId: string; status: 'pending' };
  reference: ReferenceData;
  cameras: WallCameras;
  wallLayouts: { layouts: WallLayout[] };
  saveWallLayout: WallLayout;
  deleteWallLayout: { deleted: boolean };
  uploadEvidence: UploadedEvidence;
  call: { sent: true };
  callbacks: { items: CallbackItem[] };
  leaderFix: LeaderFix;
  uploadRecording: RecordingChunkResult;
  mapConfig: MapConfig;
  setBasemap: MapConfig;
  mapGrids: { grids: Grid[] };
  mapPeople: { people: MapPerson[]; now: number };
  mapEvents: { events: MapEventPoint[]; truncated: boolean };
  gridInfo: GridInfo;
  personInfo: PersonInfo;
  statsOverview: StatsAnswer<StatsOverview>;
  statsBreakdown: StatsAnswer<StatsBreakdown>;
  statsOverdue: StatsAnswer<OverdueItem[]>;
  statsNames: { names: Record<string, string> };
  statsLedger: StatsAnswer<Ledger>;
  statsRates: StatsAnswer<Rates>;
  statsBulletin: StatsAnswer<Bulletin>;
  wallScreen: WallScreenState;
  setWallScreen: WallScreenState;
}

export const ConsoleResponse = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }).strict(),
  z.object({ id: z.number().int(), ok: z.literal(false), error: ApiError }).strict(),
]);
export type ConsoleResponse = z.infer<typeof ConsoleResponse>;

/* ---------- notices (core → page, unasked) ---------- */

export const ConsoleNotice = z.discriminatedUnion('type', [
  /** the cache moved: these events changed (re-query the queue and any open detail) */
  z.object({ type: z.literal('changed'), eventIds: z.array(Id), cursor: z.number().int(), head: z.number().int() }).strict(),
  z.object({ type: z.literal('session'), session: SessionInfo }).strict(),
  /** a command from this console got the hub's answer; a rejection was rolled back in the cache */
  z
    .object({
      type: z.literal('settled'),
      commandId: Id,
      eventId: Id,
      commandType: z.string(),
      status: z.enum(['applied', 'rejected']),
      error: ApiError.optional(),
    })
    .strict(),
  /** a new urgent event or an overdue one: sound and highlight */
  z.object({ type: z.literal('alert'), eventId: Id, kind: z.enum(['new_urgent', 'overdue']), at: Timestamp }).strict(),
  /** the camera registry changed (a camera added, moved, gone offline or back): re-ask `cameras` */
  z.object({ type: z.literal('cameras') }).strict(),
  /** events reported in the last minutes reached the cache for the first time (for the wall's alarm linkage) */
  z.object({ type: z.literal('newEvents'), events: z.array(NewEventBrief).max(100) }).strict(),
  /** video call-back signalling from the hub, for the page that placed the call */
  z.object({ type: z.literal('call'), signal: CallServerSignal }).strict(),
  /** the wall screen's state changed (a console chose panels or cameras, or put an event on the wall) */
  z.object({ type: z.literal('wallScreen'), state: WallScreenState }).strict(),
]);
export type ConsoleNotice = z.infer<typeof ConsoleNotice>;

/** Either side's message on the wire. */
export const ConsoleServerMessage = z.union([ConsoleResponse, z.object({ notice: ConsoleNotice }).strict()]);
export type ConsoleServerMessage = z.infer<typeof ConsoleServerMessage>;

/* ---------- the information special report (信息专报) as PDF: page → Electron shell (issue 9) ---------- */

/** What the report page is asked for: a period, a town (or the whole district), the period's name if it has one. */
export const ReportQuery = z.object({ period: StatsPeriod, kind: z.enum(PERIOD_KINDS).optional() }).strict();
export type ReportQuery = z.infer<typeof ReportQuery>;

/** The shell's answer to "print the report as PDF": saved where, or cancelled in the save dialog. */
export const ReportPdfResult = z.union([
  z.object({ saved: z.literal(true), path: z.string() }).strict(),
  z.object({ saved: z.literal(false), reason: z.enum(['cancelled', 'failed']), message: z.string().optional() }).strict(),
]);
export type ReportPdfResult = z.infer<typeof ReportPdfResult>;

/** A spot picked on the map or typed as an address, for taking a phone call. */
export const PlaceInput = z.object({ position: LngLat.optional(), address: Text(500).optional() }).strict();
export type PlaceInput = z.infer<typeof PlaceInput>;
