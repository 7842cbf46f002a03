/**
 * Seals the secrets the console keeps on disk (the operator's hub session token) so that they are
 * not lying in the cache in clear. One implementation per platform: this file is the plain Node
 * host's; the Electron shell hands in one backed by the OS keychain (electron/main/secret-box.ts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SecretBox {
  /** names the scheme, stored with what it sealed: a blob sealed by another kind is not opened */
  readonly kind: string;
  seal(plain: string): string;
  /** null when the blob cannot be opened: tampered with, sealed elsewhere, or the key is gone */
  open(sealed: string): string | null;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';

/**
 * AES-256-GCM with a random key kept in a file of its own (mode 0600) beside the cache.
 *
 * This only keeps the token from casual reading of the cache database (a copied or attached DB
 * file, a support bundle, a look with the sqlite3 shell): anyone who can read the data folder as
 * the console's user can read the key too. For real protection at rest the Electron shell uses the
 * OS keychain (safeStorage) instead.
 */
export class FileKeySecretBox implements SecretBox {
  readonly kind = 'node-aes-256-gcm';
  private key: Buffer | undefined;

  constructor(readonly keyFile: string) {}

  /** The key from its file; with `create`, a new random one when there is none (or it is unusable). */
  private loadKey(create: boolean): Buffer | undefined {
    if (this.key) return this.key;
    let raw: string | undefined;
    try {
      raw = readFileSync(this.keyFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (raw !== undefined) {
      const k = Buffer.from(raw.trim(), 'base64');
      if (k.length === KEY_BYTES) return (this.key = k);
      if (!create) return undefined;
      console.warn(`console secret box: the key file ${this.keyFile} is not a ${KEY_BYTES}-byte key; making a new one (what the old one sealed can no longer be opened)`);
    }
    if (!create) return undefined;
    const k = randomBytes(KEY_BYTES);
    mkdirSync(dirname(this.keyFile), { recursive: true });
    writeFileSync(this.keyFile, k.toString('base64') + '\n', { mode: 0o600 });
    // writeFile's mode applies only to a new file (and is masked by the umask)
    try {
      chmodSync(this.keyFile, 0o600);
    } catch {
      /* a file system without modes */
    }
    return (this.key = k);
  }

  seal(plain: string): string {
    const key = this.loadKey(true)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string | null {
    if (!sealed.startsWith(PREFIX)) return null;
    let key: Buffer | undefined;
    try {
      key = this.loadKey(false);
    } catch {
      return null;
    }
    if (!key) return null;
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
