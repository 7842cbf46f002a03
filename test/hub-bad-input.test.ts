import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allChanges,
  expectApplied,
  headOf,
  LiveClient,
  login,
  onePixelPng,
  openEvent,
  PLACES,
  postCommand,
  reportCmd,
  request,
  sleep,
  startTestHub,
  uid,
  upload,
  type Reply,
  type TestHub,
} from './helpers/hub';
import { startHub } from '../server/hub';

let t: TestHub;
let op: string;
let desk: string;
/** an accepted event in town-jinsha */
let accepted: string;

beforeAll(async () => {
  t = await startTestHub();
  [op, desk] = await Promise.all([login(t.url, 'operator'), login(t.url, 'desk-jinsha')]);
  accepted = await openEvent(t.url, op, { position: PLACES.jinsha });
});
afterAll(async () => {
  await t?.close();
});

interface Snapshot {
  rows: Record<string, number>;
  head: number;
}
/** whose token reads GET /api/changes for snapshots (a device token for the short-session hub) */
let reader = () => op;
const snapshot = async (): Promise<Snapshot> => ({ rows: await t.hub.store.countRows(), head: await headOf(t.url, reader()) });

/**
 * Runs a refused request and checks the refusal: status, error body shape, code, the field it names
 * (or words in the message), and that nothing was written. A refusal decided by the workflow keeps
 * its answer for replays (one `commands` row, nothing else); a refusal at the door writes nothing.
 */
async function refused(
  send: () => Promise<Reply>,
  want: { status: number; code: string; field?: string; message?: RegExp; recordsRejection?: boolean },
): Promise<Reply> {
  const before = await snapshot();
  const r = await send();
  expect(r.status, r.text).toBe(want.status);
  expect(r.headers.get('content-type') ?? '').toMatch(/application\/json/);
  const err = r.body?.error;
  expect(err, r.text).toBeTruthy();
  expect(typeof err.message).toBe('string');
  expect(err.message.length).toBeGreaterThan(0);
  expect(err.code).toBe(want.code);
  if (want.field !== undefined) expect(err.field).toBe(want.field);
  if (want.message) expect(err.message).toMatch(want.message);
  // a workflow rejection also says status/commandId; the door's refusals carry only { error }
  if (!want.recordsRejection) expect(Object.keys(r.body)).toEqual(['error']);
  const allowed = Object.keys(err).filter((k) => !['code', 'message', 'field'].includes(k));
  expect(allowed).toEqual([]);

  const after = await snapshot();
  expect(after.head).toBe(before.head);
  const expectedRows = { ...before.rows };
  if (want.recordsRejection) expectedRows.commands = expectedRows.commands! + 1;
  expect(after.rows).toEqual(expectedRows);
  return r;
}

