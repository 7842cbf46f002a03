/**
 * Continuity under faults (issue 5): a hub and two console hosts as child processes, each console
 * reaching the hub through a TCP proxy the test controls. Both consoles take random operator actions
 * through their /api/core WebSocket while the proxies cut, stall, delay and reset connections and
 * drop command answers after the hub applied them, and while the hub and each console are killed
 * with SIGKILL and restarted on the same data. At the end every action a console accepted is in the
 * hub exactly once or was rejected with a reason the console reported, both caches equal the hub
 * event by event and timeline entry by timeline entry, and no dispatch reached a device twice.
 *
 * CI: a fixed seed and a size that runs in about a minute. `npm run soak` (SOAK=1): a random seed
 * (or SEED=n), more actions and more kills.
 */
import Database from 'better-sqlite3';
import { makeRng } from '../../server/demo/random';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ConsoleNotice, EventRecord, TimelineEntry } from '../../shared/schema';
import { DEFAULT_TAXONOMY } from '../../shared/taxonomy';
import { DEMO, plainPointIn } from '../helpers/demo';
import { allChanges, login, postCommand, removeDir, request, sleep, spawnHub, stopChild, tempDir, uid, type ChildHub } from '../helpers/hub';
import { CoreClient, spawnConsole, stopConsole, type ChildConsole } from './procs';
import { FaultProxy, type FaultKind } from './proxy';
import { until as untilDone } from '../helpers/wait';

const SOAK = process.env.SOAK === '1';
const SEED = process.env.SEED ? Number(process.env.SEED) : SOAK ? Math.floor(Math.random() * 2 ** 31) : 20261124;
const ACTIONS = Number(process.env.ACTIONS ?? (SOAK ? 3200 : 600));
const HUB_KILLS = SOAK ? 6 : 2;
const CONSOLE_KILLS = SOAK ? 5 : 2;
const FAULT_EVERY_MS = 90;
/** the storm goes on past the last action until this many faults were injected */
const MIN_FAULTS = SOAK ? 1000 : 220;

const rand = makeRng(SEED);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** JSON with keys sorted, so records compare by content */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
/** the keys whose values differ */
const diffKeys = (a: Record<string, unknown>, b: Record<string, unknown>): string =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canon(a[k]) !== canon(b[k])).map((k) => `${k}: ${canon(a[k])} vs ${canon(b[k])}`).join('; ');

const comprehensive = DEMO.grids.filter((g) => g.kind === 'comprehensive');
const categories = DEFAULT_TAXONOMY.categories.map((c) => c.id);
const departmentId = DEMO.departments[0]!.id;

interface Station {
  label: 'A' | 'B';
  username: string;
  dataDir: string;
  proxy: FaultProxy;
  host: ChildConsole | undefined;
  client: CoreClient | undefined;
  notices: Extract<ConsoleNotice, { type: 'settled' }>[];
  /** when each accepted command was accepted, and when its settled notice came */
  acceptedAt: Map<string, number>;
  settleMs: number[];
  /** actions answered ok, each with the command ids it made */
  accepted: { kind: string; commandIds: string[]; eventId: string }[];
  /** set while the host is down */
  restarting: Promise<void> | undefined;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

const until = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000) =>
  untilDone(fn, what, timeoutMs, { everyMs: 100 });

