/**
 * The console core's part in video call-backs, against a real in-process demo hub: it relays the
 * page's signalling over its live link and hands the hub's back as notices; it uploads a call
 * recording that comes in chunks (a real WebM made by ffmpeg) and refuses a gap; and the call-back
 * reminders come from its cache, so they are there after a restart of the core, before sign-in.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { ConsoleCore } from '../electron/core/console/core';
import { ConsoleResponse, RECORDING_CHUNK_BYTES, type CallServerSignal, type ConsoleNotice } from '../shared/schema';
import { LiveClient, login, openEvent, removeDir, request, startTestHub, tempDir, type TestHub } from './helpers/hub';
import { until as untilDone } from './helpers/wait';

const LEADER = 'leader-0-0-0';
let hub: TestHub;
let dir: string;
let core: ConsoleCore;
let op: string;
const notices: ConsoleNotice[] = [];
let nextId = 1;

async function ask<T>(c: ConsoleCore, msg: Record<string, unknown>): Promise<T> {
  const res = ConsoleResponse.parse(await c.request({ id: nextId++, ...msg }));
  if (!res.ok) throw Object.assign(new Error(res.error.error.message), { code: res.error.error.code });
  return res.result as T;
}
const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000) =>
  untilDone(fn, what, timeoutMs);
const callNotices = () => notices.flatMap((n) => (n.type === 'call' ? [n.signal] : [])) as CallServerSignal[];

beforeAll(async () => {
  hub = await startTestHub();
  dir = await tempDir('callback-core');
  op = await login(hub.url, 'operator2');
  core = new ConsoleCore({ hubUrl: hub.url, cacheFile: join(dir, 'cache.db'), origin: 'console-cb' });
  core.onNotice((n) => notices.push(n));
  await ask(core, { type: 'login', username: 'operator', password: 'operator' });
  await until(() => core.session().link === 'online', 'the live link');
});
afterAll(async () => {
  await core?.close();
  await hub?.close();
  if (dir) await removeDir(dir);
});

describe('the console core relays a call', () => {
  it('sends the page\'s signalling to the hub and hands the answers back as notices', async () => {
    const eventId = await openEvent(hub.url, op, { dispatchTo: LEADER });
    const leader = await LiveClient.open(hub.url, `dev_demo_${LEADER}`, 1e9);
    const callId = uuidv7();
    expect(await ask(core, { type: 'call', signal: { kind: 'start', callId, eventId, attempt: 1, recorded: false } })).toEqual({ sent: true });
    await until(() => callNotices().find((s) => s.kind === 'ringing' && s.callId === callId), 'ringing notice');
    await leader.waitFor(() => leader.messages.some((m) => m.type === 'call' && m.call.kind === 'ring'), 'ring');
    leader.ws.send(JSON.stringify({ type: 'call', call: { kind: 'decline', callId, reason: 'declined' } }));
    const ended = await until(() => callNotices().find((s) => s.kind === 'ended' && s.callId === callId), 'ended notice');
    expect(ended).toMatchObject({ reason: 'declined' });
    // malformed signalling never leaves the core
    const bad = ConsoleResponse.parse(await core.request({ id: nextId++, type: 'call', signal: { kind: 'start', callId, eventId, attempt: 3, recorded: false } }));
    expect(bad.ok).toBe(false);
    await leader.close();
  });

  it('says the call cannot be made while signed out', async () => {
    const other = new ConsoleCore({ hubUrl: hub.url, cacheFile: ':memory:' });
    try {
      await expect(ask(other, { type: 'call', signal: { kind: 'hangup', callId: 'k' } })).rejects.toMatchObject({ code: 'unauthenticated' });
    } finally {
      await other.close();
    }
  });
});

describe('recordings and reminders', () => {
  it('uploads a recording sent in chunks as one WebM file, and refuses a gap', async () => {
    const file = join(dir, 'call.webm');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '6', '-c:v', 'libvpx', '-b:v', '2M', file]);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(2 * RECORDING_CHUNK_BYTES);
    const uploadId = uuidv7();
    let last: { done: boolean; hash?: string; size?: number; received?: number } = { done: false };
    for (let i = 0, index = 0; i < bytes.length; i += RECORDING_CHUNK_BYTES, index++) {
      last = await ask(core, {
        type: 'uploadRecording',
        uploadId,
        index,
        mime: 'video/webm',
        data: bytes.subarray(i, i + RECORDING_CHUNK_BYTES).toString('base64'),
        last: i + RECORDING_CHUNK_BYTES >= bytes.length,
      });
      if (!last.done) expect(last.received).toBe(Math.min(bytes.length, i + RECORDING_CHUNK_BYTES));
    }
    expect(last).toMatchObject({ done: true, size: bytes.length, mime: 'video/webm' });
    const got = await request(hub.url, 'GET', `/api/attachments/${last.hash}`, { token: op });
    expect(got.headers.get('content-type')).toBe('video/webm');

    const gap = uuidv7();
    const chunk = bytes.subarray(0, 1000).toString('base64');
    await ask(core, { type: 'uploadRecording', uploadId: gap, index: 0, mime: 'video/webm', data: chunk, last: false });
    await expect(ask(core, { type: 'uploadRecording', uploadId: gap, index: 2, mime: 'video/webm', data: chunk, last: true })).rejects.toMatchObject({ code: 'invalid' });
    await expect(ask(core, { type: 'uploadRecording', uploadId: uuidv7(), index: 1, mime: 'video/webm', data: chunk, last: true })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists scheduled call-backs from the cache, with the leader, and still after a restart before sign-in', async () => {
    const eventId = await openEvent(hub.url, op, { dispatchTo: LEADER });
    await until(() => core.cache.event(eventId), 'the event in the cache');
    await ask(core, { type: 'command', command: { type: 'callback', commandId: uuidv7(), eventId, phase: 'scheduled', afterMinutes: 15, attachments: [] } });
    const item = await until(async () => (await ask<{ items: { eventId: string; dueAt: number; assigneeId?: string; assigneeName?: string }[] }>(core, { type: 'callbacks' })).items.find((i) => i.eventId === eventId), 'the reminder');
    expect(item.assigneeId).toBe(LEADER);
    expect(item.assigneeName).toBeTruthy();
    expect(item.dueAt - Date.now()).toBeGreaterThan(14 * 60_000);
    // wait for the hub's word (not just the pending command), then restart the core on the same cache
    await until(() => core.cache.eventRecords(eventId).confirmed?.callbackDueAt !== undefined && core.outbox.pendingCount === 0, 'the hub confirming');
    await core.close();
    core = new ConsoleCore({ hubUrl: hub.url, cacheFile: join(dir, 'cache.db'), origin: 'console-cb' });
    const after = (await ask<{ items: { eventId: string }[] }>(core, { type: 'callbacks' })).items;
    expect(after.map((i) => i.eventId)).toContain(eventId);
    // the leader's last position comes from the cache too
    const fix = await ask<{ person: { id: string } | null }>(core, { type: 'leaderFix', personId: LEADER });
    expect(fix.person?.id).toBe(LEADER);
  });
});
