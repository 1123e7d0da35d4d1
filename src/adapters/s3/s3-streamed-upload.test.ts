import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, s3rverCredentials } from '../../../test/support/s3rver.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import { s3StreamedUpload } from './s3-streamed-upload.ts';

const bucket = 'plaza-streamed';
let server: Awaited<ReturnType<typeof startS3rver>>;
let store: S3ObjectStore;

beforeAll(async () => {
  server = await startS3rver(bucket);
  store = new S3ObjectStore({
    bucket,
    region: 'us-west-1',
    endpoint: server.endpoint,
    credentials: s3rverCredentials,
  });
});
afterAll(async () => {
  await store.close();
  await server.stop();
});

/** `count` lines of 1 KiB, as a producer hands them out. */
async function* lines(count: number, failAfter = Infinity): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    if (i === failAfter) throw new Error('the source failed');
    yield `${String(i).padStart(8, '0')}${'x'.repeat(1015)}\n`;
  }
}

async function bytesOf(key: string): Promise<Buffer> {
  const object = await store.get(key);
  if (!object) throw new Error(`no object at ${key}`);
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('S3 streamed upload (s3rver)', { timeout: 60_000 }, () => {
  const uploads = () => s3StreamedUpload({ client: store.client, bucket, partBytes: 5 * 1024 * 1024 });

  it('stores an object smaller than a part with one PutObject', async () => {
    const result = await uploads().upload('small/a.csv', lines(3), { contentType: 'text/csv' });
    expect(result).toEqual({ key: 'small/a.csv', size: 3 * 1024 });
    const bytes = await bytesOf('small/a.csv');
    expect(bytes.toString()).toBe(await text(lines(3)));
    expect((await store.head('small/a.csv'))?.contentType).toBe('text/csv');
  });

  it('stores a larger object in parts, whole and in order', async () => {
    // 12 MiB: two full parts and a last, shorter one.
    const count = 12 * 1024;
    const result = await uploads().upload('large/b.csv', lines(count), { contentType: 'text/csv' });
    expect(result.size).toBe(count * 1024);
    const bytes = await bytesOf('large/b.csv');
    expect(bytes.length).toBe(count * 1024);
    expect(sha(bytes)).toBe(sha(await text(lines(count))));
  });

  it("aborts the upload, leaving no object, and reports the source's error when it fails midway", async () => {
    // s3rver neither implements AbortMultipartUpload nor keeps uploads to ask about afterwards,
    // so the calls as S3 received them are recorded.
    const sent: { command: string; uploadId?: string }[] = [];
    const client: Pick<S3Client, 'send'> = {
      send: (async (command: { input: { UploadId?: string } }) => {
        const call = { command: command.constructor.name, uploadId: command.input.UploadId };
        sent.push(call);
        const output = (await store.client.send(command as never)) as { UploadId?: string };
        call.uploadId ??= output.UploadId;
        return output;
      }) as S3Client['send'],
    };
    const failing = s3StreamedUpload({ client, bucket, partBytes: 5 * 1024 * 1024 });
    await expect(
      failing.upload('failed/c.csv', lines(8 * 1024, 6 * 1024), { contentType: 'text/csv' }),
    ).rejects.toThrow('the source failed');
    const uploadId = sent[0]?.uploadId;
    expect(uploadId).toBeTruthy();
    expect(sent).toEqual([
      { command: 'CreateMultipartUploadCommand', uploadId },
      { command: 'UploadPartCommand', uploadId },
      { command: 'AbortMultipartUploadCommand', uploadId },
    ]);
    expect(await store.head('failed/c.csv')).toBeUndefined();
  });

  it('refuses a key that could escape the bucket', async () => {
    await expect(uploads().upload('../x.csv', lines(1), { contentType: 'text/csv' })).rejects.toThrow(
      'Not a valid object key',
    );
  });
});
