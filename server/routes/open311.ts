import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context';

/** Open311 GeoReport v2 under /open311/v2. */
export function open311Routes(_app: FastifyInstance, _hub: HubContext, _apiKey: string | undefined): void {
  // filled by the Open311 work
}
