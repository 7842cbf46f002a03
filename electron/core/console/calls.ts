/**
 * The console core's part in video call-backs. The page runs the call (WebRTC needs a browser);
 * the core is its only way to the hub, as for everything else: it relays the page's signalling
 * over its own live socket (the page never holds the hub session), answers the call-back reminder
 * and a leader's last position from the cache, and uploads a call's recording, which arrives from
 * the page in chunks because one file can outgrow a page message.
 */
import { DomainError } from '../../../shared/errors';
import {
  Attachment,
  EventRecord,
  RECORDING_CHUNK_BYTES,
  type CallbackItem,
  type CallClientSignal,
  type LeaderFix,
  type RecordingChunk,
  type RecordingChunkResult,
} from '../../../shared/schema';
import type { ConsoleCache } from './cache';
import { MAX_ATTACHMENT_BYTES, type HubClient } from './hub-client';

export interface CallRelayDeps {
  cache: ConsoleCache;
  client: HubClient;
  /** sends over the live socket; false when the link is down */
  sendCall(signal: CallClientSignal): boolean;
  /** throws unless signed in with a hub session */
  requireSession(): void;
}

/** Uploads the page started but did not finish are dropped after this long. */
const UPLOAD_IDLE_MS = 5 * 60_000;
/** At most this many recordings in flight at once (one call records one at a time). */
const MAX_UPLOADS = 4;

interface Upload {
  mime: string;
  chunks: Buffer[];
  size: number;
  touched: number;
}

export class CallRelay {
  private readonly uploads = new Map<string, Upload>();
  private readonly dueStmt;

  constructor(private readonly d: CallRelayDeps) {
    // the open events whose record names a call-back time: few rows are open, and the reminder asks
    // every few seconds, so the JSON is read for open events only (the is_open index)
    this.dueStmt = d.cache.db.prepare<[], { data: string }>(
      `SELECT r.data FROM events e JOIN event_records r ON r.id = e.id
        WHERE e.is_open = 1 AND json_extract(r.data, '$.callbackDueAt') IS NOT NULL`,
    );
  }

  send(signal: CallClientSignal): { sent: true } {
    this.d.requireSession();
    if (!this.d.sendCall(signal)) {
      throw new DomainError('unavailable', 'The console is not connected to the hub right now, so it cannot place or carry a video call; wait for the link (top bar) to come back.');
    }
    return { sent: true };
  }

  /** Open events with a call-back scheduled, earliest first, with the assignee's name. */
  callbacks(): { items: CallbackItem[] } {
    const items: CallbackItem[] = [];
    for (const row of this.dueStmt.all()) {
      const parsed = EventRecord.safeParse(JSON.parse(row.data));
      if (!parsed.success || parsed.data.callbackDueAt === undefined) continue;
      const e = parsed.data;
      const item: CallbackItem = { eventId: e.id, dueAt: e.callbackDueAt!, categoryId: e.categoryId, description: e.description.slice(0, 200), state: e.state };
      if (e.assigneeId) {
        item.assigneeId = e.assigneeId;
        const name = this.d.cache.person(e.assigneeId)?.name;
        if (name) item.assigneeName = name;
      }
      items.push(item);
    }
    items.sort((a, b) => a.dueAt - b.dueAt);
    return { items };
  }

  /** A person and their latest position fix, as the cache has them (null when unknown). */
  leaderFix(personId: string): LeaderFix {
    const person = this.d.cache.person(personId) ?? null;
    const fix = this.d.cache.positions().find((p) => p.personId === personId) ?? null;
    return { person, fix };
  }

  /**
   * One chunk of a recording. Chunks come in order; the last one sends the whole file to the hub
   * (POST /api/attachments?purpose=evidence), which checks what it is, and answers its hash.
   */
  async uploadRecording(c: RecordingChunk, now: number): Promise<RecordingChunkResult> {
    this.d.requireSession();
    for (const [id, u] of this.uploads) if (now - u.touched > UPLOAD_IDLE_MS) this.uploads.delete(id);
    let u = this.uploads.get(c.uploadId);
    if (c.index === 0) {
      if (!u && this.uploads.size >= MAX_UPLOADS) throw new DomainError('unavailable', 'Too many recordings are being uploaded at once; wait for one to finish.');
      u = { mime: c.mime, chunks: [], size: 0, touched: now };
      this.uploads.set(c.uploadId, u);
    }
    if (!u) throw new DomainError('not_found', `Recording upload ${c.uploadId} is not under way (it expired, or its first chunk never came); start it again.`, 'uploadId');
    if (c.index !== u.chunks.length) {
      this.uploads.delete(c.uploadId);
      throw new DomainError('invalid', `Recording upload ${c.uploadId} expected chunk ${u.chunks.length}, got ${c.index}; start it again.`, 'index');
    }
    const bytes = Buffer.from(c.data, 'base64');
    if (bytes.length > RECORDING_CHUNK_BYTES) throw new DomainError('too_large', `A recording chunk is at most ${RECORDING_CHUNK_BYTES} bytes.`, 'data');
    u.size += bytes.length;
    if (u.size > MAX_ATTACHMENT_BYTES) {
      this.uploads.delete(c.uploadId);
      throw new DomainError('too_large', `The recording is over the hub's ${MAX_ATTACHMENT_BYTES}-byte limit for one file; record in shorter parts.`);
    }
    u.chunks.push(bytes);
    u.touched = now;
    if (!c.last) return { done: false, received: u.size };
    this.uploads.delete(c.uploadId);
    if (u.size === 0) throw new DomainError('invalid', 'The recording is empty.', 'data');
    const meta = await this.d.client.upload(Buffer.concat(u.chunks, u.size), u.mime, 'evidence', Attachment);
    return { done: true, hash: meta.hash, mime: meta.mime, size: meta.size };
  }
}
