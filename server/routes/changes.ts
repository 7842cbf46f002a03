import type { FastifyInstance } from 'fastify';
import { ChangesQuery, type ChangesPage } from '../../shared/schema';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

/** The change feed: pages by cursor over HTTP, and live over WebSocket. */
export function changeRoutes(app: FastifyInstance, hub: HubContext): void {
  app.get('/api/changes', async (req): Promise<ChangesPage> => {
    const { principal } = await hub.authed(req);
    const q = parseWith(ChangesQuery, req.query, 'query');
    const head = await hub.store.head();
    const changes = await hub.store.changesSince(q.after, q.limit, principal.townId);
    const cursor = changes.length === q.limit ? changes[changes.length - 1]!.seq : Math.max(q.after, head);
    return { changes, cursor, head };
  });

  app.get('/api/live', { websocket: true }, (socket) => hub.live.accept(socket));
}
