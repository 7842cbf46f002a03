import type {
  Attachment,
  Camera,
  Change,
  ChangeDraft,
  Command,
  CommandResult,
  Department,
  EventRecord,
  Grid,
  HotlineReply,
  OrgUnit,
  Person,
  PositionFix,
  Source,
} from '../../shared/schema';
import type { Actor, Decision } from '../../shared/workflow';
import type { BreakdownDimension, BreakdownRow, OverdueItem, StatsOverview } from '../../shared/schema/stats';
import type { AwarenessEntry, BulletinRow, ComplianceEntry, LedgerRow, RatesRow, Visit } from '../../shared/schema/ledgers';

/**
 * The hub's store: the contract every implementation keeps (SQLite now, PostgreSQL when a city
 * outgrows one machine). Methods are async so a networked database fits the same shape; the SQLite
 * implementation answers synchronously underneath.
 *
 * Invariants every implementation keeps:
 * - every write appends its changes to the change log with a strictly increasing sequence number,
 *   in the same transaction as the write;
 * - a command id is applied at most once; its first result is kept and returned for any replay;
 * - timeline entries are appended only, never updated or deleted;
 * - a batch returns only after it is durable.
 */
export interface HubStore {
  close(): Promise<void>;

  /* ---- commands ---- */
  /** Applies a batch of commands in one durable transaction, in order; see CommandEnvelope. */
  applyCommands(batch: readonly CommandEnvelope[]): Promise<AppliedCommand[]>;
  getCommandResult(commandId: string): Promise<CommandResult | undefined>;
  /** who sent a command and the event it named (null for commands on no event) */
  getCommandOrigin(commandId: string): Promise<{ actorId: string; eventId: string | null } | undefined>;

  /* ---- change feed ---- */
  head(): Promise<number>;
  /** Changes after `after`, oldest first; a town-scoped reader gets its town's and district-wide ones. */
  changesSince(after: number, limit: number, townId?: string): Promise<Change[]>;

  /* ---- reference data (org units, grids, people, departments, cameras) ---- */
  upsertReference(items: readonly ReferenceItem[]): Promise<ScopedChange[]>;
  recordPositions(fixes: readonly PositionFix[]): Promise<ScopedChange[]>;
  listGrids(): Promise<Grid[]>;
  listPeople(): Promise<Person[]>;
  listLatestPositions(): Promise<PositionFix[]>;
  /** A person's fixes in [from, to), oldest first, at most `limit` (the map's track) */
  positionTrack(personId: string, from: number, to: number, limit: number): Promise<TrackFix[]>;
  /** Fixes of these people in [from, to) inside a lng/lat box (a grid's patrol coverage) */
  positionsInBox(personIds: readonly string[], box: { west: number; south: number; east: number; north: number }, from: number, to: number): Promise<TrackFix[]>;
  getPerson(id: string): Promise<Person | undefined>;
  getOrgUnit(id: string): Promise<OrgUnit | undefined>;
  getDepartment(id: string): Promise<Department | undefined>;
  listOrgUnits(): Promise<OrgUnit[]>;
  getCamera(id: string): Promise<Camera | undefined>;
  listCameras(): Promise<Camera[]>;

  /* ---- events ---- */
  getEvent(id: string): Promise<EventRecord | undefined>;
  /** Open events assigned to a person, most recently changed first (a leader's field page). */
  openEventsAssignedTo(personId: string, limit: number): Promise<EventRecord[]>;
  /** Events a person reported since a time, newest first. */
  eventsReportedBy(personId: string, since: number, limit: number): Promise<EventRecord[]>;
  /** Events from one source reported between two times, newest first (Open311's request list). */
  eventsBySource(source: Source, from: number, to: number, limit: number): Promise<EventRecord[]>;
  /** The reports merged into an event as duplicates, oldest first. */
  linkedReports(eventId: string): Promise<EventRecord[]>;
  /** Open events past their deadline that are not yet supervised. */
  overdueEvents(now: number, limit: number): Promise<EventRecord[]>;
  /** Open assignments per person, for recommendation load. */
  openAssignmentCounts(): Promise<Map<string, number>>;
  countRows(): Promise<Record<string, number>>;

  /* ---- statistics (shared/stats.ts defines each figure; `townId` undefined: the whole district) ---- */
  statsOverview(from: number, to: number, townId: string | undefined, now: number): Promise<StatsOverview>;
  statsBreakdown(by: BreakdownDimension, from: number, to: number, townId: string | undefined, now: number): Promise<BreakdownRow[]>;
  /** Open events past their deadline, most overdue first (the 督办 list). */
  overdueList(townId: string | undefined, now: number, limit: number): Promise<OverdueItem[]>;

