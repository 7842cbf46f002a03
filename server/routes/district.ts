import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors';
import { FieldPosition, isFieldRole, RecommendQuery, type RecommendResponse } from '../../shared/schema';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

/** The district's reference answers (taxonomy, recommendation) and field staff's positions. */
export function districtRoutes(app: FastifyInstance, hub: HubContext): void {
  app.get('/api/taxonomy', async (req) => {
    await hub.authed(req);
    return hub.taxonomy;
  });

  app.get('/api/recommend', async (req): Promise<RecommendResponse> => {
    const { principal } = await hub.authed(req);
    const pt = parseWith(RecommendQuery, req.query, 'query');
    const now = hub.now();
    const place = hub.district.locate(pt, now);
    // a sub-centre desk dispatches within its town only: neither the place nor the people of another
    const own = principal.townId;
    if (own !== undefined && place.townId !== own)
      throw new DomainError('out_of_scope', `The point ${pt.lng}, ${pt.lat} is ${place.townId ? `in town ${place.townId}` : 'outside every town'}; your desk covers town ${own} only.`, 'lng');
    hub.district.setOpenAssignments(await hub.store.openAssignmentCounts());
    return { place, candidates: hub.district.recommend(pt, now, own) };
  });

  app.post('/api/field/position', async (req, reply) => {
    const ctx = await hub.authed(req);
    const fix = parseWith(FieldPosition, req.body);
    if (!isFieldRole(ctx.principal.role)) throw new DomainError('forbidden', 'Only field staff report positions.');
    if (hub.district.locate(fix.position, hub.now()).gridIds.length === 0) {
      throw new DomainError('invalid', `The position ${fix.position.lng}, ${fix.position.lat} is outside the district; check the phone's location fix.`, 'position');
    }
    const f = { personId: ctx.principal.personId, ...fix };
    hub.live.publish(await hub.store.recordPositions([f]));
    hub.district.updateFixes([f]);
    return reply.status(204).send();
  });
}
