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

/** An IPTC caption in Photoshop's APP13 segment, as photo tools write one (sharp writes none). */
function iptcSegment(caption: string): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const u32 = (n: number) => Buffer.concat([u16(n >>> 16), u16(n & 0xffff)]);
  const text = Buffer.from(caption);
  const iptc = Buffer.concat([Buffer.from([0x1c, 0x02, 0x78]), u16(text.length), text]);
  const resource = Buffer.concat([
    Buffer.from('8BIM'),
    u16(0x0404),
    Buffer.from([0, 0]),
    u32(iptc.length),
    iptc,
    Buffer.alloc(iptc.length % 2),
  ]);
  const payload = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]);
  return Buffer.concat([Buffer.from([0xff, 0xed]), u16(payload.length + 2), payload]);
}

/**
 * A photo as a phone leaves it: EXIF with the GPS position, XMP repeating it, an IPTC caption,
 * and pixels stored sideways (`width`×`height`) with EXIF orientation 6, so it shows
 * `height`×`width`.
 */
export async function phonePhoto(width = 1200, height = 800): Promise<Buffer> {
  const xmp =
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.4N" exif:GPSLongitude="2,17.7E"/>' +
    '</rdf:RDF></x:xmpmeta>';
  const jpeg = await sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="200" height="100"><rect width="200" height="100" fill="#fc0"/></svg>`,
        ),
        top: 0,
        left: 0,
      },
    ])
    .withExif({
      IFD0: { Make: 'PlazaPhone', Model: 'P1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 51/1 24/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '2/1 17/1 40/1',
      },
    })
    .withXmp(xmp)
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
  return Buffer.concat([jpeg.subarray(0, 2), iptcSegment('Taken at home, 12 Rue Example'), jpeg.subarray(2)]);
}
