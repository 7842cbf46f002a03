/**
 * The console core's answers to the map view: layers' data and details read from the local cache
 * (so the map keeps working when the hub is out of reach), and the two things only the hub keeps,
 * a person's track and a grid's patrol coverage (position history), asked of the hub with the
 * operator's session and reported as unavailable, not failed, when it cannot be reached.
 */
import { open, stat } from 'node:fs/promises';
import { CST_OFFSET_MS } from '../../../shared/deadline';
import { DomainError } from '../../../shared/errors';
import { polygonBBox } from '../../../shared/geo';
import { isFieldRole, TIERS, type EventState, type Grid, type Person, type Role, type Tier } from '../../../shared/schema';
import {
  Basemap,
  PatrolCoverage,
  Track,
  type GridInfo,
  type MapConfig,
  type MapEventPoint,
  type MapEventsQuery,
  type MapPerson,
  type MapPersonStatus,
  type PersonInfo,
} from '../../../shared/schema/map';
import type { ConsoleCache } from './cache';
import type { HubClient } from './hub-client';
import { MbtilesArchive } from './mbtiles';

/** where the console host serves the basemap archives (electron/core/console/basemap-route.ts) */
export const DEMO_PMTILES_PATH = '/basemap/demo.pmtiles';
export const LOCAL_PMTILES_PATH = '/basemap/local.pmtiles';
/** a local MBTiles file's tiles, one per request, XYZ order (the page's URL template) */
export const LOCAL_MBTILES_TILES = '/basemap/local/{z}/{x}/{y}';
/** the same as a Fastify route */
export const LOCAL_MBTILES_ROUTE = '/basemap/local/:z/:x/:y';

const DAY_MS = 24 * 3_600_000;
const ROLE_ORDER: Partial<Record<Role, number>> = { leader: 0, dedicated_member: 1, administrator: 2, chief_leader: 3, informant: 4, legal: 5 };

/** Monday 00:00 China Standard Time of the week containing `ms`. */
export function weekStartCST(ms: number): number {
  const localDay = Math.floor((ms + CST_OFFSET_MS) / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 → weekday 3 counting Monday as 0
  const weekday = (localDay + 3) % 7;
  return (localDay - weekday) * DAY_MS - CST_OFFSET_MS;
}

/** Checks that a file is a PMTiles v3 archive before the map is pointed at it. */
export async function checkPmtiles(file: string): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new DomainError('invalid', `${file} is not a file; give the path of a .pmtiles archive.`, 'basemap.file');
    size = s.size;
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('invalid', `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path and that the console may read it.`, 'basemap.file');
  }
  if (size < 127) throw new DomainError('invalid', `${file} is too short to be a PMTiles archive (${size} bytes).`, 'basemap.file');
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    if (head.subarray(0, 7).toString('latin1') !== 'PMTiles') {
      const sqlite = head.subarray(0, 6).toString('latin1') === 'SQLite';
      throw new DomainError('invalid', `${file} is not a PMTiles archive (no PMTiles header)${sqlite ? '; an MBTiles file is chosen as the MBTiles kind, with a .mbtiles name' : ''}.`, 'basemap.file');
    }
    if (head[7] !== 3) throw new DomainError('invalid', `${file} is PMTiles version ${head[7]}; this console reads version 3 (\`pmtiles convert\` upgrades it).`, 'basemap.file');
  } finally {
    await fh.close();
  }
}

interface EventPointRow {
  id: string;
  tier_rank: number;
  state: string;
  category_id: string;
  reported_at: number;
  assignee_id: string | null;
  lng: number;
  lat: number;
}

const POINT_COLUMNS = `e.id, e.tier_rank, e.state, e.category_id, e.reported_at, e.assignee_id,
  json_extract(r.data, '$.position.lng') AS lng, json_extract(r.data, '$.position.lat') AS lat`;

function point(r: EventPointRow): MapEventPoint {
  const p: MapEventPoint = {
    id: r.id,
    tier: TIERS[r.tier_rank] as Tier,
    state: r.state as EventState,
    categoryId: r.category_id,
    position: { lng: r.lng, lat: r.lat },
    reportedAt: r.reported_at,
  };
  if (r.assignee_id) p.assigneeId = r.assignee_id;
  return p;
}

export class MapQueries {
  /** the open MBTiles file of the setting, if any (opened on first use, closed when the setting changes) */
  private mbtiles: MbtilesArchive | undefined;

  constructor(
    private readonly cache: ConsoleCache,
    private readonly client: HubClient,
    private readonly now: () => number,
  ) {}

  /* ---------- the basemap setting ---------- */

  basemap(): Basemap {
    const raw = this.cache.getMeta('basemap');
    if (raw) {
      const b = Basemap.safeParse(JSON.parse(raw));
      if (b.success) return b.data;
      console.warn('console core: the stored basemap setting is invalid, using the demo basemap:', b.error.issues[0]?.message);
    }
    return { kind: 'demo' };
  }

