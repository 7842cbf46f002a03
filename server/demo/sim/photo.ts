import { deflateSync } from 'node:zlib';

/**
 * A small real PNG standing in for a leader's site photo: a sky-to-ground gradient with a few
 * coloured blocks placed by the seeded generator, so each photo has its own bytes and hash.
 */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sitePhoto(rng: () => number, width = 48, height = 36): Buffer {
  const byte = () => Math.floor(rng() * 256);
  const sky = [90 + (byte() >> 2), 140 + (byte() >> 2), 200 + (byte() >> 3)];
  const ground = [60 + (byte() >> 2), 70 + (byte() >> 2), 50 + (byte() >> 2)];
  const blocks = Array.from({ length: 3 + Math.floor(rng() * 4) }, () => ({
    x: Math.floor(rng() * width),
    y: Math.floor(height / 3 + rng() * (height * 2) / 3),
    w: 3 + Math.floor(rng() * 12),
    h: 3 + Math.floor(rng() * 10),
    rgb: [byte(), byte(), byte()],
  }));
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter: none
    const f = y / (height - 1);
    for (let x = 0; x < width; x++) {
      let px = sky.map((s, i) => Math.round(s * (1 - f) + ground[i]! * f));
      for (const b of blocks) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) px = b.rgb;
      raw.set(px, y * row + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
