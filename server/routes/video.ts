import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../shared/errors';
import { isDeskRole } from '../../shared/schema';
import type { VideoOrigins } from '../../shared/video';
import type { HubContext } from '../context';
import type { VideoService } from '../video/service';

/**
 * The console's video API:
 *   GET  /api/video/origins                    the origins to fetch hub-served streams from
 *   POST /api/video/cameras/:cameraId/cut      stop a hub-served stream (demo and tests)
 *   POST /api/video/cameras/:cameraId/restore  resume it at the live edge
 * `ports` are the hub's listening ports, main first; origins are built with the host name the
 * client reached the hub by, so a wall PC on the LAN gets LAN addresses, not 127.0.0.1.
 */
export function videoRoutes(app: FastifyInstance, hub: HubContext, video: VideoService, ports: () => number[], fallbackHost: string): void {
  app.get('/api/video/origins', async (req): Promise<VideoOrigins> => {
    await hub.authed(req);
    const host = requestHost(req) ?? fallbackHost;
    return { origins: ports().map((p) => `http://${host}:${p}`) };
  });

  for (const action of ['cut', 'restore'] as const) {
    app.post<{ Params: { cameraId: string } }>(`/api/video/cameras/:cameraId/${action}`, async (req) => {
      const { principal } = await hub.authed(req);
      if (!isDeskRole(principal.role)) throw new DomainError('forbidden', `Only a desk can ${action} a camera stream.`);
      const cam = await hub.store.getCamera(req.params.cameraId);
      if (cam && principal.townId !== undefined && cam.townId !== principal.townId) {
        throw new DomainError('out_of_scope', `Camera ${cam.id} is outside your town.`, 'cameraId');
      }
      const camera = action === 'cut' ? await video.cut(req.params.cameraId) : await video.restore(req.params.cameraId);
      return { camera };
    });
  }
}

/** The host name (IPv6 in brackets) the request came to, from its Host header. */
function requestHost(req: FastifyRequest): string | undefined {
  const h = req.headers.host;
  if (!h) return undefined;
  try {
    return new URL(`http://${h}`).hostname || undefined;
  } catch {
    return undefined;
  }
}