  config(): MapConfig {
    const basemap = this.basemap();
    const out: MapConfig = { basemap, coords: basemap.kind === 'demo' ? 'wgs84' : basemap.coords };
    if (basemap.kind === 'demo') out.pmtilesUrl = DEMO_PMTILES_PATH;
    if (basemap.kind === 'pmtiles') out.pmtilesUrl = LOCAL_PMTILES_PATH;
    if (basemap.kind === 'mbtiles') {
      try {
        const m = this.localMbtiles()!.metadata;
        out.mbtiles = { tilesUrl: LOCAL_MBTILES_TILES, ...m, vectorLayers: [...m.vectorLayers], ...(m.bounds ? { bounds: [...m.bounds] } : {}) };
      } catch (err) {
        out.basemapError = (err as Error).message;
      }
    }
    const district = this.cache.orgUnits().find((o) => o.level === 'district' && o.boundary);
    if (district?.boundary) out.bounds = polygonBBox(district.boundary);
    return out;
  }

  async setBasemap(b: Basemap): Promise<MapConfig> {
    if (b.kind === 'pmtiles') await checkPmtiles(b.file);
    // opened (and so checked) before it is kept; the file served until now is closed
    const next = b.kind === 'mbtiles' ? MbtilesArchive.open(b.file) : undefined;
    this.mbtiles?.close();
    this.mbtiles = next;
    this.cache.setMeta('basemap', JSON.stringify(b));
    return this.config();
  }

  /**
   * The open MBTiles file the host serves at LOCAL_MBTILES_TILES, if the setting names one; opened
   * on first use (a setting kept from before a restart). Throws DomainError when it cannot be read.
   */
  localMbtiles(): MbtilesArchive | undefined {
    const b = this.basemap();
    if (b.kind !== 'mbtiles') {
      this.closeMbtiles();
      return undefined;
    }
    if (this.mbtiles?.file !== b.file) {
      this.closeMbtiles();
      this.mbtiles = MbtilesArchive.open(b.file);
    }
    return this.mbtiles;
  }

  private closeMbtiles(): void {
    this.mbtiles?.close();
    this.mbtiles = undefined;
  }

  /** Closes the MBTiles file, if one is open (the core's shutdown). */
  close(): void {
    this.closeMbtiles();
  }

  /** The local archive the host serves at LOCAL_PMTILES_PATH, if the setting names one. */
  localPmtiles(): string | undefined {
    const b = this.basemap();
    return b.kind === 'pmtiles' ? b.file : undefined;
  }

