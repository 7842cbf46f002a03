import type { FastifyInstance } from 'fastify';

/** Serves the built field page (renderer/field) at /field. */
export async function fieldPageRoutes(_app: FastifyInstance, _rendererDir: string): Promise<void> {
  // filled by the field-page work
}
