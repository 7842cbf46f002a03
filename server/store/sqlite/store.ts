import type { BreakdownDimension, BreakdownRow, OverdueItem, StatsOverview } from '../../../shared/schema/stats';
import { SqliteStats } from './stats';
import { SqliteLedgers } from './ledgers';
import type { AwarenessEntry, BulletinRow, ComplianceEntry, LedgerRow, RatesRow, Visit } from '../../../shared/schema/ledgers';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  Attachment,
  Camera,
  Change,
  ChangeDraft,
  CommandResult,
  Department,
  EventRecord,
  Grid,
  OrgUnit,
  Person,
  PositionFix,
  Source,
  TimelineEntry,
} from '../../../shared/schema';
import { isOpenState } from '../../../shared/schema';
import type {
  AppliedCommand,
  CommandEnvelope,
  DeviceRecord,
  EventView,
  HotlineOrderRecord,
  HotlineReplyRecord,
  HubStore,
  ReferenceItem,
  ScopedChange,
  SessionRecord,
  StoredRecord,
  TrackFix,
  UserRecord,
} from '../interface';
import { buildHotlineReply } from '../../../shared/hotline';
import { migrate } from './migrations';

export interface SqliteStoreOptions {
  /** a file path, or ':memory:' for throwaway tests */
  file: string;
  /**
   * FULL makes every commit durable across power loss (an fsync per transaction); the command
   * pipeline batches commands so that one fsync serves many. NORMAL only for benchmarks that say so.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * How long position history is kept (the map's tracks and patrol coverage), measured against the
   * newest fix recorded; older fixes are deleted about once an hour of fix time. Default 30 days.
   */
  trackRetentionMs?: number;
}

/** Position history older than this (behind the newest fix) is deleted. */
export const DEFAULT_TRACK_RETENTION_MS = 30 * 24 * 3_600_000;
const TRACK_PRUNE_EVERY_MS = 3_600_000;

type Row = { data: string };

const trackFix = (r: TrackFix & { accuracy: number | null }): TrackFix =>
  r.accuracy === null ? { personId: r.personId, at: r.at, lng: r.lng, lat: r.lat } : { personId: r.personId, at: r.at, lng: r.lng, lat: r.lat, accuracy: r.accuracy };

/** The SQLite implementation of HubStore (better-sqlite3, WAL, foreign keys on). */
export class SqliteStore implements HubStore {
  readonly db: Database.Database;
  private readonly st;
  private readonly stats: SqliteStats;
  private readonly ledgers: SqliteLedgers;
  private readonly trackRetentionMs: number;
  /** fix time of the last pruning of position history (0: not yet in this process) */
  private trackPrunedAt = 0;

