import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context';

/** The field API a grid leader's phone (or a city's own grid app) uses beyond /api/commands. */
export function fieldRoutes(_app: FastifyInstance, _hub: HubContext): void {
  // filled by the field-page work
}
