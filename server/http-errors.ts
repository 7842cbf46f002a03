import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError, type ErrorCode } from '../shared/errors';

const STATUS: Record<ErrorCode, number> = {
  bad_json: 400,
  invalid: 400,
  too_large: 413,
  unsupported_media: 415,
  unauthenticated: 401,
  forbidden: 403,
  out_of_scope: 403,
  not_found: 404,
  unknown_reference: 422,
  invalid_transition: 409,
  not_assignee: 403,
  role_not_allowed: 403,
  already_exists: 409,
  not_hotline: 409,
  unavailable: 503,
  internal: 500,
};

export const statusFor = (code: ErrorCode) => STATUS[code];

/** Parses untrusted input with a shared schema; the first problem names its field. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown, what = 'body'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const where = field ? `field ${field}` : what;
  throw new DomainError('invalid', `Invalid ${where}: ${issue.message}`, field || undefined);
}

/** One error shape for every route: { error: { code, message, field? } }. */
export function errorHandler(err: FastifyError | DomainError, _req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof DomainError) {
    return reply.status(statusFor(err.code)).send({ error: err.toBody() });
  }
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.status(400).send({ error: { code: 'bad_json', message: `The body is not valid JSON: ${fe.message}` } });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.status(413).send({ error: { code: 'too_large', message: 'The body is larger than this endpoint accepts.' } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.status(415).send({ error: { code: 'unsupported_media', message: `Unsupported Content-Type: ${fe.message}` } });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return reply.status(fe.statusCode).send({ error: { code: 'invalid', message: fe.message } });
  }
  _req.log.error(err);
  return reply.status(500).send({ error: { code: 'internal', message: 'The hub failed to handle this request; it has been logged.' } });
}
