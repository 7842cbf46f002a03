/**
 * Oversight in SQL over the hub's store (migration 0007): the ledgers (台账), the three-day
 * bulletin (三天一通报) and the three rates (三率), each figure as defined in shared/stats.ts
 * METRIC_DEFINITIONS, and the records they count (visits, the district's compliance and awareness
 * entries). Periods are whole CST days, half-open [from, to); `town` (null: the whole district)
 * holds a sub-centre desk to its own town.
 *
 * Duty days and patrol coverage come from position fixes, which the store prunes after 30 days.
 * So each settled CST day is rolled up once into patrol_days (fixes per person, and the cells of
 * their own grids they passed through, as a bitmask of the same lattice as the map's patrol
 * coverage); a ledger reads settled days from there and the last hours from position_track.
 */
import type Database from 'better-sqlite3';
import { CST_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../shared/deadline';
import { countBits, cstDayNumber, dayStart, emptyMask, orMask, patrolLattice, rankBulletin, setBit, type PatrolLattice } from '../../../shared/ledgers';
import type { AwarenessEntry, BulletinRow, ComplianceEntry, GridKind, LedgerRow, PolygonGeometry, RatesRow, Role, Visit } from '../../../shared/schema';
import { rate } from '../../../shared/stats';

/** A CST day is rolled up once it ended this long ago: fixes sent late by a phone still land in it. */
export const ROLLUP_SETTLE_MS = 2 * HOUR_MS;
/** The background roll-up reads this much of a day's fixes between pauses (a patrol hour of a district is 100,000+). */
const ROLLUP_SLICE_MS = HOUR_MS / 4;

/** people who walk a grid and keep a ledger */
const WALKERS = "('leader', 'dedicated_member')";
/** a grid's own workers, whose reports the bulletin counts for it (a chief leader oversees several grids) */
const GRID_STAFF = "('leader', 'administrator', 'informant', 'dedicated_member')";
/** the CST day of a time column, in SQL (integer division: times are never negative) */
const day = (col: string) => `((${col} + ${CST_OFFSET_MS}) / ${DAY_MS})`;

/** who owns which grids, and the grids' lattices, read once for a run of roll-ups */
interface RollUpContext {
  grids: Map<string, { id: string; name: string; lattice: PatrolLattice }>;
  owned: Map<string, string[]>;
}

type Fix = { personId: string; lng: number; lat: number };

/** A CST day's fixes gathered per person and per own grid (the cells as a bitmask of the grid's lattice). */
class DayRollUp {
  readonly people = new Map<string, { fixes: number; grids: Map<string, { fixes: number; mask: Uint8Array; lattice: PatrolLattice }> }>();
  constructor(private readonly ctx: RollUpContext) {}

  add(fixes: Iterable<Fix>): void {
    const { grids, owned } = this.ctx;
    for (const f of fixes) {
      let p = this.people.get(f.personId);
      if (!p) this.people.set(f.personId, (p = { fixes: 0, grids: new Map() }));
      p.fixes++;
      for (const gridId of owned.get(f.personId) ?? []) {
        const lattice = grids.get(gridId)?.lattice;
        const cell = lattice?.cellAt(f);
        if (!lattice || cell === undefined) continue;
        let g = p.grids.get(gridId);
        if (!g) p.grids.set(gridId, (g = { fixes: 0, mask: emptyMask(lattice), lattice }));
        g.fixes++;
        if (lattice.isInside(cell)) setBit(g.mask, cell);
      }
    }
  }
}

type Stored<T> = { record: T; hash: string; inserted: boolean };

interface Walker {
  id: string;
  name: string;
  role: Role;
  townId: string | null;
  gridIds: string[];
}

export class SqliteLedgers {
  private readonly st;
  /** lattices by grid, remade when a polygon changes */
  private readonly lattices = new Map<string, { polygon: string; lattice: PatrolLattice }>();

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      putVisit: p(
        `INSERT INTO visits (id, person_id, town_id, grid_id, at, recorded_at, content_hash, data) VALUES (@id, @personId, @townId, @gridId, @at, @recordedAt, @hash, @data)
         ON CONFLICT (id) DO NOTHING`,
      ),
      getVisit: p('SELECT data, content_hash AS hash FROM visits WHERE id = ?'),
      visitsInPeriod: p(`SELECT data FROM visits WHERE at >= @from AND at < @to AND (@town IS NULL OR town_id = @town) ORDER BY at DESC, id LIMIT @limit`),
      visitsOfPerson: p(`SELECT data FROM visits WHERE person_id = @person AND at >= @from AND at < @to ORDER BY at DESC, id LIMIT @limit`),
      putCompliance: p(
        `INSERT INTO compliance_entries (id, grid_id, town_id, day_start, compliant, recorded_at, content_hash, data)
         VALUES (@id, @gridId, @townId, @dayStart, @compliant, @recordedAt, @hash, @data) ON CONFLICT (id) DO NOTHING`,
      ),
      getCompliance: p('SELECT data, content_hash AS hash FROM compliance_entries WHERE id = ?'),
      complianceInPeriod: p(
        `SELECT data FROM compliance_entries WHERE day_start >= @from AND day_start < @to AND (@town IS NULL OR town_id = @town)
         ORDER BY day_start DESC, recorded_at DESC, id LIMIT 10000`,
      ),
      putAwareness: p(
        `INSERT INTO awareness_entries (id, unit_id, town_id, day_start, asked, aware, recorded_at, content_hash, data)
         VALUES (@id, @unitId, @townId, @dayStart, @asked, @aware, @recordedAt, @hash, @data) ON CONFLICT (id) DO NOTHING`,
      ),
      getAwareness: p('SELECT data, content_hash AS hash FROM awareness_entries WHERE id = ?'),
      awarenessInPeriod: p(
        `SELECT data FROM awareness_entries WHERE day_start >= @from AND day_start < @to AND (@town IS NULL OR town_id = @town)
         ORDER BY day_start DESC, recorded_at DESC, id LIMIT 10000`,
      ),

      /* ---- the ledger ---- */
      walkers: p(
        `SELECT id, json_extract(data, '$.name') AS name, role, town_id AS townId, json_extract(data, '$.gridIds') AS gridIds
         FROM people WHERE role IN ${WALKERS} AND (@town IS NULL OR town_id = @town)`,
      ),
      // duty_days holds reports, visits and feedback (triggers) and the fixes of rolled-up days; a day is one row
      dutyDays: p(`SELECT person_id AS id, count(*) AS n FROM duty_days WHERE day >= @d0 AND day < @d1 GROUP BY person_id`),
      dutyDaysLive: p(`SELECT person_id AS id, day FROM duty_days WHERE day >= @dr AND day < @d1`),
      fixDaysLive: p(`SELECT DISTINCT person_id AS id, ${day('at')} AS day FROM position_track WHERE at >= @liveFrom AND at < @to`),
      reported: p(
        `SELECT reporter_id AS id, count(*) AS n FROM events
         WHERE reported_at >= @from AND reported_at < @to AND merged_into IS NULL AND reporter_id IS NOT NULL GROUP BY reporter_id`,
      ),
      visits: p(`SELECT person_id AS id, count(*) AS n FROM visits WHERE at >= @from AND at < @to GROUP BY person_id`),
      // an assignment is handled once in a period however often it was fed back; on time when its first feedback was
      // (a bare column beside min(): the deadline of the row with the first feedback)
      handled: p(
        `SELECT person_id AS id, count(*) AS n, coalesce(sum(deadline IS NULL OR first <= deadline), 0) AS onTime
         FROM (SELECT person_id, event_id, min(at) AS first, deadline FROM feedbacks WHERE at >= @from AND at < @to GROUP BY person_id, event_id)
         GROUP BY person_id`,
      ),
      patrolRolled: p(`SELECT person_id AS personId, grid_id AS gridId, lattice, cells FROM patrol_days WHERE day >= @d0 AND day < @dr AND grid_id != ''`),
      fixesBetween: p('SELECT person_id AS personId, lng, lat FROM position_track WHERE at >= @from AND at < @to'),
      grids: p(`SELECT id, json_extract(data, '$.name') AS name, json_extract(data, '$.polygon') AS polygon FROM grids`),
      townNames: p(`SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level IN ('subcenter', 'district')`),
      personGrids: p(`SELECT id, json_extract(data, '$.gridIds') AS gridIds FROM people WHERE json_array_length(data, '$.gridIds') > 0`),

      /* ---- roll-ups ---- */
      rolledDays: p('SELECT day FROM patrol_rollups WHERE day >= ? AND day < ?').pluck(),
      firstFix: p('SELECT min(at) FROM position_track').pluck(),
      clearDay: p('DELETE FROM patrol_days WHERE day = ?'),
      putPatrolDay: p('INSERT INTO patrol_days (day, person_id, grid_id, fixes, lattice, cells) VALUES (?, ?, ?, ?, ?, ?)'),
      putDutyDay: p('INSERT OR IGNORE INTO duty_days (day, person_id) VALUES (?, ?)'),
      markRolled: p('INSERT INTO patrol_rollups (day, rolled_at) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at'),

      /* ---- the bulletin ---- */
      bulletin: p(
        `WITH staff AS (
           SELECT j.value AS grid_id, p.id AS person_id, json_extract(p.data, '$.name') AS name
           FROM people p, json_each(p.data, '$.gridIds') j WHERE p.role IN ${GRID_STAFF}
         ),
         rep AS (
           SELECT reporter_id AS id, count(*) AS n FROM events
           WHERE reported_at >= @from AND reported_at < @to AND merged_into IS NULL AND reporter_id IS NOT NULL GROUP BY reporter_id
         ),
         per_grid AS (
           SELECT s.grid_id, json_group_array(s.name) AS staff, coalesce(sum(rep.n), 0) AS reports
           FROM staff s LEFT JOIN rep ON rep.id = s.person_id GROUP BY s.grid_id
         ),
         located AS (
           SELECT grid_id, count(*) AS n FROM events
           WHERE reported_at >= @from AND reported_at < @to AND merged_into IS NULL AND grid_id IS NOT NULL GROUP BY grid_id
         )
         SELECT g.id AS gridId, json_extract(g.data, '$.name') AS gridName, g.kind, g.town_id AS townId,
           json_extract(g.data, '$.communityId') AS communityId, c.name AS communityName, t.name AS townName,
           coalesce(pg.staff, '[]') AS staff, coalesce(pg.reports, 0) AS reports, coalesce(l.n, 0) AS eventsInGrid
         FROM grids g
           LEFT JOIN per_grid pg ON pg.grid_id = g.id
           LEFT JOIN located l ON l.grid_id = g.id
           LEFT JOIN (SELECT id, json_extract(data, '$.name') AS name FROM org_units) c ON c.id = json_extract(g.data, '$.communityId')
           LEFT JOIN (SELECT id, json_extract(data, '$.name') AS name FROM org_units) t ON t.id = g.town_id
         WHERE (@town IS NULL OR g.town_id = @town)
           -- a dynamic grid only while it lives
           AND coalesce(json_extract(g.data, '$.validFrom'), 0) < @to AND coalesce(json_extract(g.data, '$.validTo'), @to) > @from`,
      ),

      /* ---- the three rates ---- */
      towns: p(
        `SELECT id, json_extract(data, '$.name') AS name FROM org_units WHERE level = 'subcenter' AND (@town IS NULL OR id = @town) ORDER BY id`,
      ),
      districtName: p(`SELECT json_extract(data, '$.name') FROM org_units WHERE level = 'district' ORDER BY id LIMIT 1`).pluck(),
      gridsPerTown: p(`SELECT town_id AS townId, count(*) AS n FROM grids WHERE (@town IS NULL OR town_id = @town) GROUP BY town_id`),
      // the latest finding per grid in the period counts: a re-inspection supersedes the earlier one
      compliance: p(
        `SELECT town_id AS townId, count(*) AS d, coalesce(sum(compliant), 0) AS n FROM (
           SELECT town_id, compliant, row_number() OVER (PARTITION BY grid_id ORDER BY day_start DESC, recorded_at DESC, id DESC) AS latest
           FROM compliance_entries WHERE day_start >= @from AND day_start < @to AND (@town IS NULL OR town_id = @town)
         ) WHERE latest = 1 GROUP BY town_id`,
      ),
      awareness: p(
        `SELECT town_id AS townId, coalesce(sum(asked), 0) AS d, coalesce(sum(aware), 0) AS n FROM awareness_entries
         WHERE day_start >= @from AND day_start < @to AND (@town IS NULL OR town_id = @town) GROUP BY town_id`,
      ),
      satisfaction: p(
        `SELECT town_id AS townId, count(satisfaction) AS d, coalesce(sum(satisfaction IN ('satisfied', 'basically_satisfied')), 0) AS n
         FROM events WHERE closed_at IS NOT NULL AND closed_at >= @from AND closed_at < @to AND (@town IS NULL OR town_id = @town) GROUP BY town_id`,
      ),
    };
  }

  /* ---------------- records ---------------- */

  /** Keeps a visit unless its id is taken; answers what is stored under the id (this visit or the earlier one). */
  putVisit(v: Visit, hash: string): Stored<Visit> {
    const info = this.st.putVisit.run({ id: v.visitId, personId: v.personId, townId: v.townId ?? null, gridId: v.gridId ?? null, at: v.at, recordedAt: v.recordedAt, hash, data: JSON.stringify(v) });
    return stored<Visit>(this.st.getVisit.get(v.visitId), info.changes > 0);
  }

  listVisits(from: number, to: number, town: string | undefined, personId: string | undefined, limit: number): Visit[] {
    const q = { from, to, town: town ?? null, person: personId ?? null, limit };
    const rows = (personId ? this.st.visitsOfPerson.all(q) : this.st.visitsInPeriod.all(q)) as { data: string }[];
    const visits = rows.map((r) => JSON.parse(r.data) as Visit);
    // a person's visits are read by person; the town still holds
    return town && personId ? visits.filter((v) => v.townId === town) : visits;
  }

  putCompliance(e: ComplianceEntry, dayStartMs: number, hash: string): Stored<ComplianceEntry> {
    const info = this.st.putCompliance.run({
      id: e.entryId, gridId: e.gridId, townId: e.townId, dayStart: dayStartMs, compliant: e.compliant ? 1 : 0, recordedAt: e.recordedAt, hash, data: JSON.stringify(e),
    });
    return stored<ComplianceEntry>(this.st.getCompliance.get(e.entryId), info.changes > 0);
  }

  listCompliance(from: number, to: number, town: string | undefined): ComplianceEntry[] {
    return (this.st.complianceInPeriod.all({ from, to, town: town ?? null }) as { data: string }[]).map((r) => JSON.parse(r.data) as ComplianceEntry);
  }

  putAwareness(e: AwarenessEntry, dayStartMs: number, hash: string): Stored<AwarenessEntry> {
    const info = this.st.putAwareness.run({
      id: e.entryId, unitId: e.unitId, townId: e.townId, dayStart: dayStartMs, asked: e.asked, aware: e.aware, recordedAt: e.recordedAt, hash, data: JSON.stringify(e),
    });
    return stored<AwarenessEntry>(this.st.getAwareness.get(e.entryId), info.changes > 0);
  }

  listAwareness(from: number, to: number, town: string | undefined): AwarenessEntry[] {
    return (this.st.awarenessInPeriod.all({ from, to, town: town ?? null }) as { data: string }[]).map((r) => JSON.parse(r.data) as AwarenessEntry);
  }

  /* ---------------- the ledger ---------------- */

  ledger(from: number, to: number, town: string | undefined, now: number): LedgerRow[] {
    // settled days come from the roll-ups (made now if missing), the rest from the position history
    const settledEnd = Math.min(to, Math.max(from, dayStart(cstDayNumber(now - ROLLUP_SETTLE_MS))));
    this.rollUpDays(cstDayNumber(from), cstDayNumber(settledEnd), now);
    const q = { from, to, town: town ?? null, d0: cstDayNumber(from), dr: cstDayNumber(settledEnd), d1: cstDayNumber(to), liveFrom: settledEnd };

    const walkers = new Map<string, Walker>();
    for (const r of this.st.walkers.all(q) as (Omit<Walker, 'gridIds'> & { gridIds: string })[]) walkers.set(r.id, { ...r, gridIds: JSON.parse(r.gridIds) as string[] });
    const counts = (rows: unknown[]) => new Map((rows as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    const dutyDays = counts(this.st.dutyDays.all(q));
    if (settledEnd < to) {
      // days not rolled up yet: a fix counts a day that nothing else counted
      const known = new Set((this.st.dutyDaysLive.all(q) as { id: string; day: number }[]).map((r) => `${r.day}:${r.id}`));
      for (const r of this.st.fixDaysLive.all(q) as { id: string; day: number }[]) {
        if (!known.has(`${r.day}:${r.id}`)) dutyDays.set(r.id, (dutyDays.get(r.id) ?? 0) + 1);
      }
    }
    const reported = counts(this.st.reported.all(q));
    const visits = counts(this.st.visits.all(q));
    const handled = new Map((this.st.handled.all(q) as { id: string; n: number; onTime: number }[]).map((r) => [r.id, r]));

    const grids = this.gridsNow();
    // cells visited per person per own grid, settled days and live hours alike
    const masks = new Map<string, Map<string, Uint8Array>>();
    const maskOf = (personId: string, gridId: string, lattice: PatrolLattice) => {
      let byGrid = masks.get(personId);
      if (!byGrid) masks.set(personId, (byGrid = new Map()));
      let m = byGrid.get(gridId);
      if (!m) byGrid.set(gridId, (m = emptyMask(lattice)));
      return m;
    };
    for (const r of this.st.patrolRolled.iterate(q) as Iterable<{ personId: string; gridId: string; lattice: string | null; cells: Buffer | null }>) {
      const lattice = grids.get(r.gridId)?.lattice;
      // a mask made on an older polygon of the grid measures other cells: left out
      if (!walkers.has(r.personId) || !lattice || r.lattice !== lattice.key || !r.cells) continue;
      orMask(maskOf(r.personId, r.gridId, lattice), r.cells);
    }
    if (settledEnd < to) {
      for (const f of this.st.fixesBetween.iterate({ from: settledEnd, to }) as Iterable<{ personId: string; lng: number; lat: number }>) {
        const w = walkers.get(f.personId);
        if (!w) continue;
        for (const gridId of w.gridIds) {
          const lattice = grids.get(gridId)?.lattice;
          const cell = lattice?.cellAt(f);
          if (lattice && cell !== undefined && lattice.isInside(cell)) setBit(maskOf(w.id, gridId, lattice), cell);
        }
      }
    }

    const towns = new Map((this.st.townNames.all() as { id: string; name: string }[]).map((t) => [t.id, t.name]));
    const rows: LedgerRow[] = [];
    for (const w of walkers.values()) {
      let cells = 0;
      let visited = 0;
      for (const gridId of w.gridIds) {
        const g = grids.get(gridId);
        if (!g) continue;
        cells += g.lattice.cells;
        const m = masks.get(w.id)?.get(gridId);
        if (m) visited += countBits(m);
      }
      const h = handled.get(w.id);
      const home = w.gridIds[0] !== undefined ? grids.get(w.gridIds[0]) : undefined;
      rows.push({
        personId: w.id,
        name: w.name,
        role: w.role,
        ...(home ? { gridId: home.id, gridName: home.name } : {}),
        ...(w.townId ? { townId: w.townId, townName: towns.get(w.townId) ?? w.townId } : {}),
        dutyDays: dutyDays.get(w.id) ?? 0,
        patrol: rate(visited, cells),
        reported: reported.get(w.id) ?? 0,
        visits: visits.get(w.id) ?? 0,
        handled: h?.n ?? 0,
        handledOnTime: rate(h?.onTime ?? 0, h?.n ?? 0),
      });
    }
    // the order a town's office reads it in: by town, then grid, then person
    const key = (r: LedgerRow) => `${r.townId ?? ''}\u0000${r.gridId ?? ''}\u0000${r.personId}`;
    return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  /** Every grid with its patrol lattice, made again only for a grid whose polygon changed. */
  private gridsNow(): Map<string, { id: string; name: string; lattice: PatrolLattice }> {
    const out = new Map<string, { id: string; name: string; lattice: PatrolLattice }>();
    for (const g of this.st.grids.all() as { id: string; name: string; polygon: string }[]) {
      let cached = this.lattices.get(g.id);
      if (!cached || cached.polygon !== g.polygon) {
        cached = { polygon: g.polygon, lattice: patrolLattice(JSON.parse(g.polygon) as PolygonGeometry) };
        this.lattices.set(g.id, cached);
      }
      out.set(g.id, { id: g.id, name: g.name, lattice: cached.lattice });
    }
    return out;
  }

  /* ---------------- roll-ups of the position history ---------------- */

  private rollUpContext(): RollUpContext {
    return {
      grids: this.gridsNow(),
      owned: new Map((this.st.personGrids.all() as { id: string; gridIds: string }[]).map((r) => [r.id, JSON.parse(r.gridIds) as string[]])),
    };
  }

  /** Days in [d0, d1) not rolled up yet, oldest first. */
  private unrolled(d0: number, d1: number): number[] {
    if (d1 <= d0) return [];
    const done = new Set(this.st.rolledDays.all(d0, d1) as number[]);
    const out: number[] = [];
    for (let d = d0; d < d1; d++) if (!done.has(d)) out.push(d);
    return out;
  }

  /** Rolls up the days [d0, d1) not rolled up yet, at once; answers how many it rolled. */
  private rollUpDays(d0: number, d1: number, now: number): number {
    const days = this.unrolled(d0, d1);
    if (days.length === 0) return 0;
    const ctx = this.rollUpContext();
    for (const d of days) {
      const day = new DayRollUp(ctx);
      day.add(this.st.fixesBetween.iterate({ from: dayStart(d), to: dayStart(d + 1) }) as Iterable<Fix>);
      this.writeDay(d, day, now);
    }
    return days.length;
  }

  /**
   * One CST day's roll-up, written in one transaction with the day's mark, so a day is rolled up
   * whole or not at all: per person the fixes (grid_id ''), per own grid the fixes inside it and
   * the cells they fell in, and the day on duty.
   */
  private writeDay(d: number, day: DayRollUp, now: number): void {
    this.db.transaction(() => {
      this.st.clearDay.run(d);
      for (const [personId, p] of day.people) {
        this.st.putPatrolDay.run(d, personId, '', p.fixes, null, null);
        this.st.putDutyDay.run(d, personId);
        for (const [gridId, g] of p.grids) this.st.putPatrolDay.run(d, personId, gridId, g.fixes, g.lattice.key, Buffer.from(g.mask));
      }
      this.st.markRolled.run(d, now);
    })();
  }

  /**
   * Rolls up settled days that are not yet, oldest first, at most `max`, a quarter hour of fixes
   * at a time with `pause()` between: a day of a large district is a million fixes, and the hub's
   * other requests must not wait for it (the background timer's way).
   */
  async rollUpSettled(now: number, max: number, pause: () => Promise<void>): Promise<number> {
    const first = this.st.firstFix.get() as number | null;
    if (first === null) return 0;
    const days = this.unrolled(cstDayNumber(first), cstDayNumber(now - ROLLUP_SETTLE_MS)).slice(0, max);
    let n = 0;
    for (const d of days) {
      const ctx = this.rollUpContext();
      const day = new DayRollUp(ctx);
      for (let t = dayStart(d); t < dayStart(d + 1); t += ROLLUP_SLICE_MS) {
        day.add(this.st.fixesBetween.iterate({ from: t, to: t + ROLLUP_SLICE_MS }) as Iterable<Fix>);
        await pause();
      }
      // a ledger may have rolled it up meanwhile, from the same fixes
      if (this.unrolled(d, d + 1).length === 0) continue;
      this.writeDay(d, day, now);
      n++;
    }
    return n;
  }

  /** Before the history is pruned below `cutoff`: every day it touches is rolled up while its fixes are all there. */
  rollUpBefore(cutoff: number, now: number): number {
    const first = this.st.firstFix.get() as number | null;
    if (first === null || first >= cutoff) return 0;
    return this.rollUpDays(cstDayNumber(first), cstDayNumber(cutoff - 1) + 1, now);
  }

  /* ---------------- the bulletin ---------------- */

  bulletin(from: number, to: number, town: string | undefined): BulletinRow[] {
    type Raw = Omit<BulletinRow, 'rank' | 'silent' | 'staff' | 'communityId' | 'communityName' | 'townName'> & {
      staff: string;
      communityId: string | null;
      communityName: string | null;
      townName: string | null;
      kind: GridKind;
    };
    const raw = this.st.bulletin.all({ from, to, town: town ?? null }) as Raw[];
    return rankBulletin(
      raw.map((r) => ({
        gridId: r.gridId,
        gridName: r.gridName,
        kind: r.kind,
        ...(r.communityId ? { communityId: r.communityId } : {}),
        ...(r.communityName ? { communityName: r.communityName } : {}),
        townId: r.townId,
        ...(r.townName ? { townName: r.townName } : {}),
        staff: (JSON.parse(r.staff) as (string | null)[]).filter((s): s is string => !!s).sort(),
        reports: r.reports,
        eventsInGrid: r.eventsInGrid,
      })),
    ).map(({ rank, gridId, silent, ...rest }) => ({ rank, gridId, ...rest, silent }));
  }

  /* ---------------- the three rates ---------------- */

  rates(from: number, to: number, town: string | undefined): { total: RatesRow; towns: RatesRow[] } {
    const q = { from, to, town: town ?? null };
    const byTown = (rows: unknown[]) => new Map((rows as { townId: string | null; n: number; d: number }[]).map((r) => [r.townId, r]));
    const compliance = byTown(this.st.compliance.all(q));
    const awareness = byTown(this.st.awareness.all(q));
    const satisfaction = byTown(this.st.satisfaction.all(q));
    const grids = new Map((this.st.gridsPerTown.all(q) as { townId: string; n: number }[]).map((r) => [r.townId, r.n]));
    const sum = (m: Map<string | null, { n: number; d: number }>) => [...m.values()].reduce((a, r) => ({ n: a.n + r.n, d: a.d + r.d }), { n: 0, d: 0 });
    const ofTown = (m: Map<string | null, { n: number; d: number }>, id: string) => rate(m.get(id)?.n ?? 0, m.get(id)?.d ?? 0);
    const towns = (this.st.towns.all(q) as { id: string; name: string }[]).map(
      (t): RatesRow => ({
        townId: t.id,
        name: t.name,
        grids: grids.get(t.id) ?? 0,
        compliance: ofTown(compliance, t.id),
        awareness: ofTown(awareness, t.id),
        satisfaction: ofTown(satisfaction, t.id),
      }),
    );
    const whole = (m: Map<string | null, { n: number; d: number }>) => {
      const s = sum(m);
      return rate(s.n, s.d);
    };
    const total: RatesRow = {
      name: town ? (towns[0]?.name ?? town) : ((this.st.districtName.get() as string | undefined) ?? ''),
      grids: [...grids.values()].reduce((a, n) => a + n, 0),
      compliance: whole(compliance),
      awareness: whole(awareness),
      satisfaction: whole(satisfaction),
    };
    return { total, towns };
  }
}

function stored<T>(row: unknown, inserted: boolean): Stored<T> {
  const r = row as { data: string; hash: string };
  return { record: JSON.parse(r.data) as T, hash: r.hash, inserted };
}
