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

const { configureStorage, mediaIdOf, storageConfigured, storageIdentityId, uploadToStorage } =
  await import('./storage.ts');
const nativeFetch = window.fetch;
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
  it('is off where the deployment serves no S3 API of its own (S3 itself)', () => {
    configureStorage({ storage: { bucket_name: 'plaza-media' } });
    expect(storageConfigured()).toBe(false);
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
