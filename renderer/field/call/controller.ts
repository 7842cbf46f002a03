/**
 * The leader's end of a video call-back, on the field page: rings when the centre calls, opens the
 * rear camera (a switch turns to the front one) and the microphone when the leader answers, and
 * answers the console's offer. Signalling goes over the page's live link to the hub. A call this
 * page took that drops is answered again by itself when the console retries (the leader is still
 * holding the phone up); nothing else is ever answered without a tap.
 */
import { autoAnswer, type FieldCallPhase } from '../../../shared/callback';
import type { CallBrief, CallClientSignal, CallServerSignal, IceServer, LiveClientMessage } from '../../../shared/schema';
import { candidateInit, candidateSignal } from '../../ice';

export type Facing = 'environment' | 'user';

export interface FieldCallState {
  phase: FieldCallPhase;
  callId: string;
  brief: CallBrief | null;
  attempt: 1 | 2;
  recorded: boolean;
  facing: Facing;
  muted: boolean;
  /** why it ended, for the leader (the hub's reason or the page's own) */
  ended: 'hangup' | 'camera_denied' | 'taken' | 'remote' | 'failed' | null;
  endReason?: string;
  error?: string;
}

const IDLE: FieldCallState = { phase: 'idle', callId: '', brief: null, attempt: 1, recorded: false, facing: 'environment', muted: false, ended: null };

/** With the link gone, the page waits this long for the centre's retry before it gives up. */
const WAIT_FOR_RETRY_MS = 45_000;
/** The ring repeats this often while the phone rings. */
const RING_EVERY_MS = 2_000;

export interface FieldCallDeps {
  send(msg: LiveClientMessage): boolean;
  /** one ring (sound and vibration) */
  ring(): void;
}

export class FieldCallController {
  state: FieldCallState = IDLE;
  local: MediaStream | null = null;
  private pc: RTCPeerConnection | undefined;
  private iceServers: IceServer[] = [];
  private pending: RTCIceCandidateInit[] = [];
  private readonly accepted = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private ringTimer: ReturnType<typeof setInterval> | undefined;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;
  private deps: FieldCallDeps | undefined;

  /** The live link to signal over (set when the page connects; replaced when it reconnects). */
  connect(deps: FieldCallDeps | undefined): void {
    this.deps = deps;
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(patch: Partial<FieldCallState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of [...this.listeners]) l();
  }

  private send(s: CallClientSignal): void {
    this.deps?.send({ type: 'call', call: s });
  }

  /* ---------- from the hub ---------- */

  handle(sig: CallServerSignal): void {
    if (sig.kind === 'ring') return this.onRing(sig);
    // the page ended it itself (declined, camera refused, hung up): the hub's echo changes nothing
    if (sig.callId !== this.state.callId || this.state.phase === 'ended' || this.state.phase === 'idle') return;
    switch (sig.kind) {
      case 'description':
        if (sig.description.type === 'offer') void this.onOffer(sig.description.sdp);
        return;
      case 'candidate': {
        const c = candidateInit(sig.candidate);
        if (this.pc?.remoteDescription) void this.pc.addIceCandidate(c).catch(() => undefined);
        else this.pending.push(c);
        return;
      }
      case 'recording':
        this.set({ recorded: sig.on });
        return;
      case 'taken':
        this.finish('taken');
        return;
      case 'ended':
        this.finish('remote', sig.reason);
        return;
      case 'error':
        this.finish('failed', undefined, sig.error.message);
        return;
      default:
        return;
    }
  }

  private onRing(sig: Extract<CallServerSignal, { kind: 'ring' }>): void {
    const busy = this.state.phase !== 'idle' && this.state.phase !== 'ended' && this.state.callId !== sig.callId;
    if (busy) {
      this.send({ kind: 'decline', callId: sig.callId, reason: 'busy' });
      return;
    }
    clearTimeout(this.clearTimer);
    clearTimeout(this.waitTimer);
    this.iceServers = sig.iceServers;
    this.set({ ...IDLE, phase: 'ringing', callId: sig.callId, brief: sig.brief, attempt: sig.attempt, recorded: sig.recorded, facing: this.state.facing });
    if (autoAnswer(sig, this.accepted)) {
      void this.accept();
      return;
    }
    this.deps?.ring();
    clearInterval(this.ringTimer);
    this.ringTimer = setInterval(() => (this.state.phase === 'ringing' ? this.deps?.ring() : clearInterval(this.ringTimer)), RING_EVERY_MS);
  }

  /* ---------- the leader ---------- */

