/**
 * The hub's side of a video call-back: it relays WebRTC signalling between the operator's console
 * and the event's assigned leader over their live sockets, and nothing else. It decides who may
 * signal what: only a desk places a call, only on an open event in its scope with an assigned
 * leader whose field page is connected; only that leader's page answers it, and after the answer
 * only the two bound sockets exchange descriptions and candidates. Everything else is refused in a
 * `call` error naming why, and never relayed.
 *
 * Calls live in memory: a call is a live link between two open sockets, and a hub restart ends
 * them all (the consoles see `operator_left`/`peer_left` and retry or end). What lasts is written
 * to the event's timeline (records.ts); call-back reminders live on the event itself.
 */
import { DomainError, type ErrorCode } from '../../shared/errors';
import { isDeskRole, isFieldRole, isOpenState, type CallAttempt, type CallClientSignal, type CallEndReason, type CallServerSignal, type LiveServerMessage } from '../../shared/schema';
import { DEFAULT_RING_TIMEOUT_MS } from '../../shared/callback';
import type { Actor } from '../../shared/workflow';
import type { CallHandler, LivePeer } from '../live';
import type { HubStore } from '../store/interface';
import { iceServersFor, type IceConfig } from './ice';
import type { CallRecords } from './records';

export interface CallServiceOptions {
  store: Pick<HubStore, 'getEvent' | 'getPerson'>;
  /** the open live sockets of a person */
  peersOf(personId: string): LivePeer[];
  records: Pick<CallRecords, 'write'>;
  ice: IceConfig;
  /** how long the leader's phone rings (default 30 s) */
  ringTimeoutMs?: number;
  /** after the answering page left, how long the call waits for the console's retry before it ends */
  lingerMs?: number;
  now?: () => number;
}

interface Call {
  id: string;
  eventId: string;
  leaderId: string;
  caller: LivePeer;
  callerActor: Actor;
  attempt: CallAttempt;
  state: 'ringing' | 'active';
  /** the leader's socket that answered (undefined while ringing, and after it left) */
  callee?: LivePeer;
  /** sockets rung for the current attempt */
  rung: Map<number, LivePeer>;
  ring: Extract<CallServerSignal, { kind: 'ring' }>;
  recorded: boolean;
  answeredAt?: number;
  timer?: NodeJS.Timeout;
}

const callMsg = (call: CallServerSignal): LiveServerMessage => ({ type: 'call', call });

const actorOf = (p: LivePeer): Actor =>
  p.principal.townId === undefined ? { id: p.principal.personId, role: p.principal.role } : { id: p.principal.personId, role: p.principal.role, townId: p.principal.townId };

export class CallService implements CallHandler {
  private readonly calls = new Map<string, Call>();
  private readonly byLeader = new Map<string, Call>();
  private readonly byEvent = new Map<string, Call>();
  private readonly ringTimeoutMs: number;
  private readonly lingerMs: number;
  private readonly now: () => number;
  /** messages of one socket are handled in arrival order even when a check reads the store */
  private readonly chains = new Map<number, Promise<void>>();

