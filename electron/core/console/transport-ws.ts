/**
 * The console core over a WebSocket, for a page the console host serves to a browser:
 * `GET /api/core` on the host. The page sends ConsoleRequest JSON and gets ConsoleResponse back,
 * plus `{ notice }` pushes.
 *
 * WebSockets are not subject to CORS: any website open in the operator's browser could connect to
 * 127.0.0.1 and drive the console with the operator's session. So the upgrade is refused unless its
 * Origin is the host's own.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ConsoleServerMessage } from '../../../shared/schema';
import type { ConsoleCore } from './core';

export const CORE_SOCKET_PATH = '/api/core';
/** a page has no business sending more than this in one request */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Adds the route. Registers @fastify/websocket itself when the app has not (call before `listen`).
 * `allowedOrigin` is read at each connection, so it may be set once the host knows its port.
 */
export async function registerConsoleCoreSocket(
  app: FastifyInstance,
  core: ConsoleCore,
  allowedOrigin: () => string | readonly string[],
): Promise<void> {
  if (!app.hasDecorator('websocketServer')) await app.register(fastifyWebsocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });

  app.get(
    CORE_SOCKET_PATH,
    {
      websocket: true,
      // runs before the upgrade: a refused page never gets a socket
      preValidation: async (req, reply) => {
        const origin = req.headers.origin;
        const allowed = allowedOrigin();
        if (!originAllowed(origin, allowed)) {
          const own = typeof allowed === 'string' ? allowed : allowed.join(', ');
          return reply.code(403).send({
            error: { code: 'forbidden', message: `Connections to the console core are accepted from the console's own page only (${own}), not from ${origin ?? 'a page without an Origin'}.` },
          });
        }
      },
    },
    (socket) => {
      const send = (msg: ConsoleServerMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
      };
      const off = core.onNotice((notice) => send({ notice }));
      socket.on('message', (raw) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(raw));
        } catch {
          send({ id: -1, ok: false, error: { error: { code: 'bad_json', message: 'The message is not JSON; send one ConsoleRequest object per message.' } } });
          return;
        }
        void core.request(msg).then(send);
      });
      socket.on('close', off);
      socket.on('error', off);
    },
  );
}

/** The Origin must name the host exactly (scheme, host, port); a missing Origin is refused too. */
export function originAllowed(origin: string | undefined, allowed: string | readonly string[]): boolean {
  if (!origin) return false;
  const same = (a: string) => {
    try {
      return new URL(origin).origin === new URL(a).origin;
    } catch {
      return false;
    }
  };
  return typeof allowed === 'string' ? same(allowed) : allowed.some(same);
}
