/**
 * Amplify Storage's uploads on AWS: the image pipeline's handler (src/bin/lambda/media-pipeline.ts),
 * invoked with S3's object-created events, against DynamoDB Local and an S3-compatible server. The
 * app reserves an upload through the GraphQL Lambda with its identity id, puts the bytes at
 * `private/<identity id>/uploads/<media id>/<file name>` in the bucket, and S3's event moves them
 * into the reservation; the reserved key's own event makes the variants. Refused: another
 * identity's folder, bytes of another length, a reservation filled already. Other private objects
 * are left alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import type { PostConfirmationTriggerEvent, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import type * as GraphQLHandler from '../../src/bin/lambda/graphql.ts';
import type * as MediaPipelineHandler from '../../src/bin/lambda/media-pipeline.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { appSyncEvent, lambdaFixture } from '../support/appsync-events.ts';
import { lambdaEnvironment } from '../support/lambda-environment.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';

const region = 'us-west-1';
const bucket = 'plaza-storage-uploads';
const table = `storage-uploads-${Date.now().toString(36)}`;
const credentials = s3rverCredentials;
const alice = randomUUID();
const aliceIdentity = `${region}:${randomUUID()}`;
const bobIdentity = `${region}:${randomUUID()}`;

let graphql: typeof GraphQLHandler;
let pipeline: typeof MediaPipelineHandler;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let client: S3Client;
let dataDir: string;
let jpeg: Buffer;

/** S3's event for one created object; keys come URL-encoded, with `+` for spaces. */
function created(key: string, size: number): S3Event {
  const event = lambdaFixture<S3Event>('s3-object-created');
  const record = event.Records[0]!;
  record.s3.bucket = { ...record.s3.bucket, name: bucket, arn: `arn:aws:s3:::${bucket}` };
  record.s3.object = {
    ...record.s3.object,
    key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'),
    size,
  };
  return event;
}

/** createUploadUrl through AppSync, naming the identity that will put the bytes. */
async function reserve(identityId: string, contentLength = jpeg.length) {
  const { key } = (await graphql.handler(
    appSyncEvent(
      'Mutation',
      'createUploadUrl',
      { input: { purpose: 'POST', contentType: 'image/jpeg', contentLength, identityId } },
      '{ key }',
      alice,
    ),
  )) as { key: string };
  return { key, mediaId: key.split('/')[3]! };
}

/** The bytes put at a key of the bucket (by whichever identity IAM let write there), and S3's event. */
async function put(key: string, body: Buffer) {
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }),
  );
  await pipeline.handler(created(key, body.length));
}

async function exists(key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as S3ServiceException).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

