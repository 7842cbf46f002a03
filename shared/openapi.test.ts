import { describe, expect, it } from 'vitest';
import { buildOpenApi, renderDocsHtml, type OpenApiDocument } from './openapi';
import { COMMAND_TYPES } from './schema';

const doc = buildOpenApi('1.2.3');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every $ref in a value, with where it was found. */
function refsIn(v: unknown, at = '#'): [string, string][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => refsIn(x, `${at}/${i}`));
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => (k === '$ref' && typeof x === 'string' ? [[x, at] as [string, string]] : refsIn(x, `${at}/${k}`)));
  }
  return [];
}
function resolve(root: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  return pointer
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}
const operations = (d: OpenApiDocument) =>
  Object.entries(d.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI document', () => {
  it('has the structure of an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ version: '1.2.3' });
    expect(typeof doc.info.title).toBe('string');
    // it survives a JSON round trip unchanged (nothing but JSON in it)
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    const ids = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(path.startsWith('/'), where).toBe(true);
      expect(METHODS, where).toContain(method);
      expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
      ids.add(op.operationId);
      const statuses = Object.keys(op.responses);
      expect(statuses.length, where).toBeGreaterThan(0);
      for (const s of statuses) {
        expect(s, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof (op.responses[s] as { description?: unknown }).description, `${where} ${s}`).toBe('string');
      }
      // every templated segment has its required path parameter, and no path parameter is left over
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), where).toEqual([...templated].sort());
      for (const p of declared) expect(p.required, where).toBe(true);
      for (const p of op.parameters ?? []) expect(['query', 'header', 'path', 'cookie'], where).toContain(p.in);
      for (const s of op.security ?? []) for (const name of Object.keys(s)) expect(doc.components.securitySchemes, where).toHaveProperty(name);
    }
  });

  it('resolves every $ref', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const [ref, at] of refs) expect(resolve(doc, ref), `${ref} at ${at}`).toBeDefined();
    // schemas are embedded, not documents of their own
    for (const [name, s] of Object.entries(doc.components.schemas)) {
      expect(s, name).not.toHaveProperty('$schema');
      expect(s, name).not.toHaveProperty('$id');
    }
  });

  it('lists every command type in the Command union, each with its own schema', () => {
    const command = doc.components.schemas.Command as { oneOf: { $ref: string }[]; discriminator: { mapping: Record<string, string> } };
    const types = command.oneOf.map((r) => (resolve(doc, r.$ref) as { properties: { type: { const: string } } }).properties.type.const);
    expect(types.sort()).toEqual([...COMMAND_TYPES].sort());
    expect(Object.keys(command.discriminator.mapping).sort()).toEqual([...COMMAND_TYPES].sort());
    for (const target of Object.values(command.discriminator.mapping)) expect(resolve(doc, target)).toBeDefined();
  });

  it('documents the field API, the intake routes and Open311', () => {
    for (const p of [
      'POST /api/auth/login',
      'GET /api/me',
      'GET /api/taxonomy',
      'POST /api/commands',
      'POST /api/commands/batch',
      'GET /api/commands/{id}',
      'GET /api/changes',
      'GET /api/live',
      'POST /api/attachments',
      'POST /api/field/position',
      'GET /api/field/me',
      'GET /api/field/assignments',
      'GET /api/recommend',
      'POST /api/intake/12345',
      'POST /api/intake/camera-alarm',
      'GET /open311/v2/services.json',
      'GET /open311/v2/services/{service_code}.json',
      'POST /open311/v2/requests.json',
      'GET /open311/v2/requests.json',
      'GET /open311/v2/requests/{service_request_id}.json',
    ]) {
      const [method, path] = p.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()], p).toBeDefined();
    }
    const upload = doc.paths['/api/attachments']!.post!;
    expect(upload.parameters?.find((x) => x.name === 'purpose')).toMatchObject({ in: 'query', required: false });
    const create = doc.paths['/open311/v2/requests.json']!.post!;
    expect(Object.keys((create.requestBody as { content: object }).content)).toContain('application/x-www-form-urlencoded');
  });

  it('renders a plain page of the paths, escaped, with no script', () => {
    const html = renderDocsHtml(doc);
    for (const path of Object.keys(doc.paths)) expect(html).toContain(path.replace(/&/g, '&#38;'));
    expect(html).not.toMatch(/<script|<style|https?:\/\/(?!json-schema)/i);
    const evil = renderDocsHtml({ ...doc, paths: { '/x': { get: { operationId: 'x', summary: '<img src=x onerror=alert(1)>', tags: [], responses: { 200: { description: 'ok' } } } } } });
    expect(evil).not.toContain('<img');
  });
});