  /* ---- oversight: ledgers, bulletin, three rates (server/store/sqlite/ledgers.ts; periods whole CST days) ---- */
  /** Keeps a record unless its id is taken; answers what is stored under the id, with its content hash. */
  putVisit(visit: Visit, contentHash: string): Promise<StoredRecord<Visit>>;
  listVisits(from: number, to: number, townId: string | undefined, personId: string | undefined, limit: number): Promise<Visit[]>;
  putComplianceEntry(entry: ComplianceEntry, dayStart: number, contentHash: string): Promise<StoredRecord<ComplianceEntry>>;
  listComplianceEntries(from: number, to: number, townId: string | undefined): Promise<ComplianceEntry[]>;
  putAwarenessEntry(entry: AwarenessEntry, dayStart: number, contentHash: string): Promise<StoredRecord<AwarenessEntry>>;
  listAwarenessEntries(from: number, to: number, townId: string | undefined): Promise<AwarenessEntry[]>;
  ledger(from: number, to: number, townId: string | undefined, now: number): Promise<LedgerRow[]>;
  bulletin(from: number, to: number, townId: string | undefined): Promise<BulletinRow[]>;
  rates(from: number, to: number, townId: string | undefined): Promise<{ total: RatesRow; towns: RatesRow[] }>;
  /** Rolls up at most `max` settled CST days of position history into the ledgers' daily patrol, yielding as it goes; answers how many. */
  rollUpPatrolDays(now: number, max: number): Promise<number>;

  /* ---- attachments (metadata; the bytes live in files named by hash) ---- */
  putAttachment(meta: Attachment): Promise<void>;
  getAttachment(hash: string): Promise<Attachment | undefined>;

  /* ---- auth ---- */
  putUser(user: UserRecord): Promise<void>;
  getUser(username: string): Promise<UserRecord | undefined>;
  putSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  putDevice(device: DeviceRecord): Promise<void>;
  /** Many devices in one transaction (provisioning a district's phones). */
  putDevices(devices: readonly DeviceRecord[]): Promise<void>;
  getDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined>;

  /* ---- the 12345 hotline ---- */
  /**
   * Keeps a work order unless its number is already stored; answers what is stored under that
   * number (the given order, or the earlier one), so the caller can tell a repeat from a reuse.
   */
  putHotlineOrder(order: HotlineOrderRecord): Promise<HotlineOrderRecord>;
  getHotlineOrder(orderNo: string): Promise<HotlineOrderRecord | undefined>;
  /**
   * Replies not yet delivered whose next attempt is due. A reply is enqueued by applyCommands, in
   * the transaction that closes a hotline event, at most once per order number.
   */
  dueHotlineReplies(now: number, limit: number): Promise<HotlineReplyRecord[]>;
  listHotlineReplies(): Promise<HotlineReplyRecord[]>;
  markHotlineReplyDelivered(orderNo: string, at: number): Promise<void>;
  markHotlineReplyFailed(orderNo: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;

  /* ---- settings ---- */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/**
 * One command with everything decided outside the transaction. `decide` is the shared workflow,
 * closed over the context the hub resolved (place, assignee); the store calls it with the event as
 * it stands inside the transaction.
 */
export interface CommandEnvelope {
  command: Command;
  actor: Actor;
  decide: (event: EventRecord | undefined, view: EventView) => Decision;
}

/** What `decide` may read inside the transaction besides the command's own event. */
export interface EventView {
  get(id: string): EventRecord | undefined;
  /** open events of a category reported in a lng/lat box and time range (duplicate candidates) */
  openNear(categoryId: string, box: { west: number; south: number; east: number; north: number; from: number; to: number }): EventRecord[];
}

/** A change together with the town it belongs to (null: district-wide), for scoped fan-out. */
export interface ScopedChange {
  change: Change;
  townId: string | null;
}

export interface AppliedCommand {
  result: CommandResult;
  /** the changes this call wrote; empty for a rejection or a replay */
  written: ScopedChange[];
  replay: boolean;
}

export type ReferenceItem =
  | { kind: 'org_unit'; data: OrgUnit }
  | { kind: 'grid'; data: Grid }
  | { kind: 'department'; data: Department }
  | { kind: 'person'; data: Person }
  | { kind: 'camera'; data: Camera };

export interface UserRecord {
  username: string;
  personId: string;
  passwordHash: string;
  createdAt: number;
}

export interface SessionRecord {
  tokenHash: string;
  username: string;
  personId: string;
  origin: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface DeviceRecord {
  id: string;
  personId: string;
  label: string;
  tokenHash: string;
  revoked: boolean;
}

export interface HotlineOrderRecord {
  orderNo: string;
  eventId: string;
  contentHash: string;
  receivedAt: number;
  storedAt: number;
  /** the order as received (validated), JSON */
  data: string;
}

export interface HotlineReplyRecord {
  orderNo: string;
  eventId: string;
  createdAt: number;
  reply: HotlineReply;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  deliveredAt?: number;
}

/** One stored position fix of a person's history. */
export interface TrackFix {
  personId: string;
  at: number;
  lng: number;
  lat: number;
  accuracy?: number;
}

/** A record kept by a client-made id, and the hash of its content (a retry vs. a reused id). */
export interface StoredRecord<T> {
  record: T;
  hash: string;
  /** false: the id was taken before this call (a retry, or a reuse when the hash differs) */
  inserted: boolean;
}

export type { ChangeDraft };
