import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../ports/object-store/object-store.contract.ts';
import { uploadSignerContract } from '../../ports/object-store/signed-urls.contract.ts';
import { startS3rver, s3rverCredentials } from '../../../test/support/s3rver.ts';
import { S3ObjectStore } from './s3-object-store.ts';

async function openStore() {
  const server = await startS3rver('plaza-media');
  const store = new S3ObjectStore({
    bucket: 'plaza-media',
    region: 'us-west-1',
    endpoint: server.endpoint,
    credentials: s3rverCredentials,
  });
  return {
    store,
    // s3rver has no bucket versioning; on AWS the CDK app turns it on.
    versioning: false,
    async close() {
      await store.close();
      await server.stop();
    },
  };
}

objectStoreContract('S3 (s3rver)', openStore);

uploadSignerContract(
  'S3 presigned PUT (s3rver)',
  async () => {
    const { store, close } = await openStore();
    return {
      signer: store,
      stored: async (key) => {
        const info = await store.head(key);
        return info && { size: info.size, contentType: info.contentType };
      },
      close,
    };
  },
  { receiverChecksSignature: false },
);

describe('S3ObjectStore presigned uploads', () => {
  it('signs a PUT bound to the type and length, which the server accepts', async () => {
    const { store, close } = await openStore();
    const body = Buffer.from('0123456789');
    const signed = await store.signUpload({
      key: 'users/u/posts/p/original.jpg',
      contentType: 'image/jpeg',
      contentLength: body.length,
      expiresAt: new Date(Date.now() + 60_000),
    });
    // What S3 checks: the type and length are signed, the URL expires. (s3rver does not verify
    // SigV4, so refusing a tampered request is S3's part; Plaza's own upload route is tested for it.)
    const query = new URL(signed.url).searchParams;
    expect(query.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host']),
    );
    expect(Number(query.get('X-Amz-Expires'))).toBeLessThanOrEqual(60);
    const ok = await fetch(signed.url, { method: 'PUT', headers: signed.headers, body });
    expect(ok.status).toBe(200);
    expect((await store.head('users/u/posts/p/original.jpg'))?.size).toBe(10);
    await close();
  });
});

describe('S3ObjectStore read URLs', () => {
  it('presigns a GET that reads the object, for as long as asked, and none for a missing object', async () => {
    const { store, close } = await openStore();
    try {
      const body = Buffer.from('a clip, or any bytes');
      await store.put('users/u/posts/p/original.mp4', body, { contentType: 'video/mp4' });
      const remote = await store.readUrl('users/u/posts/p/original.mp4', 900);
      expect(remote?.length).toBe(body.length);
      expect(new URL(remote!.url).searchParams.get('X-Amz-Expires')).toBe('900');
      expect(Buffer.from(await (await fetch(remote!.url)).arrayBuffer())).toEqual(body);
      expect(await store.readUrl('users/u/posts/p/none.mp4', 900)).toBeUndefined();
    } finally {
      await close();
    }
  });
});
