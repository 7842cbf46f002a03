/**
 * One video call-back from the console: the WebRTC end of it. What happens next is decided by the
 * pure state machine (shared/callback.ts `callReducer`); this class carries out its effects (send a
 * signal through the core, set up or drop the peer connection, make the offer) and turns browser
 * events into its inputs. The console offers (it receives the leader's picture and voice and sends
 * the operator's voice); the leader's page answers.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  callReducer,
  HUB_SILENCE_MARGIN_MS,
  IDLE,
  isLive,
  LOST_AFTER_DISCONNECTED_MS,
  type CallEffect,
  type CallInput,
  type CallState,
} from '../../../shared/callback';
import { MAX_EVIDENCE_BYTES, type CallClientSignal, type CallServerSignal, type IceServer } from '../../../shared/schema';
import type { CoreClient } from '../../core-client';
import { errorMessage } from '../../core-client';
import { toBase64 } from './client';
import { CallRecorder, type RecordedPart } from './recorder';
import { candidateInit, candidateSignal } from '../../ice';

/** The leader answered but media did not flow within this: treated as a lost connection (one retry). */
const CONNECT_WITHIN_MS = 20_000;

export interface CallTarget {
  eventId: string;
  leaderId: string;
  leaderName: string;
  /** what the panel shows beside the picture */
  categoryId: string;
  description: string;
  address?: string;
}

export interface CallNotes {
  /** a snapshot or a recording part became evidence on the event (hash) */
  onEvidence?(kind: 'snapshot' | 'recording', hash: string): void;
  onError?(message: string): void;
}

type Listener = () => void;

export class ConsoleCall {
  state: CallState = IDLE;
  readonly target: CallTarget;
  /** the leader's picture and voice for the current attempt */
  remote: MediaStream | null = null;
  /** the operator's microphone; null when there is none or it was refused (the call goes on, listen-only) */
  mic: MediaStream | null = null;
  micError: string | null = null;
  muted = false;
  /** click → first decoded frame of the leader's picture, ms (the benchmark's figure) */
  firstFrameMs: number | null = null;
  private pc: RTCPeerConnection | undefined;
  private iceServers: IceServer[] = [];
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private haveAnswer = false;
  private readonly listeners = new Set<Listener>();
  private readonly offNotice: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lostTimer: ReturnType<typeof setTimeout> | undefined;
  private video: HTMLVideoElement | null = null;
  private readonly recorder: CallRecorder;
  private micReady: Promise<void> = Promise.resolve();
  private readonly uploads = new Set<Promise<void>>();

