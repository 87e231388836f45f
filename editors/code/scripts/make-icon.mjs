// Draws images/icon.png (128x128): a document with a key over it on a blue
// rounded square. Plain node (zlib for the PNG), 4x4 supersampled shapes.
// Run: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const SS = 4;

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
// Signed distances (negative inside).
const roundRect = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;

// Layers, back to front: [inside(x, y) → bool, colour(x, y) → [r, g, b, a]].
const layers = [
  // Background: SAP-ish blue, lighter at the top.
  [(x, y) => roundRect(x, y, 64, 64, 62, 62, 22) < 0, (x, y) => mix([0x1b, 0x90, 0xff], [0x0a, 0x4f, 0xb0], y / N)],
  // Document page (x 24..84, y 22..98) with its top-right corner folded
  // along the diagonal x - y = 44.
  [(x, y) => roundRect(x, y, 54, 60, 30, 38, 5) < 0 && x - y <= 44, () => [0xff, 0xff, 0xff]],
  [(x, y) => x >= 66 && y <= 40 && x - y <= 44, () => [0xc9, 0xdd, 0xf5]],
  // Text lines on the page.
  ...[38, 50, 62, 74].map((ly, i) => [
    (x, y) => roundRect(x, y, 48 - (i === 0 ? 4 : 0), ly, i === 0 ? 16 : 20, 2.5, 2.5) < 0,
    () => [0x9f, 0xb8, 0xd6],
  ]),
  // Key: gold ring, shaft and teeth, with a dark outline for contrast.
  [(x, y) => keyShape(x, y) < 3, () => [0x0a, 0x3d, 0x85]],
  [(x, y) => keyShape(x, y) < 0, (x, y) => mix([0xff, 0xd1, 0x4a], [0xf0, 0xa2, 0x02], (x + y - 120) / 120)],
];

function keyShape(x, y) {
  const ring = Math.max(circle(x, y, 84, 86, 19), -circle(x, y, 84, 86, 8));
  const shaft = roundRect(x, y, 84, 113, 5.5, 14, 2);
  const tooth1 = roundRect(x, y, 93, 112, 6, 3.5, 1.5);
  const tooth2 = roundRect(x, y, 92, 122, 5, 3.5, 1.5);
  return Math.min(ring, shaft, tooth1, tooth2);
}

function mix(a, b, t) {
  t = clamp(t, 0, 1);
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

const rgba = Buffer.alloc(N * N * 4);
for (let py = 0; py < N; py++) {
  for (let px = 0; px < N; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const x = px + (sx + 0.5) / SS;
        const y = py + (sy + 0.5) / SS;
        let c = null;
        for (const [inside, colour] of layers) {
          if (inside(x, y)) {
            c = colour(x, y);
          }
        }
        if (c) {
          acc[0] += c[0];
          acc[1] += c[1];
          acc[2] += c[2];
          acc[3] += 1;
        }
      }
    }
    const o = (py * N + px) * 4;
    const n = acc[3];
    rgba[o] = n ? Math.round(acc[0] / n) : 0;
    rgba[o + 1] = n ? Math.round(acc[1] / n) : 0;
    rgba[o + 2] = n ? Math.round(acc[2] / n) : 0;
    rgba[o + 3] = Math.round((255 * n) / (SS * SS));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  rgba.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('../images/icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
