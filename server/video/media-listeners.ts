import Fastify, { type FastifyInstance } from 'fastify';
import { errorHandler } from '../http-errors';
import { hlsRoutes } from '../routes/hls';
import type { VideoService } from './service';

/**
 * Extra HTTP listeners on the hub's host that serve only /hls/*. Chromium opens at most six HTTP/1.1
 * connections per host and port; a wall of 16 live players (each holding a blocking playlist request
 * under low-latency HLS, plus its part fetches) starves on one. Each listener is one more origin for
 * the players to spread over (shared/video.ts mediaOriginFor).
 */
export interface MediaListeners {
  ports: number[];
  close(): Promise<void>;
}

export async function startMediaListeners(count: number, host: string, video: VideoService, log: boolean): Promise<MediaListeners> {
  const apps: FastifyInstance[] = [];
  const close = async () => {
    await Promise.all(apps.map((a) => a.close()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const app = Fastify({ logger: log ? { level: 'info' } : false });
      apps.push(app);
      app.setErrorHandler(errorHandler);
      app.setNotFoundHandler((req, reply) =>
        reply.status(404).send({ error: { code: 'not_found', message: `This is a media origin of the hub: it serves only /hls/…, not ${req.url.split('?')[0]}.` } }),
      );
      await hlsRoutes(app, video);
      await app.listen({ host, port: 0 });
    }
  } catch (err) {
    await close();
    throw err;
  }
  const ports = apps.map((a) => {
    const addr = a.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  });
  return { ports, close };
}

/** An origin for a host and port: a wildcard host becomes loopback, an IPv6 literal gets brackets. */
export function originOf(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