  constructor(
    private readonly client: CoreClient,
    target: CallTarget,
    private readonly notes: CallNotes = {},
  ) {
    this.target = target;
    this.recorder = new CallRecorder((part) => this.track(this.saveRecording(part)));
    this.offNotice = client.onNotice((n) => {
      if (n.type === 'call') this.onSignal(n.signal);
    });
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /* ---------- the operator ---------- */

  /** Places the call: the click. The microphone is asked for while the phone rings. */
  place(recorded: boolean): void {
    const callId = uuidv7();
    this.micReady = this.openMic();
    this.dispatch({ type: 'place', callId, eventId: this.target.eventId, recorded, at: performance.now() });
    this.watch(10_000, 'The hub did not answer the call; check the link to the hub (top bar) and call again.', ['placing']);
  }

  hangup(): void {
    this.dispatch({ type: 'hangup', at: performance.now() });
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = !muted;
    this.changed();
  }

  /** Starts or stops recording; the leader's page shows that the call is recorded. */
  setRecording(on: boolean): void {
    if (on === this.state.recording) return;
    if (on && this.remote && this.state.phase === 'connected') {
      try {
        this.recorder.start(this.remote, this.mic ?? undefined);
      } catch (e) {
        this.notes.onError?.((e as Error).message);
        return;
      }
    }
    if (!on) void this.recorder.stop();
    this.dispatch({ type: 'recording', on });
  }

  get recording(): boolean {
    return this.state.recording;
  }

  /**
   * Takes the leader's current frame as a JPEG, uploads it as evidence and records it on the event
   * with the time and the leader's last known position. Answers the attachment's hash.
   */
  async snapshot(): Promise<string> {
    const v = this.video;
    if (!v || v.videoWidth === 0) throw new Error('no picture yet');
    const scale = Math.min(1, 1920 / v.videoWidth);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(v.videoWidth * scale);
    canvas.height = Math.round(v.videoHeight * scale);
    canvas.getContext('2d')!.drawImage(v, 0, 0, canvas.width, canvas.height);
    const takenAt = Date.now();
    // a busy scene makes a big JPEG: step the quality down until it fits one evidence upload
    let blob: Blob | undefined;
    for (const q of [0.85, 0.7, 0.55, 0.4]) {
      blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the frame could not be encoded'))), 'image/jpeg', q));
      if (blob.size <= MAX_EVIDENCE_BYTES) break;
    }
    if (!blob || blob.size > MAX_EVIDENCE_BYTES) throw new Error('the frame is too large to upload');
    const up = await this.client.call('uploadEvidence', { mime: 'image/jpeg', data: toBase64(new Uint8Array(await blob.arrayBuffer())) });
    const { fix } = await this.client.call('leaderFix', { personId: this.target.leaderId });
    await this.client.call('command', {
      command: {
        type: 'callback',
        commandId: uuidv7(),
        eventId: this.target.eventId,
        phase: 'snapshot',
        callId: this.state.callId,
        attachments: [up.hash],
        takenAt,
        ...(fix ? { position: fix.position, positionAt: fix.at } : {}),
      },
    });
    this.notes.onEvidence?.('snapshot', up.hash);
    return up.hash;
  }

  /** The operator's judgement, recorded on the event (a confirmed call-back may count as the review). */
  async recordOutcome(outcome: 'confirmed' | 'not_confirmed', note: string): Promise<void> {
    const text = note.trim();
    await this.client.call('command', {
      command: {
        type: 'callback',
        commandId: uuidv7(),
        eventId: this.target.eventId,
        phase: 'outcome',
        ...(this.state.callId ? { callId: this.state.callId } : {}),
        outcome,
        attachments: [],
        ...(text ? { note: text } : {}),
      },
    });
  }

  /** Waits for recordings still being uploaded (before the panel closes). */
  async settled(): Promise<void> {
    await this.recorder.stop();
    while (this.uploads.size > 0) await Promise.allSettled([...this.uploads]);
  }

  /** The <video> the leader's picture plays in; the first decoded frame is timed from the click. */
  attach(video: HTMLVideoElement | null): void {
    this.video = video;
    if (video && this.remote && video.srcObject !== this.remote) this.play(video, this.remote);
  }

  dispose(): void {
    if (isLive(this.state.phase)) this.hangup();
    this.offNotice();
    this.listeners.clear();
  }

  /* ---------- the machine ---------- */

  private dispatch(input: CallInput): void {
    const { state, effects } = callReducer(this.state, input);
    const before = this.state;
    this.state = state;
    for (const e of effects) this.run(e);
    if (state.phase !== before.phase) this.onPhase(before.phase);
    this.changed();
  }

  private onPhase(from: CallState['phase']): void {
    const p = this.state.phase;
    if (p === 'retrying') this.watch(10_000, 'The hub did not answer the retry.', ['retrying']);
    if (p === 'ringing') this.watch(this.state.ringTimeoutMs + HUB_SILENCE_MARGIN_MS, 'The hub stopped answering while the phone rang.', ['ringing']);
    if (p === 'connecting') this.arm(CONNECT_WITHIN_MS, () => this.state.phase === 'connecting' && this.dispatch({ type: 'media_lost', at: performance.now() }));
    if (p === 'connected') {
      clearTimeout(this.timer);
      // recording picks up again on the retry's streams
      if (this.state.recording && this.remote && !this.recorder.active && from !== 'connected') {
        try {
          this.recorder.start(this.remote, this.mic ?? undefined);
        } catch (e) {
          this.notes.onError?.((e as Error).message);
        }
      }
    }
  }

  /** Gives up with `message` if the call is still in one of `phases` after `ms`. */
  private watch(ms: number, message: string, phases: CallState['phase'][]): void {
    this.arm(ms, () => {
      if (phases.includes(this.state.phase)) this.dispatch({ type: 'failure', message, at: performance.now() });
    });
  }

  private arm(ms: number, fn: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  private run(e: CallEffect): void {
    switch (e.do) {
      case 'send':
        this.client.call('call', { signal: e.signal }).catch((err: unknown) => {
          if (isLive(this.state.phase)) this.dispatch({ type: 'failure', message: errorMessage(err), at: performance.now() });
        });
        return;
      case 'prepare':
        this.iceServers = e.iceServers;
        return;
      case 'offer':
        void this.offer().catch((err: unknown) => this.dispatch({ type: 'failure', message: `WebRTC: ${(err as Error).message}`, at: performance.now() }));
        return;
      case 'reset':
        void this.recorder.stop();
        this.closePeer();
        return;
      case 'close':
        clearTimeout(this.timer);
        void this.recorder.stop();
        this.closePeer();
        for (const t of this.mic?.getTracks() ?? []) t.stop();
        return;
    }
  }

  private async openMic(): Promise<void> {
    if (this.mic) return;
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false });
    } catch (e) {
      // the operator can still see the site and take snapshots: the call goes on listen-only
      this.micError = (e as Error).name === 'NotAllowedError' ? 'denied' : 'unavailable';
      this.changed();
    }
  }

  private async offer(): Promise<void> {
    await this.micReady;
    if (this.state.phase !== 'connecting') return;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.haveAnswer = false;
    this.pendingCandidates = [];
    const micTrack = this.mic?.getAudioTracks()[0];
    if (micTrack && this.mic) pc.addTrack(micTrack, this.mic);
    else pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const remote = new MediaStream();
    this.remote = remote;
    pc.ontrack = (ev) => {
      if (this.pc !== pc) return;
      remote.addTrack(ev.track);
      if (this.video) this.play(this.video, remote);
      this.changed();
    };
    pc.onicecandidate = (ev) => {
      if (this.pc !== pc || !ev.candidate || !ev.candidate.candidate) return;
      this.send({ kind: 'candidate', callId: this.state.callId, candidate: candidateSignal(ev.candidate) });
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        clearTimeout(this.lostTimer);
        this.dispatch({ type: 'media_connected', at: performance.now() });
      } else if (s === 'failed') {
        this.dispatch({ type: 'media_lost', at: performance.now() });
      } else if (s === 'disconnected') {
        // a dip often recovers by itself; a link down this long is lost
        clearTimeout(this.lostTimer);
        this.lostTimer = setTimeout(() => this.pc === pc && pc.connectionState !== 'connected' && this.dispatch({ type: 'media_lost', at: performance.now() }), LOST_AFTER_DISCONNECTED_MS);
      }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.send({ kind: 'description', callId: this.state.callId, description: { type: 'offer', sdp: offer.sdp ?? '' } });
  }

  /** descriptions and candidates: a lost one is the link's problem, which ICE or the retry deals with */
  private send(signal: CallClientSignal): void {
    this.client.call('call', { signal }).catch(() => undefined);
  }

  private onSignal(sig: CallServerSignal): void {
    if (sig.callId !== this.state.callId || !isLive(this.state.phase)) return;
    const pc = this.pc;
    if (sig.kind === 'description') {
      if (!pc || sig.description.type !== 'answer' || this.haveAnswer) return;
      this.haveAnswer = true;
      void pc
        .setRemoteDescription(sig.description)
        .then(async () => {
          for (const c of this.pendingCandidates.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
        })
        .catch((err: unknown) => this.dispatch({ type: 'failure', message: `WebRTC: ${(err as Error).message}`, at: performance.now() }));
      return;
    }
    if (sig.kind === 'candidate') {
      if (!pc) return;
      const c = candidateInit(sig.candidate);
      if (this.haveAnswer && pc.remoteDescription) void pc.addIceCandidate(c).catch(() => undefined);
      else this.pendingCandidates.push(c);
      return;
    }
    if (sig.kind === 'error' && sig.refused !== 'start') this.notes.onError?.(sig.error.message);
    this.dispatch({ type: 'signal', signal: sig, at: performance.now() });
  }

  private play(video: HTMLVideoElement, stream: MediaStream): void {
    if (video.srcObject !== stream) video.srcObject = stream;
    const t0 = this.state.placedAt;
    if (this.firstFrameMs === null && 'requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback((now) => {
        if (this.firstFrameMs === null) {
          this.firstFrameMs = Math.max(0, now - t0);
          this.changed();
        }
      });
    }
    video.play().catch(() => {
      // no user activation for sound (a reminder placed the call): play the picture muted rather than nothing
      video.muted = true;
      void video.play().catch(() => undefined);
      this.changed();
    });
  }

  private closePeer(): void {
    clearTimeout(this.lostTimer);
    const pc = this.pc;
    this.pc = undefined;
    this.pendingCandidates = [];
    this.haveAnswer = false;
    if (pc) {
      pc.ontrack = null;
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    for (const t of this.remote?.getTracks() ?? []) t.stop();
  }

  private track(p: Promise<void>): void {
    this.uploads.add(p);
    void p.finally(() => this.uploads.delete(p));
  }

  private async saveRecording(part: RecordedPart): Promise<void> {
    try {
      const bytes = new Uint8Array(await part.blob.arrayBuffer());
      const uploadId = uuidv7();
      const CHUNK = 512 * 1024;
      let hash = '';
      for (let i = 0, index = 0; i < bytes.length; i += CHUNK, index++) {
        const last = i + CHUNK >= bytes.length;
        const mime = part.mime === 'video/mp4' ? 'video/mp4' : 'video/webm';
        const r = await this.client.call('uploadRecording', { uploadId, index, mime, data: toBase64(bytes.subarray(i, i + CHUNK)), last });
        if (r.done) hash = r.hash;
      }
      if (!hash) throw new Error('the upload did not finish');
      await this.client.call('command', {
        command: {
          type: 'callback',
          commandId: uuidv7(),
          eventId: this.target.eventId,
          phase: 'recording',
          callId: this.state.callId,
          attachments: [hash],
          durationMs: Math.min(86_400_000, part.durationMs),
        },
      });
      this.notes.onEvidence?.('recording', hash);
    } catch (e) {
      this.notes.onError?.(`${errorMessage(e)}`);
    }
  }
}
