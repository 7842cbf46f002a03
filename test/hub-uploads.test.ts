import { afterEach, describe, expect, it } from 'vitest';
import { login, onePixelPng, request, startTestHub, type TestHub } from './helpers/hub';

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  return h;
}

/** A tiny valid WAV: RIFF/WAVE header, 16-bit mono PCM at 8 kHz, `samples` of silence. */
function wav(samples = 800): Buffer {
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(8000, 24); // sample rate
  b.writeUInt32LE(16000, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34); // bits per sample
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  return b;
}

const upload = (base: string, token: string, bytes: Buffer, contentType: string, purpose?: string) =>
  request(base, 'POST', `/api/attachments${purpose ? `?purpose=${purpose}` : ''}`, { token, raw: bytes, contentType });

describe('uploads checked against their purpose', () => {
  it('takes a photo as a photo and a WAV as a voice note', async () => {
    const t = await hub();
    const op = await login(t.url, 'operator');
    const photo = await upload(t.url, op, onePixelPng(), 'image/png', 'photo');
    expect(photo.status, photo.text).toBe(201);
    expect(photo.body.mime).toBe('image/png');
    const voice = await upload(t.url, op, wav(), 'audio/wav', 'voice');
    expect(voice.status, voice.text).toBe(201);
    expect(voice.body.mime).toMatch(/^audio\//);
    // evidence is the default and takes either
    expect((await upload(t.url, op, wav(801), 'audio/wav')).status).toBe(201);
    expect((await upload(t.url, op, onePixelPng([1, 2, 3, 255]), 'image/png', 'evidence')).status).toBe(201);
  });

  it('refuses what does not fit, naming what the bytes are, and stores nothing', async () => {
    const t = await hub({ maxAttachmentBytes: 64 * 1024 });
    const op = await login(t.url, 'operator');
    const before = await t.hub.store.countRows();

    const text = await upload(t.url, op, Buffer.from('I am a text file, honestly.\n'.repeat(20)), 'image/jpeg', 'photo');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media');
    expect(text.body.error.message).toMatch(/not a recognised file/);

    const pngVoice = await upload(t.url, op, onePixelPng(), 'image/png', 'voice');
    expect(pngVoice.status).toBe(415);
    expect(pngVoice.body.error.code).toBe('unsupported_media');
    expect(pngVoice.body.error.message).toMatch(/voice note must be audio.*image\/png/i);

    // declared as audio, still a PNG
    const disguised = await upload(t.url, op, onePixelPng(), 'audio/mpeg', 'voice');
    expect(disguised.status).toBe(415);
    expect(disguised.body.error.message).toContain('image/png');

    const wavPhoto = await upload(t.url, op, wav(), 'audio/wav', 'photo');
    expect(wavPhoto.status).toBe(415);
    expect(wavPhoto.body.error.message).toMatch(/photo must be an image.*audio/i);

    const oversize = await upload(t.url, op, Buffer.concat([onePixelPng(), Buffer.alloc(80 * 1024)]), 'image/png', 'photo');
    expect(oversize.status).toBe(413);
    expect(oversize.body.error.code).toBe('too_large');

    const unknownPurpose = await upload(t.url, op, onePixelPng(), 'image/png', 'selfie');
    expect(unknownPurpose.status).toBe(400);
    expect(unknownPurpose.body.error.field).toBe('purpose');

    expect(await t.hub.store.countRows()).toEqual(before);
  });
});
