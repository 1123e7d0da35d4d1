/** Photos for browser tests and benchmarks: a recognisable scene with camera-like grain, so sizes are like a camera's. */
import sharp from 'sharp';

export async function scenePhoto(width: number, height: number, hue: number): Promise<Buffer> {
  const sun = Math.round(Math.min(width, height) * 0.12);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,78%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,50%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${Math.round(width * 0.62)}" cy="${Math.round(height * 0.4)}" r="${sun}" fill="hsl(45,95%,65%)"/>
    <rect y="${Math.round(height * 0.6)}" width="100%" height="${Math.round(height * 0.4)}" fill="hsl(${(hue + 180) % 360},45%,28%)"/>
  </svg>`;
  // Grain from a small seeded generator: libvips' own noise is seconds per photo on a busy machine.
  const grain = Buffer.alloc(width * height * 3);
  let state = (hue + 1) * 2654435761;
  for (let i = 0; i < grain.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    grain[i] = 88 + ((state >>> 0) % 81);
  }
  return sharp(Buffer.from(svg))
    .composite([{ input: grain, raw: { width, height, channels: 3 }, blend: 'soft-light' }])
    .jpeg({ quality: 92 })
    .toBuffer();
}
