/**
 * The outbox: every operator command is stored here and laid over the cache in one transaction, so
 * the operator sees the result at once (marked pending), then sent to the hub in order and settled
 * by its answer. Decided locally with the hub's own workflow (shared/workflow.ts `decide`).
 *
 * Guarantees: a command is never lost (it is on disk before the operator is answered) and never sent
 * under another id (ids are made once, when the command is made). A send whose answer was lost is
 * settled by asking the hub for the command's result before anything is sent again; resending the
 * same id is harmless anyway, the hub answers a replay with the first result.
 */
import { DomainError } from '../../../shared/errors';
import type { Command, CommandResult, ConsoleNotice, EventRecord, TimelineEntry } from '../../../shared/schema';
import { GridIndex } from '../../../shared/spatial';
import { decide, type Actor, type Place, type WorkflowContext } from '../../../shared/workflow';
import type { ConsoleCache } from './cache';
import { HubError, isTransient } from './hub-client';

/** How the outbox reaches the hub (the core gives it the HTTP one; tests give it fakes). */
export interface OutboxSender {
  /** POST /api/commands/batch: one result per command, in order */
  send(commands: Command[]): Promise<CommandResult[]>;
  /** GET /api/commands/:id; null when the hub never saw it */
  lookup(commandId: string): Promise<CommandResult | null>;
}

export interface OutboxOptions {
  now?: () => number;
  /** console label copied into optimistic timeline entries */
  origin?: string;
  /** a command got the hub's answer */
  onSettled?: (notice: Extract<ConsoleNotice, { type: 'settled' }>) => void;
  /** these events look different now */
  onChanged?: (eventIds: string[]) => void;
  /** the hub refused the session: sending stops until the next login */
  onUnauthenticated?: (message: string) => void;
  /** commands per batch; default 100 */
  batchSize?: number;
  /** first retry delay; doubles up to maxRetryMs */
  retryMs?: number;
  maxRetryMs?: number;
}

interface OutboxRow {
  n: number;
  command_id: string;
  event_id: string;
  type: string;
  actor: string;
  command: string;
  pre_image: string | null;
  entry: string | null;
  status: 'pending' | 'applied' | 'rejected';
  error: string | null;
  created_at: number;
  attempts: number;
}

export interface OutboxEntry {
  commandId: string;
  eventId: string;
  type: string;
  command: Command;
  preImage: EventRecord | null;
  status: OutboxRow['status'];
  error?: { code: string; message: string; field?: string };
  attempts: number;
}

const toEntry = (r: OutboxRow): OutboxEntry => ({
  commandId: r.command_id,
  eventId: r.event_id,
  type: r.type,
  command: JSON.parse(r.command) as Command,
  preImage: r.pre_image ? (JSON.parse(r.pre_image) as EventRecord) : null,
  status: r.status,
  ...(r.error ? { error: JSON.parse(r.error) as OutboxEntry['error'] } : {}),
  attempts: r.attempts,
});

export class Outbox {
  private readonly now: () => number;
  private sender: OutboxSender | undefined;
  private senderActorId: string | undefined;
  private draining = false;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** sent before, but the hub said it never saw them (since their last send): no need to ask again */
  private readonly unseen = new Set<string>();
  /** the last failure was the network's or the hub's passing trouble (not a refusal) */
  private lastTransient = false;
  /** when the running backoff fires */
  private retryAt = 0;
  private gridIndex: { version: number; index: GridIndex } | undefined;
  private readonly st;

  constructor(
    private readonly cache: ConsoleCache,
    private readonly opts: OutboxOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const db = cache.db;
    this.st = {
      byId: db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE command_id = ?'),
      pendingOf: db.prepare<[string], OutboxRow>("SELECT * FROM outbox WHERE event_id = ? AND status = 'pending' ORDER BY n"),
      pendingFor: db.prepare<[string, number], OutboxRow>("SELECT * FROM outbox WHERE actor_id = ? AND status = 'pending' ORDER BY n LIMIT ?"),
      pendingCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'pending'"),
      insert: db.prepare(
        `INSERT INTO outbox (command_id, event_id, type, actor_id, actor, command, pre_image, entry, status, created_at)
         VALUES (@commandId, @eventId, @type, @actorId, @actor, @command, @preImage, @entry, 'pending', @at)`,
      ),
      attempted: db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE command_id = ?'),
      settle: db.prepare("UPDATE outbox SET status = @status, error = @error, settled_at = @at WHERE command_id = @commandId AND status = 'pending'"),
      all: db.prepare<[], OutboxRow>('SELECT * FROM outbox ORDER BY n'),
    };
    cache.setOverlay((eventId, confirmed) => this.overlay(eventId, confirmed));
  }

  /* ---------- making commands ---------- */

