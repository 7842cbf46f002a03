import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WS, { WebSocketServer } from 'ws';
import { coreClient, CoreError, ipcTransport, wsTransport, type CoreBridge } from '../renderer/core-client';
import type { ConsoleNotice, ConsoleRequest, SessionInfo } from '../shared/schema';

/**
 * The page's client of the console core, without a browser: the WebSocket transport against a
 * scripted server (answers out of order, garbage, a dropped link), and the IPC transport against a
 * fake bridge. Both must hand the page only what the shared schemas accept.
 */
const session: SessionInfo = { principal: null, hubUrl: 'http://127.0.0.1:1', link: 'offline', cursor: 0, head: 0, outbox: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  // Node 20 has no WebSocket global; the page's code uses the browser's
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WS;
});

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((r) => s.close(r));
  }
});

async function server(onMessage: (msg: ConsoleRequest, sock: WS) => void, port = 0): Promise<{ wss: WebSocketServer; origin: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/api/core' });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (sock) => sock.on('message', (raw) => onMessage(JSON.parse(String(raw)) as ConsoleRequest, sock)));
  return { wss, origin: `http://127.0.0.1:${(wss.address() as { port: number }).port}` };
}

describe('core client over WebSocket', () => {
  it('matches answers to requests by id, even out of order, and passes notices on', async () => {
    const held: [ConsoleRequest, WS][] = [];
    const { origin } = await server((msg, sock) => {
      held.push([msg, sock]);
      if (held.length === 2) {
        for (const [m, s] of held.reverse()) s.send(JSON.stringify({ id: m.id, ok: true, result: { ...session, cursor: m.type === 'session' ? 1 : 2 } }));
        const notice: ConsoleNotice = { type: 'changed', eventIds: ['e1'], cursor: 3, head: 3 };
        sock.send(JSON.stringify({ notice }));
      }
    });
    const client = coreClient(wsTransport(origin), 'ws');
    const notices: ConsoleNotice[] = [];
    client.onNotice((n) => notices.push(n));
    const [a, b] = await Promise.all([client.call('session', {}), client.call('logout', {})]);
    expect(a.cursor).toBe(1);
    expect(b.cursor).toBe(2);
    await expect.poll(() => notices).toEqual([{ type: 'changed', eventIds: ['e1'], cursor: 3, head: 3 }]);
    client.close();
  });

  it("turns the core's error answer into a CoreError with the hub's code and message", async () => {
    const { origin } = await server((msg, sock) =>
      sock.send(JSON.stringify({ id: msg.id, ok: false, error: { error: { code: 'invalid_transition', message: 'Event e1 is closed' } } })),
    );
    const client = coreClient(wsTransport(origin), 'ws');
    const err = await client.call('event', { eventId: 'e1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe('invalid_transition');
    expect((err as CoreError).message).toBe('Event e1 is closed');
    client.close();
  });

  it('refuses a malformed answer and ignores a malformed notice', async () => {
    const { origin } = await server((msg, sock) => {
      sock.send(JSON.stringify({ notice: { type: 'alert', eventId: 'e1', kind: 'loud' } }));
      sock.send(JSON.stringify({ id: msg.id, ok: 'yes' }));
    });
    const client = coreClient(wsTransport(origin), 'ws');
    const notices: ConsoleNotice[] = [];
    client.onNotice((n) => notices.push(n));
    const err = await client.call('session', {}).catch((e: unknown) => e);
    expect((err as CoreError).code).toBe('bad_reply');
    expect(notices).toEqual([]);
    client.close();
  });

  it('holds requests until the host is up, and reconnects after the link drops', async () => {
    // find a free port, then start the server on it only after the request was made
    const probe = await server(() => {});
    const port = (probe.wss.address() as { port: number }).port;
    for (const c of probe.wss.clients) c.terminate();
    await new Promise((r) => probe.wss.close(r));
    servers.splice(servers.indexOf(probe.wss), 1);

    const transport = wsTransport(`http://127.0.0.1:${port}`);
    const states: string[] = [];
    transport.onState((s) => states.push(s));
    const client = coreClient(transport, 'ws');
    const pending = client.call('session', {});
    await sleep(200);
    const { wss } = await server((msg, sock) => sock.send(JSON.stringify({ id: msg.id, ok: true, result: session })), port);
    expect((await pending).hubUrl).toBe(session.hubUrl);

    for (const c of wss.clients) c.terminate();
    await expect.poll(() => states.filter((s) => s === 'open').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect((await client.call('session', {})).link).toBe('offline');
    client.close();
    expect(states.at(-1)).toBe('closed');
  });
});

describe('core client over IPC', () => {
  it('validates what crosses the bridge', async () => {
    let push: ((n: unknown) => void) | undefined;
    const bridge: CoreBridge = {
      request: async (msg) => (msg.type === 'session' ? { id: msg.id, ok: true, result: session } : { id: msg.id, nonsense: true }),
      onNotice: (cb) => {
        push = cb as (n: unknown) => void;
        return () => (push = undefined);
      },
    };
    const client = coreClient(ipcTransport(bridge), 'ipc');
    expect((await client.call('session', {})).hubUrl).toBe(session.hubUrl);
    expect(((await client.call('reference', {}).catch((e: unknown) => e)) as CoreError).code).toBe('bad_reply');
    const notices: ConsoleNotice[] = [];
    client.onNotice((n) => notices.push(n));
    push?.({ type: 'session', session });
    push?.({ type: 'session', session: { nope: 1 } });
    expect(notices).toEqual([{ type: 'session', session }]);
    client.close();
    expect(push).toBeUndefined();
  });
});
