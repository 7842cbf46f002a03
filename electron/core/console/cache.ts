/**
 * The console's local cache: the district's reference data and events, fed by the hub's change
 * feed, queried by the UI without touching the network. better-sqlite3, its own file, WAL.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  isOpenState,
  type Camera,
  type Change,
  type Department,
  type EventRecord,
  type Grid,
  type OrgUnit,
  type Person,
  type PositionFix,
  type QueueFilter,
  type QueuePage,
  type QueueRow,
  type QueueSort,
  type TimelineEntry,
} from '../../../shared/schema';
import { DEFAULT_TAXONOMY, Taxonomy } from '../../../shared/taxonomy';
import { migrate } from './migrations/index';
import { SearchIndex, type SearchHits } from './search-index';

const TIER_RANK = { general: 0, escalated: 1, special: 2 } as const;

/**
 * Up to this many search hits go to SQLite as a list of rowids (looked up, sorted, counted: ~7 ms
 * for 6,000); more than that and the queue order's index is walked with a membership test instead,
 * which stops after a page when hits are dense.
 */
export const LISTED_HITS = 15_000;

/**
 * Lays this console's pending commands over the hub's record of an event (null: the hub has none
 * yet). Set by the outbox, which owns the workflow; the cache calls it whenever the hub's record of
 * an event with pending commands changes, so the operator keeps seeing what they asked for.
 */
export type Overlay = (eventId: string, confirmed: EventRecord | null) => EventRecord | null;

export interface AppliedChanges {
  /** events whose row changed (event or timeline changes) */
  eventIds: string[];
  /** reference data (org units, grids, people, cameras, departments) changed */
  reference: boolean;
  positions: boolean;
  /** newly seen events: for the "new urgent" alert */
  newEvents: EventRecord[];
}

export interface CacheOptions {
  /** `:memory:` for tests */
  file: string;
  /** the outbox relies on this for "never lose a command": FULL unless a test says otherwise */
  synchronous?: 'FULL' | 'NORMAL';
  /** better-sqlite3's addon built for Electron's ABI, when running inside Electron (ARCHITECTURE.md) */
  nativeBinding?: string;
  /** search hits handed to SQLite as a list, above which the index walk takes over (default LISTED_HITS) */
  listedHits?: number;
}

interface EventRow {
  id: string;
  seq: number;
  confirmed: string | null;
  data: string;
}

const parse = <T>(s: string): T => JSON.parse(s) as T;

function searchText(e: EventRecord): string {
  return [e.id, e.description, e.address, e.hotline?.orderNo, e.hotline?.callerName, e.hotline?.address, e.reporterContact?.name]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .join('\n')
    .toLowerCase();
}

export class ConsoleCache {
  readonly db: Database.Database;
  private overlay: Overlay | undefined;
  /** bumped whenever reference data changes: the name maps and the recommender rebuild on it */
  private refVersion = 0;
  private names: { version: number; org: Map<string, OrgUnit>; grid: Map<string, Grid>; person: Map<string, Person> } | undefined;
  private readonly st;
  /** the search text in memory (search-index.ts); undefined until the first search, or after a failed write */
  private search: SearchIndex | undefined;
  /** the hits the `search_hit(rowid)` SQL function answers for, during one queue query */
  private activeHits: SearchHits | undefined;
  private readonly listedHits: number;

