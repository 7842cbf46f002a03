import type { FastifyInstance } from 'fastify';
import { ChangesQuery, isFieldRole, type ChangesPage } from '../../shared/schema';
import { fieldEventSet, fieldVisible } from '../live';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

/** The change feed: pages by cursor over HTTP, and live over WebSocket. */
export function changeRoutes(app: FastifyInstance, hub: HubContext): void {
  app.get('/api/changes', async (req): Promise<ChangesPage> => {
    const { principal } = await hub.authed(req);
    const q = parseWith(ChangesQuery, req.query, 'query');
    const head = await hub.store.head();
    const page = await hub.store.changesSince(q.after, q.limit, principal.townId);
    const cursor = page.length === q.limit ? page[page.length - 1]!.seq : Math.max(q.after, head);
    // a phone reads what its live socket would: its own events and itself, not the district
    const changes = isFieldRole(principal.role) ? fieldVisible(principal.personId, await fieldEventSet(hub.store, principal.personId, hub.now()), page) : page;
    return { changes, cursor, head };
  });

  app.get('/api/live', { websocket: true }, (socket) => hub.live.accept(socket));
}
