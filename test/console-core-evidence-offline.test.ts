/**
 * Evidence taken while the hub is away (a snapshot from a tile): the console core keeps the bytes,
 * shows them at once, and once the hub is back uploads them ahead of the command that attaches them;
 * a file the hub refuses is dropped and its command rolled back with the hub's reason.
 */
import { afterAll, expect, it } from 'vitest';
import type { ConsoleNotice, UploadedEvidence } from '../shared/schema';
import { startHub, type RunningHub } from '../server/hub';
import { ConsoleCore } from '../electron/core/console/core';
import { expectApplied, login, onePixelPng, PLACES, postCommand, removeDir, reportCmd, tempDir, uid } from './helpers/hub';
import { until } from './helpers/wait';

let hub: RunningHub | undefined;
let core: ConsoleCore | undefined;
let dir: string | undefined;

afterAll(async () => {
  await core?.close();
  await hub?.close();
  if (dir) await removeDir(dir);
});

it('keeps a snapshot taken offline and delivers it with its command when the hub is back', async () => {
  dir = await tempDir('console-evidence');
  const opts = { demo: true, dataDir: dir, deadlineSweepMs: 3600_000 } as const;
  hub = await startHub({ ...opts, port: 0 });
  const port = hub.port;
  core = new ConsoleCore({ hubUrl: hub.url, cacheFile: ':memory:', feed: { retryMs: 50, maxRetryMs: 300 }, outbox: { retryMs: 50, maxRetryMs: 300 } });
  const notices: ConsoleNotice[] = [];
  core.onNotice((n) => notices.push(n));
  const op2 = await login(hub.url, 'operator2');
  const rep = reportCmd({ position: PLACES.jinsha });
  const eventId = rep.eventId as string;
  await expectApplied(postCommand(hub.url, op2, rep));
  const c = core;
  await c.handle({ id: 1, type: 'login', username: 'operator', password: 'operator' });
  await until(() => c.session().link === 'online' && c.cache.event(eventId), 'online with the report');

  await hub.close();
  hub = undefined;
  await until(() => c.session().link !== 'online', 'the link to drop');

  // a real picture and a text file claiming to be one, both taken offline
  const png = onePixelPng([200, 30, 30, 255]);
  const good = (await c.handle({ id: 2, type: 'uploadEvidence', mime: 'image/png', data: png.toString('base64') })) as UploadedEvidence;
  expect(good).toMatchObject({ mime: 'image/png', size: png.length, pending: true });
  const fake = (await c.handle({ id: 3, type: 'uploadEvidence', mime: 'image/png', data: Buffer.from('not a picture at all').toString('base64') })) as UploadedEvidence;
  expect(fake.pending).toBe(true);
  // shown at once from the console's own copy
  const local = await c.attachment(good.hash);
  expect(local.bytes.equals(png)).toBe(true);
  expect(await c.attachmentMeta(good.hash)).toEqual({ mime: 'image/png', size: png.length });

  const goodNote = uid('note');
  const fakeNote = uid('note');
  await c.handle({ id: 4, type: 'command', command: { type: 'note', commandId: goodNote, eventId, note: '离线抓图', attachments: [good.hash] } });
  await c.handle({ id: 5, type: 'command', command: { type: 'note', commandId: fakeNote, eventId, note: '离线抓图（坏）', attachments: [fake.hash] } });
  expect(c.session().outbox).toBe(2);

  hub = await startHub({ ...opts, port });
  await until(() => c.session().outbox === 0, 'the outbox drained', 30_000);
  const settled = notices.filter((n): n is Extract<ConsoleNotice, { type: 'settled' }> => n.type === 'settled');
  expect(settled.find((s) => s.commandId === goodNote)?.status).toBe('applied');
  const refused = settled.find((s) => s.commandId === fakeNote);
  expect(refused?.status).toBe('rejected');
  expect(refused?.error?.error.field).toMatch(/attachments\.0$/);

  // the hub has the picture, byte for byte, on the event's timeline; the console keeps no copy
  const onHub = await fetch(`${hub.url}/api/attachments/${good.hash}`, { headers: { authorization: `Bearer ${op2}` } });
  expect(Buffer.from(await onHub.arrayBuffer()).equals(png)).toBe(true);
  expect((await fetch(`${hub.url}/api/attachments/${fake.hash}`, { headers: { authorization: `Bearer ${op2}` } })).status).toBe(404);
  const note = await until(() => c.cache.timeline(eventId).find((e) => e.kind === 'note' && e.attachments.includes(good.hash)), 'the note from the hub');
  expect(note.note).toBe('离线抓图');
  expect(c.cache.timeline(eventId).some((e) => e.note === '离线抓图（坏）')).toBe(false);
  expect((c.cache.db.prepare('SELECT count(*) FROM pending_uploads').pluck().get() as number)).toBe(0);
});