  constructor(opts: CacheOptions) {
    if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.listedHits = opts.listedHits ?? LISTED_HITS;
    const db = this.db;
    db.function('search_hit', { deterministic: false }, (rowid) => (this.activeHits?.has(Number(rowid)) ? 1 : 0));
    this.st = {
      metaGet: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      metaSet: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      metaDelete: db.prepare('DELETE FROM meta WHERE key = ?'),
      orgUnit: db.prepare(
        'INSERT INTO org_units (id, seq, level, parent_id, data) VALUES (@id, @seq, @level, @parent, @data) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, level = excluded.level, parent_id = excluded.parent_id, data = excluded.data WHERE excluded.seq > org_units.seq',
      ),
      department: db.prepare(
        'INSERT INTO departments (id, seq, data) VALUES (@id, @seq, @data) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, data = excluded.data WHERE excluded.seq > departments.seq',
      ),
      grid: db.prepare(
        'INSERT INTO grids (id, seq, kind, town_id, data) VALUES (@id, @seq, @kind, @town, @data) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, town_id = excluded.town_id, data = excluded.data WHERE excluded.seq > grids.seq',
      ),
      person: db.prepare(
        'INSERT INTO people (id, seq, role, town_id, data) VALUES (@id, @seq, @role, @town, @data) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, role = excluded.role, town_id = excluded.town_id, data = excluded.data WHERE excluded.seq > people.seq',
      ),
      camera: db.prepare(
        'INSERT INTO cameras (id, seq, town_id, data) VALUES (@id, @seq, @town, @data) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, town_id = excluded.town_id, data = excluded.data WHERE excluded.seq > cameras.seq',
      ),
      // a newer fix only: the feed may carry an older one after a newer one from a command answer
      position: db.prepare(
        'INSERT INTO positions (person_id, seq, at, data) VALUES (@id, @seq, @at, @data) ON CONFLICT (person_id) DO UPDATE SET seq = excluded.seq, at = excluded.at, data = excluded.data WHERE excluded.seq > positions.seq AND excluded.at >= positions.at',
      ),
      timeline: db.prepare('INSERT OR IGNORE INTO timeline (id, event_id, idx, seq, data) VALUES (@id, @eventId, @idx, @seq, @data)'),
      eventRow: db.prepare<[string], EventRow>('SELECT e.id, e.seq, r.confirmed, r.data FROM events e JOIN event_records r ON r.id = e.id WHERE e.id = ?'),
      eventData: db.prepare<[string], { data: string }>('SELECT data FROM event_records WHERE id = ?'),
      eventPut: db.prepare(
        `INSERT INTO events (id, seq, state, is_open, tier_rank, source, town_id, community_id, category_id, assignee_id, reported_at, deadline, merged_into)
         VALUES (@id, @seq, @state, @isOpen, @tierRank, @source, @town, @community, @category, @assignee, @reportedAt, @deadline, @mergedInto)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state,
           is_open = excluded.is_open, tier_rank = excluded.tier_rank, source = excluded.source, town_id = excluded.town_id,
           community_id = excluded.community_id, category_id = excluded.category_id, assignee_id = excluded.assignee_id,
           reported_at = excluded.reported_at, deadline = excluded.deadline, merged_into = excluded.merged_into
         RETURNING rowid`,
      ).pluck(),
      recordPut: db.prepare(
        'INSERT INTO event_records (id, confirmed, data) VALUES (@id, @confirmed, @data) ON CONFLICT (id) DO UPDATE SET confirmed = excluded.confirmed, data = excluded.data',
      ),
      searchPut: db.prepare('INSERT INTO event_search (id, text) VALUES (@id, @search) ON CONFLICT (id) DO UPDATE SET text = excluded.text'),
      eventDelete: db.prepare('DELETE FROM events WHERE id = ? RETURNING rowid').pluck(),
      recordDelete: db.prepare('DELETE FROM event_records WHERE id = ?'),
      searchDelete: db.prepare('DELETE FROM event_search WHERE id = ?'),
      hasPending: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM outbox WHERE event_id = ? AND status = 'pending' LIMIT 1"),
      pendingEventIds: db.prepare<[], { event_id: string }>("SELECT DISTINCT event_id FROM outbox WHERE status = 'pending'"),
      timelineOf: db.prepare<[string], { data: string }>('SELECT data FROM timeline WHERE event_id = ? ORDER BY idx, seq'),
      linkedOf: db.prepare<[string], { data: string }>(
        'SELECT r.data FROM events e JOIN event_records r ON r.id = e.id WHERE e.merged_into = ? ORDER BY e.reported_at',
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  /* ---------- meta ---------- */

  getMeta(key: string): string | undefined {
    return this.st.metaGet.get(key)?.value;
  }
  setMeta(key: string, value: string): void {
    this.st.metaSet.run(key, value);
  }
  deleteMeta(key: string): void {
    this.st.metaDelete.run(key);
  }

  /** The hub sequence the cache has applied through. */
  get cursor(): number {
    return Number(this.getMeta('cursor') ?? 0);
  }

  /** The hub's categories (from GET /api/taxonomy), for deciding commands locally. */
  get taxonomy(): Taxonomy {
    const raw = this.getMeta('taxonomy');
    if (raw) {
      const t = Taxonomy.safeParse(JSON.parse(raw));
      if (t.success) return t.data;
    }
    return DEFAULT_TAXONOMY;
  }
  setTaxonomy(t: Taxonomy): void {
    this.setMeta('taxonomy', JSON.stringify(t));
  }

  /**
   * Empties everything the hub sent (a different hub, a hub whose store was started afresh, a
   * different desk scope). The outbox stays: its commands still belong to whoever made them.
   */
  resetHubData(): void {
    this.transaction(() => {
      for (const t of ['org_units', 'departments', 'grids', 'people', 'cameras', 'positions', 'events', 'event_records', 'event_search', 'timeline']) this.db.exec(`DELETE FROM ${t}`);
      this.setMeta('cursor', '0');
    });
    this.search = undefined;
    this.refVersion++;
  }

  /**
   * Runs `fn` in one SQLite transaction. The in-memory search index is written alongside the rows;
   * if the transaction rolls back it no longer matches them, so it is dropped and rebuilt on the
   * next search.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.search = undefined;
      throw err;
    }
  }

  /** Builds the in-memory search index now rather than on the first search. */
  warmSearch(): void {
    this.searchIndex();
  }

  private searchIndex(): SearchIndex {
    if (!this.search) {
      const index = new SearchIndex();
      const rows = this.db.prepare<[], { r: number; text: string }>('SELECT e.rowid AS r, s.text FROM events e JOIN event_search s ON s.id = e.id').all();
      for (const row of rows) index.set(row.r, row.text);
      this.search = index;
    }
    return this.search;
  }

  setOverlay(overlay: Overlay): void {
    this.overlay = overlay;
  }

  /* ---------- applying the hub's changes ---------- */

  /**
   * Applies changes in order. With `advanceCursor` (the feed) a change at or below the cursor is
   * skipped and the cursor moves to the last one; without it (a command's answer, ahead of the
   * feed) rows are written but the cursor stays, so the feed still delivers everything in between.
   * Either way a row only moves forward: each keeps the seq that wrote it.
   */
  applyChanges(changes: readonly Change[], opts: { advanceCursor: boolean }): AppliedChanges {
    const out: AppliedChanges = { eventIds: [], reference: false, positions: false, newEvents: [] };
    const touched = new Set<string>();
    this.transaction(() => {
      let cursor = this.cursor;
      for (const c of changes) {
        if (opts.advanceCursor && c.seq <= cursor) continue;
        this.applyOne(c, out, touched);
        if (opts.advanceCursor) cursor = c.seq;
      }
      if (opts.advanceCursor) this.setMeta('cursor', String(cursor));
    });
    if (out.reference) this.refVersion++;
    out.eventIds = [...touched];
    if (touched.size >= 200) this.analyzeIfGrown();
    return out;
  }

  /**
   * Refreshes the planner's statistics each time the events have doubled. Without them SQLite
   * sorts every matching row for "newest across states" (tens of ms at 100,000) instead of walking
   * the reported_at index and stopping after a page (well under 1 ms).
   */
  private analyzeIfGrown(): void {
    const n = (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const last = Number(this.getMeta('analyzed_events') ?? 0);
    if (n < 1000 || n < 2 * last) return;
    this.db.exec('ANALYZE');
    this.setMeta('analyzed_events', String(n));
  }

  private applyOne(c: Change, out: AppliedChanges, touched: Set<string>): void {
    const seq = c.seq;
    switch (c.kind) {
      case 'org_unit':
        out.reference = true;
        this.st.orgUnit.run({ id: c.data.id, seq, level: c.data.level, parent: c.data.parentId, data: JSON.stringify(c.data) });
        return;
      case 'department':
        out.reference = true;
        this.st.department.run({ id: c.data.id, seq, data: JSON.stringify(c.data) });
        return;
      case 'grid':
        out.reference = true;
        this.st.grid.run({ id: c.data.id, seq, kind: c.data.kind, town: c.data.townId, data: JSON.stringify(c.data) });
        return;
      case 'person':
        out.reference = true;
        this.st.person.run({ id: c.data.id, seq, role: c.data.role, town: c.data.townId ?? null, data: JSON.stringify(c.data) });
        return;
      case 'camera':
        out.reference = true;
        this.st.camera.run({ id: c.data.id, seq, town: c.data.townId ?? null, data: JSON.stringify(c.data) });
        return;
      case 'position':
        out.positions = true;
        this.st.position.run({ id: c.data.personId, seq, at: c.data.at, data: JSON.stringify(c.data) });
        return;
      case 'timeline':
        if (this.st.timeline.run({ id: c.data.id, eventId: c.data.eventId, idx: c.data.index, seq, data: JSON.stringify(c.data) }).changes > 0)
          touched.add(c.data.eventId);
        return;
      case 'event': {
        const row = this.st.eventRow.get(c.data.id);
        if (row && row.seq >= seq) return;
        if (!row || row.confirmed === null) out.newEvents.push(c.data);
        this.writeEvent(c.data, seq);
        touched.add(c.data.id);
        return;
      }
    }
  }

  /** Stores the hub's record at `seq` and what the operator sees (the overlay of pending commands). */
  private writeEvent(confirmed: EventRecord, seq: number): void {
    const shown = this.overlay && this.st.hasPending.get(confirmed.id) ? this.overlay(confirmed.id, confirmed) ?? confirmed : confirmed;
    this.putRow(shown, confirmed, seq);
  }

  private putRow(shown: EventRecord, confirmed: EventRecord | null, seq: number): void {
    this.st.recordPut.run({ id: shown.id, confirmed: confirmed ? JSON.stringify(confirmed) : null, data: JSON.stringify(shown) });
    const search = searchText(shown);
    this.st.searchPut.run({ id: shown.id, search });
    const rowid = this.st.eventPut.get({
      id: shown.id,
      seq,
      state: shown.state,
      isOpen: isOpenState(shown.state) ? 1 : 0,
      tierRank: TIER_RANK[shown.tier],
      source: shown.source,
      town: shown.townId ?? null,
      community: shown.communityId ?? null,
      category: shown.categoryId,
      assignee: shown.assigneeId ?? null,
      reportedAt: shown.reportedAt,
      deadline: shown.deadline ?? null,
      mergedInto: shown.mergedInto ?? null,
    }) as number;
    this.search?.set(rowid, search);
  }

  /* ---------- what the outbox writes ---------- */

  /** The hub's latest record of an event (undefined: none yet) and what the operator sees. */
  eventRecords(id: string): { confirmed: EventRecord | undefined; shown: EventRecord | undefined; seq: number } {
    const row = this.st.eventRow.get(id);
    if (!row) return { confirmed: undefined, shown: undefined, seq: 0 };
    return { confirmed: row.confirmed ? parse<EventRecord>(row.confirmed) : undefined, shown: parse<EventRecord>(row.data), seq: row.seq };
  }

  /** Shows `shown` for the event (null: remove an event the hub never had), keeping the hub's record. */
  showEvent(id: string, shown: EventRecord | null): void {
    const row = this.st.eventRow.get(id);
    const confirmed = row?.confirmed ? parse<EventRecord>(row.confirmed) : null;
    if (shown === null) {
      if (confirmed) this.putRow(confirmed, confirmed, row!.seq);
      else {
        const rowid = this.st.eventDelete.get(id) as number | undefined;
        this.st.recordDelete.run(id);
        this.st.searchDelete.run(id);
        if (rowid !== undefined) this.search?.delete(rowid);
      }
      return;
    }
    this.putRow(shown, confirmed, row?.seq ?? 0);
  }

  /* ---------- reads ---------- */

  event(id: string): EventRecord | undefined {
    const row = this.st.eventData.get(id);
    return row ? parse<EventRecord>(row.data) : undefined;
  }

  timeline(eventId: string): TimelineEntry[] {
    return this.st.timelineOf.all(eventId).map((r) => parse<TimelineEntry>(r.data));
  }

  linkedReports(eventId: string): EventRecord[] {
    return this.st.linkedOf.all(eventId).map((r) => parse<EventRecord>(r.data));
  }

  isPending(eventId: string): boolean {
    return this.st.hasPending.get(eventId) !== undefined;
  }

  private lookups() {
    if (!this.names || this.names.version !== this.refVersion) {
      const org = new Map(this.orgUnits().map((o) => [o.id, o]));
      const grid = new Map(this.grids().map((g) => [g.id, g]));
      const person = new Map(this.people().map((p) => [p.id, p]));
      this.names = { version: this.refVersion, org, grid, person };
    }
    return this.names;
  }

  /** bumped when reference data changes; callers rebuild what they derived from it */
  get referenceVersion(): number {
    return this.refVersion;
  }

  person(id: string): Person | undefined {
    return this.lookups().person.get(id);
  }
  grid(id: string): Grid | undefined {
    return this.lookups().grid.get(id);
  }
  orgUnit(id: string): OrgUnit | undefined {
    return this.lookups().org.get(id);
  }

  orgUnits(): OrgUnit[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM org_units ORDER BY id').all().map((r) => parse<OrgUnit>(r.data));
  }
  departments(): Department[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM departments ORDER BY id').all().map((r) => parse<Department>(r.data));
  }
  grids(): Grid[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM grids ORDER BY id').all().map((r) => parse<Grid>(r.data));
  }
  people(): Person[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM people ORDER BY id').all().map((r) => parse<Person>(r.data));
  }
  cameras(): Camera[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM cameras ORDER BY id').all().map((r) => parse<Camera>(r.data));
  }
  positions(): PositionFix[] {
    return this.db.prepare<[], { data: string }>('SELECT data FROM positions').all().map((r) => parse<PositionFix>(r.data));
  }

  /** open events per assignee, for the local recommender's load */
  openAssignments(): Map<string, number> {
    const rows = this.db
      .prepare<[], { assignee_id: string; n: number }>('SELECT assignee_id, count(*) AS n FROM events WHERE is_open = 1 AND assignee_id IS NOT NULL GROUP BY assignee_id')
      .all();
    return new Map(rows.map((r) => [r.assignee_id, r.n]));
  }

  counts(): Record<'orgUnits' | 'grids' | 'people' | 'cameras' | 'events' | 'timeline', number> {
    const n = (t: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { orgUnits: n('org_units'), grids: n('grids'), people: n('people'), cameras: n('cameras'), events: n('events'), timeline: n('timeline') };
  }

  /** Decorates an event with the names the UI shows. */
  row(event: EventRecord, now: number, pending = this.isPending(event.id)): QueueRow {
    const { org, grid, person } = this.lookups();
    const home = event.gridIds.map((id) => grid.get(id)).find((g) => g?.kind === 'comprehensive') ?? grid.get(event.gridIds[0] ?? '');
    const out: QueueRow = { event, pending, overdue: isOpenState(event.state) && event.deadline !== undefined && event.deadline < now };
    const town = event.townId ? org.get(event.townId)?.name : undefined;
    const community = event.communityId ? org.get(event.communityId)?.name : undefined;
    const assignee = event.assigneeId ? person.get(event.assigneeId)?.name : undefined;
    if (town) out.townName = town;
    if (community) out.communityName = community;
    if (home) out.gridName = home.name;
    if (assignee) out.assigneeName = assignee;
    return out;
  }

  private count(whereSql: string, params: Record<string, unknown>): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM events WHERE ${whereSql}`).get(params) as { n: number }).n;
  }

  /**
   * One page of the queue. Ids are sorted and cut first (index columns only; the JSON of 100,000
   * events never goes through the sorter), then the page's rows are read by id.
   */
  queue(filter: QueueFilter, sort: QueueSort, offset: number, limit: number, now: number): QueuePage {
    const where: string[] = [];
    const params: Record<string, unknown> = { now };
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map((_, i) => `@s${i}`).join(', ')})`);
      filter.states.forEach((s, i) => (params[`s${i}`] = s));
      // lets the planner walk the open events' order index when the states are common ones
      if (filter.states.length > 1 && filter.states.every(isOpenState)) where.push('is_open = 1');
    } else {
      where.push('is_open = 1');
    }
    if (filter.tiers && filter.tiers.length > 0) {
      where.push(`tier_rank IN (${filter.tiers.map((t) => TIER_RANK[t]).join(', ')})`);
    }
    if (filter.sources && filter.sources.length > 0) {
      where.push(`source IN (${filter.sources.map((_, i) => `@src${i}`).join(', ')})`);
      filter.sources.forEach((s, i) => (params[`src${i}`] = s));
    }
    if (filter.townId) (where.push('town_id = @town'), (params.town = filter.townId));
    if (filter.categoryId) (where.push('category_id = @category'), (params.category = filter.categoryId));
    if (filter.assigneeId) (where.push('assignee_id = @assignee'), (params.assignee = filter.assigneeId));
    if (filter.overdueOnly) where.push('is_open = 1 AND deadline < @now');

    // rowid breaks ties: every index ends in it, so the order is an index walk with no sort step
    const order =
      sort === 'newest'
        ? 'reported_at DESC, rowid'
        : sort === 'deadline'
          ? 'deadline_key, reported_at DESC, rowid'
          : // special > escalated > general, then the nearest deadline (none last), then the newest
            'tier_rank DESC, deadline_key, reported_at DESC, rowid';

    const text = filter.text?.trim().toLowerCase();
    const hits = text ? this.searchIndex().match(text) : undefined;
    if (hits && hits.rowids.length === 0) return { total: 0, offset, rows: [] };
    if (hits && hits.rowids.length <= this.listedHits) {
      // few hits: look them up by rowid, sort them, count them in the same pass
      where.push('rowid IN (SELECT value FROM json_each(@hits))');
      params.hits = JSON.stringify(hits.rowids);
      const whereSql = where.join(' AND ');
      const listOrder = sort === 'urgency' ? `(is_open = 1 AND deadline_key < @now) DESC, ${order}` : order;
      const found = this.db
        .prepare<Record<string, unknown>, { id: string; total: number }>(
          `SELECT id, count(*) OVER () AS total FROM events WHERE ${whereSql} ORDER BY ${listOrder} LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, limit, offset });
      const total = found[0]?.total ?? (offset > 0 ? this.count(whereSql, params) : 0);
      return this.page(found.map((h) => h.id), total, offset, now);
    }

    // many hits (or none asked for): walk the order's index, testing each row against the hits
    if (hits) where.push('search_hit(rowid)');
    const whereSql = where.join(' AND ');
    this.activeHits = hits;
    try {
      // urgency puts the overdue first: two index walks (overdue, then the rest) instead of one sort
      if (sort === 'urgency') return this.urgencyPage(whereSql, params, order, offset, limit, now);
      const total = this.count(whereSql, params);
      const ids = this.db.prepare(`SELECT id FROM events WHERE ${whereSql} ORDER BY ${order} LIMIT @limit OFFSET @offset`).pluck().all({ ...params, limit, offset }) as string[];
      return this.page(ids, total, offset, now);
    } finally {
      this.activeHits = undefined;
    }
  }

  private urgencyPage(whereSql: string, params: Record<string, unknown>, order: string, offset: number, limit: number, now: number): QueuePage {
    const overdue = `${whereSql} AND is_open = 1 AND deadline_key < @now`;
    const rest = `${whereSql} AND (is_open = 0 OR deadline_key >= @now)`;
    const select = (w: string, lim: number, off: number) =>
      this.db.prepare(`SELECT id FROM events WHERE ${w} ORDER BY ${order} LIMIT @limit OFFSET @offset`).pluck().all({ ...params, limit: lim, offset: off }) as string[];
    const nOverdue = this.count(overdue, params);
    const ids = offset < nOverdue ? select(overdue, limit, offset) : [];
    if (ids.length < limit) ids.push(...select(rest, limit - ids.length, Math.max(0, offset - nOverdue)));
    return this.page(ids, this.count(whereSql, params), offset, now);
  }

  private page(ids: readonly string[], total: number, offset: number, now: number): QueuePage {
    const pending = new Set(this.st.pendingEventIds.all().map((r) => r.event_id));
    const rows = ids.map((id) => this.row(this.event(id)!, now, pending.has(id)));
    return { total, offset, rows };
  }
}
