import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../test/support/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import { createUploadUrl, type UploadRequest } from './create-upload-url.ts';
import { defaultMediaSettings, mediaKey } from './model.ts';
import {
  admitStorageUpload,
  requireIdentityId,
  requireOwnFolder,
  storageUploadKey,
  storageUploadOf,
} from './storage-uploads.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-storage-uploads-'));
const { db, store } = openSqliteStore(join(dir, 'main.db'));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const identityId = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000001';
const other = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000002';
const mediaId = '01KDHZ8Q0000000000000000AA';

let nextId = 0;
const services = {
  store,
  clock: new ManualClock(Date.parse('2026-12-07T08:00:00Z')),
  ids: {
    ulid: () => `01KDHZ8Q00000000000000${String(nextId++).padStart(4, '0')}`,
    uuid: () => '00000000-0000-4000-8000-000000000000',
    secret: () => 'c2VjcmV0',
  },
  // The presigned URL is not what these tests are about; the reservation is.
  signer: {
    signUpload: async () => ({ url: 'https://bucket.example/put', method: 'PUT' as const, headers: {} }),
  },
  settings: defaultMediaSettings,
};

const photo = (extra: Partial<UploadRequest> = {}): UploadRequest => ({
  purpose: 'POST',
  contentType: 'image/jpeg',
  contentLength: 1234,
  ...extra,
});

/** The media id in a reserved key (`users/<id>/posts/<media id>/original.jpg`, `stories/<id>/<media id>/…`). */
const mediaIdIn = (key: string) => key.split('/').at(-2)!;

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

describe('requireIdentityId and requireOwnFolder', () => {
  it('takes identity ids of Cognito’s shape only, and the caller’s own folder only', () => {
    expect(requireIdentityId(identityId)).toBe(identityId);
    for (const bad of ['', 'us-west-1', 'us-west-1:*', `${identityId}#x`, 42, null])
      expect(() => requireIdentityId(bad)).toThrow(/<region>:<uuid>/);
    expect(() => requireOwnFolder(identityId, { identityId, mediaId })).not.toThrow();
    expect(() => requireOwnFolder(other, { identityId, mediaId })).toThrow(/own identity id/);
  });
});

describe('createUploadUrl with an identity id', () => {
  it('records the identity on the reservation and leads from (identity, media id) to it', async () => {
    const { key } = await createUploadUrl('alice', photo({ identityId }), services);
    const { item } = await store.get(mediaKey(key));
    expect(item).toMatchObject({ key, ownerId: 'alice', identityId, uploaded: false });
    const { item: pointer } = await store.get(storageUploadKey({ identityId, mediaId: mediaIdIn(key) }));
    // Both go when the reservation is left unfilled.
    expect(pointer).toMatchObject({ mediaKey: key, ttl: item!.ttl });
  });

  it('leaves a presigned upload’s reservation as it was, and refuses a bad id or an avatar’s', async () => {
    const { key } = await createUploadUrl('alice', photo({ identityId: null }), services);
    expect((await store.get(mediaKey(key))).item).not.toHaveProperty('identityId');
    await expect(createUploadUrl('alice', photo({ identityId: 'me' }), services)).rejects.toMatchObject({
      code: 'BadInput',
    });
    await expect(
      createUploadUrl('alice', photo({ purpose: 'AVATAR', identityId }), services),
    ).rejects.toMatchObject({ code: 'BadInput', message: expect.stringMatching(/Avatars/) });
  });
});

describe('admitStorageUpload', () => {
  it('finds the reservation made for this identity, whatever its purpose', async () => {
    const { key } = await createUploadUrl('alice', photo({ purpose: 'STORY', identityId }), services);
    const media = await admitStorageUpload({ identityId, mediaId: mediaIdIn(key) }, { store });
    expect(media).toMatchObject({ key, ownerId: 'alice', purpose: 'STORY' });
  });

  it('refuses another identity, an id never reserved, one reserved without an identity, and a filled one', async () => {
    const { key } = await createUploadUrl('alice', photo({ identityId }), services);
    const id = mediaIdIn(key);
    const notFound = {
      code: 'NotFound',
      message: expect.stringMatching(/call createUploadUrl with your identityId/),
    };
    await expect(admitStorageUpload({ identityId: other, mediaId: id }, { store })).rejects.toMatchObject(
      notFound,
    );
    await expect(admitStorageUpload({ identityId, mediaId }, { store })).rejects.toMatchObject(notFound);
    const presigned = await createUploadUrl('alice', photo(), services);
    await expect(
      admitStorageUpload({ identityId, mediaId: mediaIdIn(presigned.key) }, { store }),
    ).rejects.toMatchObject(notFound);
    await store.update({ key: mediaKey(key), set: { uploaded: true } });
    await expect(admitStorageUpload({ identityId, mediaId: id }, { store })).rejects.toMatchObject({
      code: 'Conflict',
    });
  });

  it('trusts the reservation over the item that leads to it', async () => {
    const { key } = await createUploadUrl('bob', photo({ identityId: other }), services);
    // A lead under alice's identity to bob's reservation (no write of Plaza's makes one) is not enough.
    const forged = { identityId, mediaId: mediaIdIn(key) };
    await store.put({ item: { ...storageUploadKey(forged), mediaKey: key } });
    await expect(admitStorageUpload(forged, { store })).rejects.toMatchObject({ code: 'NotFound' });
  });
});
