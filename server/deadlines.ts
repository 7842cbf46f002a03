import { createHash } from 'node:crypto';
import type { HubStore } from './store/interface';
import type { CommandPipeline } from './pipeline';
import type { Alert } from '../shared/schema';

export const SYSTEM_ACTOR = { id: 'system', role: 'system' as const };

/**
 * Puts overdue events under supervision (督办): once per event, through the same pipeline as every
 * other command, with a command id made from the event so a restart cannot do it twice.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly store: HubStore,
    private readonly pipeline: CommandPipeline,
    private readonly onAlert: (alert: Alert, townId: string | null) => void,
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const overdue = await this.store.overdueEvents(this.now(), 500);
      const results = await Promise.all(
        overdue.map((e) =>
          this.pipeline.submit({
            command: { type: 'supervise', commandId: superviseCommandId(e.id, e.deadline), eventId: e.id },
            actor: SYSTEM_ACTOR,
            origin: 'deadline-timer',
          }),
        ),
      );
      let n = 0;
      results.forEach((r, i) => {
        if (r.result.status === 'applied' && !r.replay) {
          n++;
          this.onAlert({ kind: 'overdue', eventId: overdue[i]!.id, at: this.now() }, overdue[i]!.townId ?? null);
        }
      });
      return n;
    } finally {
      this.running = false;
    }
  }
}

/** One id per event and deadline, within the contract's 64 characters whatever the event id. */
export function superviseCommandId(eventId: string, deadline: number | undefined): string {
  return `supervise:${createHash('sha256').update(`${eventId}\u0000${deadline ?? ''}`).digest('hex').slice(0, 40)}`;
}
