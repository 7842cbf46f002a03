import { encodePng } from '../png';

/**
 * A small real PNG standing in for a leader's site photo: a sky-to-ground gradient with a few
 * coloured blocks placed by the seeded generator, so each photo has its own bytes and hash.
 */
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
  return encodePng(width, height, 3, (x, y) => {
    const f = y / (height - 1);
    for (const b of blocks) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) return b.rgb;
    return sky.map((s, i) => Math.round(s * (1 - f) + ground[i]! * f));
  });
}
