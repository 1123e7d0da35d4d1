import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sameKind, sniffContentType } from './sniff.ts';

const image = (format: 'jpeg' | 'png' | 'webp' | 'gif' | 'avif') =>
  sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
    .toFormat(format)
    .toBuffer();

describe('sniffContentType', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'avif'] as const)('knows %s by its bytes', async (format) => {
    expect(sniffContentType(await image(format))).toBe(`image/${format}`);
  });

  it('knows MP4 and QuickTime by their ftyp brand, WebM by its EBML header', () => {
    const box = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}`)]);
    expect(sniffContentType(box('isom'))).toBe('video/mp4');
    expect(sniffContentType(box('qt  '))).toBe('video/quicktime');
    expect(sniffContentType(box('heic'))).toBe('image/heic');
    expect(sniffContentType(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]))).toBe(
      'video/webm',
    );
  });

  it('refuses what it does not know, whatever the name says', () => {
    expect(sniffContentType(Buffer.from('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffContentType(Buffer.from('%PDF-1.7'))).toBeUndefined();
    expect(sniffContentType(Buffer.alloc(0))).toBeUndefined();
  });

  it('compares kinds, not subtypes', () => {
    expect(sameKind('image/png', 'image/jpeg')).toBe(true);
    expect(sameKind('image/jpeg', 'video/mp4')).toBe(false);
  });
});
