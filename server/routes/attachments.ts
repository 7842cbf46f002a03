import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../shared/errors';
import { UploadQuery } from '../../shared/schema';
import type { HubContext } from '../context';
import { parseWith } from '../http-errors';

/** Evidence (photos, voice notes, clips) by content hash; `?purpose=photo|voice` narrows what the bytes may be. */
export async function attachmentRoutes(app: FastifyInstance, hub: HubContext): Promise<void> {
  // Raw bytes are accepted on the upload route only (other routes keep their small JSON limit).
  // The token and the purpose are checked before the body is read, and the real type is sniffed from the bytes.
  await app.register(async (scope) => {
    scope.addContentTypeParser(/^(image|audio|video)\/.*/, { parseAs: 'buffer', bodyLimit: hub.attachments.maxBytes }, (_req, body, done) =>
      done(null, body),
    );
    const onRequest = async (req: FastifyRequest) => {
      await hub.authed(req);
      parseWith(UploadQuery, req.query, 'query');
    };
    scope.post('/api/attachments', { onRequest }, async (req, reply) => {
      const { purpose } = parseWith(UploadQuery, req.query, 'query');
      if (!Buffer.isBuffer(req.body)) {
        throw new DomainError('unsupported_media', 'Send the file itself as the body, with an image/, audio/ or video/ Content-Type.');
      }
      const meta = await hub.attachments.put(req.body, req.headers['content-type'], hub.now(), purpose);
      return reply.status(201).send(meta);
    });
  });

  app.get<{ Params: { hash: string } }>('/api/attachments/:hash', async (req, reply) => {
    await hub.authed(req);
    const found = /^[0-9a-f]{64}$/.test(req.params.hash) ? await hub.attachments.read(req.params.hash) : undefined;
    if (!found) throw new DomainError('not_found', `No attachment ${req.params.hash}.`);
    return reply.type(found.meta.mime).header('cache-control', 'private, max-age=31536000, immutable').send(found.bytes);
  });
}
