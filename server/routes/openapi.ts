import type { FastifyInstance } from 'fastify';

/** The hub's API described as OpenAPI 3.1, generated from the shared schemas. */
export function openapiRoutes(_app: FastifyInstance): void {
  // filled by the OpenAPI work
}
