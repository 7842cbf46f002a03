import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change, CommandResult, EventState } from '../shared/schema';
import {
  allChanges,
  login,
  mapLimit,
  postCommand,
  removeDir,
  spawnHub,
  stopChild,
  tempDir,
  uid,
  type ChildHub,
} from './helpers/hub';
import { DEMO } from './helpers/demo';

const LOOPS = 12;
/** events each loop reports, accepts and dispatches: LOOPS * EVENTS_PER_LOOP * 3 commands planned */
const EVENTS_PER_LOOP = 100;
/** SIGKILL once this many commands have been acknowledged */
const KILL_AFTER = 800;

const children: ChildHub[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
  await Promise.all(dirs.splice(0).map(removeDir));
});

interface Sent {
  commandId: string;
  eventId: string;
  type: 'report' | 'accept' | 'dispatch';
  /** the 200 reply, if one came before the kill */
  acked?: CommandResult;
}

const NEXT: Record<Sent['type'], EventState> = { report: 'reported', accept: 'accepted', dispatch: 'dispatched' };

describe('durability: SIGKILL mid-burst', () => {
  it('every acknowledged command survives, and nothing is half-written', async () => {
    const dataDir = await tempDir('durable');
    dirs.push(dataDir);
    const first = await spawnHub(dataDir);
    children.push(first);
    const token = await login(first.url, 'operator', 'operator', 'burst-console');

    const sent: Sent[] = [];
    let acked = 0;
    let killed = false;
    let killedAt = 0;
    const leaders = DEMO.people.filter((p) => p.role === 'leader').slice(0, 24).map((p) => p.id);

    async function send(s: Sent, body: Record<string, unknown>): Promise<boolean> {
      sent.push(s);
      let r;
      try {
        r = await postCommand(first.url, token, { ...body, commandId: s.commandId });
      } catch {
        return false; // the hub is gone; this command's fate is unknown
      }
      if (r.status !== 200) throw new Error(`unexpected ${r.status} for ${s.type}: ${r.text}`);
      s.acked = r.body as CommandResult;
      acked++;
      if (acked >= KILL_AFTER && !killed) {
        killed = true;
        killedAt = acked;
        first.child.kill('SIGKILL');
      }
      return true;
    }

    async function loop(n: number) {
      for (let i = 0; i < EVENTS_PER_LOOP && !killed; i++) {
        const eventId = uid(`ev${n}`);
        const ok =
          (await send({ commandId: uid('r'), eventId, type: 'report' }, {
            type: 'report',
            eventId,
            categoryId: 'municipal_facilities',
            description: `burst ${n}/${i}`,
            // anywhere in the district's 0.12° x 0.08° box
            position: { lng: 121.001 + ((n * 37 + i * 13) % 118) / 1000, lat: 31.981 + ((n * 11 + i * 7) % 78) / 1000 },
            source: 'inspection',
          })) &&
          (await send({ commandId: uid('a'), eventId, type: 'accept' }, { type: 'accept', eventId })) &&
          (await send({ commandId: uid('d'), eventId, type: 'dispatch' }, { type: 'dispatch', eventId, assigneeId: leaders[(n + i) % leaders.length] }));
        if (!ok) return;
      }
    }
    const started = Date.now();
    await Promise.all(Array.from({ length: LOOPS }, (_, n) => loop(n)));
    const exit = await first.exited;
    expect(killed, `the burst finished (${acked} acked) before the kill`).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
    const ackedCmds = sent.filter((s) => s.acked);
    const unknown = sent.filter((s) => !s.acked);
    expect(ackedCmds.length).toBeGreaterThanOrEqual(killedAt);
    // the kill happened with commands in flight
    expect(unknown.length).toBeGreaterThan(0);
    console.log(`burst: ${ackedCmds.length} acknowledged, ${unknown.length} in flight at SIGKILL, ${Date.now() - started} ms`);

    /* ---- restart on the same data dir ---- */
    const second = await spawnHub(dataDir);
    children.push(second);
    // the session survived too
    const tok2 = token;

    // every acknowledged command answers the same applied result
    const answers = await mapLimit(sent, 16, async (s) => {
      const r = await fetch(`${second.url}/api/commands/${s.commandId}`, { headers: { authorization: `Bearer ${tok2}` } });
      return { status: r.status, body: r.status === 200 ? ((await r.json()) as CommandResult) : undefined };
    });
    sent.forEach((s, i) => {
      const a = answers[i]!;
      if (s.acked) {
        expect(a.status, `${s.type} ${s.commandId} was acknowledged but is gone`).toBe(200);
        expect(a.body).toEqual(s.acked);
        expect(a.body?.status).toBe('applied');
      } else {
        // in flight at the kill: either never reached the disk or applied whole
        expect([200, 404]).toContain(a.status);
        if (a.status === 200) expect(a.body?.status).toBe('applied');
      }
    });

    // each event is in the state its commands imply
    const { changes, head } = await allChanges(second.url, tok2);
    const latest = new Map<string, Extract<Change, { kind: 'event' }>>();
    for (const c of changes) if (c.kind === 'event') latest.set(c.id, c);
    const byEvent = new Map<string, Sent[]>();
    for (const s of sent) byEvent.set(s.eventId, [...(byEvent.get(s.eventId) ?? []), s]);
    let eventsChecked = 0;
    for (const [eventId, cmds] of byEvent) {
      const appliedCmds = cmds.filter((s) => answers[sent.indexOf(s)]!.status === 200);
      const last = appliedCmds[appliedCmds.length - 1];
      const ev = latest.get(eventId);
      if (!last) {
        expect(ev, `event ${eventId} exists though its report never applied`).toBeUndefined();
        continue;
      }
      // commands for one event were sent one after another, so the applied ones are a prefix
      expect(appliedCmds).toEqual(cmds.slice(0, appliedCmds.length));
      expect(ev?.data.state).toBe(NEXT[last.type]);
      expect(ev?.data.timelineLength).toBe(appliedCmds.length);
      eventsChecked++;
    }
    expect(eventsChecked).toBeGreaterThan(100);

    // the hub goes on working after the crash
    const more = await postCommand(second.url, tok2, {
      type: 'report',
      commandId: uid(),
      eventId: uid('after'),
      categoryId: 'sanitation',
      description: 'after the crash',
      position: { lng: 121.03, lat: 32.03 },
      source: 'phone',
    });
    expect(more.status).toBe(200);
    expect(more.body.status === 'applied' && more.body.changes[0]!.seq).toBe(head + 1);

    const stopped = await stopChild(second);
    expect(stopped.code).toBe(0);

    /* ---- the file itself, read-only ---- */
    const db = new Database(join(dataDir, 'hub.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);

      // change seqs are contiguous from 1 to the head
      const seqs = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi, COUNT(*) AS n FROM changes').get() as { lo: number; hi: number; n: number };
      const seqHead = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").get() as { seq: number }).seq;
      expect(seqs.lo).toBe(1);
      expect(seqs.hi).toBe(seqs.n);
      expect(seqHead).toBe(seqs.hi);
      expect(seqs.hi).toBe(head + 2);

      // every event's timelineLength is its number of timeline rows, indexed 0..n-1
      const mismatched = db
        .prepare(
          `SELECT e.id, json_extract(e.data, '$.timelineLength') AS len, COUNT(t.id) AS n, COALESCE(MAX(t.idx), -1) AS maxIdx
           FROM events e LEFT JOIN timeline t ON t.event_id = e.id GROUP BY e.id
           HAVING len != n OR maxIdx != n - 1`,
        )
        .all();
      expect(mismatched).toEqual([]);
      // the event row's columns agree with its JSON
      const columnDrift = db
        .prepare(`SELECT id FROM events WHERE state != json_extract(data, '$.state') OR updated_at != json_extract(data, '$.updatedAt')`)
        .all();
      expect(columnDrift).toEqual([]);

      // every event row has its change, and its newest change carries exactly the stored event
      const eventsWithoutChange = db
        .prepare(
          `SELECT e.id FROM events e WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'event' AND c.entity_id = e.id)`,
        )
        .all();
      expect(eventsWithoutChange).toEqual([]);
      const stale = db
        .prepare(
          `SELECT e.id FROM events e
           JOIN changes c ON c.seq = (SELECT MAX(seq) FROM changes WHERE kind = 'event' AND entity_id = e.id)
           WHERE json_extract(c.data, '$.data') != json(e.data)`,
        )
        .all();
      expect(stale).toEqual([]);
      // every timeline row has its change, and every event/timeline change its row
      expect(
        db.prepare(`SELECT t.id FROM timeline t WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'timeline' AND c.entity_id = t.id)`).all(),
      ).toEqual([]);
      expect(
        db.prepare(`SELECT c.seq FROM changes c WHERE c.kind = 'timeline' AND NOT EXISTS (SELECT 1 FROM timeline t WHERE t.id = c.entity_id)`).all(),
      ).toEqual([]);
      expect(
        db.prepare(`SELECT c.seq FROM changes c WHERE c.kind = 'event' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.entity_id)`).all(),
      ).toEqual([]);
      // an applied command row for every timeline row, and the reverse
      expect(
        db
          .prepare(
            `SELECT t.id FROM timeline t WHERE NOT EXISTS
               (SELECT 1 FROM commands k WHERE k.command_id = json_extract(t.data, '$.commandId') AND k.status = 'applied')`,
          )
          .all(),
      ).toEqual([]);
      const appliedWithoutEntry = db
        .prepare(
          `SELECT k.command_id FROM commands k WHERE k.status = 'applied' AND NOT EXISTS
             (SELECT 1 FROM timeline t WHERE json_extract(t.data, '$.commandId') = k.command_id)`,
        )
        .all();
      expect(appliedWithoutEntry).toEqual([]);

      const n = db.prepare(`SELECT COUNT(*) AS n FROM commands`).get() as { n: number };
      expect(n.n).toBeGreaterThanOrEqual(ackedCmds.length + 1);
    } finally {
      db.close();
    }
  }, 60_000);
});
