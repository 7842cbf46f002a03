import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { buildOpenApi, renderDocsHtml } from '../../shared/openapi';

const version = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
};

/** The hub's API described as OpenAPI 3.1, generated from the shared schemas, and a plain page listing it. */
export function openapiRoutes(app: FastifyInstance): void {
  // built once: the schemas do not change while the hub runs
  const doc = buildOpenApi(version());
  const body = JSON.stringify(doc);
  const html = renderDocsHtml(doc);

  app.get('/api/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
  app.get('/api/docs', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      // the page needs nothing but itself
      .header('content-security-policy', "default-src 'none'; base-uri 'none'; form-action 'none'")
      .send(html),
  );
}