  constructor(opts: SqliteStoreOptions) {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.trackRetentionMs = opts.trackRetentionMs ?? DEFAULT_TRACK_RETENTION_MS;
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.stats = new SqliteStats(this.db);
    this.ledgers = new SqliteLedgers(this.db);
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      insertChange: p('INSERT INTO changes (kind, entity_id, town_id, at, data) VALUES (?, ?, ?, ?, ?)'),
      head: p("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0) AS head"),
      changesAll: p('SELECT seq, data FROM changes WHERE seq > ? ORDER BY seq LIMIT ?'),
      changesTown: p('SELECT seq, data FROM changes WHERE seq > ? AND (town_id IS NULL OR town_id = ?) ORDER BY seq LIMIT ?'),
      getCommand: p('SELECT result FROM commands WHERE command_id = ?'),
      getCommandOrigin: p('SELECT actor_id AS actorId, event_id AS eventId FROM commands WHERE command_id = ?'),
      putCommand: p('INSERT INTO commands (command_id, type, actor_id, event_id, status, at, result) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      getEvent: p('SELECT data FROM events WHERE id = ?'),
      putEvent: p(
        `INSERT INTO events (id, state, is_open, town_id, assignee_id, deadline, supervised_at, updated_at, data,
           category_id, lng, lat, reported_at, reporter_id, merged_into, source,
           tier, community_id, grid_id, accepted_at, closed_at, escalation_target, escalation_departments, satisfaction)
         VALUES (@id, @state, @isOpen, @townId, @assigneeId, @deadline, @supervisedAt, @updatedAt, @data,
           @categoryId, @lng, @lat, @reportedAt, @reporterId, @mergedInto, @source,
           @tier, @communityId, @gridId, @acceptedAt, @closedAt, @escalationTarget, @escalationDepartments, @satisfaction)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, is_open = excluded.is_open, town_id = excluded.town_id,
           assignee_id = excluded.assignee_id, deadline = excluded.deadline, supervised_at = excluded.supervised_at,
           updated_at = excluded.updated_at, data = excluded.data, category_id = excluded.category_id,
           lng = excluded.lng, lat = excluded.lat, reported_at = excluded.reported_at,
           reporter_id = excluded.reporter_id, merged_into = excluded.merged_into, source = excluded.source,
           tier = excluded.tier, community_id = excluded.community_id, grid_id = excluded.grid_id,
           accepted_at = excluded.accepted_at, closed_at = excluded.closed_at, escalation_target = excluded.escalation_target,
           escalation_departments = excluded.escalation_departments, satisfaction = excluded.satisfaction`,
      ),
      gridKind: p('SELECT kind FROM grids WHERE id = ?'),
      putTimeline: p('INSERT INTO timeline (id, event_id, idx, at, data) VALUES (?, ?, ?, ?, ?)'),
      overdue: p('SELECT data FROM events WHERE is_open = 1 AND supervised_at IS NULL AND deadline < ? ORDER BY deadline LIMIT ?'),
      openCounts: p('SELECT assignee_id AS id, COUNT(*) AS n FROM events WHERE is_open = 1 AND assignee_id IS NOT NULL GROUP BY assignee_id'),
      putOrgUnit: p('INSERT INTO org_units (id, level, parent_id, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET level = excluded.level, parent_id = excluded.parent_id, data = excluded.data'),
      putGrid: p('INSERT INTO grids (id, kind, town_id, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, town_id = excluded.town_id, data = excluded.data'),
      putDepartment: p('INSERT INTO departments (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data'),
      putPerson: p('INSERT INTO people (id, role, town_id, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET role = excluded.role, town_id = excluded.town_id, data = excluded.data'),
      putCamera: p('INSERT INTO cameras (id, town_id, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET town_id = excluded.town_id, data = excluded.data'),
      putLatest: p('INSERT INTO positions_latest (person_id, at, data) VALUES (?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET at = excluded.at, data = excluded.data WHERE excluded.at >= positions_latest.at'),
      putTrack: p('INSERT INTO position_track (person_id, at, lng, lat, accuracy) VALUES (?, ?, ?, ?, ?)'),
      trackOf: p('SELECT person_id AS personId, at, lng, lat, accuracy FROM position_track WHERE person_id = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?'),
      pruneTrack: p('DELETE FROM position_track WHERE at < ?'),
      personTown: p('SELECT town_id FROM people WHERE id = ?'),
      listGrids: p('SELECT data FROM grids ORDER BY id'),
      listPeople: p('SELECT data FROM people ORDER BY id'),
      listLatest: p('SELECT data FROM positions_latest ORDER BY person_id'),
      getPerson: p('SELECT data FROM people WHERE id = ?'),
      getOrgUnit: p('SELECT data FROM org_units WHERE id = ?'),
      getDepartment: p('SELECT data FROM departments WHERE id = ?'),
      putAttachment: p('INSERT INTO attachments (hash, mime, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING'),
      getAttachment: p('SELECT hash, mime, size, created_at AS createdAt FROM attachments WHERE hash = ?'),
      putUser: p('INSERT INTO users (username, person_id, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET person_id = excluded.person_id, password_hash = excluded.password_hash'),
      getUser: p('SELECT username, person_id AS personId, password_hash AS passwordHash, created_at AS createdAt FROM users WHERE username = ?'),
      putSession: p('INSERT INTO sessions (token_hash, username, person_id, origin, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
      getSession: p('SELECT token_hash AS tokenHash, username, person_id AS personId, origin, created_at AS createdAt, expires_at AS expiresAt FROM sessions WHERE token_hash = ?'),
      deleteSession: p('DELETE FROM sessions WHERE token_hash = ?'),
      putDevice: p('INSERT INTO devices (id, person_id, label, token_hash, revoked) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id, label = excluded.label, token_hash = excluded.token_hash, revoked = excluded.revoked'),
      getDevice: p('SELECT id, person_id AS personId, label, token_hash AS tokenHash, revoked FROM devices WHERE token_hash = ?'),
      getCamera: p('SELECT data FROM cameras WHERE id = ?'),
      listCameras: p('SELECT data FROM cameras ORDER BY id'),
      assignedOpen: p('SELECT data FROM events WHERE is_open = 1 AND assignee_id = ? ORDER BY updated_at DESC LIMIT ?'),
      reportedBy: p('SELECT data FROM events WHERE reporter_id = ? AND reported_at >= ? ORDER BY reported_at DESC LIMIT ?'),
      nearbyOpen: p(
        `SELECT data FROM events WHERE is_open = 1 AND category_id = ? AND reported_at >= ? AND reported_at <= ?
           AND lng BETWEEN ? AND ? AND lat BETWEEN ? AND ? AND merged_into IS NULL ORDER BY reported_at LIMIT 50`,
      ),
      bySource: p('SELECT data FROM events WHERE source = ? AND reported_at >= ? AND reported_at <= ? ORDER BY reported_at DESC, id LIMIT ?'),
      linkedTo: p('SELECT data FROM events WHERE merged_into = ? ORDER BY reported_at'),
      listOrgUnits: p('SELECT data FROM org_units ORDER BY id'),
      eventTimeline: p('SELECT data FROM timeline WHERE event_id = ? ORDER BY idx'),
      putHotlineOrder: p('INSERT INTO hotline_orders (order_no, event_id, content_hash, received_at, stored_at, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_no) DO NOTHING'),
      getHotlineOrder: p('SELECT order_no AS orderNo, event_id AS eventId, content_hash AS contentHash, received_at AS receivedAt, stored_at AS storedAt, data FROM hotline_orders WHERE order_no = ?'),
      enqueueReply: p('INSERT INTO hotline_replies (order_no, event_id, created_at, data, next_attempt_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_no) DO NOTHING'),
      dueReplies: p('SELECT * FROM hotline_replies WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?'),
      allReplies: p('SELECT * FROM hotline_replies ORDER BY created_at, order_no'),
      replyDelivered: p('UPDATE hotline_replies SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE order_no = ? AND delivered_at IS NULL'),
      replyFailed: p('UPDATE hotline_replies SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE order_no = ? AND delivered_at IS NULL'),
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /* ---- change log ---- */

  private append(draft: ChangeDraft, townId: string | null): ScopedChange {
    const body = JSON.stringify(draft);
    const info = this.st.insertChange.run(draft.kind, draft.id, townId, draft.at, body);
    const change = { ...draft, seq: Number(info.lastInsertRowid) } as Change;
    return { change, townId };
  }

  async head(): Promise<number> {
    return (this.st.head.get() as { head: number }).head;
  }

  async changesSince(after: number, limit: number, townId?: string): Promise<Change[]> {
    const rows = (townId === undefined
      ? this.st.changesAll.all(after, limit)
      : this.st.changesTown.all(after, townId, limit)) as { seq: number; data: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.data) as ChangeDraft), seq: r.seq }) as Change);
  }

  /* ---- commands ---- */

  async getCommandResult(commandId: string): Promise<CommandResult | undefined> {
    const row = this.st.getCommand.get(commandId) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as CommandResult) : undefined;
  }

  async getCommandOrigin(commandId: string): Promise<{ actorId: string; eventId: string | null } | undefined> {
    return this.st.getCommandOrigin.get(commandId) as { actorId: string; eventId: string | null } | undefined;
  }

  async applyCommands(batch: readonly CommandEnvelope[]): Promise<AppliedCommand[]> {
    return this.db.transaction(() => batch.map((env) => this.applyOne(env)))();
  }

  private applyOne(env: CommandEnvelope): AppliedCommand {
    const { command, actor } = env;
    const prior = this.st.getCommand.get(command.commandId) as { result: string } | undefined;
    if (prior) return { result: JSON.parse(prior.result) as CommandResult, written: [], replay: true };

    const event = this.readEvent(command.eventId);
    const decision = env.decide(event, this.view);
    const at = decision.ok ? decision.entry.at : Date.now();
    let result: CommandResult;
    let written: ScopedChange[] = [];
    if (decision.ok) {
      written = [
        ...this.writeDecided(decision.event, decision.entry, event),
        ...(decision.related ? this.writeDecided(decision.related.event, decision.related.entry, this.readEvent(decision.related.event.id)) : []),
      ];
      result = { status: 'applied', commandId: command.commandId, changes: written.map((w) => w.change) };
    } else {
      const error = decision.field === undefined
        ? { code: decision.code, message: decision.message }
        : { code: decision.code, message: decision.message, field: decision.field };
      result = { status: 'rejected', commandId: command.commandId, error };
    }
    this.st.putCommand.run(command.commandId, command.type, actor.id, command.eventId, result.status, at, JSON.stringify(result));
    return { result, written, replay: false };
  }

  /** Writes one decided event and its new timeline entry, and appends both to the change log. */
  private writeDecided(e: EventRecord, entry: TimelineEntry, before: EventRecord | undefined): ScopedChange[] {
    this.writeEvent(e);
    this.st.putTimeline.run(entry.id, entry.eventId, entry.index, entry.at, JSON.stringify(entry));
    if (e.state === 'closed' && e.hotline !== undefined && before?.state !== 'closed') this.enqueueHotlineReply(e, entry.at);
    const town = e.townId ?? null;
    return [
      this.append({ kind: 'event', id: e.id, at: e.updatedAt, data: e }, town),
      this.append({ kind: 'timeline', id: entry.id, at: entry.at, data: entry }, town),
    ];
  }

  private readonly view: EventView = {
    get: (id) => this.readEvent(id),
    openNear: (categoryId, b) =>
      (this.st.nearbyOpen.all(categoryId, b.from, b.to, b.west, b.east, b.south, b.north) as Row[]).map((r) => JSON.parse(r.data) as EventRecord),
  };

  /** In the closing transaction: one reply per order number, never a second (ON CONFLICT DO NOTHING). */
  private enqueueHotlineReply(e: EventRecord, at: number): void {
    const timeline = (this.st.eventTimeline.all(e.id) as Row[]).map((r) => JSON.parse(r.data) as TimelineEntry);
    const assignee = e.assigneeId === undefined ? undefined : parseRow<Person>(this.st.getPerson.get(e.assigneeId));
    const reply = buildHotlineReply(e, timeline, assignee?.name, at);
    this.st.enqueueReply.run(reply.orderNo, e.id, at, JSON.stringify(reply), at);
  }

  private readEvent(id: string): EventRecord | undefined {
    const row = this.st.getEvent.get(id) as Row | undefined;
    return row ? (JSON.parse(row.data) as EventRecord) : undefined;
  }

  private writeEvent(e: EventRecord): void {
    this.st.putEvent.run({
      id: e.id,
      state: e.state,
      isOpen: isOpenState(e.state) ? 1 : 0,
      townId: e.townId ?? null,
      assigneeId: e.assigneeId ?? null,
      deadline: e.deadline ?? null,
      supervisedAt: e.supervisedAt ?? null,
      updatedAt: e.updatedAt,
      data: JSON.stringify(e),
      categoryId: e.categoryId,
      lng: e.position.lng,
      lat: e.position.lat,
      reportedAt: e.reportedAt,
      reporterId: e.reporterId ?? null,
      mergedInto: e.mergedInto ?? null,
      source: e.source,
      tier: e.tier,
      communityId: e.communityId ?? null,
      gridId: this.homeGrid(e.gridIds),
      acceptedAt: e.acceptedAt ?? null,
      closedAt: e.closedAt ?? null,
      escalationTarget: e.escalation?.target ?? null,
      escalationDepartments: e.escalation?.departmentIds ? JSON.stringify(e.escalation.departmentIds) : null,
      satisfaction: e.satisfaction ?? null,
    });
  }

  /** The comprehensive grid among an event's grids (statistics count an event there), else the first. */
  private homeGrid(gridIds: readonly string[]): string | null {
    if (gridIds.length <= 1) return gridIds[0] ?? null;
    return gridIds.find((id) => (this.st.gridKind.get(id) as { kind: string } | undefined)?.kind === 'comprehensive') ?? gridIds[0]!;
  }

  /* ---- reference data ---- */

  async upsertReference(items: readonly ReferenceItem[]): Promise<ScopedChange[]> {
    const now = Date.now();
    return this.db.transaction(() =>
      items.map((item): ScopedChange => {
        const body = JSON.stringify(item.data);
        switch (item.kind) {
          case 'org_unit': {
            const d = item.data;
            this.st.putOrgUnit.run(d.id, d.level, d.parentId, body);
            const town = d.level === 'subcenter' ? d.id : null;
            return this.append({ kind: 'org_unit', id: d.id, at: now, data: d }, town);
          }
          case 'grid': {
            const d = item.data;
            this.st.putGrid.run(d.id, d.kind, d.townId, body);
            return this.append({ kind: 'grid', id: d.id, at: now, data: d }, d.townId);
          }
          case 'department': {
            const d = item.data;
            this.st.putDepartment.run(d.id, body);
            return this.append({ kind: 'department', id: d.id, at: now, data: d }, null);
          }
          case 'person': {
            const d = item.data;
            this.st.putPerson.run(d.id, d.role, d.townId ?? null, body);
            return this.append({ kind: 'person', id: d.id, at: now, data: d }, d.townId ?? null);
          }
          case 'camera': {
            const d = item.data;
            this.st.putCamera.run(d.id, d.townId ?? null, body);
            return this.append({ kind: 'camera', id: d.id, at: now, data: d }, d.townId ?? null);
          }
        }
      }),
    )();
  }

  async recordPositions(fixes: readonly PositionFix[]): Promise<ScopedChange[]> {
    const out = this.db.transaction(() =>
      fixes.map((f) => {
        const town = (this.st.personTown.get(f.personId) as { town_id: string | null } | undefined)?.town_id ?? null;
        this.st.putLatest.run(f.personId, f.at, JSON.stringify(f));
        this.st.putTrack.run(f.personId, f.at, f.position.lng, f.position.lat, f.accuracy ?? null);
        return this.append({ kind: 'position', id: f.personId, at: f.at, data: f }, town);
      }),
    )();
    this.pruneTrack(fixes);
    return out;
  }

  /** Keeps position history bounded: about once an hour of fix time, drops what is past retention. */
  private pruneTrack(fixes: readonly PositionFix[]): void {
    let newest = 0;
    for (const f of fixes) if (f.at > newest) newest = f.at;
    if (newest - this.trackPrunedAt < TRACK_PRUNE_EVERY_MS) return;
    this.trackPrunedAt = newest;
    // the ledgers keep each day's duty and patrol beyond the history: rolled up before it goes
    this.ledgers.rollUpBefore(newest - this.trackRetentionMs, newest);
    this.st.pruneTrack.run(newest - this.trackRetentionMs);
  }

  async positionTrack(personId: string, from: number, to: number, limit: number): Promise<TrackFix[]> {
    return (this.st.trackOf.all(personId, from, to, limit) as (TrackFix & { accuracy: number | null })[]).map(trackFix);
  }

  async positionsInBox(personIds: readonly string[], box: { west: number; south: number; east: number; north: number }, from: number, to: number): Promise<TrackFix[]> {
    if (personIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT person_id AS personId, at, lng, lat, accuracy FROM position_track
         WHERE person_id IN (SELECT value FROM json_each(?)) AND at >= ? AND at < ? AND lng BETWEEN ? AND ? AND lat BETWEEN ? AND ?
         ORDER BY at LIMIT 200000`,
      )
      .all(JSON.stringify(personIds), from, to, box.west, box.east, box.south, box.north) as (TrackFix & { accuracy: number | null })[];
    return rows.map(trackFix);
  }

  async listGrids(): Promise<Grid[]> {
    return (this.st.listGrids.all() as Row[]).map((r) => JSON.parse(r.data) as Grid);
  }
  async listPeople(): Promise<Person[]> {
    return (this.st.listPeople.all() as Row[]).map((r) => JSON.parse(r.data) as Person);
  }
  async listLatestPositions(): Promise<PositionFix[]> {
    return (this.st.listLatest.all() as Row[]).map((r) => JSON.parse(r.data) as PositionFix);
  }
  async getPerson(id: string): Promise<Person | undefined> {
    return parseRow<Person>(this.st.getPerson.get(id));
  }
  async getOrgUnit(id: string): Promise<OrgUnit | undefined> {
    return parseRow<OrgUnit>(this.st.getOrgUnit.get(id));
  }
  async getDepartment(id: string): Promise<Department | undefined> {
    return parseRow<Department>(this.st.getDepartment.get(id));
  }

  async getCamera(id: string): Promise<Camera | undefined> {
    return parseRow<Camera>(this.st.getCamera.get(id));
  }
  async listCameras(): Promise<Camera[]> {
    return (this.st.listCameras.all() as Row[]).map((r) => JSON.parse(r.data) as Camera);
  }

  async listOrgUnits(): Promise<OrgUnit[]> {
    return (this.st.listOrgUnits.all() as Row[]).map((r) => JSON.parse(r.data) as OrgUnit);
  }

  /* ---- the 12345 hotline ---- */

  async putHotlineOrder(o: HotlineOrderRecord): Promise<HotlineOrderRecord> {
    this.st.putHotlineOrder.run(o.orderNo, o.eventId, o.contentHash, o.receivedAt, o.storedAt, o.data);
    return this.st.getHotlineOrder.get(o.orderNo) as HotlineOrderRecord;
  }
  async getHotlineOrder(orderNo: string): Promise<HotlineOrderRecord | undefined> {
    return (this.st.getHotlineOrder.get(orderNo) as HotlineOrderRecord | undefined) ?? undefined;
  }
  async dueHotlineReplies(now: number, limit: number): Promise<HotlineReplyRecord[]> {
    return (this.st.dueReplies.all(now, limit) as ReplyRow[]).map(replyRecord);
  }
  async listHotlineReplies(): Promise<HotlineReplyRecord[]> {
    return (this.st.allReplies.all() as ReplyRow[]).map(replyRecord);
  }
  async markHotlineReplyDelivered(orderNo: string, at: number): Promise<void> {
    this.st.replyDelivered.run(at, orderNo);
  }
  async markHotlineReplyFailed(orderNo: string, attempts: number, nextAttemptAt: number, error: string): Promise<void> {
    this.st.replyFailed.run(attempts, nextAttemptAt, error, orderNo);
  }

  /* ---- events ---- */

  async getEvent(id: string): Promise<EventRecord | undefined> {
    return this.readEvent(id);
  }
  async openEventsAssignedTo(personId: string, limit: number): Promise<EventRecord[]> {
    return (this.st.assignedOpen.all(personId, limit) as Row[]).map((r) => JSON.parse(r.data) as EventRecord);
  }
  async eventsReportedBy(personId: string, since: number, limit: number): Promise<EventRecord[]> {
    return (this.st.reportedBy.all(personId, since, limit) as Row[]).map((r) => JSON.parse(r.data) as EventRecord);
  }
  async eventsBySource(source: Source, from: number, to: number, limit: number): Promise<EventRecord[]> {
    return (this.st.bySource.all(source, from, to, limit) as Row[]).map((r) => JSON.parse(r.data) as EventRecord);
  }
  async linkedReports(eventId: string): Promise<EventRecord[]> {
    return (this.st.linkedTo.all(eventId) as Row[]).map((r) => JSON.parse(r.data) as EventRecord);
  }
  async statsOverview(from: number, to: number, townId: string | undefined, now: number): Promise<StatsOverview> {
    return this.stats.overview(from, to, townId, now);
  }
  async statsBreakdown(by: BreakdownDimension, from: number, to: number, townId: string | undefined, now: number): Promise<BreakdownRow[]> {
    return this.stats.breakdown(by, from, to, townId, now);
  }
  async overdueList(townId: string | undefined, now: number, limit: number): Promise<OverdueItem[]> {
    return this.stats.overdueList(townId, now, limit);
  }

  /* ---- oversight ---- */

  async putVisit(visit: Visit, contentHash: string): Promise<StoredRecord<Visit>> {
    return this.ledgers.putVisit(visit, contentHash);
  }
  async listVisits(from: number, to: number, townId: string | undefined, personId: string | undefined, limit: number): Promise<Visit[]> {
    return this.ledgers.listVisits(from, to, townId, personId, limit);
  }
  async putComplianceEntry(entry: ComplianceEntry, dayStart: number, contentHash: string): Promise<StoredRecord<ComplianceEntry>> {
    return this.ledgers.putCompliance(entry, dayStart, contentHash);
  }
  async listComplianceEntries(from: number, to: number, townId: string | undefined): Promise<ComplianceEntry[]> {
    return this.ledgers.listCompliance(from, to, townId);
  }
  async putAwarenessEntry(entry: AwarenessEntry, dayStart: number, contentHash: string): Promise<StoredRecord<AwarenessEntry>> {
    return this.ledgers.putAwareness(entry, dayStart, contentHash);
  }
  async listAwarenessEntries(from: number, to: number, townId: string | undefined): Promise<AwarenessEntry[]> {
    return this.ledgers.listAwareness(from, to, townId);
  }
  async ledger(from: number, to: number, townId: string | undefined, now: number): Promise<LedgerRow[]> {
    return this.ledgers.ledger(from, to, townId, now);
  }
  async bulletin(from: number, to: number, townId: string | undefined): Promise<BulletinRow[]> {
    return this.ledgers.bulletin(from, to, townId);
  }
  async rates(from: number, to: number, townId: string | undefined): Promise<{ total: RatesRow; towns: RatesRow[] }> {
    return this.ledgers.rates(from, to, townId);
  }
  async rollUpPatrolDays(now: number, max: number): Promise<number> {
    return this.ledgers.rollUpSettled(now, max, () => new Promise((resolve) => setImmediate(resolve)));
  }

  async overdueEvents(now: number, limit: number): Promise<EventRecord[]> {
    return (this.st.overdue.all(now, limit) as Row[]).map((r) => JSON.parse(r.data) as EventRecord);
  }
  async openAssignmentCounts(): Promise<Map<string, number>> {
    const rows = this.st.openCounts.all() as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }
  async countRows(): Promise<Record<string, number>> {
    const tables = ['changes', 'events', 'timeline', 'commands', 'attachments', 'people', 'grids', 'positions_latest', 'position_track', 'hotline_orders', 'hotline_replies'];
    return Object.fromEntries(
      tables.map((t) => [t, (this.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
    );
  }

  /* ---- attachments ---- */

  async putAttachment(meta: Attachment): Promise<void> {
    this.st.putAttachment.run(meta.hash, meta.mime, meta.size, meta.createdAt);
  }
  async getAttachment(hash: string): Promise<Attachment | undefined> {
    return (this.st.getAttachment.get(hash) as Attachment | undefined) ?? undefined;
  }

  /* ---- auth ---- */

  async putUser(u: UserRecord): Promise<void> {
    this.st.putUser.run(u.username, u.personId, u.passwordHash, u.createdAt);
  }
  async getUser(username: string): Promise<UserRecord | undefined> {
    return this.st.getUser.get(username) as UserRecord | undefined;
  }
  async putSession(s: SessionRecord): Promise<void> {
    this.st.putSession.run(s.tokenHash, s.username, s.personId, s.origin, s.createdAt, s.expiresAt);
  }
  async getSession(tokenHash: string): Promise<SessionRecord | undefined> {
    return this.st.getSession.get(tokenHash) as SessionRecord | undefined;
  }
  async deleteSession(tokenHash: string): Promise<void> {
    this.st.deleteSession.run(tokenHash);
  }
  async putDevice(d: DeviceRecord): Promise<void> {
    this.st.putDevice.run(d.id, d.personId, d.label, d.tokenHash, d.revoked ? 1 : 0);
  }
  async putDevices(devices: readonly DeviceRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const d of devices) this.st.putDevice.run(d.id, d.personId, d.label, d.tokenHash, d.revoked ? 1 : 0);
    })();
  }
  async getDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined> {
    const row = this.st.getDevice.get(tokenHash) as (Omit<DeviceRecord, 'revoked'> & { revoked: number }) | undefined;
    return row ? { ...row, revoked: row.revoked === 1 } : undefined;
  }

  /* ---- settings ---- */

  async getMeta(key: string): Promise<string | undefined> {
    return (this.st.getMeta.get(key) as { value: string } | undefined)?.value;
  }
  async setMeta(key: string, value: string): Promise<void> {
    this.st.setMeta.run(key, value);
  }
}

interface ReplyRow {
  order_no: string;
  event_id: string;
  created_at: number;
  data: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

function replyRecord(r: ReplyRow): HotlineReplyRecord {
  return {
    orderNo: r.order_no,
    eventId: r.event_id,
    createdAt: r.created_at,
    reply: JSON.parse(r.data) as HotlineReplyRecord['reply'],
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.delivered_at !== null ? { deliveredAt: r.delivered_at } : {}),
  };
}

function parseRow<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as Row).data) as T) : undefined;
}
