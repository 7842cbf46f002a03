import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../shared/errors';
import { FIELD_REPORT_DAYS, isFieldRole, type FieldAssignments, type FieldPlace, type FieldProfile, type Grid, type OrgUnit } from '../../shared/schema';
import type { AuthContext } from '../auth';
import type { HubContext } from '../context';

/** How many events a page lists: a leader with more open work than this needs a desk, not a phone. */
const LIST_LIMIT = 200;

/** The field API a grid leader's phone (or a city's own grid app) uses beyond /api/commands. */
export function fieldRoutes(app: FastifyInstance, hub: HubContext): void {
  const fieldAuth = async (req: FastifyRequest): Promise<AuthContext> => {
    const ctx = await hub.authed(req);
    if (!isFieldRole(ctx.principal.role)) {
      throw new DomainError('forbidden', `The field API is for grid staff's devices; desk staff (${ctx.principal.role}) use the console.`);
    }
    return ctx;
  };

  app.get('/api/field/me', async (req): Promise<FieldProfile> => {
    const { principal } = await fieldAuth(req);
    const person = await hub.store.getPerson(principal.personId);
    if (!person) throw new DomainError('unauthenticated', 'This device names no person any more; register it again.');
    const grids = await gridsOf(hub, person.gridIds);
    // field staff belong to a community; its parent is the town (subcenter)
    const unit = await hub.store.getOrgUnit(person.orgUnitId);
    const community = unit?.level === 'community' ? unit : undefined;
    const townUnit =
      unit?.level === 'subcenter' ? unit : community?.parentId ? await hub.store.getOrgUnit(community.parentId) : undefined;
    const town = townUnit?.level === 'subcenter' ? townUnit : undefined;
    return {
      person,
      grids,
      ...(community ? { community: place(community) } : {}),
      ...(town ? { town: place(town) } : {}),
    };
  });

  app.get('/api/field/assignments', async (req): Promise<FieldAssignments> => {
    const { principal } = await fieldAuth(req);
    // the head first: whatever changes after it reaches the page over /api/live
    const head = await hub.store.head();
    const at = hub.now();
    const [assignments, reports] = await Promise.all([
      hub.store.openEventsAssignedTo(principal.personId, LIST_LIMIT),
      hub.store.eventsReportedBy(principal.personId, at - FIELD_REPORT_DAYS * 86_400_000, LIST_LIMIT),
    ]);
    return { assignments, reports, head, at };
  });
}

const place = (u: OrgUnit): FieldPlace => ({ id: u.id, name: u.name });

/** The person's grids from the in-memory index; the store only when one is missing there (not reloaded yet). */
async function gridsOf(hub: HubContext, ids: readonly string[]): Promise<Grid[]> {
  const found = ids.map((id) => hub.district.grid(id));
  if (found.every((g): g is Grid => g !== undefined)) return found;
  const all = new Map((await hub.store.listGrids()).map((g) => [g.id, g]));
  return ids.map((id) => all.get(id)).filter((g): g is Grid => g !== undefined);
}
