/**
 * What the hub writes into an event's timeline about a call it relays: started, lost (before the
 * retry), connected and ended. Each goes through the command pipeline as a `callback` command in
 * the name of the operator who placed the call, from that operator's console, so it reaches every
 * console like any other step and is applied once (its id is fixed by the call: callRecordId).
 */
import { callRecordId } from '../../shared/callback';
import type { CallAttempt, CallEndReason, Command } from '../../shared/schema';
import type { Actor } from '../../shared/workflow';
import type { CommandPipeline } from '../pipeline';

export interface CallRecordTarget {
  callId: string;
  eventId: string;
  actor: Actor;
  origin: string;
}

export type CallRecord =
  | { phase: 'started'; attempt: CallAttempt; recorded: boolean }
  | { phase: 'lost'; attempt: CallAttempt }
  | { phase: 'connected'; attempt: CallAttempt; setupMs: number }
  | { phase: 'ended'; attempt: CallAttempt; reason: CallEndReason; durationMs?: number };

export class CallRecords {
  constructor(
    private readonly pipeline: Pick<CommandPipeline, 'submit'>,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {}

  /** Writes one record; a refusal (the event was closed meanwhile, say) is logged, never thrown. */
  async write(t: CallRecordTarget, r: CallRecord): Promise<void> {
    const what = r.phase === 'connected' ? (`connected-${r.attempt}` as const) : r.phase;
    const base = { type: 'callback' as const, commandId: callRecordId(t.callId, what), eventId: t.eventId, callId: t.callId, attempt: r.attempt, attachments: [] };
    let command: Command;
    switch (r.phase) {
      case 'started':
        command = { ...base, phase: 'started', ...(r.recorded ? { recorded: true } : {}) };
        break;
      case 'lost':
        command = { ...base, phase: 'lost' };
        break;
      case 'connected':
        command = { ...base, phase: 'connected', setupMs: Math.min(600_000, Math.max(0, Math.round(r.setupMs))) };
        break;
      case 'ended':
        command = { ...base, phase: 'ended', reason: r.reason, ...(r.durationMs !== undefined ? { durationMs: Math.min(86_400_000, Math.max(0, Math.round(r.durationMs))) } : {}) };
        break;
    }
    try {
      const { result } = await this.pipeline.submit({ command, actor: t.actor, origin: t.origin });
      if (result.status === 'rejected') this.warn(`call ${t.callId}: the ${r.phase} record on event ${t.eventId} was refused: ${result.error.message}`);
    } catch (e) {
      this.warn(`call ${t.callId}: the ${r.phase} record on event ${t.eventId} could not be written: ${(e as Error).message}`);
    }
  }
}
