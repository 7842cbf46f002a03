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
    await hub.authed(req);
    const pt = parseWith(RecommendQuery, req.query, 'query');
    hub.district.setOpenAssignments(await hub.store.openAssignmentCounts());
    const now = hub.now();
    return { place: hub.district.locate(pt, now), candidates: hub.district.recommend(pt, now) };
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