describe('bad input is refused with a 4xx naming what was wrong, and changes nothing', () => {
  it('malformed JSON', async () => {
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: '{"type":"report","commandId":', contentType: 'application/json' }), {
      status: 400,
      code: 'bad_json',
      message: /JSON/,
    });
    await refused(() => request(t.url, 'POST', '/api/auth/login', { raw: "{username:'operator'}", contentType: 'application/json' }), {
      status: 400,
      code: 'bad_json',
    });
    await refused(() => request(t.url, 'POST', '/api/field/position', { token: 'dev_demo_leader-0-0-0', raw: '[1,2', contentType: 'application/json' }), {
      status: 400,
      code: 'bad_json',
    });
  });

  it('wrong types and shapes', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [reportCmd({ description: 42 }), 'description'],
      [reportCmd({ commandId: 7 }), 'commandId'],
      [reportCmd({ position: 'here' }), 'position'],
      [reportCmd({ position: { lng: '121', lat: 31.99 } }), 'position.lng'],
      [reportCmd({ source: 'rumour' }), 'source'],
      [reportCmd({ eventId: 'has spaces and / slashes' }), 'eventId'],
      [reportCmd({ description: '' }), 'description'],
      [reportCmd({ unexpected: true }), ''],
      [{ type: 'teleport', commandId: uid(), eventId: accepted }, 'type'],
      [{ type: 'accept', commandId: uid(), eventId: accepted, tier: 'urgent' }, 'tier'],
      [{ type: 'feedback', commandId: uid(), eventId: accepted, note: 'x', attachments: ['not-a-hash'] }, 'attachments.0'],
    ];
    for (const [cmd, field] of cases) {
      const r = await refused(() => postCommand(t.url, op, cmd), { status: 400, code: 'invalid' });
      if (field) {
        expect(r.body.error.field, JSON.stringify(cmd)).toBe(field);
        expect(r.body.error.message).toContain(field);
      } else {
        expect(r.body.error.message).toMatch(/unexpected|unrecognized/i);
      }
    }
    // the login body too
    await refused(() => request(t.url, 'POST', '/api/auth/login', { json: { username: 'operator', password: 123 } }), {
      status: 400,
      code: 'invalid',
      field: 'password',
    });
  });

  it('coordinates out of range', async () => {
    await refused(() => postCommand(t.url, op, reportCmd({ position: { lng: 121.0, lat: 91 } })), {
      status: 400,
      code: 'invalid',
      field: 'position.lat',
      message: /latitude/,
    });
    await refused(() => postCommand(t.url, op, reportCmd({ position: { lng: -181, lat: 31.99 } })), {
      status: 400,
      code: 'invalid',
      field: 'position.lng',
      message: /longitude/,
    });
    await refused(() => postCommand(t.url, op, { type: 'arrive', commandId: uid(), eventId: accepted, position: { lng: 121, lat: -90.5 } }), {
      status: 400,
      code: 'invalid',
      field: 'position.lat',
    });
    await refused(
      () => request(t.url, 'POST', '/api/field/position', { token: 'dev_demo_leader-0-0-0', json: { position: { lng: 181, lat: 0 }, at: Date.now() } }),
      { status: 400, code: 'invalid', field: 'position.lng' },
    );
  });

  it('positions outside the district', async () => {
    // valid coordinates, but in Shanghai: no grid of this district contains them
    const shanghai = { lng: 121.47, lat: 31.23 };
    await refused(() => request(t.url, 'POST', '/api/field/position', { token: 'dev_demo_leader-0-0-0', json: { position: shanghai, at: Date.now() } }), {
      status: 400,
      code: 'invalid',
      field: 'position',
      message: /outside the district/,
    });
    await refused(() => postCommand(t.url, 'dev_demo_leader-0-0-0', reportCmd({ source: 'field', position: shanghai })), {
      status: 400,
      code: 'invalid',
      field: 'position',
      message: /outside the district/,
      recordsRejection: true,
    });
  });

  it('unknown ids', async () => {
    await refused(() => postCommand(t.url, op, { type: 'accept', commandId: uid(), eventId: 'ev-that-never-was' }), {
      status: 404,
      code: 'not_found',
      field: 'eventId',
      message: /ev-that-never-was/,
      recordsRejection: true,
    });
    await refused(() => postCommand(t.url, op, { type: 'dispatch', commandId: uid(), eventId: accepted, assigneeId: 'leader-9-9-9' }), {
      status: 422,
      code: 'unknown_reference',
      field: 'assigneeId',
      message: /leader-9-9-9/,
      recordsRejection: true,
    });
    await refused(() => postCommand(t.url, op, reportCmd({ categoryId: 'alien_landing' })), {
      status: 422,
      code: 'unknown_reference',
      field: 'categoryId',
      message: /alien_landing/,
      recordsRejection: true,
    });
    const ghost = 'ab'.repeat(32);
    await refused(() => postCommand(t.url, op, reportCmd({ attachments: [ghost] })), {
      status: 422,
      code: 'unknown_reference',
      field: 'attachments.0',
      message: new RegExp(ghost),
    });
    const png = await upload(t.url, op, onePixelPng([1, 2, 3, 255]), 'image/png');
    expect(png.status).toBe(201);
    await refused(() => postCommand(t.url, op, { type: 'note', commandId: uid(), eventId: accepted, note: 'see photos', attachments: [png.body.hash, ghost] }), {
      status: 422,
      code: 'unknown_reference',
      field: 'attachments.1',
    });
    const getGhost = await request(t.url, 'GET', `/api/attachments/${ghost}`, { token: op });
    expect(getGhost.status).toBe(404);
    expect(getGhost.body.error.code).toBe('not_found');
    const getCmd = await request(t.url, 'GET', '/api/commands/never-sent', { token: op });
    expect(getCmd.status).toBe(404);
    expect(getCmd.body.error).toMatchObject({ code: 'not_found' });
  });

  it('an oversized body (> 256 KiB)', async () => {
    const big = reportCmd({ description: 'x'.repeat(300 * 1024) });
    await refused(() => postCommand(t.url, op, big), { status: 413, code: 'too_large' });
    // just under the limit but over the field's own limit: refused by the schema instead
    await refused(() => postCommand(t.url, op, reportCmd({ description: 'y'.repeat(4001) })), {
      status: 400,
      code: 'invalid',
      field: 'description',
      message: /4000/,
    });
  });

  it('the 256 KiB limit of the JSON routes holds whatever Content-Type the sender claims', async () => {
    // the image/audio/video body parser (10 MiB) belongs to /api/attachments alone: JSON routes refuse
    // such bodies by their type, before reading them
    const mib = Buffer.concat([onePixelPng(), Buffer.alloc(1024 * 1024, 0x41)]);
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: mib, contentType: 'image/png' }), {
      status: 415,
      code: 'unsupported_media',
    });
    await refused(() => request(t.url, 'POST', '/api/auth/login', { raw: mib, contentType: 'video/mp4' }), { status: 415, code: 'unsupported_media' });
  });

  it('a report time beyond the contract range', async () => {
    // EventRecord.reportedAt is a Timestamp (<= 8.64e15); the command must not let a bigger one in
    await refused(() => postCommand(t.url, op, reportCmd({ reportedAt: 9e15 })), { status: 400, code: 'invalid', field: 'reportedAt' });
    await refused(() => postCommand(t.url, op, reportCmd({ reportedAt: -1 })), { status: 400, code: 'invalid', field: 'reportedAt' });
    await refused(() => postCommand(t.url, op, reportCmd({ reportedAt: 1.5 })), { status: 400, code: 'invalid', field: 'reportedAt' });
  });

  it('non-JSON bodies on JSON routes', async () => {
    const body = JSON.stringify(reportCmd());
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: body, contentType: 'text/plain' }), {
      status: 400,
      code: 'invalid',
      message: /object/,
    });
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: body, contentType: 'application/x-www-form-urlencoded' }), {
      status: 415,
      code: 'unsupported_media',
    });
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: '', contentType: 'application/json' }), {
      status: 400,
      code: 'bad_json',
    });
    await refused(() => request(t.url, 'POST', '/api/commands', { token: op, raw: '{"__proto__":{"admin":true},"type":"report"}', contentType: 'application/json' }), {
      status: 400,
      code: 'bad_json',
    });
  });

  it('attachments: oversized, a non-image posing as an image, a type that lies', async () => {
    const dir = join(t.dataDir, 'attachments');
    const files = async () => (await readdir(dir, { recursive: true }).catch(() => [] as string[])).filter((f) => !f.endsWith('.tmp')).length;
    const filesBefore = await files();

    const huge = Buffer.concat([onePixelPng(), Buffer.alloc(10 * 1024 * 1024 + 1, 0)]);
    await refused(() => upload(t.url, op, huge, 'image/png'), { status: 413, code: 'too_large' });

    const text = Buffer.from('this is plain text, not a JPEG at all\n'.repeat(20), 'utf8');
    await refused(() => upload(t.url, op, text, 'image/jpeg'), { status: 415, code: 'unsupported_media', message: /not a recognised file/ });

    const html = Buffer.from('<html><script>alert(1)</script></html>');
    await refused(() => upload(t.url, op, html, 'image/png'), { status: 415, code: 'unsupported_media' });

    await refused(() => upload(t.url, op, onePixelPng([9, 9, 9, 255]), 'audio/mpeg'), { status: 415, code: 'unsupported_media', message: /image\/png/ });
    await refused(() => upload(t.url, op, Buffer.alloc(0), 'image/png'), { status: 400, code: 'invalid', message: /empty/ });
    await refused(() => upload(t.url, op, onePixelPng(), 'text/plain'), { status: 415, code: 'unsupported_media' });
    expect(await files()).toBe(filesBefore);
  });

  it('a 12345 hotline order cannot be made from a desk', async () => {
    const hotline = {
      orderNo: '12345-2024-000001',
      receivedAt: Date.now(),
      callerName: '张三',
      callerPhone: '13900000000',
      content: 'drain grate broken',
      type: '市政',
      address: '北川门新村',
      deadline: Date.now() + 86_400_000,
    };
    for (const token of [desk, op]) {
      await refused(() => postCommand(t.url, token, reportCmd({ source: 'hotline', hotline })), {
        status: 403,
        code: 'forbidden',
        field: 'hotline',
        message: /hotline/,
      });
    }
  });

  it('SQL and HTML in free text are stored and read back byte for byte', async () => {
    const nasty = [
      "'); DROP TABLE events;--",
      '<script>alert(1)</script>',
      `Robert'); DELETE FROM timeline; DROP TABLE changes;-- "quoted" \\ back\\slash`,
      '<img src=x onerror="fetch(`//evil`)"> &amp; &lt;&gt; 网格 😀 \u0000 \u2028 end',
    ];
    const rowsBefore = await t.hub.store.countRows();
    for (const text of nasty) {
      const rep = reportCmd({ description: text, address: text.slice(0, 500) });
      const r = await expectApplied(postCommand(t.url, op, rep));
      const note = { type: 'accept', commandId: uid(), eventId: rep.eventId, note: text };
      await expectApplied(postCommand(t.url, op, note));
      expect(r.body.status === 'applied' && r.body.changes[0]!.kind === 'event' && r.body.changes[0]!.data.description).toBe(text);

      // read back through the feed
      const { changes } = await allChanges(t.url, op, rowsBefore.changes!);
      const ev = changes.filter((c) => c.kind === 'event' && c.id === rep.eventId).pop();
      expect(ev?.kind === 'event' && ev.data.description).toBe(text);
      expect(ev?.kind === 'event' && ev.data.address).toBe(text.slice(0, 500));
      const entry = changes.find((c) => c.kind === 'timeline' && c.data.commandId === note.commandId);
      expect(entry?.kind === 'timeline' && entry.data.note).toBe(text);
      // and through the stored command result
      const stored = await request(t.url, 'GET', `/api/commands/${rep.commandId}`, { token: op });
      expect(stored.body.changes[0].data.description).toBe(text);
      expect(Buffer.from(stored.body.changes[0].data.description, 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
    // every table is still there and still counts
    const tables = (t.hub.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((x) => x.name);
    for (const name of ['events', 'timeline', 'changes', 'commands', 'attachments', 'users', 'sessions', 'devices', 'people', 'grids']) {
      expect(tables).toContain(name);
    }
    const rowsAfter = await t.hub.store.countRows();
    expect(rowsAfter.events).toBe(rowsBefore.events! + nasty.length);
    expect(rowsAfter.timeline).toBe(rowsBefore.timeline! + 2 * nasty.length);
    expect(rowsAfter.changes).toBe(rowsBefore.changes! + 4 * nasty.length);
  });
});

describe('tokens: missing, forged, malformed, revoked and expired are refused with 401 on every route', () => {
  const png = onePixelPng([4, 5, 6, 255]);
  let hash = '';
  const routes = () => [
    { name: 'POST /api/auth/logout', send: (h: Record<string, string>) => request(t.url, 'POST', '/api/auth/logout', { headers: h }) },
    { name: 'GET /api/me', send: (h: Record<string, string>) => request(t.url, 'GET', '/api/me', { headers: h }) },
    { name: 'GET /api/taxonomy', send: (h: Record<string, string>) => request(t.url, 'GET', '/api/taxonomy', { headers: h }) },
    {
      name: 'POST /api/commands',
      send: (h: Record<string, string>) => request(t.url, 'POST', '/api/commands', { headers: h, json: reportCmd() }),
    },
    { name: 'GET /api/commands/:id', send: (h: Record<string, string>) => request(t.url, 'GET', '/api/commands/whatever', { headers: h }) },
    { name: 'GET /api/changes', send: (h: Record<string, string>) => request(t.url, 'GET', '/api/changes?after=0', { headers: h }) },
    {
      name: 'POST /api/attachments',
      send: (h: Record<string, string>) => request(t.url, 'POST', '/api/attachments', { headers: h, raw: png, contentType: 'image/png' }),
    },
    { name: 'GET /api/attachments/:hash', send: (h: Record<string, string>) => request(t.url, 'GET', `/api/attachments/${hash}`, { headers: h }) },
    {
      name: 'POST /api/field/position',
      send: (h: Record<string, string>) => request(t.url, 'POST', '/api/field/position', { headers: h, json: { position: PLACES.jinsha, at: Date.now() } }),
    },
  ];

  async function allRefused(label: string, headers: Record<string, string>) {
    for (const route of routes()) {
      const before = await snapshot();
      const r = await route.send(headers);
      expect(r.status, `${label} ${route.name}: ${r.text}`).toBe(401);
      expect(r.body?.error?.code, `${label} ${route.name}`).toBe('unauthenticated');
      expect(r.body.error.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    }
  }

  async function liveRefused(token: string) {
    const c = await LiveClient.connect(t.url, token, 0);
    const code = await c.closed;
    expect(code).toBe(4401);
    const err = c.messages.find((m) => m.type === 'error');
    expect(err?.type === 'error' && err.error.code).toBe('unauthenticated');
    expect(c.changes).toEqual([]);
  }

  beforeAll(async () => {
    const up = await upload(t.url, op, png, 'image/png');
    expect(up.status).toBe(201);
    hash = up.body.hash;
  });

  it('missing, forged and malformed tokens', async () => {
    await allRefused('missing', {});
    await allRefused('forged session', { authorization: `Bearer ses_${'A'.repeat(43)}` });
    await allRefused('forged device', { authorization: 'Bearer dev_demo_nobody' });
    await allRefused('malformed', { authorization: 'Bearer hello' });
    await allRefused('not bearer', { authorization: `Basic ${Buffer.from('operator:operator').toString('base64')}` });
    await allRefused('token without scheme', { authorization: op });
    await liveRefused(`ses_${'B'.repeat(43)}`);
    await liveRefused('dev_forged');
    // a wrong password gets no token
    const bad = await request(t.url, 'POST', '/api/auth/login', { json: { username: 'operator', password: 'guess' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('unauthenticated');
  });

  it('a logged-out session', async () => {
    const tok = await login(t.url, 'chief');
    const out = await request(t.url, 'POST', '/api/auth/logout', { token: tok });
    expect(out.status).toBe(204);
    await allRefused('logged out', { authorization: `Bearer ${tok}` });
    await liveRefused(tok);
  });

  it('an expired session', async () => {
    // a hub of its own with sessions that last 300 ms
    const short = await startTestHub({ sessionTtlMs: 300 });
    try {
      const tok = await login(short.url, 'operator');
      expect((await request(short.url, 'GET', '/api/me', { token: tok })).status).toBe(200);
      await sleep(400);
      const saved = t;
      t = short;
      reader = () => 'dev_demo_leader-0-0-0';
      try {
        await allRefused('expired', { authorization: `Bearer ${tok}` });
        await liveRefused(tok);
        const me = await request(short.url, 'GET', '/api/me', { token: tok });
        expect(me.body.error.message).toMatch(/expired/);
      } finally {
        t = saved;
        reader = () => op;
      }
    } finally {
      await short.close();
    }
  });
});

describe('unknown routes', () => {
  it('answer 404 in the one error shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-404-'));
    const hub = await startHub({ dataDir: dir, demo: false });
    try {
      const r = await fetch(`${hub.url}/api/nowhere?x=1`);
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ error: { code: 'not_found', message: 'No route GET /api/nowhere on this hub.' } });
    } finally {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