  constructor(private readonly o: CallServiceOptions) {
    this.ringTimeoutMs = o.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS;
    this.lingerMs = o.lingerMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  /** calls ringing or active now (tests, health) */
  get size(): number {
    return this.calls.size;
  }

  message(peer: LivePeer, signal: CallClientSignal): void {
    const prev = this.chains.get(peer.id) ?? Promise.resolve();
    const next = prev
      .then(() => this.handle(peer, signal))
      .catch((e: unknown) => {
        const err = e instanceof DomainError ? e : new DomainError('internal', `The hub failed to handle this call message (${(e as Error)?.message}).`);
        if (!(e instanceof DomainError)) console.error('call service:', e);
        this.refuse(peer, signal, err.code, err.message);
      })
      .finally(() => {
        if (this.chains.get(peer.id) === next) this.chains.delete(peer.id);
      });
    this.chains.set(peer.id, next);
  }

  joined(peer: LivePeer): void {
    if (!isFieldRole(peer.principal.role)) return;
    const call = this.byLeader.get(peer.principal.personId);
    // the leader's page came (back) while the phone is being rung: it rings too
    if (call && call.state === 'ringing' && !call.rung.has(peer.id)) {
      call.rung.set(peer.id, peer);
      peer.send(callMsg(call.ring));
    }
  }

  left(peer: LivePeer): void {
    for (const call of [...this.calls.values()]) {
      if (call.caller.id === peer.id) {
        this.end(call, 'operator_left', `The operator's console (${peer.origin}) lost its link to the hub.`);
        continue;
      }
      call.rung.delete(peer.id);
      if (call.callee?.id === peer.id) {
        delete call.callee;
        call.caller.send(callMsg({ kind: 'peer_left', callId: call.id }));
        // the console retries once; if it does not, the call ends here
        this.arm(call, this.lingerMs, () => this.end(call, 'lost', 'The leader\'s page left the call and the call was not placed again.'));
      }
    }
  }

  /** Ends every call (the hub is stopping). */
  closeAll(): void {
    for (const call of [...this.calls.values()]) this.end(call, 'failed', 'The hub is shutting down.');
  }

  /* ---------- messages ---------- */

  private async handle(peer: LivePeer, s: CallClientSignal): Promise<void> {
    if (s.kind === 'start') return this.start(peer, s);
    const call = this.calls.get(s.callId);
    if (!call) {
      throw new DomainError('not_found', `No call ${s.callId} is ringing or under way on this hub; it has ended or was never placed.`);
    }
    const fromCaller = peer.id === call.caller.id;
    if (!fromCaller) this.checkLeader(peer, call);

    switch (s.kind) {
      case 'accept':
        return this.accept(peer, call);
      case 'decline':
        if (call.state === 'active' && call.callee?.id !== peer.id) throw this.elsewhere(call);
        return this.end(call, s.reason);
      case 'description':
      case 'candidate': {
        const to = fromCaller ? call.callee : call.caller;
        if (!fromCaller && call.callee?.id !== peer.id) throw this.elsewhere(call);
        if (!to) throw new DomainError('invalid_transition', `Call ${call.id} has no answering page right now; ${call.state === 'ringing' ? 'wait for it to be answered' : 'place it again'}.`);
        to.send(callMsg(s.kind === 'description' ? { kind: 'description', callId: call.id, description: s.description } : { kind: 'candidate', callId: call.id, candidate: s.candidate }));
        return;
      }
      case 'connected':
        if (!fromCaller) throw new DomainError('forbidden', 'Only the console that placed the call reports it connected.');
        if (s.attempt !== call.attempt) return;
        void this.o.records.write(this.target(call), { phase: 'connected', attempt: s.attempt, setupMs: s.setupMs });
        return;
      case 'recording':
        if (!fromCaller) throw new DomainError('forbidden', 'Only the console that placed the call records it.');
        call.recorded = s.on;
        call.ring = { ...call.ring, recorded: s.on };
        call.callee?.send(callMsg({ kind: 'recording', callId: call.id, on: s.on }));
        return;
      case 'hangup':
        // the console gives up on a lost or failed call by hanging up: the record keeps why
        if (fromCaller) return this.end(call, s.reason ?? 'hangup_operator');
        if (call.state === 'active' && call.callee?.id !== peer.id) throw this.elsewhere(call);
        // hanging up a ringing phone is declining it
        return this.end(call, call.state === 'ringing' ? 'declined' : 'hangup_leader');
    }
  }

  private async start(peer: LivePeer, s: Extract<CallClientSignal, { kind: 'start' }>): Promise<void> {
    if (!isDeskRole(peer.principal.role)) {
      throw new DomainError('role_not_allowed', `A ${peer.principal.role} cannot place a video call-back; calls are placed from a desk (operator, duty chief, sub-centre desk).`);
    }
    const existing = this.calls.get(s.callId);
    if (existing) {
      if (existing.caller.id !== peer.id) throw new DomainError('forbidden', `Call ${s.callId} belongs to another console (${existing.caller.origin}).`);
      if (s.attempt === existing.attempt) {
        // the same start again (the console's link flickered): say where it stands
        if (existing.state === 'ringing') peer.send(callMsg(this.ringing(existing)));
        return;
      }
      if (s.attempt !== 2 || existing.attempt !== 1) throw new DomainError('invalid_transition', `Call ${s.callId} was already retried once; place a new call.`);
      return this.retry(existing);
    }
    if (s.attempt !== 1) throw new DomainError('not_found', `Call ${s.callId} is no longer under way, so it cannot be retried; place a new call.`);

    const event = await this.o.store.getEvent(s.eventId);
    if (!event) throw new DomainError('not_found', `No event ${s.eventId} on this hub.`);
    if (peer.principal.townId !== undefined && event.townId !== peer.principal.townId) {
      throw new DomainError('out_of_scope', `Event ${event.id} is outside your town ${peer.principal.townId}; its call-back is for the desk that covers it.`);
    }
    if (!isOpenState(event.state)) throw new DomainError('invalid_transition', `Event ${event.id} is ${event.state}: call-backs are for open events.`);
    if (event.assigneeId === undefined) throw new DomainError('invalid_transition', `Event ${event.id} has no assigned leader to call; dispatch it first.`);
    const onEvent = this.byEvent.get(event.id);
    if (onEvent) throw new DomainError('already_exists', `Event ${event.id} is already on a video call, placed from ${onEvent.caller.origin} by ${onEvent.caller.principal.name}.`);

    const leaderId = event.assigneeId;
    const leader = await this.o.store.getPerson(leaderId);
    // the console may have gone while the event was read: nobody would hear this call
    if (!this.isOpen(peer)) return;
    const leaderName = leader?.name ?? leaderId;
    const target = { callId: s.callId, eventId: event.id, actor: actorOf(peer), origin: peer.origin };
    const busy = this.byLeader.get(leaderId);
    const pages = this.o.peersOf(leaderId).filter((p) => isFieldRole(p.principal.role));
    const refusal: { reason: CallEndReason; message: string } | undefined = busy
      ? { reason: 'busy', message: `${leaderName} is on another video call (event ${busy.eventId}); try again in a few minutes or schedule a call-back.` }
      : pages.length === 0
        ? { reason: 'offline', message: `${leaderName}'s field page is not connected (offline)${leader?.phone ? `; phone ${leader.phone}` : ''} or schedule a call-back.` }
        : undefined;
    if (refusal) {
      peer.send(callMsg({ kind: 'ended', callId: s.callId, reason: refusal.reason, message: refusal.message }));
      void this.o.records.write(target, { phase: 'ended', attempt: 1, reason: refusal.reason });
      return;
    }

    const call: Call = {
      id: s.callId,
      eventId: event.id,
      leaderId,
      caller: peer,
      callerActor: target.actor,
      attempt: 1,
      state: 'ringing',
      rung: new Map(),
      recorded: s.recorded,
      ring: {
        kind: 'ring',
        callId: s.callId,
        attempt: 1,
        brief: {
          eventId: event.id,
          categoryId: event.categoryId,
          description: event.description.slice(0, 200),
          ...(event.address !== undefined ? { address: event.address } : {}),
          callerName: peer.principal.name.slice(0, 200),
          callerRole: peer.principal.role,
        },
        recorded: s.recorded,
        iceServers: iceServersFor(this.o.ice, leaderId, this.now()),
        ringTimeoutMs: this.ringTimeoutMs,
      },
    };
    this.calls.set(call.id, call);
    this.byLeader.set(leaderId, call);
    this.byEvent.set(event.id, call);
    void this.o.records.write(target, { phase: 'started', attempt: 1, recorded: s.recorded });
    this.ringPages(call, pages);
  }

  private retry(call: Call): void {
    call.attempt = 2;
    call.state = 'ringing';
    delete call.callee;
    delete call.answeredAt;
    call.rung.clear();
    call.ring = { ...call.ring, attempt: 2, recorded: call.recorded };
    void this.o.records.write(this.target(call), { phase: 'lost', attempt: 1 });
    const pages = this.o.peersOf(call.leaderId).filter((p) => isFieldRole(p.principal.role));
    // no page now: it still rings for the ring time, in case the leader's page comes back
    this.ringPages(call, pages);
  }

  private ringPages(call: Call, pages: LivePeer[]): void {
    for (const p of pages) {
      call.rung.set(p.id, p);
      p.send(callMsg(call.ring));
    }
    call.caller.send(callMsg(this.ringing(call)));
    this.arm(call, this.ringTimeoutMs, () => {
      const leader = call.ring.brief;
      this.end(call, 'no_answer', `No answer within ${Math.round(this.ringTimeoutMs / 1000)} s (event ${leader.eventId}); try again later or schedule a call-back.`);
    });
  }

  private ringing(call: Call): CallServerSignal {
    return { kind: 'ringing', callId: call.id, eventId: call.eventId, attempt: call.attempt, iceServers: iceServersFor(this.o.ice, call.caller.principal.personId, this.now()), ringTimeoutMs: this.ringTimeoutMs };
  }

  private async accept(peer: LivePeer, call: Call): Promise<void> {
    if (call.state === 'active') {
      if (call.callee?.id === peer.id) return;
      throw this.elsewhere(call);
    }
    // the assignment may have moved since the call was placed: only the leader assigned now answers
    const event = await this.o.store.getEvent(call.eventId);
    if (!event || event.assigneeId !== peer.principal.personId) {
      throw new DomainError('not_assignee', `Event ${call.eventId} is no longer assigned to ${peer.principal.name}; this call cannot be answered here.`);
    }
    if (this.calls.get(call.id) !== call || call.state !== 'ringing') throw this.elsewhere(call);
    if (!this.isOpen(peer)) return;
    call.state = 'active';
    call.callee = peer;
    call.answeredAt ??= this.now();
    this.disarm(call);
    for (const [id, p] of call.rung) if (id !== peer.id) p.send(callMsg({ kind: 'taken', callId: call.id }));
    call.caller.send(callMsg({ kind: 'accepted', callId: call.id, attempt: call.attempt }));
  }

  /* ---------- checks, timers, the end ---------- */

  /**
   * A message about a call from anyone but its console: only the event's assigned leader (the
   * person the call rings) may send one. The refusal says who the device is and who may answer.
   */
  private checkLeader(peer: LivePeer, call: Call): void {
    if (peer.principal.personId === call.leaderId) return;
    if (isDeskRole(peer.principal.role)) {
      throw new DomainError('forbidden', `Call ${call.id} was placed from another console (${call.caller.origin}); only that console may signal it.`);
    }
    throw new DomainError(
      'not_assignee',
      `${peer.principal.name} (${peer.principal.personId}, ${peer.origin}) is not the leader assigned to event ${call.eventId}; only the assigned leader's field page may answer or signal its call-back. Signalling refused.`,
    );
  }

  private isOpen(peer: LivePeer): boolean {
    return this.o.peersOf(peer.principal.personId).some((p) => p.id === peer.id);
  }

  private elsewhere(call: Call): DomainError {
    return new DomainError('invalid_transition', `Call ${call.id} was answered on another device of the leader's; this page is not in the call.`);
  }

  private refuse(peer: LivePeer, s: CallClientSignal, code: ErrorCode, message: string): void {
    peer.send(callMsg({ kind: 'error', callId: s.callId, refused: s.kind, error: { code, message } }));
  }

  private arm(call: Call, ms: number, fn: () => void): void {
    this.disarm(call);
    call.timer = setTimeout(fn, ms);
    call.timer.unref?.();
  }

  private disarm(call: Call): void {
    if (call.timer) clearTimeout(call.timer);
    delete call.timer;
  }

  private target(call: Call) {
    return { callId: call.id, eventId: call.eventId, actor: call.callerActor, origin: call.caller.origin };
  }

  private end(call: Call, reason: CallEndReason, message?: string): void {
    if (this.calls.get(call.id) !== call) return;
    this.disarm(call);
    this.calls.delete(call.id);
    if (this.byLeader.get(call.leaderId) === call) this.byLeader.delete(call.leaderId);
    if (this.byEvent.get(call.eventId) === call) this.byEvent.delete(call.eventId);
    const ended = callMsg({ kind: 'ended', callId: call.id, reason, ...(message ? { message } : {}) });
    const told = new Set<number>();
    // every page in or rung for the call is told, the one that ended it too (it may have two tabs)
    for (const p of [call.caller, call.callee, ...call.rung.values()]) {
      if (!p || told.has(p.id)) continue;
      told.add(p.id);
      p.send(ended);
    }
    const durationMs = call.answeredAt !== undefined ? this.now() - call.answeredAt : undefined;
    void this.o.records.write(this.target(call), { phase: 'ended', attempt: call.attempt, reason, ...(durationMs !== undefined ? { durationMs } : {}) });
  }
}
