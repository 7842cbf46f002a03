import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../../shared/errors';
import type { VideoService } from '../video/service';

const NUMBER = /^\d{1,15}$/;
const PLAYLIST = /^([^.]+)\.m3u8$/;
const MEDIA = /^(\d{1,15})(?:\.(\d{1,3}))?\.ts$/;

/**
 * Live HLS of the cameras the hub serves (server/video/service.ts):
 *   GET /hls/:cameraId/:variant.m3u8   media playlist (variant main|sub); _HLS_msn/_HLS_part block
 *   GET /hls/:cameraId/:variant/:msn.ts   a segment;   /:msn.:part.ts   a part
 * Open to any origin (Access-Control-Allow-Origin: *, no credentials): players on the console's own
 * origin fetch them with XHR, and the streams are the demo's test pattern, no secret. Registered on
 * the hub's main listener and on each media listener.
 */
export async function hlsRoutes(app: FastifyInstance, video: VideoService): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (_req, reply) => {
        reply.header('Access-Control-Allow-Origin', '*');
        reply.header('X-Content-Type-Options', 'nosniff');
      });
      scope.setNotFoundHandler((req, reply) =>
        reply.status(404).send({ error: { code: 'not_found', message: `No HLS resource ${req.url.split('?')[0]}: playlists are /hls/<camera>/<main|sub>.m3u8.` } }),
      );
      // a preflight only comes if a player adds headers of its own; answer it for any origin
      scope.options('/*', async (req, reply) => {
        reply.header('Access-Control-Allow-Methods', 'GET, HEAD');
        const asked = req.headers['access-control-request-headers'];
        if (asked) reply.header('Access-Control-Allow-Headers', asked);
        reply.header('Access-Control-Max-Age', '600');
        return reply.status(204).send();
      });

      scope.get<{ Params: { cameraId: string; file: string }; Querystring: Record<string, string | undefined> }>('/:cameraId/:file', async (req, reply) => {
        const m = PLAYLIST.exec(req.params.file);
        if (!m) throw new DomainError('not_found', `No HLS resource ${req.params.file}: playlists are /hls/<camera>/<main|sub>.m3u8.`);
        const { camera, variant } = await video.streamCamera(req.params.cameraId, m[1]!);
        const { _HLS_msn: msnQ, _HLS_part: partQ } = req.query;
        if (msnQ !== undefined && !NUMBER.test(msnQ)) throw new DomainError('invalid', '_HLS_msn must be a whole number.', '_HLS_msn');
        if (partQ !== undefined && !NUMBER.test(partQ)) throw new DomainError('invalid', '_HLS_part must be a whole number.', '_HLS_part');
        if (partQ !== undefined && msnQ === undefined) throw new DomainError('invalid', '_HLS_part needs _HLS_msn.', '_HLS_part');
        const text = await video.playlist(camera, variant, msnQ === undefined ? undefined : Number(msnQ), partQ === undefined ? undefined : Number(partQ));
        // live: a playlist is stale a moment later
        return reply.header('Content-Type', 'application/vnd.apple.mpegurl').header('Cache-Control', 'no-cache').send(text);
      });

      scope.get<{ Params: { cameraId: string; variant: string; file: string } }>('/:cameraId/:variant/:file', async (req, reply: FastifyReply) => {
        const m = MEDIA.exec(req.params.file);
        if (!m) throw new DomainError('invalid', `No such segment name ${req.params.file}: segments are <msn>.ts, parts <msn>.<part>.ts.`, 'file');
        const { camera, variant } = await video.streamCamera(req.params.cameraId, req.params.variant);
        const bytes = await video.media(camera, variant, Number(m[1]), m[2] === undefined ? undefined : Number(m[2]));
        // a published segment never changes under its number; a minute covers a player's window
        return reply.header('Content-Type', 'video/mp2t').header('Cache-Control', 'public, max-age=60, immutable').send(bytes);
      });
    },
    { prefix: '/hls' },
  );
}
