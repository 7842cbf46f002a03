import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileKeySecretBox } from './secret-box';

const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileKeySecretBox', () => {
  it('round-trips, and keeps its key in a 0600 file that a new box on the same file reads', () => {
    const file = join(dir, 'a', 'session.key');
    const box = new FileKeySecretBox(file);
    const token = 'ses_0123456789abcdef-令牌';
    const sealed = box.seal(token);
    expect(sealed).not.toContain(token);
    expect(Buffer.from(sealed.slice(3), 'base64').toString('latin1')).not.toContain('ses_');
    expect(box.open(sealed)).toBe(token);
    // every seal is fresh (a random IV)
    expect(box.seal(token)).not.toBe(sealed);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new FileKeySecretBox(file).open(sealed)).toBe(token);
  });

  it('answers null for a tampered blob, garbage, and a blob sealed with another key', () => {
    const box = new FileKeySecretBox(join(dir, 'b.key'));
    const sealed = box.seal('ses_secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    for (const i of [0, 13, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[i] = bad[i]! ^ 1;
      expect(box.open('v1.' + bad.toString('base64'))).toBeNull();
    }
    expect(box.open('v1.' + raw.subarray(0, 20).toString('base64'))).toBeNull();
    expect(box.open('nonsense')).toBeNull();
    expect(box.open('')).toBeNull();

    expect(new FileKeySecretBox(join(dir, 'c.key')).open(sealed)).toBeNull();
  });

  it('answers null when its key is gone or unusable, without making one', () => {
    const file = join(dir, 'd.key');
    const sealed = new FileKeySecretBox(file).seal('ses_secret');
    rmSync(file);
    expect(new FileKeySecretBox(file).open(sealed)).toBeNull();
    expect(() => statSync(file)).toThrow();
    writeFileSync(file, 'not a key');
    const box = new FileKeySecretBox(file);
    expect(box.open(sealed)).toBeNull();
    // sealing replaces the unusable key with a new one
    const again = box.seal('ses_other');
    expect(readFileSync(file, 'utf8')).not.toBe('not a key');
    expect(new FileKeySecretBox(file).open(again)).toBe('ses_other');
  });
});
