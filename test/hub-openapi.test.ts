import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../shared/openapi';
import { LiveClient, login, request, startTestHub, type TestHub } from './helpers/hub';

let t: TestHub;
let doc: OpenApiDocument;
beforeAll(async () => {
  t = await startTestHub();
  const r = await request(t.url, 'GET', '/api/openapi.json');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  doc = r.body;
});
afterAll(() => t.close());

/** A hub answer that means "no such route" (as opposed to "no such thing" from a route that exists). */
const noRoute = (r: { status: number; text: string }) => r.status === 404 && /No (Open311 )?route/.test(r.text);

describe('the served OpenAPI document', () => {
  it('is the OpenAPI 3.1 document of this hub', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(15);
  });

  it('documents only routes the hub answers: every plain GET answers, and templated or POST paths are routed', async () => {
    const op = await login(t.url, 'operator');
    const device = 'dev_demo_leader-0-0-0';
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        const concrete = path.replace(/\{[^}]+\}/g, 'probe-id');
        // logging out is probed with a session of its own, so the others stay signed in
        const token = path.startsWith('/api/field/') ? device : path === '/api/auth/logout' ? await login(t.url, 'operator2') : op;
        const r = await request(t.url, method.toUpperCase(), concrete, method === 'get' ? { token } : { token, json: {} });
        expect(noRoute(r), `${where} → ${r.status} ${r.text.slice(0, 120)}`).toBe(false);
        if (method !== 'get' || path.includes('{')) continue;
        // a GET without path parameters answers: 200, or 400 naming a required query parameter it was not given
        const needsQuery = (operation.parameters ?? []).some((p) => p.in === 'query' && p.required);
        if (path === '/api/live') {
          // a WebSocket route: plain HTTP is not how it is used, the handshake and hello are
          const live = await LiveClient.open(t.url, op, 0);
          expect(live.messages[0]?.type, where).toBe('welcome');
          await live.close();
        } else if (needsQuery) expect([r.status, r.body?.error?.code], where).toEqual([400, 'invalid']);
        else expect(r.status, `${where} → ${r.text.slice(0, 120)}`).toBe(200);
      }
    }
    // and the check can fail: a route the hub lacks is told apart
    expect(noRoute(await request(t.url, 'GET', '/api/no-such-route', { token: op }))).toBe(true);
  });

  it('serves a plain HTML page listing the paths, with a strict CSP', async () => {
    const r = await request(t.url, 'GET', '/api/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const path of Object.keys(doc.paths)) expect(r.text).toContain(path);
    expect(r.text).not.toMatch(/<script/i);
  });
});
