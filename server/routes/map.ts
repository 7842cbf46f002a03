import type { FastifyInstance } from 'fastify';
import { CST_OFFSET_MS } from '../../shared/deadline';
import { DomainError } from '../../shared/errors';
import { polygonBBox } from '../../shared/geo';
import { patrolLattice } from '../../shared/ledgers';
import { isDeskRole, type Grid } from '../../shared/schema';
import { PatrolQuery, TrackQuery, type PatrolCoverage, type Track } from '../../shared/schema/map';
import type { AuthContext } from '../auth';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

const DAY_MS = 24 * 3_600_000;

/**
 * What the console's map asks of the hub: a person's track and a grid's patrol coverage, both
 * read from the position history the hub keeps (bounded by SqliteStore's trackRetentionMs).
 * Desk roles only; a sub-centre desk only for its own town.
 */
export function mapRoutes(app: FastifyInstance, hub: HubContext): void {
  const deskOnly = (ctx: AuthContext) => {
    if (!isDeskRole(ctx.principal.role)) throw new DomainError('forbidden', 'Only desk staff (operators, duty chiefs, sub-centre desks) read tracks and patrol coverage.');
  };
  const inScope = (ctx: AuthContext, townId: string | undefined, what: string) => {
    if (ctx.principal.townId !== undefined && townId !== ctx.principal.townId) {
      throw new DomainError('out_of_scope', `${what} belongs to another town; a sub-centre desk sees its own town only.`);
    }
  };

  app.get('/api/map/track', async (req): Promise<Track> => {
    const ctx = await hub.authed(req);
    deskOnly(ctx);
    const q = parseWith(TrackQuery, req.query, 'query');
    const person = await hub.store.getPerson(q.personId);
    if (!person) throw new DomainError('not_found', `No person ${q.personId} on this hub; check the id.`, 'personId');
    inScope(ctx, person.townId, `Person ${q.personId}`);
    // one more than asked tells whether the track was cut
    const fixes = await hub.store.positionTrack(q.personId, q.from, q.to, q.limit + 1);
    const truncated = fixes.length > q.limit;
    const points = fixes.slice(0, q.limit).map((f) => (f.accuracy === undefined ? { at: f.at, lng: f.lng, lat: f.lat } : { at: f.at, lng: f.lng, lat: f.lat, accuracy: f.accuracy }));
    return { personId: q.personId, from: q.from, to: q.to, points, truncated };
  });

  app.get('/api/map/patrol', async (req): Promise<PatrolCoverage> => {
    const ctx = await hub.authed(req);
    deskOnly(ctx);
    const q = parseWith(PatrolQuery, req.query, 'query');
    const grid = hub.district.grid(q.gridId);
    if (!grid) throw new DomainError('not_found', `No grid ${q.gridId} on this hub; check the id.`, 'gridId');
    inScope(ctx, grid.townId, `Grid ${q.gridId}`);
    const staff = (await hub.store.listPeople()).filter((p) => p.gridIds.includes(grid.id)).map((p) => p.id);
    const [west, south, east, north] = polygonBBox(grid.polygon);
    const fixes = await hub.store.positionsInBox(staff, { west, south, east, north }, q.from, q.to);
    return patrolCoverage(grid, fixes, q.from, q.to);
  });
}

/**
 * The share of a grid's ~100 m cells that its staff's fixes fell in, and the CST days with any
 * fix inside it. Cells are counted by their centre lying inside the polygon, so a grid that is
 * not a rectangle is measured by its own area.
 */
export function patrolCoverage(grid: Grid, fixes: readonly { at: number; lng: number; lat: number }[], from: number, to: number): PatrolCoverage {
  // the ledgers (server/store/sqlite/ledgers.ts) count a leader's patrol on the same lattice
  const lattice = patrolLattice(grid.polygon);
  const visited = new Set<number>();
  const days = new Set<number>();
  let n = 0;
  for (const f of fixes) {
    const cell = lattice.cellAt(f);
    if (cell === undefined) continue;
    n++;
    if (lattice.isInside(cell)) visited.add(cell);
    days.add(Math.floor((f.at + CST_OFFSET_MS) / DAY_MS));
  }
  const dayCount = Math.max(1, Math.floor((to - 1 + CST_OFFSET_MS) / DAY_MS) - Math.floor((from + CST_OFFSET_MS) / DAY_MS) + 1);
  return {
    gridId: grid.id,
    from,
    to,
    fixes: n,
    cells: lattice.cells,
    visitedCells: visited.size,
    coverage: lattice.cells === 0 ? 0 : visited.size / lattice.cells,
    daysPatrolled: days.size,
    days: dayCount,
  };
}
