import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { mediaKey } from './model.ts';
import { admitStorageUpload, storageUploadOf } from './storage-uploads.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-storage-uploads-'));
const { db, store } = openSqliteStore(join(dir, 'main.db'));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const identityId = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000001';
const mediaId = '01KDHZ8Q0000000000000000AA';
const users: Record<string, string | undefined> = { [identityId]: 'alice' };
const userOf = async (id: string) => users[id];

async function reserve(key: string, ownerId: string, uploaded = false) {
  await store.put({
    item: { ...mediaKey(key), key, ownerId, purpose: 'POST', contentType: 'image/jpeg', uploaded },
  });
}

describe('storageUploadOf', () => {
  it('reads the identity and media id of the uploads layout, and leaves other keys alone', () => {
    expect(storageUploadOf(`private/${identityId}/uploads/${mediaId}/beach day.jpg`)).toEqual({
      identityId,
      mediaId,
    });
    expect(storageUploadOf(`protected/${identityId}/uploads/${mediaId}/a.jpg`)).toBeUndefined();
    expect(storageUploadOf(`private/${identityId}/photos/a.jpg`)).toBeUndefined();
  });

  it('refuses keys in an uploads folder that are not <media id>/<file name>', () => {
    for (const key of [
      `private/${identityId}/uploads/a.jpg`,
      `private/${identityId}/uploads/not-a-ulid/a.jpg`,
      `private/${identityId}/uploads/${mediaId}/`,
    ])
      expect(() => storageUploadOf(key)).toThrow(/<media id>\/<file name>/);
  });
});

describe('admitStorageUpload', () => {
  const upload = { identityId, mediaId };

  it('finds the signed-in user’s own reservation, whatever its purpose', async () => {
    await reserve(`stories/alice/${mediaId}/image.jpg`, 'alice');
    const media = await admitStorageUpload(identityId, upload, userOf, { store });
    expect(media.key).toBe(`stories/alice/${mediaId}/image.jpg`);
  });

  it('refuses another identity’s folder, a guest, another user’s id and a filled reservation', async () => {
    const other = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000002';
    await expect(admitStorageUpload(other, upload, userOf, { store })).rejects.toMatchObject({
      code: 'Forbidden',
    });
    await expect(
      admitStorageUpload(other, { identityId: other, mediaId }, userOf, { store }),
    ).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringMatching(/signed-in/) });
    users[other] = 'bob';
    await expect(
      admitStorageUpload(other, { identityId: other, mediaId }, userOf, { store }),
    ).rejects.toMatchObject({ code: 'NotFound' });
    const filled = '01KDHZ8Q0000000000000000BB';
    await reserve(`users/alice/posts/${filled}/original.jpg`, 'alice', true);
    await expect(
      admitStorageUpload(identityId, { identityId, mediaId: filled }, userOf, { store }),
    ).rejects.toMatchObject({ code: 'Conflict' });
  });
});
