/**
 * The console host serves the map's basemap archives to the page, same origin (so the page's CSP
 * needs nothing extra and the map works with no network):
 *   GET /basemap/demo.pmtiles   the demo district's generated basemap (server/demo/basemap.ts),
 *                               made once in memory on first use
 *   GET /basemap/local.pmtiles  the PMTiles file the basemap setting names, read from disk
 * Both answer HTTP range requests (206), which is how PMTiles readers fetch a header, a directory
 * and single tiles out of one file.
 *   GET /basemap/local/{z}/{x}/{y}  one tile of the MBTiles file the setting names (XYZ order, the
 *                               file's TMS row flipped); 204 where the file has no tile (MapLibre
 *                               draws nothing there), 400 for coordinates that name no tile
 * Like attachments, only the console's own page may read them.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { attachmentRequestAllowed } from './attachments-route';
import type { ConsoleCore } from './core';
import { DEMO_PMTILES_PATH, LOCAL_MBTILES_ROUTE, LOCAL_PMTILES_PATH } from './map';
import { isGzip, MBTILES_CONTENT_TYPE, MBTILES_MAX_ZOOM, parseTileCoords, type MbtilesArchive } from './mbtiles';

/** Parses `Range: bytes=a-b` (one range; suffix and open forms too) against a size; null: whole body. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number, end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.status(status).header('Cache-Control', 'no-store').send({ error: { code, message } });
}

export function registerBasemapRoutes(app: FastifyInstance, core: ConsoleCore, ownOrigin: () => string): void {
  let demo: Promise<Buffer> | undefined;
  const demoArchive = () =>
    (demo ??= import('../../../server/demo/basemap').then((m) => m.demoBasemapPmtiles()).catch((err: unknown) => {
      demo = undefined;
      throw err;
    }));
  // made in the background at start, so the first map paint does not wait for it
  setTimeout(() => void demoArchive().catch((err: unknown) => console.warn('console host: the demo basemap could not be made:', err)), 1000).unref();

  const guard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (attachmentRequestAllowed(req.headers, ownOrigin())) return true;
    void refuse(reply, 403, 'forbidden', 'The basemap is served to the console\'s own page only.');
    return false;
  };

  app.get(DEMO_PMTILES_PATH, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const buf = await demoArchive();
    const range = parseRange(req.headers.range, buf.length);
    reply.header('Accept-Ranges', 'bytes').header('Content-Type', 'application/vnd.pmtiles').header('Cache-Control', 'no-cache');
    if (range === 'unsatisfiable') return reply.status(416).header('Content-Range', `bytes */${buf.length}`).send();
    if (!range) return reply.send(buf);
    return reply
      .status(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${buf.length}`)
      .send(buf.subarray(range.start, range.end + 1));
  });

  app.get(LOCAL_PMTILES_PATH, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const file = core.map.localPmtiles();
    if (!file) return refuse(reply, 404, 'not_found', 'No local PMTiles basemap is configured; choose one in the map\'s basemap settings.');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (err) {
      return refuse(reply, 404, 'not_found', `The configured basemap ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the file or choose another basemap.`);
    }
    const range = parseRange(req.headers.range, size);
    reply.header('Accept-Ranges', 'bytes').header('Content-Type', 'application/vnd.pmtiles').header('Cache-Control', 'no-cache');
    if (range === 'unsatisfiable') return reply.status(416).header('Content-Range', `bytes */${size}`).send();
    if (!range) return reply.header('Content-Length', size).send(createReadStream(file));
    return reply
      .status(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
      .header('Content-Length', range.end - range.start + 1)
      .send(createReadStream(file, { start: range.start, end: range.end }));
  });

  app.get<{ Params: { z: string; x: string; y: string } }>(LOCAL_MBTILES_ROUTE, { exposeHeadRoute: false }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const at = parseTileCoords(req.params.z, req.params.x, req.params.y);
    if (!at) return refuse(reply, 400, 'invalid', `A tile is /basemap/local/{z}/{x}/{y}: whole numbers, z from 0 to ${MBTILES_MAX_ZOOM}, x and y from 0 to 2^z - 1.`);
    let archive: MbtilesArchive | undefined;
    try {
      archive = core.map.localMbtiles();
    } catch (err) {
      return refuse(reply, 404, 'not_found', `The configured basemap cannot be read: ${(err as Error).message}`);
    }
    if (!archive) return refuse(reply, 404, 'not_found', 'No local MBTiles basemap is configured; choose one in the map\'s basemap settings.');
    let tile: Buffer | undefined;
    try {
      tile = archive.tile(at.z, at.x, at.y);
    } catch (err) {
      return refuse(reply, 500, 'internal', `Reading the tile from ${archive.file} failed (${(err as Error).message}).`);
    }
    reply.header('Cache-Control', 'no-cache');
    // no tile there: an empty answer, which MapLibre draws as nothing (a 404 would be an error event)
    if (!tile) return reply.status(204).send();
    const format = archive.metadata.format;
    reply.header('Content-Type', MBTILES_CONTENT_TYPE[format]).header('Content-Length', tile.length);
    if (format === 'pbf' && isGzip(tile)) reply.header('Content-Encoding', 'gzip');
    return reply.send(tile);
  });
}