  /**
   * Stores the commands and shows their effect in the cache, all or nothing, in the order given.
   * A command the workflow refuses on the cache's state is refused here, with the workflow's reason,
   * and none of the batch is stored. A command id already in the outbox is not stored twice.
   */
  enqueue(commands: readonly Command[], actor: Actor): void {
    const at = this.now();
    const changed = new Set<string>();
    this.cache.transaction(() => {
      for (const command of commands) {
        if (this.st.byId.get(command.commandId)) continue;
        const before = this.cache.event(command.eventId);
        const d = decide(before, command, actor, at, this.context(command, pendingEntryId(command.commandId)));
        if (!d.ok) throw new DomainError(d.code, d.message, d.field);
        this.st.insert.run({
          commandId: command.commandId,
          eventId: command.eventId,
          type: command.type,
          actorId: actor.id,
          actor: JSON.stringify(actor),
          command: JSON.stringify(command),
          preImage: before ? JSON.stringify(before) : null,
          entry: JSON.stringify(d.entry),
          at,
        });
        this.cache.showEvent(command.eventId, d.event);
        changed.add(command.eventId);
      }
    });
    if (changed.size > 0) this.opts.onChanged?.([...changed]);
    this.kick();
  }

  /** What the workflow needs beyond the event, from the cache (duplicates and merges are the hub's call). */
  private context(command: Command, entryId: string): WorkflowContext {
    const ctx: WorkflowContext = { taxonomy: this.cache.taxonomy, entryId };
    if (this.opts.origin) ctx.origin = this.opts.origin;
    if (command.type === 'report') ctx.place = this.locate(command.position);
    if (command.type === 'dispatch') ctx.assignee = this.cache.person(command.assigneeId) ?? null;
    return ctx;
  }

  private locate(pt: { lng: number; lat: number }): Place | undefined {
    const version = this.cache.referenceVersion;
    if (!this.gridIndex || this.gridIndex.version !== version) this.gridIndex = { version, index: GridIndex.build(this.cache.grids()) };
    if (this.gridIndex.index.size === 0) return undefined; // no grids cached yet: leave the place to the hub
    const grids = this.gridIndex.index.gridsAt(pt, this.now());
    const home = grids.find((g) => g.kind === 'comprehensive') ?? grids[0];
    if (!home) return { gridIds: [] };
    return { gridIds: grids.map((g) => g.id), communityId: home.communityId, townId: home.townId };
  }

  /**
   * The event as the operator should see it: the hub's record with this console's pending commands
   * decided on top, in order. A pending command that no longer fits is left out of the picture (the
   * hub will reject it and the operator is told then).
   */
  private overlay(eventId: string, confirmed: EventRecord | null): EventRecord | null {
    let shown: EventRecord | undefined = confirmed ?? undefined;
    for (const row of this.st.pendingOf.all(eventId)) {
      const command = JSON.parse(row.command) as Command;
      const d = decide(shown, command, JSON.parse(row.actor) as Actor, row.created_at, this.context(command, pendingEntryId(row.command_id)));
      if (d.ok) shown = d.event;
    }
    return shown ?? null;
  }

  /* ---------- reads ---------- */

  get pendingCount(): number {
    return this.st.pendingCount.get()!.n;
  }

  /** the timeline entries pending commands are expected to add, for the event detail */
  pendingEntries(eventId: string): TimelineEntry[] {
    return this.st.pendingOf
      .all(eventId)
      .map((r) => (r.entry ? (JSON.parse(r.entry) as TimelineEntry) : undefined))
      .filter((e): e is TimelineEntry => e !== undefined);
  }

  entry(commandId: string): OutboxEntry | undefined {
    const r = this.st.byId.get(commandId);
    return r ? toEntry(r) : undefined;
  }

  entries(): OutboxEntry[] {
    return this.st.all.all().map(toEntry);
  }

  /* ---------- settling ---------- */

  /** Applies the hub's answer to a command of this outbox; an answer to a settled or unknown id is ignored. */
  settle(result: CommandResult): void {
    const row = this.st.byId.get(result.commandId);
    if (!row || row.status !== 'pending') return;
    const changed = new Set<string>([row.event_id]);
    this.cache.transaction(() => {
      // settled before the changes go in, so the overlay no longer lays this command on top
      this.st.settle.run({
        commandId: row.command_id,
        status: result.status,
        error: result.status === 'rejected' ? JSON.stringify(result.error) : null,
        at: this.now(),
      });
      if (result.status === 'applied') {
        for (const id of this.cache.applyChanges(result.changes, { advanceCursor: false }).eventIds) changed.add(id);
      }
      // the hub's record with what is still pending on top: the pre-image, unless the hub moved meanwhile
      const { confirmed } = this.cache.eventRecords(row.event_id);
      this.cache.showEvent(row.event_id, this.overlay(row.event_id, confirmed ?? null));
    });
    this.opts.onSettled?.({
      type: 'settled',
      commandId: row.command_id,
      eventId: row.event_id,
      commandType: row.type,
      status: result.status,
      ...(result.status === 'rejected' ? { error: { error: result.error } } : {}),
    });
    this.opts.onChanged?.([...changed]);
  }

  /* ---------- sending ---------- */