  /** Origins the page must reach for the basemap (the page's CSP connect-src). */
  basemapOrigins(): string[] {
    const b = this.basemap();
    const urls = b.kind === 'xyz' ? b.tiles : b.kind === 'style' ? [b.url] : [];
    return [...new Set(urls.map((u) => new URL(u.replace(/\{[^}]*\}/g, '0')).origin))];
  }

  /* ---------- layers ---------- */

  grids(): Grid[] {
    return this.cache.grids();
  }

  private statuses(): { open: Map<string, number>; onSite: Set<string> } {
    const onSite = new Set(
      this.cache.db.prepare("SELECT DISTINCT assignee_id FROM events WHERE is_open = 1 AND state = 'on_site' AND assignee_id IS NOT NULL").pluck().all() as string[],
    );
    return { open: this.cache.openAssignments(), onSite };
  }

  private static status(p: Person, open: Map<string, number>, onSite: Set<string>): MapPersonStatus {
    if (!p.onDuty) return 'off_duty';
    if (onSite.has(p.id)) return 'on_site';
    return (open.get(p.id) ?? 0) > 0 ? 'busy' : 'free';
  }

  people(): MapPerson[] {
    const fixes = new Map(this.cache.positions().map((f) => [f.personId, f]));
    const { open, onSite } = this.statuses();
    const out: MapPerson[] = [];
    for (const p of this.cache.people()) {
      if (!isFieldRole(p.role)) continue;
      const fix = fixes.get(p.id);
      const m: MapPerson = { id: p.id, name: p.name, role: p.role, status: MapQueries.status(p, open, onSite), gridIds: p.gridIds, openAssignments: open.get(p.id) ?? 0 };
      if (fix) {
        m.position = fix.position;
        m.at = fix.at;
      }
      out.push(m);
    }
    return out;
  }

  events(q: MapEventsQuery): { events: MapEventPoint[]; truncated: boolean } {
    const where = ['e.merged_into IS NULL'];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    if (q.scope === 'open') where.push('e.is_open = 1');
    else {
      if (q.from === undefined || q.to === undefined) throw new DomainError('invalid', 'A period needs both `from` and `to`.', 'query.from');
      if (q.to <= q.from) throw new DomainError('invalid', '`to` must be after `from`.', 'query.to');
      where.push('e.reported_at >= @from AND e.reported_at < @to');
      params.from = q.from;
      params.to = q.to;
    }
    if (q.categoryId) (where.push('e.category_id = @category'), (params.category = q.categoryId));
    const rows = this.cache.db
      .prepare<Record<string, unknown>, EventPointRow>(`SELECT ${POINT_COLUMNS} FROM events e JOIN event_records r ON r.id = e.id WHERE ${where.join(' AND ')} ORDER BY e.reported_at DESC LIMIT @limit`)
      .all(params);
    const truncated = rows.length > q.limit;
    return { events: rows.slice(0, q.limit).filter((r) => typeof r.lng === 'number' && typeof r.lat === 'number').map(point), truncated };
  }

  /* ---------- details ---------- */

  async gridInfo(gridId: string): Promise<GridInfo> {
    const grid = this.cache.grid(gridId);
    if (!grid) throw new DomainError('not_found', `Grid ${gridId} is not in the local cache; it may not have synced yet.`, 'gridId');
    const people = this.cache
      .people()
      .filter((p) => p.gridIds.includes(gridId))
      .sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.id.localeCompare(b.id));
    const openEvents = (
      this.cache.db
        .prepare<[string, string], EventPointRow>(
          `SELECT ${POINT_COLUMNS} FROM events e JOIN event_records r ON r.id = e.id
           WHERE e.is_open = 1 AND e.merged_into IS NULL AND e.town_id = ? AND EXISTS (SELECT 1 FROM json_each(r.data, '$.gridIds') WHERE value = ?)
           ORDER BY e.reported_at DESC LIMIT 200`,
        )
        .all(grid.townId, gridId)
    ).map(point);
    const info: GridInfo = {
      grid: {
        id: grid.id,
        name: grid.name,
        code: grid.code,
        kind: grid.kind,
        ...(grid.domain ? { domain: grid.domain } : {}),
        ...(grid.households !== undefined ? { households: grid.households } : {}),
      },
      people,
      openEvents,
      patrol: null,
    };
    const community = this.cache.orgUnit(grid.communityId)?.name;
    const town = this.cache.orgUnit(grid.townId)?.name;
    if (community) info.communityName = community;
    if (town) info.townName = town;
    const to = Math.max(this.now(), this.latestFixAt(people.map((p) => p.id))) + 1;
    const from = weekStartCST(to - 1);
    try {
      info.patrol = await this.client.call('GET', `/api/map/patrol?gridId=${encodeURIComponent(gridId)}&from=${from}&to=${to}`, PatrolCoverage);
    } catch (err) {
      info.patrolError = `Patrol coverage comes from the hub's position history and the hub cannot be asked now (${(err as Error).message}).`;
    }
    return info;
  }

  /** the newest fix among these people (a sped-up demo hub runs ahead of this clock) */
  private latestFixAt(personIds: readonly string[]): number {
    if (personIds.length === 0) return 0;
    const v = this.cache.db.prepare('SELECT max(at) FROM positions WHERE person_id IN (SELECT value FROM json_each(?))').pluck().get(JSON.stringify(personIds)) as number | null;
    return v ?? 0;
  }

  async personInfo(personId: string, hours: number): Promise<PersonInfo> {
    const person = this.cache.person(personId);
    if (!person) throw new DomainError('not_found', `Person ${personId} is not in the local cache; it may not have synced yet.`, 'personId');
    const fix = this.cache.positions().find((f) => f.personId === personId);
    const { open, onSite } = this.statuses();
    const assignments = (
      this.cache.db
        .prepare<[string], EventPointRow>(`SELECT ${POINT_COLUMNS} FROM events e JOIN event_records r ON r.id = e.id WHERE e.is_open = 1 AND e.assignee_id = ? ORDER BY e.reported_at DESC LIMIT 100`)
        .all(personId)
    ).map(point);
    const info: PersonInfo = {
      person,
      status: MapQueries.status(person, open, onSite),
      gridNames: person.gridIds.map((id) => this.cache.grid(id)?.name ?? id),
      assignments,
      track: null,
    };
    if (fix) {
      info.position = fix.position;
      info.at = fix.at;
    }
    const to = Math.max(this.now(), fix?.at ?? 0) + 1;
    const from = to - hours * 3_600_000;
    try {
      info.track = await this.client.call('GET', `/api/map/track?personId=${encodeURIComponent(personId)}&from=${from}&to=${to}`, Track);
    } catch (err) {
      info.trackError = `The track comes from the hub's position history and the hub cannot be asked now (${(err as Error).message}).`;
    }
    return info;
  }
}
