/**
 * Records a call in the console (MediaRecorder): the leader's picture with both voices mixed into
 * one track (WebAudio), as WebM. A file is closed before it reaches MAX_RECORDING_PART_BYTES, so
 * each part fits the hub's attachment limit; a long call makes several parts. Each finished part is
 * handed to `onPart` (uploaded and attached to the event by the caller).
 */
import { MAX_RECORDING_PART_BYTES } from '../../../shared/callback';

export interface RecordedPart {
  blob: Blob;
  mime: string;
  durationMs: number;
}

const TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];

export function recordingSupported(): boolean {
  return typeof MediaRecorder !== 'undefined' && TYPES.some((t) => MediaRecorder.isTypeSupported(t));
}

export class CallRecorder {
  private rec: MediaRecorder | undefined;
  private audio: AudioContext | undefined;
  private chunks: Blob[] = [];
  private bytes = 0;
  private startedAt = 0;
  private stopping: Promise<void> | undefined;
  /** the operator wants recording on: a part closed for size is followed by the next */
  private wanted = false;

  constructor(private readonly onPart: (part: RecordedPart) => void) {}

  get active(): boolean {
    return this.rec !== undefined;
  }

  /** Starts a part on this call's picture and voices; `mic` is the operator's own voice, if any. */
  start(remote: MediaStream, mic: MediaStream | undefined): void {
    this.wanted = true;
    this.startPart(remote, mic);
  }

  private startPart(remote: MediaStream, mic: MediaStream | undefined): void {
    if (this.rec) return;
    const video = remote.getVideoTracks()[0];
    if (!video) throw new Error('no picture to record yet');
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    if (!type) throw new Error('this browser cannot record video');
    const tracks: MediaStreamTrack[] = [video];
    const voices = [...remote.getAudioTracks(), ...(mic?.getAudioTracks() ?? [])];
    if (voices.length > 0) {
      // one audio track with both sides: a recorder takes only the first audio track it is given
      this.audio = new AudioContext();
      const mix = this.audio.createMediaStreamDestination();
      for (const t of voices) this.audio.createMediaStreamSource(new MediaStream([t])).connect(mix);
      tracks.push(...mix.stream.getAudioTracks());
    }
    const rec = new MediaRecorder(new MediaStream(tracks), { mimeType: type, videoBitsPerSecond: 800_000, audioBitsPerSecond: 48_000 });
    this.rec = rec;
    this.chunks = [];
    this.bytes = 0;
    this.startedAt = performance.now();
    rec.ondataavailable = (e) => {
      if (e.data.size === 0) return;
      this.chunks.push(e.data);
      this.bytes += e.data.size;
      // the next second would not fit: close this part and start the next on the same streams
      if (this.bytes > MAX_RECORDING_PART_BYTES - 400_000 && this.rec === rec) {
        void this.endPart().then(() => {
          try {
            if (this.wanted && remote.getVideoTracks().some((t) => t.readyState === 'live')) this.startPart(remote, mic);
          } catch {
            // the call ended while the part was closed: nothing more to record
          }
        });
      }
    };
    rec.start(1000);
  }

  /** Ends recording; resolves once the last part has been handed to onPart. */
  stop(): Promise<void> {
    this.wanted = false;
    return this.endPart();
  }

  private endPart(): Promise<void> {
    const rec = this.rec;
    if (!rec) return this.stopping ?? Promise.resolve();
    this.rec = undefined;
    this.stopping = new Promise<void>((resolve) => {
      rec.onstop = () => {
        const mime = rec.mimeType.split(';')[0] || 'video/webm';
        const blob = new Blob(this.chunks, { type: mime });
        this.chunks = [];
        void this.audio?.close().catch(() => undefined);
        this.audio = undefined;
        if (blob.size > 0) this.onPart({ blob, mime, durationMs: Math.round(performance.now() - this.startedAt) });
        resolve();
      };
      try {
        rec.stop();
      } catch {
        resolve();
      }
    });
    return this.stopping;
  }
}
