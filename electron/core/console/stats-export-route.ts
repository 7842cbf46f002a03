/**
 * Excel downloads for the console page: `GET /api/core/stats/export.xlsx?from&to[&townId]` serves
 * the hub's statistics workbook (and `/api/core/stats/ledger.xlsx` its ledger workbook, with the
 * ledger's own query, and `/api/core/stats/bulletin.xlsx?[date][&townId]` its three-day bulletin), fetched by the console core with its session: the page never holds the
 * hub's token. The query is validated here with the hub's own schema before the hub is asked; the
 * hub checks scope (a sub-centre desk gets its own town only) and its refusal reaches the page as
 * JSON `{ error }` with a status the page can tell apart (401 not signed in, 403 another town,
 * 400 a bad period, 503 the hub is away).
 *
 * Like the attachments route, it answers only the console's own page (Sec-Fetch-Site, Origin,
 * Referer): another website must not make the browser pull the district's figures.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError, type ErrorCode } from '../../../shared/errors';
import { StatsQuery } from '../../../shared/schema/stats';
import { attachmentRequestAllowed } from './attachments-route';
import type { ConsoleCore } from './core';
import type { StatsWorkbookKind } from './stats';

export const STATS_EXPORT_ROUTE = '/api/core/stats/export.xlsx';
export const LEDGER_EXPORT_ROUTE = '/api/core/stats/ledger.xlsx';
export const BULLETIN_EXPORT_ROUTE = '/api/core/stats/bulletin.xlsx';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  out_of_scope: 403,
  not_found: 404,
  too_large: 502,
  unavailable: 503,
};

function fail(reply: FastifyReply, err: unknown): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (err instanceof DomainError) return reply.code(STATUS[err.code] ?? 502).send({ error: err.toBody() });
  console.error('console host: serving a workbook failed', err);
  return reply.code(500).send({ error: { code: 'internal', message: `Serving the workbook failed (${(err as Error)?.message ?? String(err)}).` } });
}

/** The query as the hub's schema reads it, or the first problem as an `invalid` DomainError naming the field. */
export function parseQuery<S extends z.ZodTypeAny>(schema: S, raw: unknown): URLSearchParams {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const field = i?.path.join('.');
    throw new DomainError('invalid', `The workbook's query is not valid: ${field ? `${field}: ` : ''}${i?.message ?? 'unknown problem'}`, field || undefined);
  }
  // only what the schema knows goes on to the hub, written back as strings
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(parsed.data as Record<string, unknown>)) if (v !== undefined) out.set(k, String(v));
  return out;
}

/** A Content-Disposition from the hub, passed on only if it is a plain attachment header. */
const safeDisposition = (d: string | undefined): string | undefined => (d && /^attachment;[\x20-\x7e]*$/.test(d) ? d : undefined);

/**
 * Adds the routes. `allowedOrigin` is read at each request (the host knows its port once listening).
 * `ledgerQuery` is the hub's ledger query schema, when the ledger workbook exists; `bulletinQuery`
 * the three-day bulletin's (shared/schema/ledgers.ts BulletinQuery), when that workbook exists.
 */
export function registerStatsExportRoutes(
  app: FastifyInstance,
  core: ConsoleCore,
  allowedOrigin: () => string | readonly string[],
  ledgerQuery?: z.ZodTypeAny,
  bulletinQuery?: z.ZodTypeAny,
): void {
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const allowed = allowedOrigin();
    if (!attachmentRequestAllowed(req.headers, allowed)) {
      const own = typeof allowed === 'string' ? allowed : allowed.join(', ');
      return fail(reply, new DomainError('forbidden', `Workbooks are served to the console's own page only (${own}).`));
    }
  };
  const serve = (kind: StatsWorkbookKind, schema: z.ZodTypeAny) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const query = parseQuery(schema, req.query);
      const file = await core.statsWorkbook(kind, query);
      const disposition = safeDisposition(file.disposition) ?? `attachment; filename="${kind}.xlsx"`;
      return reply
        .header('content-type', file.contentType)
        .header('content-length', String(file.bytes.length))
        .header('content-disposition', disposition)
        // figures change by the minute and belong to the signed-in person: never cached
        .header('cache-control', 'no-store')
        .header('vary', 'Origin, Referer, Sec-Fetch-Site')
        .send(file.bytes);
    } catch (err) {
      return fail(reply, err);
    }
  };
  app.get(STATS_EXPORT_ROUTE, { preHandler: guard, exposeHeadRoute: false }, serve('stats', StatsQuery));
  if (ledgerQuery) app.get(LEDGER_EXPORT_ROUTE, { preHandler: guard, exposeHeadRoute: false }, serve('ledger', ledgerQuery));
  if (bulletinQuery) app.get(BULLETIN_EXPORT_ROUTE, { preHandler: guard, exposeHeadRoute: false }, serve('bulletin', bulletinQuery));
}
