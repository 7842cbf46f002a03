import type { FastifyRequest } from 'fastify';
import type { Taxonomy } from '../shared/taxonomy';
import type { AttachmentStore } from './attachments';
import type { Auth, AuthContext } from './auth';
import type { DistrictIndex } from './district-index';
import type { LiveHub } from './live';
import type { CommandPipeline } from './pipeline';
import type { HubStore } from './store/interface';

/** What the hub's routes share: its parts, built once in startHub. */
export interface HubContext {
  store: HubStore;
  auth: Auth;
  pipeline: CommandPipeline;
  live: LiveHub;
  district: DistrictIndex;
  attachments: AttachmentStore;
  taxonomy: Taxonomy;
  now: () => number;
  /** the session or device behind a request, or a 401 */
  authed(req: FastifyRequest): Promise<AuthContext>;
}

/** The token of `Authorization: Bearer <token>`, if the request carries one. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}
