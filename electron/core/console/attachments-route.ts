/**
 * Evidence for the console page: `GET /api/core/attachments/:hash` serves a photo, voice note or
 * clip that the console core fetches from its hub with its own session token (the page never has
 * it), and `GET /api/core/attachments/:hash/meta` answers `{ mime, size }` so the page knows
 * whether to show an <img>, an <audio> or a <video>. The page's CSP (`img-src 'self'`,
 * `media-src 'self'`) allows them because they come from the host's own origin.
 *
 * An <img> or <audio> on another website could point at 127.0.0.1 and pull evidence with the
 * operator's session (no CORS for such loads). So a request is served only when the browser says
 * it comes from the console's own page: `Sec-Fetch-Site: same-origin` when the browser sends it,
 * and any Origin or Referer naming the host's own origin; with none of the three it is refused.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../../../shared/errors';
import type { ConsoleCore } from './core';
import { originAllowed } from './transport-ws';

export const ATTACHMENT_ROUTE = '/api/core/attachments/:hash';
const HASH = /^[0-9a-f]{64}$/;

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  out_of_scope: 403,
  not_found: 404,
  // the hub's attachment is over the limit or the hub failed: a bad gateway for the page
  too_large: 502,
  unavailable: 503,
};

/**
 * Whether the request comes from the console's own page. Exported for tests.
 * - `Sec-Fetch-Site`, when present, must be `same-origin`;
 * - an `Origin` or `Referer`, when present, must name an allowed origin;
 * - a request with none of them (not a browser page, or a very old one) is refused.
 */
export function attachmentRequestAllowed(headers: FastifyRequest['headers'], allowed: string | readonly string[]): boolean {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const site = one(headers['sec-fetch-site']);
  const origin = one(headers.origin);
  const referer = one(headers.referer);
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && !originAllowed(origin, allowed)) return false;
  if (referer !== undefined && !originAllowed(referer, allowed)) return false;
  return site !== undefined || origin !== undefined || referer !== undefined;
}

function fail(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof DomainError) {
    const status = STATUS[err.code] ?? 502;
    return reply.code(status).header('cache-control', 'no-store').send({ error: err.toBody() });
  }
  console.error('console host: serving an attachment failed', err);
  return reply
    .code(500)
    .header('cache-control', 'no-store')
    .send({ error: { code: 'internal', message: `Serving the attachment failed (${(err as Error)?.message ?? String(err)}).` } });
}

/**
 * Adds both routes. `allowedOrigin` is read at each request, so it may be set once the host knows
 * its port (as for the core's WebSocket).
 */
export function registerAttachmentRoute(app: FastifyInstance, core: ConsoleCore, allowedOrigin: () => string | readonly string[]): void {
  const guard = async (req: FastifyRequest<{ Params: { hash: string } }>, reply: FastifyReply) => {
    const allowed = allowedOrigin();
    if (!attachmentRequestAllowed(req.headers, allowed)) {
      const own = typeof allowed === 'string' ? allowed : allowed.join(', ');
      return fail(reply, new DomainError('forbidden', `Attachments are served to the console's own page only (${own}).`));
    }
    if (!HASH.test(req.params.hash)) return fail(reply, new DomainError('invalid', 'An attachment is named by its sha256: 64 lower-case hex digits.', 'hash'));
  };
  // a response varies with these request headers: no shared cache may hand one page's answer to another
  const vary = 'Origin, Referer, Sec-Fetch-Site';

  app.get<{ Params: { hash: string } }>(ATTACHMENT_ROUTE, { preHandler: guard, exposeHeadRoute: false }, async (req, reply) => {
    try {
      const a = await core.attachment(req.params.hash);
      return reply
        .header('content-type', a.mime)
        .header('content-length', String(a.bytes.length))
        // content-addressed: the same hash is the same bytes forever
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('vary', vary)
        .header('content-disposition', 'inline')
        .send(a.bytes);
    } catch (err) {
      return fail(reply, err);
    }
  });

  app.get<{ Params: { hash: string } }>(`${ATTACHMENT_ROUTE}/meta`, { preHandler: guard, exposeHeadRoute: false }, async (req, reply) => {
    try {
      const m = await core.attachmentMeta(req.params.hash);
      return reply.header('cache-control', 'private, max-age=31536000, immutable').header('vary', vary).send({ hash: req.params.hash, mime: m.mime, size: m.size });
    } catch (err) {
      return fail(reply, err);
    }
  });
}
