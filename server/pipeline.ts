import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_DEDUP, pickDuplicate, searchBox, type DedupRule } from '../shared/dedup';
import type { Command } from '../shared/schema';
import type { Taxonomy } from '../shared/taxonomy';
import { decide, type Actor, type Place, type WorkflowContext, type WorkflowRules } from '../shared/workflow';
import type { AppliedCommand, CommandEnvelope, HubStore, ScopedChange } from './store/interface';

export interface Submission {
  command: Command;
  actor: Actor;
  origin: string;
}

interface Pending extends Submission {
  resolve: (r: AppliedCommand) => void;
  reject: (e: unknown) => void;
}

export interface PipelineDeps {
  store: HubStore;
  taxonomy: () => Taxonomy;
  /** the grids, community and town that contain a point */
  locate: (pt: { lng: number; lat: number }) => Place;
  /** told of every committed batch's changes, in sequence order */
  onCommit: (written: ScopedChange[]) => void;
  now?: () => number;
  maxBatch?: number;
  /** when a report joins an open event instead of opening one (default DEFAULT_DEDUP) */
  dedup?: DedupRule;
  /** the district's workflow rules (a confirmed call-back counts as the review, …) */
  rules?: WorkflowRules;
}

/**
 * Applies commands through the shared workflow with group commit: commands that arrive while a
 * transaction is being written wait for the next one, so one fsync (synchronous=FULL) makes a whole
 * batch durable, and every caller is answered only after its batch is on disk.
 */
export class CommandPipeline {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly dedup: DedupRule;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
    this.maxBatch = deps.maxBatch ?? 512;
    this.dedup = deps.dedup ?? DEFAULT_DEDUP;
  }

  submit(s: Submission): Promise<AppliedCommand> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...s, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const envelopes = await Promise.all(batch.map((p) => this.envelope(p)));
          const applied = await this.deps.store.applyCommands(envelopes);
          const written = applied.flatMap((a) => a.written);
          if (written.length > 0) this.deps.onCommit(written);
          batch.forEach((p, i) => p.resolve(applied[i]!));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Resolves what decide() needs from outside the event (place, assignee) before the transaction. */
  private async envelope(p: Pending): Promise<CommandEnvelope> {
    const { command, actor, origin } = p;
    const now = this.now();
    const ctx: WorkflowContext = { taxonomy: this.deps.taxonomy(), entryId: uuidv7(), origin, ...(this.deps.rules ? { rules: this.deps.rules } : {}) };
    if (command.type === 'report') ctx.place = this.deps.locate(command.position);
    if (command.type === 'dispatch') ctx.assignee = (await this.deps.store.getPerson(command.assigneeId)) ?? null;
    const rule = this.dedup;
    // the related event is read inside the transaction, so two duplicates in one batch merge into the first
    return {
      command,
      actor,
      decide: (event, view) => {
        if (command.type === 'report' && !event && rule.sources.includes(command.source)) {
          const q = { categoryId: command.categoryId, position: command.position, reportedAt: command.reportedAt ?? now };
          const dup = pickDuplicate(view.openNear(q.categoryId, searchBox(q, rule)), q, rule);
          return decide(event, command, actor, now, dup ? { ...ctx, duplicateOf: dup } : ctx);
        }
        if (command.type === 'split' && event?.mergedInto !== undefined) {
          return decide(event, command, actor, now, { ...ctx, mergedInto: view.get(event.mergedInto) ?? null });
        }
        return decide(event, command, actor, now, ctx);
      },
    };
  }
}