const media = (key: string) =>
  graphql.handler(appSyncEvent('Query', 'myUpload', { key }, '{ key status width height }', alice));

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  await provisionDynamoDbTables({ endpoint, region, credentials }, [mainTable(table)]);
  s3 = await startS3rver(bucket);
  client = new S3Client({ region, endpoint: s3.endpoint, forcePathStyle: true, credentials });
  dataDir = mkdtempSync(join(tmpdir(), 'plaza-storage-uploads-'));
  // What the stack sets on the functions, with DynamoDB Local and s3rver in place of AWS.
  Object.assign(
    process.env,
    lambdaEnvironment({
      table,
      dynamodbEndpoint: endpoint,
      bucket,
      s3Endpoint: s3.endpoint,
      region,
      credentials,
      dataDir,
    }),
  );
  graphql = await import('../../src/bin/lambda/graphql.ts');
  pipeline = await import('../../src/bin/lambda/media-pipeline.ts');
  // Alice's profile, as Cognito's post-confirmation trigger makes it.
  const confirmed = lambdaFixture<PostConfirmationTriggerEvent>('cognito-post-confirmation');
  const { handler: confirm } = await import('../../src/bin/lambda/post-confirmation.ts');
  await confirm({
    ...confirmed,
    userName: alice,
    request: {
      userAttributes: { ...confirmed.request.userAttributes, sub: alice, email: 'alice@example.com' },
    },
  });
  jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#27a' } })
    .withExif({ IFD0: { Make: 'PlazaPhone' } })
    .jpeg()
    .toBuffer();
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the image pipeline takes Amplify Storage’s uploads from their S3 events', () => {
  it('moves the bytes into the identity’s reservation, and the reserved key’s event makes the variants', async () => {
    const { key, mediaId } = await reserve(aliceIdentity);
    const uploaded = `private/${aliceIdentity}/uploads/${mediaId}/beach day.jpg`;
    await put(uploaded, jpeg);
    // The only copy is the reserved key's: the upload (camera metadata and all) is gone.
    expect(await exists(uploaded)).toBe(false);
    const original = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await original.Body!.transformToByteArray())).toEqual(jpeg);
    expect(await media(key)).toMatchObject({ key, status: 'PENDING' });

    // S3 raises the reserved key's event as for a presigned PUT.
    await pipeline.handler(created(key, jpeg.length));
    expect(await media(key)).toEqual({ key, status: 'READY', width: 640, height: 480 });
    expect(await exists(key.replace('original.jpg', 'medium.jpg'))).toBe(true);
    const post = await graphql.handler(
      appSyncEvent(
        'Mutation',
        'createPost',
        { input: { description: 'via Amplify Storage', mediaKeys: [key] } },
        '{ media { key status } }',
        alice,
      ),
    );
    expect(post).toEqual({ media: [{ key, status: 'READY' }] });

    // The same event again (Lambda retries) finds the reservation filled and changes nothing.
    await put(uploaded, jpeg);
    expect(await exists(uploaded)).toBe(false);
    expect(await media(key)).toMatchObject({ status: 'READY' });
  });

  it('refuses bytes under another identity’s folder or of another length, and removes them', async () => {
    const { key, mediaId } = await reserve(aliceIdentity);
    // Bob's identity knows (or guesses) Alice's media id: his folder is not the one she named.
    const bobs = `private/${bobIdentity}/uploads/${mediaId}/a.jpg`;
    await put(bobs, jpeg);
    expect(await exists(bobs)).toBe(false);
    expect(await exists(key)).toBe(false);
    expect(await media(key)).toMatchObject({ status: 'PENDING' });

    const short = `private/${aliceIdentity}/uploads/${mediaId}/a.jpg`;
    await put(short, jpeg.subarray(0, jpeg.length - 10));
    expect(await exists(short)).toBe(false);
    expect(await exists(key)).toBe(false);

    // A reservation made without an identity id is for the presigned URL only.
    const presigned = (await graphql.handler(
      appSyncEvent(
        'Mutation',
        'createUploadUrl',
        { input: { purpose: 'POST', contentType: 'image/jpeg', contentLength: jpeg.length } },
        '{ key }',
        alice,
      ),
    )) as { key: string };
    const unnamed = `private/${aliceIdentity}/uploads/${presigned.key.split('/')[3]}/a.jpg`;
    await put(unnamed, jpeg);
    expect(await exists(unnamed)).toBe(false);
    expect(await exists(presigned.key)).toBe(false);
  });

  it('leaves the identity’s other private objects alone', async () => {
    const notes = `private/${aliceIdentity}/notes/list.jpg`;
    await put(notes, jpeg);
    expect(await exists(notes)).toBe(true);
    // Off the uploads layout: refused, and kept, as the identity's own object.
    const loose = `private/${aliceIdentity}/uploads/holiday.jpg`;
    await put(loose, jpeg);
    expect(await exists(loose)).toBe(true);
  });

  it('refuses an identity id of the wrong shape at createUploadUrl', async () => {
    await expect(reserve('alice')).rejects.toMatchObject({
      message: expect.stringMatching(/<region>:<uuid>/),
    });
  });
});
