import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, s3rverCredentials } from '../../../test/support/s3rver.ts';
import { s3UploadedObjects } from './s3-uploaded-objects.ts';

const bucket = 'plaza-uploaded';
let server: Awaited<ReturnType<typeof startS3rver>>;
let client: S3Client;
beforeAll(async () => {
  server = await startS3rver(bucket);
  client = new S3Client({
    region: 'us-west-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: s3rverCredentials,
  });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('s3UploadedObjects', () => {
  // What Amplify Storage writes: an identity id (`:`) and the user's own file name.
  const key =
    'private/us-west-1:0f6c1d2e-0000-4000-a000-000000000001/uploads/01KDHZ8Q0000000000000000AA/été à la plage.jpg';

  it('reads and removes an object by the key S3 holds it under', async () => {
    const body = Buffer.from('bytes of a photo');
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }),
    );
    const objects = s3UploadedObjects({ client, bucket });
    const found = await objects.get(key);
    expect(found?.info).toMatchObject({ key, size: body.length, contentType: 'image/jpeg' });
    const chunks: Buffer[] = [];
    for await (const chunk of found!.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(body);
    await objects.delete(key);
    expect(await objects.get(key)).toBeUndefined();
    // Removing what is gone already is no error (an event delivered twice).
    await expect(objects.delete(key)).resolves.toBeUndefined();
  });

  it('refuses what S3 would not take as a key', async () => {
    const objects = s3UploadedObjects({ client, bucket });
    for (const bad of ['', '/private/a', 'x'.repeat(1025), `private/${'é'.repeat(513)}`])
      await expect(objects.get(bad)).rejects.toMatchObject({ code: 'BadInput' });
    await expect(objects.delete('')).rejects.toMatchObject({ code: 'BadInput' });
  });
});
