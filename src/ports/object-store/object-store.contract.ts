/**
 * The ObjectStore contract: one suite, run against every adapter (the local
 * file system, and S3 through an S3-compatible server).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlazaError } from '../../platform/errors.ts';
import type { ObjectEvent, ObjectStore } from './object-store.ts';

export interface ObjectStoreHarness {
  store: ObjectStore;
  close(): Promise<void>;
  /** Whether the store keeps previous versions (S3 with versioning on; the file system always). */
  versioning: boolean;
}

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

let unique = 0;
const prefix = (label: string) => `contract/${label}-${Date.now().toString(36)}${++unique}`;

export function objectStoreContract(adapter: string, open: () => Promise<ObjectStoreHarness>): void {
  describe(`ObjectStore contract: ${adapter}`, () => {
    let harness: ObjectStoreHarness;
    let store: ObjectStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('puts and gets bytes with their type, metadata and a strong ETag', async () => {
      const key = `${prefix('put')}/original.jpg`;
      const bytes = Buffer.from('hello, plaza');
      const info = await store.put(key, bytes, {
        contentType: 'image/jpeg',
        metadata: { owner: 'alice' },
      });
      expect(info).toMatchObject({ key, size: bytes.length, contentType: 'image/jpeg' });
      // S3's ETag for a single-part object is the quoted MD5 of its bytes.
      expect(info.etag).toBe(
        '"' + (await import('node:crypto')).createHash('md5').update(bytes).digest('hex') + '"',
      );
      const got = await store.get(key);
      expect(got?.info).toMatchObject({ size: bytes.length, etag: info.etag, metadata: { owner: 'alice' } });
      expect(await bytesOf(got!.body)).toEqual(bytes);
      expect(await store.head(key)).toMatchObject({ size: bytes.length, contentType: 'image/jpeg' });
    });

    it('streams a put and reads byte ranges', async () => {
      const key = `${prefix('range')}/video.mp4`;
      const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
      await store.put(key, Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]), {
        contentType: 'video/mp4',
        contentLength: bytes.length,
      });
      const part = await store.get(key, { start: 1000, end: 1999 });
      expect(await bytesOf(part!.body)).toEqual(bytes.subarray(1000, 2000));
      const tail = await store.get(key, { start: 99_990, end: 99_999 });
      expect(await bytesOf(tail!.body)).toEqual(bytes.subarray(99_990));
      expect(part!.info.size).toBe(bytes.length);
    });

    it('refuses a put whose length differs from the declared one, and stores nothing', async () => {
      const key = `${prefix('length')}/original.jpg`;
      await expect(
        store.put(key, Readable.from([Buffer.alloc(10)]), { contentType: 'image/jpeg', contentLength: 5 }),
      ).rejects.toThrow();
      expect(await store.head(key)).toBeUndefined();
    });

    it('answers undefined for a missing object, and deletes idempotently', async () => {
      const key = `${prefix('missing')}/none.jpg`;
      expect(await store.get(key)).toBeUndefined();
      expect(await store.head(key)).toBeUndefined();
      await store.put(key, Buffer.from('x'), { contentType: 'image/jpeg' });
      await store.delete(key);
      await store.delete(key);
      expect(await store.head(key)).toBeUndefined();
    });

    it('lists by prefix in key order, a page at a time', async () => {
      const base = prefix('list');
      const keys = ['a/1.jpg', 'a/2.jpg', 'b/1.jpg', 'c.jpg'].map((k) => `${base}/${k}`);
      for (const key of [...keys].reverse())
        await store.put(key, Buffer.from(key), { contentType: 'image/jpeg' });
      const first = await store.list(`${base}/`, { limit: 3 });
      expect(first.items.map((i) => i.key)).toEqual(keys.slice(0, 3));
      expect(first.cursor).toBeDefined();
      const second = await store.list(`${base}/`, { limit: 3, cursor: first.cursor! });
      expect(second.items.map((i) => i.key)).toEqual(keys.slice(3));
      expect(second.cursor).toBeUndefined();
      expect((await store.list(`${base}/a/`)).items.map((i) => i.key)).toEqual(keys.slice(0, 2));
      expect((await store.list(`${base}/zzz/`)).items).toEqual([]);
    });

    it('announces created and removed objects', async () => {
      const key = `${prefix('events')}/original.jpg`;
      const events: ObjectEvent[] = [];
      const stop = store.subscribe((event) => events.push(event));
      await store.put(key, Buffer.from('1'), { contentType: 'image/jpeg' });
      await store.delete(key);
      stop();
      await store.put(key, Buffer.from('2'), { contentType: 'image/jpeg' });
      expect(events.map((e) => [e.type, e.key])).toEqual([
        ['created', key],
        ['removed', key],
      ]);
    });

    it('refuses keys that could escape the store', async () => {
      for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', 'a\\b', 'a/./b', 'a\u0000b', '']) {
        const error = await store.put(key, Buffer.from('x'), { contentType: 'image/jpeg' }).catch((e) => e);
        expect(isPlazaError(error, 'BadInput'), key).toBe(true);
      }
    });

    it('keeps previous versions of an overwritten or deleted object until they expire', async (context) => {
      if (!harness.versioning) context.skip();
      const key = `${prefix('versions')}/avatar.jpg`;
      await store.put(key, Buffer.from('v1'), { contentType: 'image/jpeg' });
      await store.put(key, Buffer.from('v22'), { contentType: 'image/jpeg' });
      await store.delete(key);
      const versions = await store.versions(key);
      expect(versions.map((v) => [v.isDeleteMarker, v.size])).toEqual([
        [true, 0],
        [false, 3],
        [false, 2],
      ]);
      expect(versions[0]!.isLatest).toBe(true);
      expect(await store.expireVersions(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(3);
      expect(await store.versions(key)).toEqual([]);
    });
  });
}
