/**
 * Evidence taken while the hub is away (a snapshot from a tile): the console core keeps the bytes,
 * shows them at once, and once the hub is back uploads them ahead of the command that attaches them;
 * a file the hub refuses is dropped and its command rolled back with the hub's reason.
 */
import { afterAll, expect, it } from 'vitest';
import type { ConsoleNotice, UploadedEvidence } from '../shared/schema';
import { onePixelPng, uid } from './helpers/hub';
import { coreOnHub, type CoreOnHub } from './helpers/core-offline';
import { until } from './helpers/wait';

let t: CoreOnHub | undefined;
afterAll(async () => t?.close());

it('keeps a snapshot taken offline and delivers it with its command when the hub is back', async () => {
  t = await coreOnHub('console-evidence');
  const { core: c, notices, eventId, op2 } = t;
  await t.hubDown();

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

  const hub = await t.hubUp();
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
