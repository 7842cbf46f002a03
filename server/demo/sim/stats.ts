import type { CommandResult } from '../../../shared/schema';
import { HubCallError } from './client';
import type { EventMirror } from './mirror';

/** Running counts of what the simulator did and what the hub answered. */
export class SimCounters {
  reportsSent = 0;
  reportsApplied = 0;
  /** reports the hub folded into an open event as duplicates */
  reportsMerged = 0;
  hotlineSent = 0;
  hotlineApplied = 0;
  positions = 0;
  photos = 0;
  readonly byCategory: Record<string, number> = {};
  readonly commands: Record<string, { applied: number; rejected: number }> = {};
  /** failures by code: workflow rejections (someone else acted first) and HTTP failures */
  readonly failures: Record<string, number> = {};

  result(type: string, r: CommandResult): boolean {
    const c = (this.commands[type] ??= { applied: 0, rejected: 0 });
    if (r.status === 'applied') c.applied++;
    else {
      c.rejected++;
      this.fail(`${type}:${r.error.code}`);
    }
    return r.status === 'applied';
  }

  fail(code: string): void {
    this.failures[code] = (this.failures[code] ?? 0) + 1;
  }

  /** Counts a thrown error by its code; rethrows what is not the hub's answer (a bug of ours). */
  caught(what: string, e: unknown): void {
    if (e instanceof HubCallError) this.fail(`${what}:${e.code}`);
    else throw e;
  }
}

export interface ClosureFigures {
  /** events reported since the simulator started, not merged into another */
  received: number;
  rejected: number;
  merged: number;
  /** closed or evaluated */
  closed: number;
  open: number;
  /** closed / (received − rejected): of the cases taken on, how many were closed */
  closureRate: number;
  /** open events past their deadline and under supervision (督办) */
  supervised: number;
  escalated: number;
}

/** Closure over the events reported in [from, to], as the mirror knows them. */
export function closure(mirror: EventMirror, from: number, to: number): ClosureFigures {
  let received = 0, rejected = 0, merged = 0, closed = 0, supervised = 0, escalated = 0;
  for (const { ev } of mirror.values()) {
    if (ev.reportedAt < from || ev.reportedAt > to) continue;
    if (ev.state === 'merged' || ev.mergedInto !== undefined) {
      merged++;
      continue;
    }
    received++;
    if (ev.state === 'rejected') rejected++;
    else if (ev.state === 'closed' || ev.state === 'evaluated') closed++;
    if (ev.supervisedAt !== undefined) supervised++;
    if (ev.escalation !== undefined) escalated++;
  }
  const taken = received - rejected;
  return { received, rejected, merged, closed, open: taken - closed, closureRate: taken > 0 ? closed / taken : NaN, supervised, escalated };
}