  /** Answers: camera (rear by default) and microphone first, then tells the hub. */
  async accept(): Promise<void> {
    if (this.state.phase !== 'ringing') return;
    clearInterval(this.ringTimer);
    const callId = this.state.callId;
    this.set({ phase: 'preparing' });
    try {
      await this.openMedia(this.state.facing);
    } catch (e) {
      const name = (e as Error).name;
      const denied = name === 'NotAllowedError' || name === 'SecurityError';
      this.send({ kind: 'decline', callId, reason: 'camera_denied' });
      this.finish('camera_denied', undefined, denied ? undefined : (e as Error).message);
      return;
    }
    if (this.state.callId !== callId || (this.state.phase as FieldCallPhase) !== 'preparing') return;
    this.accepted.add(callId);
    this.newPeer();
    this.set({ phase: 'connecting' });
    this.send({ kind: 'accept', callId });
  }

  decline(): void {
    if (this.state.phase !== 'ringing') return;
    this.send({ kind: 'decline', callId: this.state.callId, reason: 'declined' });
    this.finish('hangup');
  }

  hangup(): void {
    if (this.state.phase === 'idle' || this.state.phase === 'ended') return;
    this.send({ kind: 'hangup', callId: this.state.callId });
    this.finish('hangup');
  }

  setMuted(muted: boolean): void {
    for (const t of this.local?.getAudioTracks() ?? []) t.enabled = !muted;
    this.set({ muted });
  }

  /**
   * Turns to the other camera. The old camera is released first: many phones cannot open both at
   * once. Where the browser cannot pick by facing (a desktop, a fake device) the next camera in the
   * list is taken instead.
   */
  async switchCamera(): Promise<void> {
    const next: Facing = this.state.facing === 'environment' ? 'user' : 'environment';
    const old = this.local?.getVideoTracks()[0];
    const oldId = old?.getSettings().deviceId;
    old?.stop();
    let track: MediaStreamTrack | undefined;
    try {
      track = (await navigator.mediaDevices.getUserMedia({ video: { facingMode: { exact: next } } })).getVideoTracks()[0];
    } catch {
      const cams = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
      const i = cams.findIndex((d) => d.deviceId === oldId);
      const pick = cams[(i + 1) % Math.max(1, cams.length)];
      track = (await navigator.mediaDevices.getUserMedia({ video: pick?.deviceId ? { deviceId: { exact: pick.deviceId } } : true })).getVideoTracks()[0];
    }
    if (!track) return;
    if (this.local) {
      if (old) this.local.removeTrack(old);
      this.local.addTrack(track);
    }
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === 'video' || (s.track === null && old !== undefined));
    await sender?.replaceTrack(track);
    this.set({ facing: next });
  }

  /* ---------- WebRTC ---------- */

  private async openMedia(facing: Facing): Promise<void> {
    if (this.local && this.local.getTracks().every((t) => t.readyState === 'live')) return;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: facing }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
    for (const t of this.local.getAudioTracks()) t.enabled = !this.state.muted;
  }

  private newPeer(): void {
    this.closePeer();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.pending = [];
    for (const t of this.local?.getTracks() ?? []) pc.addTrack(t, this.local!);
    pc.onicecandidate = (ev) => {
      if (this.pc !== pc || !ev.candidate || !ev.candidate.candidate) return;
      this.send({ kind: 'candidate', callId: this.state.callId, candidate: candidateSignal(ev.candidate) });
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        clearTimeout(this.waitTimer);
        this.set({ phase: 'connected' });
      } else if ((s === 'failed' || s === 'disconnected') && this.state.phase === 'connected') {
        // the centre retries once by itself: keep the camera open and wait for its ring
        this.set({ phase: 'waiting' });
        clearTimeout(this.waitTimer);
        this.waitTimer = setTimeout(() => this.state.phase === 'waiting' && this.finish('failed'), WAIT_FOR_RETRY_MS);
      }
    };
  }

  private async onOffer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      for (const c of this.pending.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.send({ kind: 'description', callId: this.state.callId, description: { type: 'answer', sdp: answer.sdp ?? '' } });
    } catch (e) {
      this.send({ kind: 'hangup', callId: this.state.callId });
      this.finish('failed', undefined, (e as Error).message);
    }
  }

  private closePeer(): void {
    const pc = this.pc;
    this.pc = undefined;
    if (!pc) return;
    pc.onicecandidate = null;
    pc.onconnectionstatechange = null;
    pc.close();
  }

  private finish(ended: FieldCallState['ended'], endReason?: string, error?: string): void {
    clearInterval(this.ringTimer);
    clearTimeout(this.waitTimer);
    this.closePeer();
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = null;
    if (ended === 'taken') {
      this.set({ ...IDLE, facing: this.state.facing });
      return;
    }
    this.set({ phase: 'ended', ended, ...(endReason ? { endReason } : {}), ...(error ? { error } : {}) });
    // the ended screen stays a moment, then the page is the task list again (not for a camera problem)
    clearTimeout(this.clearTimer);
    if (ended !== 'camera_denied') this.clearTimer = setTimeout(() => this.state.phase === 'ended' && this.set({ ...IDLE, facing: this.state.facing }), 4000);
  }

  /** The leader closes the ended screen. */
  dismiss(): void {
    if (this.state.phase === 'ended') this.set({ ...IDLE, facing: this.state.facing });
  }
}
