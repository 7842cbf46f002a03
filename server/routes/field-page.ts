import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pageContentSecurityPolicy } from '../../shared/csp';
import { DomainError } from '../../shared/errors';

export const FIELD_PATH = '/field/';

/**
 * The field page's policy: everything from the hub itself (scripts, styles, the API and the live
 * socket), photos and voice notes as blob: previews, and nothing framed or posted elsewhere.
 */
export function fieldContentSecurityPolicy(host?: string): string {
  const connect: string[] = [];
  // 'self' covers ws: on current browsers; older WebKit needs the socket's origin named
  if (host && /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) connect.push(`ws://${host}`, `wss://${host}`);
  return pageContentSecurityPolicy(connect);
}

/** The page asks for the camera, the microphone and the position; nothing else. */
export const FIELD_PERMISSIONS_POLICY = 'camera=(self), microphone=(self), geolocation=(self), payment=(), usb=()';

/**
 * Serves the built field page (renderer/field) at /field/, its bundles at /field/assets/.
 *
 * The renderer is built once for every page with relative asset paths (`../assets/…` seen from
 * `<page>/index.html`); the hub serves the field page one level up, at /field/, so its HTML is
 * answered with `./assets/…` and everything the page loads stays under /field/.
 */
export async function fieldPageRoutes(app: FastifyInstance, rendererDir: string): Promise<void> {
  const root = resolve(rendererDir);
  const indexFile = join(root, 'field', 'index.html');

  await app.register(async (scope) => {
    scope.addHook('onSend', async (req, reply) => {
      reply.header('Content-Security-Policy', fieldContentSecurityPolicy(req.headers.host));
      reply.header('Permissions-Policy', FIELD_PERMISSIONS_POLICY);
      reply.header('X-Content-Type-Options', 'nosniff');
      // the page may be opened once with ?token=: never let that URL travel in a Referer
      reply.header('Referrer-Policy', 'no-referrer');
      reply.header('Cross-Origin-Opener-Policy', 'same-origin');
      reply.header('X-Frame-Options', 'DENY');
    });

    const page = async (_req: FastifyRequest, reply: FastifyReply) => {
      let html: string;
      try {
        html = await readFile(indexFile, 'utf8');
      } catch {
        throw new DomainError(
          'unavailable',
          `The field page is not built on this hub (no ${indexFile}); run \`npm run build\` and reload.`,
        );
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-cache')
        .send(html.replaceAll('"../assets/', '"./assets/'));
    };
    // relative asset paths need the trailing slash; keep the query (?token=) across the redirect
    scope.get('/field', async (req, reply) => {
      const q = req.url.indexOf('?');
      return reply.redirect(FIELD_PATH + (q >= 0 ? req.url.slice(q) : ''), 302);
    });
    scope.get(FIELD_PATH, page);
    scope.get(`${FIELD_PATH}index.html`, page);

    await scope.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: `${FIELD_PATH}assets/`,
      // the hub may hold other static roots; only one registration may decorate the reply
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders(res) {
        // hashed bundle names: a new build makes new names
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
  });
}
