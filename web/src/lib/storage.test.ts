// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';

/** What uploadData was asked, and the progress it reports. */
const amplify = vi.hoisted(() => ({
  calls: [] as { path: string; options: Record<string, unknown> }[],
  cancelled: 0,
}));
vi.mock('aws-amplify/storage', () => ({
  uploadData: (input: {
    path: (owner: { identityId: string }) => string;
    data: Blob;
    options: Record<string, unknown> & { onProgress(event: { transferredBytes: number }): void };
  }) => {
    amplify.calls.push({ path: input.path({ identityId: 'us-west-1:abc' }), options: input.options });
    input.options.onProgress({ transferredBytes: input.data.size });
    return { result: Promise.resolve({}), cancel: () => (amplify.cancelled += 1) };
  },
}));

const session = vi.hoisted(() => ({ identityId: 'us-west-1:abc' as string | undefined }));
vi.mock('aws-amplify/auth', () => ({ fetchAuthSession: async () => ({ identityId: session.identityId }) }));

const { afterUpload, configureStorage, mediaIdOf, storageConfigured, storageIdentityId, uploadToStorage } =
  await import('./storage.ts');
const { ApiError } = await import('../api/errors.ts');
const nativeFetch = window.fetch;
/** A deployment on AWS: S3 itself, reached with the identity pool's credentials. */
const onS3 = { auth: { identity_pool_id: 'us-west-1:pool' }, storage: { bucket_name: 'plaza-media' } };
afterEach(() => {
  amplify.calls.length = 0;
  window.fetch = nativeFetch;
});

describe('mediaIdOf', () => {
  it('reads the media id of a post’s and a story’s reserved key, and refuses an avatar’s', () => {
    expect(mediaIdOf('users/u1/posts/01KDHZ8Q0000000000000000AA/original.jpg')).toBe(
      '01KDHZ8Q0000000000000000AA',
    );
    expect(mediaIdOf('stories/u1/01KDHZ8Q0000000000000000BB/video.mp4')).toBe('01KDHZ8Q0000000000000000BB');
    expect(() => mediaIdOf('users/u1/profile/avatar.jpg')).toThrow(/not a post's or story's upload/);
  });
});

describe('storageIdentityId', () => {
  it('is the session’s identity id, which createUploadUrl is given; none is an error', async () => {
    expect(await storageIdentityId()).toBe('us-west-1:abc');
    session.identityId = undefined;
    await expect(storageIdentityId()).rejects.toThrow(/sign in again/);
    session.identityId = 'us-west-1:abc';
  });
});

describe('uploadToStorage', () => {
  it('is on wherever the deployment names a bucket, with Amplify’s own addressing on S3 itself', async () => {
    configureStorage({});
    expect(storageConfigured()).toBe(false);
    // No identity pool, no credentials for uploadData: presigned PUTs.
    configureStorage({ storage: { bucket_name: 'plaza-media' } });
    expect(storageConfigured()).toBe(false);
    configureStorage(onS3);
    expect(storageConfigured()).toBe(true);
    const file = new File(['abc'], 'a.jpg', { type: 'image/jpeg' });
    await uploadToStorage('users/u1/posts/01KDHZ8Q0000000000000000AA/original.jpg', file, () => {});
    expect(amplify.calls[0]?.options).not.toHaveProperty('customEndpoint');
  });

  it('puts the file under the identity’s uploads folder for the media id, at Plaza’s S3 API', async () => {
    configureStorage({
      storage: { bucket_name: 'plaza-media' },
      custom: { s3_endpoint: 'http://127.0.0.1:4000/s3' },
    });
    expect(storageConfigured()).toBe(true);
    const sent: number[] = [];
    const file = new File(['abc'], 'my/photo.jpg', { type: 'image/jpeg' });
    await uploadToStorage('users/u1/posts/01KDHZ8Q0000000000000000AA/original.jpg', file, (n) =>
      sent.push(n),
    );
    expect(amplify.calls).toEqual([
      {
        path: 'private/us-west-1:abc/uploads/01KDHZ8Q0000000000000000AA/my_photo.jpg',
        options: expect.objectContaining({ contentType: 'image/jpeg', customEndpoint: 'localhost:4000' }),
      },
    ]);
    expect(sent).toEqual([3]);
  });

  it('cancels the upload when its signal aborts', async () => {
    const abort = new AbortController();
    const file = new File(['abc'], 'a.jpg', { type: 'image/jpeg' });
    await uploadToStorage('stories/u1/01KDHZ8Q0000000000000000BB/image.jpg', file, () => {}, abort.signal);
    abort.abort();
    expect(amplify.cancelled).toBe(1);
  });
});

describe('afterUpload', () => {
  const notYet = () =>
    new ApiError('BadInput', 'users/u1/posts/01KDHZ8Q0000000000000000AA/original.jpg has not been uploaded');
  /** A mutation refused `refusals` times as S3's event is not handled yet, then answered. */
  const mutation = (refusals: number, error = notYet) => {
    let calls = 0;
    const mutate = async () => {
      calls += 1;
      if (calls <= refusals) throw error();
      return 'posted';
    };
    return { mutate, calls: () => calls };
  };

  it('asks again on S3 itself while the media has not reached its reservation', async () => {
    configureStorage(onS3);
    const { mutate, calls } = mutation(2);
    expect(await afterUpload(mutate, { everyMs: 1 })).toBe('posted');
    expect(calls()).toBe(3);
  });

  it('gives up after its wait, and never asks again for another error', async () => {
    configureStorage(onS3);
    await expect(afterUpload(mutation(1_000).mutate, { waitMs: 20, everyMs: 5 })).rejects.toThrow(
      /has not been uploaded/,
    );
    const refused = mutation(1, () => new ApiError('BadInput', 'description is too long'));
    await expect(afterUpload(refused.mutate, { everyMs: 1 })).rejects.toThrow(/too long/);
    expect(refused.calls()).toBe(1);
  });

  it('takes the first answer where Plaza serves the S3 API (the reservation is filled before it answers)', async () => {
    configureStorage({
      storage: { bucket_name: 'plaza-media' },
      custom: { s3_endpoint: 'http://127.0.0.1:4000/s3' },
    });
    const { mutate, calls } = mutation(1);
    await expect(afterUpload(mutate, { everyMs: 1 })).rejects.toThrow(/has not been uploaded/);
    expect(calls()).toBe(1);
  });
});
