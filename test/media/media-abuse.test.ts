/**
 * What an attacker or a broken client sends the media paths: keys that try to
 * leave the store, a decompression bomb, a truncated JPEG, and random byte
 * ranges that must come back exact.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../src/adapters/fs/fs-object-store.ts';
import { sharpImageProcessor } from '../../src/adapters/sharp/sharp-image-processor.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('keys that try to leave the store', () => {
  it('writes nothing outside the root for 1,000 traversal and encoding variants', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'plaza-escape-'));
    const root = join(parent, 'store');
    const store = new FsObjectStore({ root, durable: false });
    const pieces = [
      '..',
      '.',
      '/',
      '//',
      '\\',
      '%2e',
      '%2f',
      '%2e%2e',
      '..%2f',
      'a',
      'b.jpg',
      '\u0000',
      '~',
      ' ',
      'é',
      '%00',
      '\n',
    ];
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }),
        async (parts) => {
          const key = parts.join('');
          try {
            await store.put(key, Buffer.from('x'), { contentType: 'image/jpeg' });
          } catch (error) {
            expect(isPlazaError(error, 'BadInput') || isPlazaError(error, 'Conflict'), String(error)).toBe(
              true,
            );
            refused++;
          }
        },
      ),
      { numRuns: 1000 },
    );
    // Everything written is under the root's own folders.
    for (const file of listAll(parent)) {
      const inside = relative(resolve(root), file);
      expect(inside.startsWith('..'), file).toBe(false);
    }
    expect(refused).toBeGreaterThan(500);
    await store.close();
    rmSync(parent, { recursive: true, force: true });
  });
});

/** A PNG whose header claims 16000×16000 with almost no data: the bomb's shape, a few bytes long. */
function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(16000, 0);
  header.writeUInt32BE(16000, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('images that would hurt the pipeline', () => {
  const processor = sharpImageProcessor();
  const limits = { sizes: [150, 300, 600, 1200], maxPixels: 40_000_000, timeoutSeconds: 30 };

  it('refuses a 16000×16000 PNG bomb before decoding it', async () => {
    const started = performance.now();
    await expect(processor.process(pngBomb(), limits)).rejects.toMatchObject({
      code: 'UnsupportedMediaType',
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a truncated JPEG quickly', async () => {
    const sharp = (await import('sharp')).default;
    const whole = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#abc' } })
      .jpeg()
      .toBuffer();
    const started = performance.now();
    await expect(processor.process(whole.subarray(0, whole.length / 2), limits)).rejects.toMatchObject({
      code: 'UnsupportedMediaType',
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('byte ranges over HTTP', () => {
  let server: TestServer;
  const bytes = Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919) % 256));
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    await server.app.media.services.objects.put('users/u/posts/01ARZ3NDEKTSV4RRFFQ69G5FAV/300.jpg', bytes, {
      contentType: 'image/jpeg',
    });
    url = `${server.url}/media/users/u/posts/01ARZ3NDEKTSV4RRFFQ69G5FAV/300.jpg`;
  });
  afterAll(async () => server?.close());

  it('returns exactly the bytes of random ranges, and 416 beyond the end', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bytes.length - 1), fc.nat(bytes.length * 2), async (start, length) => {
        const end = start + length;
        const response = await fetch(url, { headers: { range: `bytes=${start}-${end}` } });
        expect(response.status).toBe(206);
        const last = Math.min(end, bytes.length - 1);
        expect(response.headers.get('content-range')).toBe(`bytes ${start}-${last}/${bytes.length}`);
        expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(start, last + 1));
      }),
      { numRuns: 40 },
    );
    const beyond = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, `bytes */${bytes.length}`]);
  });
});
