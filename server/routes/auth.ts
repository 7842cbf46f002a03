import type { FastifyInstance } from 'fastify';
import { LoginRequest, type LoginResponse } from '../../shared/schema';
import { bearerToken, type HubContext } from '../context';
import { parseWith } from '../http-errors';

/** Desk sign-in (password → session token), sign-out, and who a token belongs to. */
export function authRoutes(app: FastifyInstance, hub: HubContext): void {
  app.post('/api/auth/login', async (req): Promise<LoginResponse> => {
    const body = parseWith(LoginRequest, req.body);
    return hub.auth.login(body.username, body.password, body.origin, hub.now());
  });

  app.post('/api/auth/logout', async (req, reply) => {
    await hub.authed(req);
    await hub.auth.logout(bearerToken(req)!);
    return reply.status(204).send();
  });

  app.get('/api/me', async (req) => (await hub.authed(req)).principal);
}