it(
  `keeps every action exactly once through cuts, stalls, delays, resets, lost answers and kills (seed ${SEED})`,
  async () => {
    const started = Date.now();
    const root = await tempDir('faults');
    cleanup.push(() => removeDir(root));
    const hubDir = join(root, 'hub');
    await mkdir(hubDir);
    let hub: ChildHub = await spawnHub(hubDir);
    cleanup.push(() => stopChild(hub, 'SIGKILL'));
    const hubPort = Number(new URL(hub.url).port);
    const hubUrl = hub.url;
    const desk = await login(hubUrl, 'chief');

    const stations: Station[] = [];
    for (const [label, username] of [
      ['A', 'operator'],
      ['B', 'operator2'],
    ] as const) {
      const proxy = new FaultProxy(hubPort);
      await proxy.listen();
      cleanup.push(() => proxy.close());
      const dataDir = join(root, `console-${label}`);
      await mkdir(dataDir);
      stations.push({ label, username, dataDir, proxy, host: undefined, client: undefined, notices: [], accepted: [], restarting: undefined, acceptedAt: new Map(), settleMs: [] });
    }

    async function bringUp(s: Station): Promise<void> {
      s.host = await spawnConsole(s.proxy.url, s.dataDir);
      const client = new CoreClient(s.host.origin, (n) => {
        if (n.type === 'settled') {
          s.notices.push(n);
          const at = s.acceptedAt.get(n.commandId);
          if (at !== undefined) s.settleMs.push(Date.now() - at);
        }
      });
      await client.open();
      // signing in goes through the proxy: faults may hit it, so try until it takes
      await until(async () => (await client.request('login', { username: s.username, password: s.username })).ok, `${s.label} signed in`, 60_000);
      s.client = client;
    }
    await Promise.all(stations.map(bringUp));
    cleanup.push(() => Promise.all(stations.map((s) => (s.host ? stopConsole(s.host, 'SIGKILL') : undefined))));
    // both caches filled before the storm
    for (const s of stations) await until(async () => (await s.client!.request('session')).result?.link === 'online', `${s.label} online`);

    const faults: Record<FaultKind, number> = { cut: 0, stall: 0, delay: 0, reset: 0, lostAck: 0 };
    let hubKills = 0;
    const consoleKills: Record<string, number> = { A: 0, B: 0 };
    let done = 0;
    let stop = false;
    let hubDown: Promise<void> | undefined;
    const kills: Promise<void>[] = [];

    async function killHub(): Promise<void> {
      hubKills++;
      hub.child.kill('SIGKILL');
      await hub.exited;
      await sleep(300 + rand() * 700);
      hub = await spawnHub(hubDir, ['--port', String(hubPort)]);
    }

    async function killConsole(s: Station): Promise<void> {
      consoleKills[s.label]!++;
      const host = s.host!;
      s.client?.close();
      s.client = undefined;
      host.child.kill('SIGKILL');
      await host.exited;
      await sleep(200 + rand() * 500);
      await bringUp(s);
    }

    /* ---------- the fault injector ---------- */
    const injected = () => stations.reduce((n, s) => n + Object.values(s.proxy.counts).reduce((a, b) => a + b, 0), 0);
    const injector = (async () => {
      while (!stop || injected() < MIN_FAULTS) {
        await sleep(FAULT_EVERY_MS * (0.5 + rand()));
        const p = pick(stations).proxy;
        const kind = pick(['cut', 'stall', 'delay', 'reset', 'lostAck', 'lostAck', 'lostAck'] as const);
        if (kind === 'cut') p.cut();
        else if (kind === 'stall') p.stall(50 + rand() * 600);
        else if (kind === 'delay') p.delay(2 + rand() * 30, 300 + rand() * 1200);
        else if (kind === 'reset') p.reset();
        else p.loseNextAck();
      }
    })();

    /* ---------- the field: leaders answer dispatches straight at the hub, so reviews and closes happen ---------- */
    const field = (async () => {
      let after = 0;
      const states = new Map<string, EventRecord>();
      while (!stop) {
        await sleep(150);
        try {
          const page = await request(hubUrl, 'GET', `/api/changes?after=${after}&limit=5000`, { token: desk });
          if (page.status !== 200) continue;
          for (const c of page.body.changes) if (c.kind === 'event') states.set(c.data.id, c.data);
          after = page.body.cursor;
          for (const ev of [...states.values()].filter((e) => e.assigneeId && ['dispatched', 'acknowledged', 'on_site'].includes(e.state)).slice(0, 6)) {
            if (rand() < 0.5) continue;
            const token = `dev_demo_${ev.assigneeId}`;
            const next =
              ev.state === 'dispatched'
                ? { type: 'acknowledge' }
                : ev.state === 'acknowledged'
                  ? { type: 'arrive', position: ev.position }
                  : { type: 'feedback', note: 'handled on site' };
            await postCommand(hubUrl, token, { ...next, commandId: uid('field'), eventId: ev.id });
          }
        } catch {
          /* the hub is down: try again later */
        }
      }
    })();

    /* ---------- the operators ---------- */
    const killAt = new Map<number, () => Promise<void>>();
    for (let i = 1; i <= HUB_KILLS; i++) killAt.set(Math.floor((ACTIONS * i) / (HUB_KILLS + 1)) + 7, killHub);
    for (const s of stations)
      for (let i = 1; i <= CONSOLE_KILLS; i++) killAt.set(Math.floor((ACTIONS * (i - 0.5)) / CONSOLE_KILLS) + (s.label === 'A' ? 3 : 13), () => killConsole(s));

    async function act(s: Station): Promise<void> {
      const client = s.client;
      if (!client || !client.isOpen) {
        await sleep(100);
        return;
      }
      const q = await client.request('queue', { filter: {}, sort: 'newest', offset: 0, limit: 60 });
      const rows: { event: EventRecord }[] = q.ok ? q.result.rows : [];
      const row = rows.length > 0 && rand() < 0.8 ? pick(rows) : undefined;
      let kind: string;
      let res: { ok: boolean; result?: any };
      let eventId: string;
      if (!row) {
        kind = 'report';
        eventId = uid('ev');
        const command = {
          type: 'report',
          commandId: uid('report'),
          eventId,
          categoryId: pick(categories),
          description: `fault test report ${done}`,
          position: plainPointIn(pick(comprehensive).id),
          source: 'phone',
        };
        res = await client.request('command', { command });
      } else {
        const ev = row.event;
        eventId = ev.id;
        const r = rand();
        const cmd = (type: string, extra: Record<string, unknown> = {}) => client.request('command', { command: { type, commandId: uid(type), eventId, ...extra } });
        if (ev.state === 'reported') {
          kind = r < 0.4 ? 'accept' : 'dispatchTop';
          res = kind === 'accept' ? await cmd('accept') : await client.request('dispatchTop', { eventId });
        } else if (ev.state === 'accepted') {
          kind = r < 0.7 ? 'dispatchTop' : 'escalate';
          res = kind === 'dispatchTop' ? await client.request('dispatchTop', { eventId }) : await cmd('escalate', { escalation: { target: 'departments', departmentIds: [departmentId] }, note: 'needs the department' });
        } else if (ev.state === 'feedback') {
          kind = 'review';
          res = await cmd('review');
        } else if (ev.state === 'reviewed') {
          kind = 'close';
          res = await cmd('close');
        } else {
          kind = r < 0.8 ? 'note' : 'escalate';
          res = kind === 'note' ? await cmd('note', { note: `note ${done}` }) : await cmd('escalate', { escalation: { target: 'departments', departmentIds: [departmentId] }, note: 'needs the department' });
        }
      }
      if (res.ok) {
        const ids: string[] = res.result.commandIds ?? [res.result.commandId];
        s.accepted.push({ kind, commandIds: ids, eventId });
        for (const id of ids) s.acceptedAt.set(id, Date.now());
      }
      done++;
      const k = killAt.get(done);
      if (k) {
        killAt.delete(done);
        if (k === killHub) {
          // a kill while the hub is still coming back waits for it
          const next: Promise<void> = (hubDown ?? Promise.resolve()).then(killHub).finally(() => {
            if (hubDown === next) hubDown = undefined;
          });
          hubDown = next;
        } else {
          kills.push(k());
        }
      }
      await sleep(20 + rand() * 60);
    }

    await Promise.all(
      stations.map(async (s) => {
        while (done < ACTIONS) await act(s);
      }),
    );
    stop = true;
    await injector;
    await field;
    if (hubDown) await hubDown;
    await Promise.all(kills);
    for (const s of stations) s.proxy.heal();

    /* ---------- settle ---------- */
    const head = async () => (await allChanges(hubUrl, desk)).head;
    for (const s of stations) {
      await until(async () => {
        const r = await s.client!.request('session');
        return r.ok && r.result.outbox === 0 && r.result.link === 'online';
      }, `${s.label}'s outbox drained`, 90_000);
    }
    const finalHead = await head();
    for (const s of stations) await until(async () => (await s.client!.request('session')).result?.cursor >= finalHead, `${s.label} caught up`, 60_000);

    /* ---------- the hub's truth ---------- */
    const { changes } = await allChanges(hubUrl, desk);
    const hubEvents = new Map<string, EventRecord>();
    const hubTimeline = new Map<string, TimelineEntry>();
    for (const c of changes) {
      if (c.kind === 'event') hubEvents.set(c.data.id, c.data);
      if (c.kind === 'timeline') hubTimeline.set(c.data.id, c.data);
    }
    const entriesByCommand = new Map<string, TimelineEntry[]>();
    for (const e of hubTimeline.values()) {
      if (!e.commandId) continue;
      const list = entriesByCommand.get(e.commandId) ?? [];
      list.push(e);
      entriesByCommand.set(e.commandId, list);
    }

    // stop the consoles cleanly and read their caches
    for (const s of stations) {
      s.client?.close();
      await stopConsole(s.host!, 'SIGTERM');
      s.host = undefined;
    }

    let actions = 0;
    let losses = 0;
    let duplicates = 0;
    let divergences = 0;
    let rejected = 0;
    let rejectedNoticeLost = 0;
    const problems: string[] = [];
    const note = (msg: string) => {
      if (problems.length < 30) problems.push(msg);
    };
    const byKind: Record<string, number> = {};

    for (const s of stations) {
      const db = new Database(join(s.dataDir, 'cache.db'), { readonly: true, fileMustExist: true });
      const outbox = new Map(
        (db.prepare('SELECT command_id, status, error FROM outbox').all() as { command_id: string; status: string; error: string | null }[]).map((r) => [r.command_id, r]),
      );
      const noticed = new Map(s.notices.map((n) => [n.commandId, n]));
      for (const a of s.accepted) {
        actions++;
        byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
        for (const id of a.commandIds) {
          const r = await request(hubUrl, 'GET', `/api/commands/${encodeURIComponent(id)}`, { token: desk });
          const local = outbox.get(id);
          if (r.status === 200 && r.body.status === 'applied') {
            const n = entriesByCommand.get(id)?.length ?? 0;
            if (n > 1) (duplicates++, note(`${s.label} ${a.kind} ${id}: ${n} timeline entries`));
            if (local?.status !== 'applied') (divergences++, note(`${s.label} ${id}: applied at the hub, ${local?.status ?? 'missing'} in the outbox`));
          } else if ((r.status === 200 && r.body.status === 'rejected') || local?.status === 'rejected') {
            rejected++;
            if (local?.status !== 'rejected' || !local.error) (losses++, note(`${s.label} ${id}: rejected, but the console holds ${local?.status ?? 'nothing'}`));
            else if (!noticed.has(id)) rejectedNoticeLost++; // the console was killed before telling; its outbox lists it with the reason
            else if (noticed.get(id)!.status !== 'rejected') (divergences++, note(`${s.label} ${id}: rejected at the hub, told ${noticed.get(id)!.status}`));
          } else {
            losses++;
            note(`${s.label} ${a.kind} ${id}: not at the hub (${r.status}), ${local?.status ?? 'not in the outbox'}`);
          }
        }
      }
      const pending = (db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n;
      if (pending > 0) (losses += pending, note(`${s.label}: ${pending} commands still pending`));

      // the cache equals the hub, event by event and timeline entry by timeline entry
      const cached = new Map((db.prepare('SELECT id, confirmed, data FROM event_records').all() as { id: string; confirmed: string | null; data: string }[]).map((r) => [r.id, r]));
      for (const [id, ev] of hubEvents) {
        const row = cached.get(id);
        const want = canon(ev);
        if (!row) (divergences++, note(`${s.label}: event ${id} missing from the cache`));
        else if (canon(JSON.parse(row.data)) !== want) (divergences++, note(`${s.label}: event ${id} differs: ${diffKeys(JSON.parse(row.data), ev)}`));
        else if (row.confirmed === null || canon(JSON.parse(row.confirmed)) !== want) (divergences++, note(`${s.label}: event ${id}'s confirmed record differs`));
      }
      for (const id of cached.keys()) if (!hubEvents.has(id)) (divergences++, note(`${s.label}: event ${id} is in the cache but not at the hub`));
      const tl = new Map((db.prepare('SELECT id, data FROM timeline').all() as { id: string; data: string }[]).map((r) => [r.id, r.data]));
      for (const [id, e] of hubTimeline) {
        const got = tl.get(id);
        if (got === undefined) (divergences++, note(`${s.label}: timeline entry ${id} missing`));
        else if (canon(JSON.parse(got)) !== canon(e)) (divergences++, note(`${s.label}: timeline entry ${id} differs: ${diffKeys(JSON.parse(got), e)}`));
      }
      for (const id of tl.keys()) if (!hubTimeline.has(id)) (divergences++, note(`${s.label}: timeline entry ${id} is not at the hub`));
      db.close();
    }

    // no dispatch reached a field device twice: each leader's own feed, per command at most one dispatch entry
    let dispatchEntries = 0;
    const leaders = new Set([...hubTimeline.values()].filter((e) => e.kind === 'dispatch').map((e) => hubEvents.get(e.eventId)?.assigneeId).filter((x): x is string => !!x));
    for (const leader of [...leaders].slice(0, 40)) {
      const seen = new Map<string, Set<string>>();
      const mine = await allChanges(hubUrl, `dev_demo_${leader}`);
      for (const c of mine.changes) {
        if (c.kind !== 'timeline' || c.data.kind !== 'dispatch' || !c.data.commandId) continue;
        const ids = seen.get(c.data.commandId) ?? new Set<string>();
        ids.add(c.data.id);
        seen.set(c.data.commandId, ids);
      }
      for (const [cmd, ids] of seen) if (ids.size > 1) (duplicates++, note(`leader ${leader} got ${ids.size} dispatch entries for ${cmd}`));
    }
    for (const [cmd, list] of entriesByCommand) {
      const d = list.filter((e) => e.kind === 'dispatch');
      dispatchEntries += d.length;
      if (d.length > 1) (duplicates++, note(`${d.length} dispatch entries for ${cmd}`));
    }

    const totalFaults = stations.reduce((n, s) => n + Object.values(s.proxy.counts).reduce((a, b) => a + b, 0), 0);
    for (const s of stations) for (const k of Object.keys(faults) as FaultKind[]) faults[k] += s.proxy.counts[k];
    const summary = {
      seed: SEED,
      seconds: Math.round((Date.now() - started) / 1000),
      actions,
      byKind,
      commandsAtHub: entriesByCommand.size,
      dispatchEntries,
      rejected,
      rejectedNoticeLost,
      faults: { total: totalFaults, ...faults },
      commandPosts: stations.map((s) => s.proxy.commandPosts),
      acceptedToSettledMs: (() => {
        const xs = stations.flatMap((s) => s.settleMs).sort((a, b) => a - b);
        const q = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
        return { n: xs.length, p50: q(0.5), p95: q(0.95), max: xs.at(-1) ?? 0 };
      })(),
      kills: { hub: hubKills, consoleA: consoleKills.A, consoleB: consoleKills.B },
      duplicates,
      losses,
      divergences,
    };
    console.log(`console faults: ${JSON.stringify(summary)}`);
    if (problems.length > 0) console.log(problems.join('\n'));
    expect({ duplicates, losses, divergences }).toEqual({ duplicates: 0, losses: 0, divergences: 0 });
    expect(actions).toBeGreaterThanOrEqual(ACTIONS * 0.8);
    expect(hubKills).toBe(HUB_KILLS);
    expect(consoleKills).toEqual({ A: CONSOLE_KILLS, B: CONSOLE_KILLS });
    for (const k of Object.keys(faults) as FaultKind[]) expect(faults[k], k).toBeGreaterThan(0);
    expect(totalFaults).toBeGreaterThanOrEqual(200);
  },
  SOAK ? 3_600_000 : 240_000,
);
