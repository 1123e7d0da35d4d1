import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { ObjectInfo, ObjectStore } from '../../ports/object-store/object-store.ts';
import { confirmUpload } from './confirm-upload.ts';
import { MEDIA_JOBS, mediaKey, toMedia, type Media } from './model.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-confirm-upload-'));
const clock = new ManualClock(Date.parse('2026-12-07T08:00:00Z'));
const { db, store } = openSqliteStore(join(dir, 'main.db'), { clock });
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The bucket as confirmUpload sees it: only head() is asked. */
function bucket(objects: Record<string, Partial<ObjectInfo>>): ObjectStore {
  return { head: async (key: string) => objects[key] as ObjectInfo | undefined } as unknown as ObjectStore;
}

let next = 0;
async function reservation(): Promise<Media> {
  const key = `users/ada/posts/01KDHZ8Q00000000000000${String(next++).padStart(4, '0')}/original.jpg`;
  const item = {
    ...mediaKey(key),
    key,
    ownerId: 'ada',
    purpose: 'POST',
    contentType: 'image/jpeg',
    contentLength: 1234,
    status: 'PENDING',
    uploaded: false,
    createdAt: '2026-12-07T07:59:00.000Z',
    ttl: Math.ceil(clock.now() / 1000) + 86_400,
  };
  await store.put({ item });
  return toMedia(item);
}

describe('confirmUpload', () => {
  it('marks an upload that arrived as received, queues it for the pipeline and keeps it for good', async () => {
    const media = await reservation();
    const queued: string[] = [];
    const objects = bucket({ [media.key]: { size: 1234, contentType: 'image/jpeg', etag: '"abc"' } });
    const confirmed = await confirmUpload(media, { store, objects, clock }, (key) => queued.push(key));
    expect(confirmed).toMatchObject({ key: media.key, uploaded: true, etag: '"abc"' });
    expect(queued).toEqual([media.key]);
    const { item } = await store.get(mediaKey(media.key), { consistent: true });
    expect(item).toMatchObject({ GSI3PK: MEDIA_JOBS, GSI3SK: '2026-12-07T08:00:00.000Z', uploaded: true });
    expect(item?.ttl).toBeUndefined();
  });

  it('leaves the reservation as it was when nothing arrived, or bytes of another size or kind', async () => {
    for (const found of [
      undefined,
      { size: 99, contentType: 'image/jpeg' },
      { size: 1234, contentType: 'video/mp4' },
    ]) {
      const media = await reservation();
      const queued: string[] = [];
      const objects = bucket(found ? { [media.key]: found } : {});
      expect(await confirmUpload(media, { store, objects, clock }, (key) => queued.push(key))).toBe(media);
      expect(queued).toEqual([]);
      const { item } = await store.get(mediaKey(media.key), { consistent: true });
      expect(item).toMatchObject({ uploaded: false });
      expect(item?.ttl).toBeDefined();
    }
  });
});
