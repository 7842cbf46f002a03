/**
 * The console core: what a renderer page talks to (over Electron IPC or the console host's
 * WebSocket). It owns the local cache, the outbox and the feed; every request is validated with
 * shared/schema/console.ts and answered from the cache, never waiting on the network except to
 * sign in and for the hub's recommendation (which falls back to the cache's).
 */
import { dirname, join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors';
import {
  Attachment,
  CommandBatchResult,
  CommandResult,
  ConsoleRequest,
  isOpenState,
  LoginResponse,
  type Candidate,
  type Command,
  type ConsoleNotice,
  type ConsoleResponse,
  type ConsoleResults,
  type CoreLink,
  type EventDetail,
  type EventRecord,
  type Person,
  type ReferenceData,
  type NewEventBrief,
  Principal,
  type SessionInfo,
  type UploadedEvidence,
} from '../../../shared/schema';
import { Taxonomy } from '../../../shared/taxonomy';
import type { Actor } from '../../../shared/workflow';
import { ConsoleCache } from './cache';
import { Feed, type FeedOptions } from './feed';
import { HubClient, HubError, type HubAttachment } from './hub-client';
import { Outbox, type OutboxOptions, type OutboxSender } from './outbox';
import { Recommendations } from './recommend';
import { MapQueries } from './map';
import { CallRelay } from './calls';
import { CameraWatch, MediaOrigins, wallCameras } from './video-sources';
import { WallLayouts } from './wall-layouts';
import { PendingUploads, sha256Hex } from './pending-uploads';
import { WallScreenStore } from './wall-screen';
import { StatsProxy, type StatsDownload, type StatsWorkbookKind } from './stats';
import { FileKeySecretBox, type SecretBox } from './secret-box';
import { KeptSession, type Session } from './kept-session';

/** the key of the default secret box, beside the cache */
const SESSION_KEY_FILE = 'session.key';

/** events reported this recently, seen for the first time, are told to the page (the wall's alarm linkage) */
const NEW_EVENT_WINDOW_MS = 5 * 60_000;

export interface ConsoleCoreOptions {
  hubUrl: string;
  /**
   * What names the hub for the cache's scope and the stored session, when its URL does not: an
   * embedded hub listens on a new port at every start but keeps its store (and its sessions) in the
   * same folder. Default: the hub URL's origin.
   */
  hubKey?: string;
  /** the console's data folder (the host's dataDir, e.g. ~/.local/share/grid-console/console): the cache is `<dataDir>/cache.db` */
  dataDir?: string;
  /** overrides dataDir; `:memory:` for tests */
  cacheFile?: string;
  /** the label the hub writes into timelines for this console; default 'console' */
  origin?: string;
  now?: () => number;
  fetch?: typeof fetch;
  /** better-sqlite3's Electron-ABI addon (see CacheOptions) */
  nativeBinding?: string;
  feed?: FeedOptions;
  outbox?: Pick<OutboxOptions, 'batchSize' | 'retryMs' | 'maxRetryMs'>;
  /**
   * Seals the session token the core keeps in its cache, so a restarted console is signed in again
   * (the wall screen recovers by itself). Default: a FileKeySecretBox with its key beside an on-disk
   * cache (`<dataDir>/session.key`); the Electron shell passes one backed by the OS keychain. `null`
   * (and a `:memory:` cache without a box) keeps the session in memory only.
   */
  secretBox?: SecretBox | null;
}

export type NoticeListener = (notice: ConsoleNotice) => void;
type Handled<T extends ConsoleRequest['type']> = ConsoleResults[T];

const actorOf = (p: Principal): Actor => (p.townId === undefined ? { id: p.personId, role: p.role } : { id: p.personId, role: p.role, townId: p.townId });

function errorBody(err: unknown): { code: DomainError['code']; message: string; field?: string } {
  if (err instanceof DomainError) return err.toBody();
  console.error('console core: unexpected failure', err);
  return { code: 'internal', message: `The console core failed unexpectedly (${(err as Error)?.message ?? String(err)}); try again, and report it if it repeats.` };
}

export class ConsoleCore {
  readonly cache: ConsoleCache;
  readonly outbox: Outbox;
  readonly client: HubClient;
  readonly hubUrl: string;
  private readonly hubKey: string;
  private readonly feed: Feed;
  private readonly recommendations: Recommendations;
  /** the map view's queries and the basemap setting (the host serves its archive) */
  readonly map: MapQueries;
  private readonly stats: StatsProxy;
  private readonly calls: CallRelay;
  private readonly wallLayouts: WallLayouts;
  private readonly pendingUploads: PendingUploads;
  private readonly wallScreen: WallScreenStore;
  private readonly mediaOrigins: MediaOrigins;
  private readonly cameraWatch: CameraWatch;
  private readonly listeners = new Set<NoticeListener>();
  private readonly now: () => number;
  private readonly origin: string;
  private principal: Principal | null = null;
  /** the session kept across restarts */
  private readonly kept: KeptSession;
  /** when the link last changed state (or the core started) */
  private linkSince: number;
  private closed = false;
  /** type and size of attachments seen, by hash: content-addressed, so they never change */
  private readonly attachmentMetas = new Map<string, { mime: string; size: number }>();

  constructor(opts: ConsoleCoreOptions) {
    this.hubUrl = new URL(opts.hubUrl).origin;
    this.hubKey = opts.hubKey ?? this.hubUrl;
    this.now = opts.now ?? Date.now;
    this.origin = opts.origin ?? 'console';
    this.linkSince = this.now();
    const file = opts.cacheFile ?? (opts.dataDir ? join(opts.dataDir, 'cache.db') : undefined);
    if (!file) throw new Error('ConsoleCore needs a dataDir or a cacheFile for its cache');
    this.cache = new ConsoleCache(opts.nativeBinding ? { file, nativeBinding: opts.nativeBinding } : { file });
    const box = opts.secretBox !== undefined ? opts.secretBox : file === ':memory:' ? null : new FileKeySecretBox(join(dirname(file), SESSION_KEY_FILE));
    this.kept = new KeptSession(this.cache, box, this.hubKey, this.now);
    this.client = new HubClient(this.hubUrl, opts.fetch);
    // the search index is built from the cache once (~0.3 s at 100,000 events): soon after start,
    // while the page loads and signs in, rather than on the operator's first keystroke
    setTimeout(() => this.closed || this.cache.warmSearch(), 500).unref();
    this.outbox = new Outbox(this.cache, {
      ...opts.outbox,
      now: this.now,
      origin: this.origin,
      onSettled: (n) => {
        this.emit(n);
        this.emitSession();
      },
      onChanged: (eventIds) => this.emitChanged(eventIds),
      onUnauthenticated: (message) => this.sessionLost(message),
    });
    this.feed = new Feed(
      this.client,
      this.cache,
      {
        onLink: (link) => {
          this.linkSince = this.now();
          // the link is back: what waited in the outbox goes at once
          if (link === 'online') this.outbox.resume();
          this.emitSession();
        },
        onApplied: (applied, cursor, head) => {
          if (applied.eventIds.length > 0 || applied.reference) this.emit({ type: 'changed', eventIds: applied.eventIds, cursor, head });
          if (applied.reference && this.cameraWatch.changed()) this.emit({ type: 'cameras' });
          this.emitNewEvents(applied.newEvents);
          // the hub has moved on (and is reachable): anything the outbox holds may go now
          this.outbox.linkAlive();
        },
        onAlert: (a) => this.emit({ type: 'alert', eventId: a.eventId, kind: a.kind === 'urgent' ? 'new_urgent' : 'overdue', at: a.at }),
        onRejected: (message) => this.sessionLost(message),
        onHubReset: () => this.emitSession(),
        // a call's signalling goes to the page that placed it (pages ignore other calls' ids)
        onCall: (signal) => this.emit({ type: 'call', signal }),
      },
      opts.feed,
    );
    this.recommendations = new Recommendations(this.cache, this.client);
    this.map = new MapQueries(this.cache, this.client, this.now);
    this.stats = new StatsProxy(this.client, this.now, opts.fetch);
    this.wallLayouts = new WallLayouts(this.cache.db, this.now);
    this.pendingUploads = new PendingUploads(this.cache.db, this.now);
    this.wallScreen = new WallScreenStore(this.cache.db, this.now);
    this.mediaOrigins = new MediaOrigins(this.client, this.cache, this.hubUrl, this.now);
    this.cameraWatch = new CameraWatch(this.cache);
    this.calls = new CallRelay({ cache: this.cache, client: this.client, sendCall: (s) => this.feed.sendCall(s), requireSession: () => this.requireHubSession() });
    this.restoreSession();
  }

  /* ---------- notices ---------- */

  onNotice(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(notice: ConsoleNotice): void {
    for (const l of [...this.listeners]) {
      try {
        l(notice);
      } catch (err) {
        console.warn('console core: a notice listener failed:', err);
      }
    }
  }

  private emitChanged(eventIds: string[]): void {
    this.emit({ type: 'changed', eventIds, cursor: this.cache.cursor, head: Math.max(this.feed.head, this.cache.cursor) });
  }

  /** Events that just happened (not the backlog a fresh cache catches up on), for the wall's alarm linkage. */
  private emitNewEvents(events: readonly EventRecord[]): void {
    const since = this.now() - NEW_EVENT_WINDOW_MS;
    const recent: NewEventBrief[] = [];
    for (const e of events) {
      if (e.reportedAt < since) continue;
      const brief: NewEventBrief = { id: e.id, categoryId: e.categoryId, tier: e.tier, source: e.source, state: e.state, position: e.position, reportedAt: e.reportedAt };
      if (e.address !== undefined) brief.address = e.address;
      recent.push(brief);
    }
    for (let i = 0; i < recent.length; i += 100) this.emit({ type: 'newEvents', events: recent.slice(i, i + 100) });
  }

  private emitSession(): void {
    this.emit({ type: 'session', session: this.session() });
  }

  private sessionLost(message: string): void {
    console.warn('console core: the hub ended the session:', message);
    this.endSession();
  }

  /* ---------- the session ---------- */

  /**
   * Takes on a session (from a sign-in, or kept from before a restart): the token and principal,
   * and the cache's scope. The feed and outbox start with startSession().
   */
  private adoptSession(token: string, principal: Principal): void {
    this.feed.stop();
    this.client.token = token;
    this.principal = principal;
    this.stats.forget();
    this.mediaOrigins.reset();
    // the cache mirrors one hub as one scope sees it (a sub-centre desk sees its town only)
    const scope = `${this.hubKey} ${principal.townId ?? '*'}`;
    if (this.cache.getMeta('scope') !== scope) {
      this.cache.resetHubData();
      this.cache.setMeta('scope', scope);
    }
  }

  private startSession(principal: Principal): void {
    this.feed.start();
    this.outbox.setSender(this.sender(), principal.personId);
    this.emitSession();
  }

  /** Signed out (by the operator or the hub): nothing is sent, and the kept session is forgotten. */
  private endSession(): void {
    this.feed.stop();
    this.outbox.setSender(null);
    this.client.token = undefined;
    this.principal = null;
    if (!this.closed) this.kept.forget();
    this.emitSession();
  }

  /**
   * At start: the operator's session from before the restart, back at once (feed and outbox
   * running, the pages told), then checked with the hub. A hub that no longer knows the token ends
   * it; a hub out of reach does not: the console works offline on it, as it would have.
   */
  private restoreSession(): void {
    const kept = this.kept.load();
    if (!kept) return;
    this.adoptSession(kept.token, kept.principal);
    this.startSession(kept.principal);
    void this.verifySession(kept);
  }

  private async verifySession(stored: Session): Promise<void> {
    const token = stored.token;
    const current = () => !this.closed && this.client.token === token;
    let principal: Principal;
    try {
      principal = await this.client.call('GET', '/api/me', Principal);
    } catch (err) {
      if (!current()) return;
      if (err instanceof HubError && (err.status === 401 || err.code === 'unauthenticated')) {
        this.sessionLost(`the hub no longer knows the kept session (${err.message})`);
        return;
      }
      // unreachable or failing: carry on offline; the feed's 401 ends the session if it comes to that
      console.warn('console core: could not check the kept session with the hub; working on it offline:', (err as Error).message);
      return;
    }
    if (!current()) return;
    if (JSON.stringify(principal) !== JSON.stringify(stored.principal)) {
      this.principal = principal;
      this.kept.keep({ token, principal, expiresAt: stored.expiresAt });
      this.emitSession();
    }
    await this.refreshTaxonomy();
  }

  private async refreshTaxonomy(): Promise<void> {
    try {
      this.cache.setTaxonomy(await this.client.call('GET', '/api/taxonomy', Taxonomy));
    } catch (err) {
      if (!this.closed) console.warn('console core: keeping the cached taxonomy:', (err as Error).message);
    }
  }

  /* ---------- requests ---------- */

  /** The transports' entry: validates, dispatches, and always answers (never throws). */
  async request(raw: unknown): Promise<ConsoleResponse> {
    const id = typeof (raw as { id?: unknown })?.id === 'number' && Number.isInteger((raw as { id: number }).id) ? (raw as { id: number }).id : -1;
    const parsed = ConsoleRequest.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      const field = i?.path.join('.');
      return { id, ok: false, error: { error: { code: 'invalid', message: `The request is malformed: ${field ? `${field}: ` : ''}${i?.message ?? 'unknown problem'}`, ...(field ? { field } : {}) } } };
    }
    try {
      return { id, ok: true, result: await this.handle(parsed.data) };
    } catch (err) {
      // shut down while the request waited (on the hub, say): its cache is gone, which is no fault to report
      const e = this.closed && !(err instanceof DomainError) ? new DomainError('unavailable', 'The console core has been shut down; restart the console.') : err;
      return { id, ok: false, error: { error: errorBody(e) } };
    }
  }

  /** Typed dispatch for in-process callers; throws DomainError. */
  async handle<R extends ConsoleRequest>(req: R): Promise<Handled<R['type']>> {
    if (this.closed) throw new DomainError('unavailable', 'The console core has been shut down; restart the console.');
    const r = req as ConsoleRequest;
    let out: unknown;
    switch (r.type) {
      case 'session':
        out = this.session();
        break;
      case 'login':
        out = await this.login(r.username, r.password);
        break;
      case 'logout':
        out = await this.logout();
        break;
      case 'queue':
        out = this.cache.queue(r.filter, r.sort, r.offset, r.limit, this.now());
        break;
      case 'event':
        out = await this.eventDetail(r.eventId);
        break;
      case 'command':
        this.enqueue([r.command]);
        out = { commandId: r.command.commandId, status: 'pending' } satisfies Handled<'command'>;
        break;
      case 'dispatchTop':
        out = await this.dispatchTop(r.eventId, r.assigneeId);
        break;
      case 'reference':
        out = this.reference();
        break;
      case 'cameras': {
        const origins = await this.mediaOrigins.get();
        out = { cameras: wallCameras(this.cache.cameras(), origins), origins } satisfies Handled<'cameras'>;
        break;
      }
      case 'wallLayouts':
        out = { layouts: this.wallLayouts.list() } satisfies Handled<'wallLayouts'>;
        break;
      case 'saveWallLayout':
        out = this.wallLayouts.save(r.layout);
        break;
      case 'deleteWallLayout':
        out = { deleted: this.wallLayouts.delete(r.name) } satisfies Handled<'deleteWallLayout'>;
        break;
      case 'uploadEvidence':
        out = await this.uploadEvidence(r.mime, r.data);
        break;
      case 'call':
        out = this.calls.send(r.signal);
        break;
      case 'callbacks':
        out = this.calls.callbacks();
        break;
      case 'leaderFix':
        out = this.calls.leaderFix(r.personId);
        break;
      case 'uploadRecording':
        out = await this.calls.uploadRecording(r, this.now());
        break;
      case 'mapConfig':
        out = this.map.config();
        break;
      case 'setBasemap':
        out = await this.map.setBasemap(r.basemap);
        break;
      case 'mapGrids':
        out = { grids: this.map.grids() } satisfies Handled<'mapGrids'>;
        break;
      case 'mapPeople':
        out = { people: this.map.people(), now: this.now() } satisfies Handled<'mapPeople'>;
        break;
      case 'mapEvents':
        out = this.map.events(r.query);
        break;
      case 'gridInfo':
        out = await this.map.gridInfo(r.gridId);
        break;
      case 'personInfo':
        out = await this.map.personInfo(r.personId, r.hours);
        break;
      case 'statsOverview':
        out = await this.stats.overview(r.period);
        break;
      case 'statsBreakdown':
        out = await this.stats.breakdown(r.by, r.period);
        break;
      case 'statsOverdue':
        out = await this.stats.overdue(r.limit, r.townId);
        break;
      case 'wallScreen':
        out = this.wallScreen.get();
        break;
      case 'setWallScreen': {
        // the duty chief (or an operator) drives the wall from a signed-in console
        const principal = this.principal;
        if (!principal) throw new DomainError('unauthenticated', 'Sign in first: the wall screen is set from a signed-in console.');
        const state = this.wallScreen.set(r.patch, { eventExists: (id) => this.cache.event(id) !== undefined, by: principal.name });
        this.emit({ type: 'wallScreen', state });
        out = state;
        break;
      }
      case 'statsNames':
        out = { names: this.names(r.ids) } satisfies Handled<'statsNames'>;
        break;
      case 'statsLedger':
        out = await this.stats.ledger(r.query);
        break;
      case 'statsRates':
        out = await this.stats.rates(r.query);
        break;
      case 'statsBulletin':
        out = await this.stats.bulletin(r.query);
        break;
    }
    return out as Handled<R['type']>;
  }

  session(): SessionInfo {
    const link: CoreLink = this.principal ? this.feed.state : 'offline';
    return {
      principal: this.principal,
      hubUrl: this.hubUrl,
      link,
      linkSince: this.linkSince,
      cursor: this.cache.cursor,
      head: Math.max(this.feed.head, this.cache.cursor),
      outbox: this.outbox.pendingCount,
    };
  }

  private async login(username: string, password: string): Promise<SessionInfo> {
    const res = await this.client.call('POST', '/api/auth/login', LoginResponse, { username, password, origin: this.origin });
    this.adoptSession(res.token, res.principal);
    this.kept.keep(res);
    await this.refreshTaxonomy();
    this.startSession(res.principal);
    return this.session();
  }

  private async logout(): Promise<SessionInfo> {
    if (this.client.token) {
      await this.client.call('POST', '/api/auth/logout', z.unknown()).catch((err: unknown) => {
        console.warn('console core: logout did not reach the hub:', (err as Error).message);
      });
    }
    this.endSession();
    return this.session();
  }

  private sender(): OutboxSender {
    return {
      send: async (commands: Command[]) => {
        // evidence taken offline goes first, so the hub knows every hash the commands name
        await this.flushUploads();
        return (await this.client.call('POST', '/api/commands/batch', CommandBatchResult, { commands })).results;
      },
      lookup: async (commandId: string) => {
        try {
          return await this.client.call('GET', `/api/commands/${encodeURIComponent(commandId)}`, CommandResult);
        } catch (err) {
          if (err instanceof HubError && err.code === 'not_found') return null;
          throw err;
        }
      },
    };
  }

  /**
   * Holds the outbox: commands are still stored and shown, but not sent until released. For a
   * "work offline" switch, and for tests that need a command to meet a hub that moved meanwhile.
   */
  holdOutbox(hold: boolean): void {
    if (hold) this.outbox.setSender(null);
    else if (this.principal && this.client.token) this.outbox.setSender(this.sender(), this.principal.personId);
  }

  private actor(): Actor {
    if (!this.principal) throw new DomainError('unauthenticated', 'Sign in first: commands are made in the name of the signed-in operator.');
    return actorOf(this.principal);
  }

  private enqueue(commands: Command[]): void {
    this.outbox.enqueue(commands, this.actor());
    this.emitSession();
  }

  private async candidates(event: { position: { lng: number; lat: number } }): Promise<Candidate[]> {
    return (await this.recommendations.candidates(event.position, this.now(), this.feed.state === 'online')).candidates;
  }

  private async eventDetail(eventId: string): Promise<EventDetail> {
    const event = this.cache.event(eventId);
    if (!event) throw new DomainError('not_found', `Event ${eventId} is not in the local cache; it may not have synced yet or the id is mistyped.`, 'eventId');
    const now = this.now();
    const timeline = [...this.cache.timeline(eventId)];
    // the hub's entries win; a pending command's expected entry shows only past what the hub has
    const known = new Set(timeline.map((e) => e.commandId));
    const pendingEntryIds: string[] = [];
    for (const e of this.outbox.pendingEntries(eventId)) {
      if (known.has(e.commandId)) continue;
      timeline.push(e);
      pendingEntryIds.push(e.id);
    }
    // nobody is sent to a finished case: no ranking to compute
    const candidates = isOpenState(event.state) ? await this.candidates(event) : [];
    const people: Record<string, Person> = {};
    const addPerson = (id: string | undefined) => {
      if (!id || people[id]) return;
      const p = this.cache.person(id);
      if (p) people[id] = p;
    };
    for (const e of timeline) {
      addPerson(e.actorId);
      // a dispatch names its leader: the page shows the phone number when it could not be delivered
      if (typeof e.data?.assigneeId === 'string') addPerson(e.data.assigneeId);
    }
    for (const c of candidates) people[c.person.id] = c.person;
    addPerson(event.assigneeId);
    addPerson(event.reporterId);
    const mergedInto = event.mergedInto ? this.cache.event(event.mergedInto) : undefined;
    const detail: EventDetail = {
      row: this.cache.row(event, now),
      timeline,
      linked: this.cache.linkedReports(eventId),
      grids: event.gridIds.map((id) => this.cache.grid(id)).filter((g) => g !== undefined),
      candidates,
      people,
      pendingEntryIds,
    };
    if (mergedInto) detail.mergedInto = mergedInto;
    return detail;
  }

  /** Accept (when still reported) and dispatch, as two commands sent in that order. */
  private async dispatchTop(eventId: string, assigneeId: string | undefined): Promise<Handled<'dispatchTop'>> {
    this.actor();
    const event = this.cache.event(eventId);
    if (!event) throw new DomainError('not_found', `Event ${eventId} is not in the local cache; it may not have synced yet or the id is mistyped.`, 'eventId');
    let to = assigneeId;
    if (!to) {
      const top = (await this.candidates(event))[0];
      if (!top) throw new DomainError('not_found', `No grid staff can be recommended for event ${eventId}: nobody is responsible for its grid or near it. Choose a person, or escalate.`);
      to = top.person.id;
    }
    const commands: Command[] = [];
    if (event.state === 'reported') commands.push({ type: 'accept', commandId: uuidv7(), eventId });
    commands.push({ type: 'dispatch', commandId: uuidv7(), eventId, assigneeId: to });
    this.enqueue(commands);
    return { commandIds: commands.map((c) => c.commandId), assigneeId: to, status: 'pending' };
  }

  /** Names of people, places and grids (the overdue list's assignees), from the cache; unknown ids are left out. */
  private names(ids: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of ids) {
      const name = this.cache.person(id)?.name ?? this.cache.orgUnit(id)?.name ?? this.cache.grid(id)?.name;
      if (name !== undefined) out[id] = name;
    }
    return out;
  }

  /**
   * A statistics workbook from the hub (`/api/stats/export.xlsx`, and the ledgers' and the three-day
   * bulletin's when the hub has them), fetched with this core's session for the host to hand to the
   * page (the page never holds the token). Throws DomainError: unauthenticated without a session,
   * the hub's refusal otherwise.
   */
  async statsWorkbook(kind: StatsWorkbookKind, query: URLSearchParams): Promise<StatsDownload> {
    if (this.closed) throw new DomainError('unavailable', 'The console core has been shut down; restart the console.');
    if (!this.principal || !this.client.token) throw new DomainError('unauthenticated', 'Sign in at the console first: the workbook is fetched from the hub with the operator\'s session.');
    return this.stats.workbook(kind, query);
  }

  reference(): ReferenceData {
    return {
      orgUnits: this.cache.orgUnits(),
      departments: this.cache.departments(),
      cameras: this.cache.cameras(),
      categories: this.cache.taxonomy.categories.map((c) => ({ id: c.id, zh: c.name.zh, en: c.name.en })),
    };
  }

  /* ---------- attachments ---------- */

  /**
   * Uploads evidence (a snapshot from a video tile) to the hub and answers its hash, for a command
   * to attach. Needs the hub: an upload does not wait in the outbox (the bytes are not kept there).
   */
  private async uploadEvidence(mime: string, base64: string): Promise<UploadedEvidence> {
    this.requireHubSession();
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0) throw new DomainError('invalid', 'The snapshot is empty.', 'data');
    try {
      const meta = await this.client.upload(bytes, mime, 'evidence', Attachment);
      this.rememberMeta(meta.hash, { mime: meta.mime, size: meta.size });
      return { hash: meta.hash, mime: meta.mime, size: meta.size };
    } catch (err) {
      // the hub is out of reach: keep the bytes and let the outbox carry them with the command
      if (!(err instanceof DomainError) || err.code !== 'unavailable') throw err;
      const hash = sha256Hex(bytes);
      this.pendingUploads.put({ hash, mime, bytes });
      this.rememberMeta(hash, { mime, size: bytes.length });
      return { hash, mime, size: bytes.length, pending: true };
    }
  }

  /**
   * Uploads the evidence kept while offline. A hub that refuses a file (not a photo after all, too
   * large) drops it: the command naming it is then refused by the hub and rolled back with the reason.
   */
  private async flushUploads(): Promise<void> {
    for (const u of this.pendingUploads.list()) {
      try {
        const meta = await this.client.upload(u.bytes, u.mime, 'evidence', Attachment);
        if (meta.hash !== u.hash) console.warn(`console core: evidence ${u.hash} was stored by the hub as ${meta.hash}`);
      } catch (err) {
        // only a refusal of the file itself drops it; a lost link or an expired session keeps it for later
        if (!(err instanceof HubError) || ![400, 413, 415, 422].includes(err.status)) throw err;
        console.warn(`console core: the hub refused evidence ${u.hash}: ${err.message}`);
      }
      this.pendingUploads.remove(u.hash);
    }
  }

  private requireHubSession(): void {
    if (this.closed) throw new DomainError('unavailable', 'The console core has been shut down; restart the console.');
    if (!this.principal || !this.client.token) throw new DomainError('unauthenticated', 'Sign in first: attachments are fetched from the hub with the operator\'s session.');
  }

  private rememberMeta(hash: string, meta: { mime: string; size: number }): void {
    if (this.attachmentMetas.size >= 10_000) this.attachmentMetas.delete(this.attachmentMetas.keys().next().value!);
    this.attachmentMetas.set(hash, meta);
  }

  /**
   * A photo, voice note or clip from the hub, fetched with this core's session (the page never
   * holds the token). Throws DomainError: unauthenticated without a session, not_found when the
   * hub has no such attachment, invalid for a malformed hash.
   */
  async attachment(hash: string): Promise<Required<HubAttachment>> {
    const pending = this.pendingUploads.get(hash);
    if (pending) return { mime: pending.mime, size: pending.bytes.length, bytes: pending.bytes };
    this.requireHubSession();
    const a = await this.client.attachment(hash, 'GET');
    const bytes = a.bytes ?? Buffer.alloc(0);
    this.rememberMeta(hash, { mime: a.mime, size: bytes.length });
    return { mime: a.mime, size: bytes.length, bytes };
  }

  /** An attachment's type and size (from the hub's headers, remembered), so the page knows how to show it. */
  async attachmentMeta(hash: string): Promise<{ mime: string; size: number }> {
    const pending = this.pendingUploads.get(hash);
    if (pending) return { mime: pending.mime, size: pending.bytes.length };
    this.requireHubSession();
    const known = this.attachmentMetas.get(hash);
    if (known) return known;
    let meta: { mime: string; size: number };
    try {
      meta = await this.client.attachment(hash, 'HEAD');
    } catch (err) {
      // a hub without HEAD: read the bytes once instead
      if (err instanceof HubError && (err.status === 405 || err.status === 501)) meta = await this.attachment(hash);
      else throw err;
    }
    if (meta.size < 0) meta = await this.attachment(hash);
    const out = { mime: meta.mime, size: meta.size };
    this.rememberMeta(hash, out);
    return out;
  }

  /** Stops the feed and the outbox's sending and closes the cache; pending commands stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.stop();
    this.outbox.stop();
    await this.outbox.idle();
    this.listeners.clear();
    this.map.close();
    this.cache.close();
  }
}

export const createConsoleCore = (opts: ConsoleCoreOptions): ConsoleCore => new ConsoleCore(opts);