  /** Starts sending the commands `actorId` made, through `sender`; null stops sending (logout). */
  setSender(sender: OutboxSender | null, actorId?: string): void {
    this.sender = sender ?? undefined;
    this.senderActorId = sender ? actorId : undefined;
    this.failures = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (sender) this.kick();
  }

  /** Sends what is pending now (and again after each answer until nothing is left). */
  kick(): void {
    if (!this.sender) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    if (this.retryTimer) return; // a backoff is running; it drains when it fires
    void this.drain();
  }

  /**
   * The link is back: whatever waits goes now, not when the backoff of the outage would have let it
   * (up to maxRetryMs after the hub returned).
   */
  resume(): void {
    if (!this.sender) return;
    this.failures = 0;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.kick();
  }

  /**
   * The hub has just been heard from (the feed delivered changes): a backoff grown long through a
   * stretch of network failures is cut short to the first retry delay, so what waits goes within a
   * moment instead of up to maxRetryMs later. A backoff after a refusal keeps its pace.
   */
  linkAlive(): void {
    if (!this.sender) return;
    if (!this.retryTimer) return this.kick();
    if (!this.lastTransient) return;
    const soon = Date.now() + (this.opts.retryMs ?? 500);
    if (this.retryAt <= soon) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.armRetry(this.opts.retryMs ?? 500);
  }

  /** Resolves when nothing is being sent (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
  }

  stop(): void {
    this.setSender(null);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (;;) {
        this.again = false;
        const sender = this.sender;
        const actorId = this.senderActorId;
        if (!sender || !actorId) return;
        const rows = this.st.pendingFor.all(actorId, this.opts.batchSize ?? 100);
        if (rows.length === 0) return;
        // a send whose answer never came: the hub may have applied it; ask before anything goes again
        // (a few at a time; an id the hub did not know is not asked again until it is sent again, so
        // progress survives a lookup that fails halfway through a long list)
        const unsure = rows.filter((r) => r.attempts > 0 && !this.unseen.has(r.command_id));
        for (let i = 0; i < unsure.length; i += LOOKUP_PARALLEL) {
          const part = unsure.slice(i, i + LOOKUP_PARALLEL);
          const answers = await Promise.all(part.map((r) => sender.lookup(r.command_id)));
          part.forEach((r, k) => {
            const known = answers[k];
            if (known) this.settle(known);
            else this.unseen.add(r.command_id);
          });
        }
        const toSend = unsure.length > 0 ? this.st.pendingFor.all(actorId, this.opts.batchSize ?? 100) : rows;
        if (toSend.length === 0) continue;
        await this.sendBatch(sender, toSend);
        this.failures = 0;
      }
    } catch (err) {
      if (err instanceof HubError && (err.code === 'unauthenticated' || err.status === 401)) {
        this.sender = undefined;
        this.opts.onUnauthenticated?.(err.message);
      } else {
        this.lastTransient = isTransient(err);
        if (!this.lastTransient) console.warn('outbox: sending failed, will retry:', err);
        this.scheduleRetry();
      }
    } finally {
      this.draining = false;
      if (this.again && this.sender && !this.retryTimer) void this.drain();
    }
  }

  private async sendBatch(sender: OutboxSender, rows: OutboxRow[]): Promise<void> {
    const commands = rows.map((r) => JSON.parse(r.command) as Command);
    // counted before sending: after a crash or a lost answer the hub is asked first
    this.cache.transaction(() => rows.forEach((r) => this.st.attempted.run(r.command_id)));
    for (const r of rows) this.unseen.delete(r.command_id);
    let results: CommandResult[];
    try {
      results = await sender.send(commands);
    } catch (err) {
      // the hub refused the batch as a whole (a 4xx other than the session): find the culprit alone
      if (err instanceof HubError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
        if (rows.length > 1) {
          for (const r of rows) await this.sendBatch(sender, [r]);
          return;
        }
        const r = rows[0]!;
        this.settle({ status: 'rejected', commandId: r.command_id, error: err.toBody() });
        return;
      }
      throw err;
    }
    for (const result of results) this.settle(result);
    // an answer that settles none of what was sent would resend at once, forever: back off instead
    if (!rows.some((r) => this.st.byId.get(r.command_id)?.status !== 'pending')) {
      throw new DomainError('internal', `The hub answered a batch of ${rows.length} commands without a result for any of them; retrying later.`);
    }
  }

  private scheduleRetry(): void {
    if (!this.sender || this.retryTimer) return;
    const base = this.opts.retryMs ?? 500;
    const delay = Math.min(this.opts.maxRetryMs ?? 30_000, base * 2 ** this.failures) * (0.75 + Math.random() * 0.5);
    this.failures++;
    this.armRetry(delay);
  }

  private armRetry(delay: number): void {
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.retryTimer.unref?.();
  }
}

/** lookups of commands whose answer was lost, in flight at once */
const LOOKUP_PARALLEL = 8;

/** the id of the timeline entry a pending command shows until the hub's own arrives */
export const pendingEntryId = (commandId: string): string => `pending.${commandId}`.slice(0, 64);
