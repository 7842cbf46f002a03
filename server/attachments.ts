import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../shared/errors';
import type { Attachment, UploadPurpose } from '../shared/schema';
import type { HubStore } from './store/interface';

/** What evidence may be: photos, voice notes and short clips, recognised by their bytes, not their name. */
const ALLOWED = /^(image\/(jpeg|png|webp|gif|heic|heif)|audio\/(mpeg|mp4|ogg|webm|wav|x-wav|aac|x-m4a|amr)|video\/(mp4|webm|quicktime))$/;
/**
 * Containers that hold sound as often as moving pictures: the bytes alone cannot tell, and a
 * browser's recorder writes voice notes into them (audio/webm, Safari's audio/mp4). Sniffed as
 * video, they count as audio when the sender declared audio.
 */
const AUDIO_OR_VIDEO = new Set(['video/webm', 'video/mp4']);
const PURPOSE_KIND: Record<Exclude<UploadPurpose, 'evidence'>, { kind: string; what: string }> = {
  photo: { kind: 'image', what: 'A photo must be an image (JPEG, PNG, WebP, GIF, HEIC)' },
  voice: { kind: 'audio', what: 'A voice note must be audio (MP3, M4A, AAC, Ogg, WAV, AMR, WebM)' },
};

export class AttachmentStore {
  constructor(
    private readonly store: HubStore,
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /**
   * Stores bytes under their sha256. The declared type must agree with what the bytes are; the file
   * is written to a temporary name and renamed, so a crash never leaves a half-written attachment.
   * Nothing is stored when the bytes do not fit the purpose.
   */
  async put(bytes: Buffer, declaredType: string | undefined, now: number, purpose: UploadPurpose = 'evidence'): Promise<Attachment> {
    if (bytes.length === 0) throw new DomainError('invalid', 'The attachment is empty.');
    if (bytes.length > this.maxBytes) {
      throw new DomainError('too_large', `The attachment is ${bytes.length} bytes; the limit is ${this.maxBytes}.`);
    }
    const sniffed = await fileTypeFromBuffer(bytes);
    if (!sniffed || !ALLOWED.test(sniffed.mime)) {
      throw new DomainError('unsupported_media', `The attachment is ${sniffed ? sniffed.mime : 'not a recognised file'}; photos, voice notes and video clips only.`);
    }
    const declaredKind = declaredType?.split('/')[0]?.trim().toLowerCase();
    const kind = declaredKind === 'audio' && AUDIO_OR_VIDEO.has(sniffed.mime) ? 'audio' : sniffed.mime.split('/')[0];
    if (purpose !== 'evidence' && kind !== PURPOSE_KIND[purpose].kind) {
      throw new DomainError('unsupported_media', `${PURPOSE_KIND[purpose].what}; these bytes are ${sniffed.mime}.`);
    }
    if (declaredKind && declaredKind !== 'application' && declaredKind !== kind) {
      throw new DomainError('unsupported_media', `The attachment was sent as ${declaredType} but its bytes are ${sniffed.mime}.`);
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const existing = await this.store.getAttachment(hash);
    if (existing) return existing;
    const folder = join(this.dir, hash.slice(0, 2));
    await mkdir(folder, { recursive: true });
    const tmp = join(folder, `.${hash}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, bytes, { flush: true });
    await rename(tmp, join(folder, hash));
    const meta: Attachment = { hash, mime: sniffed.mime, size: bytes.length, createdAt: now };
    await this.store.putAttachment(meta);
    return meta;
  }

  async read(hash: string): Promise<{ meta: Attachment; bytes: Buffer } | undefined> {
    const meta = await this.store.getAttachment(hash);
    if (!meta) return undefined;
    return { meta, bytes: await readFile(join(this.dir, hash.slice(0, 2), hash)) };
  }

  /** Throws naming the first unknown hash, so a command never points at evidence that is not there. */
  async requireAll(hashes: readonly string[], field = 'attachments'): Promise<void> {
    for (const [i, h] of hashes.entries()) {
      if (!(await this.store.getAttachment(h))) {
        throw new DomainError('unknown_reference', `Attachment ${h} has not been uploaded; POST it to /api/attachments first.`, `${field}.${i}`);
      }
    }
  }
}
