import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../ports/object-store/object-store.contract.ts';
import { FsObjectStore } from './fs-object-store.ts';

function openStore() {
  const root = mkdtempSync(join(tmpdir(), 'plaza-objects-'));
  const store = new FsObjectStore({ root, durable: false });
  return {
    root,
    store,
    versioning: true,
    async close() {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

objectStoreContract('file system', async () => openStore());

describe('FsObjectStore', () => {
  it('names the file and length of an object’s bytes, for programs that read them in place', async () => {
    const { store, close } = openStore();
    const bytes = Buffer.from('a clip, as uploaded');
    await store.put('videos/a.mp4', bytes, { contentType: 'video/mp4' });
    const file = await store.localFile('videos/a.mp4');
    expect(file && readFileSync(file.path).subarray(0, file.length)).toEqual(bytes);
    // The trailer follows the bytes: the length is what keeps a reader off it.
    expect(file && statSync(file.path).size).toBeGreaterThan(bytes.length);
    expect(await store.localFile('videos/none.mp4')).toBeUndefined();
    await close();
  });

  it('leaves no partial file behind when a put fails half way', async () => {
    const { root, store, close } = openStore();
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(
      store.put('users/u/posts/p/original.jpg', failing, { contentType: 'image/jpeg' }),
    ).rejects.toThrow('client went away');
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(await store.head('users/u/posts/p/original.jpg')).toBeUndefined();
    await close();
  });

  it('leaves no partial file behind when a body fails before its file is open', async () => {
    const { root, store, close } = openStore();
    for (let i = 0; i < 20; i++) {
      const failing = new Readable({
        read() {
          this.destroy(new Error('client went away'));
        },
      });
      await expect(
        store.put('users/u/posts/p/original.jpg', failing, { contentType: 'image/jpeg' }),
      ).rejects.toThrow('client went away');
      // The file is gone once the put has answered, not some time after (its opening can still be
      // under way when the body fails, in the thread pool beside the removal).
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    }
    await close();
  });

  it('serves a reader the version it opened while a put replaces the object', async () => {
    const { store, close } = openStore();
    const key = 'users/u/profile/avatar.jpg';
    await store.put(key, Buffer.alloc(100_000, 1), { contentType: 'image/jpeg' });
    const reading = await store.get(key);
    await store.put(key, Buffer.alloc(10, 2), { contentType: 'image/jpeg' });
    const chunks: Buffer[] = [];
    for await (const chunk of reading!.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(100_000, 1));
    expect((await store.head(key))?.size).toBe(10);
    await close();
  });
});
