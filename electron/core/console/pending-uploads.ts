/**
 * Evidence that could not reach the hub when it was taken. A snapshot is a case's proof: losing it
 * to a dropped link is not acceptable, so it waits in the cache (by the hash the hub will give it)
 * and the outbox uploads it before sending the commands that name it.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface PendingUpload {
  hash: string;
  mime: string;
  bytes: Buffer;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export class PendingUploads {
  private readonly st;

  constructor(db: Database.Database, now: () => number) {
    const put = db.prepare('INSERT OR IGNORE INTO pending_uploads (hash, mime, bytes, created_at) VALUES (?, ?, ?, ?)');
    this.st = {
      put: (u: PendingUpload) => put.run(u.hash, u.mime, u.bytes, now()),
      get: db.prepare('SELECT hash, mime, bytes FROM pending_uploads WHERE hash = ?'),
      list: db.prepare('SELECT hash, mime, bytes FROM pending_uploads ORDER BY created_at, hash'),
      remove: db.prepare('DELETE FROM pending_uploads WHERE hash = ?'),
      count: db.prepare('SELECT count(*) FROM pending_uploads').pluck(),
    };
  }

  put(u: PendingUpload): void {
    this.st.put(u);
  }

  get(hash: string): PendingUpload | undefined {
    return this.st.get.get(hash) as PendingUpload | undefined;
  }

  list(): PendingUpload[] {
    return this.st.list.all() as PendingUpload[];
  }

  remove(hash: string): void {
    this.st.remove.run(hash);
  }

  get count(): number {
    return this.st.count.get() as number;
  }
}
