/**
 * The Lambda handlers (src/bin/lambda) as AWS invokes them, with recorded
 * event shapes, against DynamoDB Local: Cognito's post-confirmation trigger
 * makes profiles, AppSync's Direct Lambda events follow and post, the stream
 * records DynamoDB Streams hands out (filtered as the event source mapping
 * filters them) drive the fan-out, and the post reaches the follower's feed;
 * a deleted post's record and a requested export's, in one batch, drive the
 * data lifecycle's one consumer: the erasure, and the export's zip.
 */
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, PostConfirmationTriggerEvent, S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { feedFanOutFilterPatterns } from '../../infra/lib/feed-stream-filters.ts';
import { dataLifecycleFilterPatterns } from '../../infra/lib/lifecycle-stream-filters.ts';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import type * as DataLifecycleHandler from '../../src/bin/lambda/data-lifecycle.ts';
import type * as FanOutHandler from '../../src/bin/lambda/feed-fan-out.ts';
import type * as GraphQLHandler from '../../src/bin/lambda/graphql.ts';
import type * as MediaPipelineHandler from '../../src/bin/lambda/media-pipeline.ts';
import type * as PostConfirmationHandler from '../../src/bin/lambda/post-confirmation.ts';
import { archiveKey } from '../../src/domain/privacy/data-export.ts';
import type { DirectLambdaEvent } from '../../src/edge/graphql/appsync-direct-lambda.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { appSyncEvent } from '../support/appsync-events.ts';
import { dynamoDbStreamReader } from '../support/dynamodb-stream-reader.ts';
import { eventFiltersPass } from '../support/event-filters.ts';
import { lambdaEnvironment } from '../support/lambda-environment.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';
import { readZip } from '../support/zip.ts';

const region = 'us-west-1';
const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./events/${name}.json`, import.meta.url), 'utf8')) as T;

type Handlers = {
  graphql: typeof GraphQLHandler;
  fanOut: typeof FanOutHandler;
  postConfirmation: typeof PostConfirmationHandler;
  mediaPipeline: typeof MediaPipelineHandler;
  dataLifecycle: typeof DataLifecycleHandler;
};

let handlers: Handlers;
let dataDir: string;
let s3: Awaited<ReturnType<typeof startS3rver>>;
const bucket = 'plaza-lambda-media';
const cdnUrl = 'https://media.example.com';
/** s3rver checks signatures against its own key pair; DynamoDB Local takes any, so both use it. */
const credentials = s3rverCredentials;
let readStream: () => Promise<DynamoDBRecord[]>;
const table = `lambda-${Date.now().toString(36)}`;

/** AppSync's GraphQL endpoint as the fan-out's publisher reaches it: each signed request it got. */
const published: { authorization: string; body: { query: string; variables: Record<string, string> } }[] = [];
const appSync = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    published.push({
      authorization: String(request.headers.authorization),
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"data":{"publishNotification":null}}');
  });
});

function confirmation(sub: string, email: string, trigger = 'PostConfirmation_ConfirmSignUp') {
  const recorded = fixture<PostConfirmationTriggerEvent>('cognito-post-confirmation');
  return {
    ...recorded,
    userName: sub,
    triggerSource: trigger,
    request: { userAttributes: { ...recorded.request.userAttributes, sub, email } },
  } as PostConfirmationTriggerEvent;
}

const passesFilters = (record: DynamoDBRecord) => eventFiltersPass(feedFanOutFilterPatterns, record);

const keyOf = (record: DynamoDBRecord) => `${record.dynamodb?.Keys?.PK?.S} ${record.dynamodb?.Keys?.SK?.S}`;

async function appSyncError(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the resolver to fail');
}

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  await provisionDynamoDbTables({ endpoint, region, credentials }, [mainTable(table)]);
  s3 = await startS3rver(bucket);
  await new Promise<void>((resolve) => appSync.listen(0, '127.0.0.1', resolve));
  dataDir = mkdtempSync(join(tmpdir(), 'plaza-lambda-'));
  // What the stack sets on each function, with DynamoDB Local and s3rver in place of AWS.
  Object.assign(process.env, {
    ...lambdaEnvironment({
      table,
      dynamodbEndpoint: endpoint,
      bucket,
      s3Endpoint: s3.endpoint,
      region,
      credentials,
      dataDir,
      cdnUrl,
    }),
    PLAZA_APPSYNC_CACHED_FIELDS: 'Query.getPost',
    PLAZA_APPSYNC_URL: `http://127.0.0.1:${(appSync.address() as AddressInfo).port}/graphql`,
  });
  handlers = {
    graphql: await import('../../src/bin/lambda/graphql.ts'),
    fanOut: await import('../../src/bin/lambda/feed-fan-out.ts'),
    postConfirmation: await import('../../src/bin/lambda/post-confirmation.ts'),
    mediaPipeline: await import('../../src/bin/lambda/media-pipeline.ts'),
    dataLifecycle: await import('../../src/bin/lambda/data-lifecycle.ts'),
  };
  readStream = await dynamoDbStreamReader(
    { region, endpoint: inject('dynamodbEndpoint'), credentials },
    table,
  );
});

afterAll(async () => {
  await s3?.stop();
  appSync.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the Lambda handlers', () => {
  const alice = randomUUID();
  const bob = randomUUID();

  it('post confirmation creates the profile and hands the event back', async () => {
    for (const [sub, email] of [
      [alice, 'alice@example.com'],
      [bob, 'bob@example.com'],
    ] as const) {
      const event = confirmation(sub, email);
      expect(await handlers.postConfirmation.handler(event)).toEqual(event);
    }
    // A retried trigger changes nothing; a password reset's confirmation makes no profile.
    await handlers.postConfirmation.handler(confirmation(alice, 'alice@example.com'));
    const carol = randomUUID();
    await handlers.postConfirmation.handler(
      confirmation(carol, 'carol@example.com', 'PostConfirmation_ConfirmForgotPassword'),
    );
    const read = (id: string, sub: string | null) =>
      handlers.graphql.handler(appSyncEvent('Query', 'getUser', { id }, '{ id email postCount }', sub));
    expect(await read(alice, alice)).toEqual({ id: alice, email: 'alice@example.com', postCount: 0 });
    // Through an API key (no identity) the email stays private.
    expect(await read(alice, null)).toEqual({ id: alice, email: null, postCount: 0 });
    expect(await read(carol, null)).toBeNull();
  });

  it('a post made through AppSync reaches a follower’s home feed through the stream handler', async () => {
    const follow = await handlers.graphql.handler(
      appSyncEvent('Mutation', 'followUser', { userId: alice }, '{ id followerCount viewerFollows }', bob),
    );
    expect(follow).toEqual({ id: alice, followerCount: 1, viewerFollows: true });

    const afterFollow = await readStream();
    // The sign-ups and the reset Cognito's trigger reported above, for the audit log and analytics.
    const reported = afterFollow
      .filter(passesFilters)
      .map(keyOf)
      .filter((key) => key.includes(' IDEVENT#'));
    expect(reported.map((key) => key.replace(/^\S+ /, '').replace(/#[^#]+$/, '')).sort()).toEqual([
      'IDEVENT#PasswordReset',
      'IDEVENT#SignUp',
      'IDEVENT#SignUp',
      'IDEVENT#SignUp',
    ]);
    // Both edges: the following one for the fan-out, the follower one for the notification; and
    // the profiles the confirmations above made, for the audit log (ADR 0010). Not their counts.
    const passed = afterFollow.filter(passesFilters).map(keyOf);
    expect(passed.filter((key) => !reported.includes(key)).sort()).toEqual(
      [
        `USER#${bob} FOLLOWING#${alice}`,
        `USER#${alice} FOLLOWER#${bob}`,
        `USER#${alice} PROFILE`,
        `USER#${bob} PROFILE`,
      ].sort(),
    );
    const profiles = afterFollow.filter(passesFilters).filter((record) => keyOf(record).endsWith('PROFILE'));
    expect(profiles.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT']);
    expect(await handlers.fanOut.handler({ Records: afterFollow.filter(passesFilters) })).toEqual({
      batchItemFailures: [],
    });

    const recorded = fixture<DirectLambdaEvent>('appsync-create-post');
    const post = (await handlers.graphql.handler({
      ...appSyncEvent('Mutation', 'createPost', recorded.arguments, recorded.info.selectionSetGraphQL, alice),
    })) as { id: string };
    expect(post).toMatchObject({
      authorId: alice,
      description: 'Hello from Lambda',
      likeCount: 0,
      author: { id: alice, postCount: 1 },
    });

    const afterPost = await readStream();
    // The notifications run in the same Lambda: Alice was told of the follow, and the notification
    // comes back to it (its count does not) to be published to AppSync for onNotification.
    const notification = `USER#${alice} NOTIF#FOLLOW#${bob}`;
    expect(afterPost.filter(passesFilters).map(keyOf).sort()).toEqual(
      [`POST#${post.id} METADATA`, notification].sort(),
    );
    expect(await handlers.fanOut.handler({ Records: afterPost.filter(passesFilters) })).toEqual({
      batchItemFailures: [],
    });
    expect(published).toHaveLength(1);
    expect(published[0]!.body.variables).toEqual({ recipientId: alice, id: `FOLLOW#${bob}` });
    expect(published[0]!.body.query).toContain('publishNotification(recipientId: $recipientId, id: $id)');
    expect(published[0]!.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/${region}/appsync/aws4_request`,
      ),
    );
    // The fan-out's own writes (feed entries, and the day's analytics: the post counted) are
    // filtered out: they would only invoke it again.
    const feedWrites = await readStream();
    const day = new Date().toISOString().slice(0, 10);
    expect(
      feedWrites
        .map(keyOf)
        .map((key) => key.replace(/APPLIED#\S+$/, 'APPLIED#'))
        .sort(),
    ).toEqual(
      [
        `FEED#${alice} ${post.id}`,
        `FEED#${bob} ${post.id}`,
        `ANALYTICS#${day} APPLIED#`,
        `ANALYTICS#${day} COUNTERS`,
      ].sort(),
    );
    expect(feedWrites.filter(passesFilters)).toEqual([]);

    const feed = await handlers.graphql.handler(
      appSyncEvent(
        'Query',
        'homeFeed',
        { limit: 10 },
        '{ items { id description author { id } viewerHasLiked } nextToken }',
        bob,
      ),
    );
    expect(feed).toEqual({
      items: [
        { id: post.id, description: 'Hello from Lambda', author: { id: alice }, viewerHasLiked: false },
      ],
      nextToken: null,
    });

    // AppSync applies the client's aliases to what the Lambda returns by field name.
    expect(
      await handlers.graphql.handler(
        appSyncEvent('Query', 'getUser', { id: alice }, '{ who: id posts: postCount }', bob),
      ),
    ).toEqual({ id: alice, postCount: 1 });

    // A field AppSync caches is answered whole: its cache serves one answer to every selection set.
    const cached = (await handlers.graphql.handler(
      appSyncEvent('Query', 'getPost', { id: post.id }, '{ id }', bob),
    )) as Record<string, unknown>;
    expect(cached).toMatchObject({
      id: post.id,
      authorId: alice,
      description: 'Hello from Lambda',
      likeCount: 0,
      viewerHasLiked: false,
      media: [],
      author: { id: alice, followerCount: 1, viewerFollows: true, email: null, avatar: null },
    });

    // A field of another type resolves from its `source`, as AppSync passes the parent.
    expect(
      await handlers.graphql.handler(appSyncEvent('Post', 'author', null, '{ id followerCount }', bob, post)),
    ).toEqual({ id: alice, followerCount: 1 });
  });

  it('resolves publishNotification for the deployment’s IAM role alone, as its recipient reads it', async () => {
    const args = { recipientId: alice, id: `FOLLOW#${bob}` };
    const selection = '{ id recipientId type read othersCount actor { id followerCount } post { id } }';
    // AppSync's identity for a SigV4 request from the fan-out's role (no identity pool).
    const fanOutRole = {
      accountId: '123456789012',
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      sourceIp: ['3.101.0.1'],
      username: 'AROAEXAMPLEFANOUT:plaza-dev-FeedFanOut',
      userArn: 'arn:aws:sts::123456789012:assumed-role/plaza-dev-FeedFanOutRole/plaza-dev-FeedFanOut',
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    } as unknown as DirectLambdaEvent['identity'];
    const event = appSyncEvent('Mutation', 'publishNotification', args, selection, null);
    expect(await handlers.graphql.handler({ ...event, identity: fanOutRole })).toEqual({
      id: `FOLLOW#${bob}`,
      recipientId: alice,
      type: 'FOLLOW',
      read: false,
      othersCount: 0,
      actor: { id: bob, followerCount: 0 },
      post: null,
    });
    // Whoever else gets past AppSync (a user, an API key, an identity pool's role) is refused.
    const identityPoolRole = { ...(fanOutRole as object), cognitoIdentityId: 'us-west-1:0000-guest' };
    for (const identity of [
      appSyncEvent('Query', 'me', null, '{ id }', alice).identity,
      null,
      identityPoolRole,
    ]) {
      expect(
        await appSyncError(
          handlers.graphql.handler({ ...event, identity: identity as DirectLambdaEvent['identity'] }),
        ),
      ).toMatchObject({ name: 'Unauthorized' });
    }
    expect(
      await appSyncError(
        handlers.graphql.handler({
          ...appSyncEvent(
            'Mutation',
            'publishNotification',
            { ...args, id: 'FOLLOW#nobody' },
            selection,
            null,
          ),
          identity: fanOutRole,
        }),
      ),
    ).toMatchObject({ name: 'NotFound' });
  });

  it('answers with AppSync errors: the catalogue’s errorType, nothing internal', async () => {
    expect(
      await appSyncError(
        handlers.graphql.handler(appSyncEvent('Query', 'homeFeed', {}, '{ nextToken }', null)),
      ),
    ).toEqual({ name: 'Unauthorized', message: 'This operation needs a signed-in user' });
    expect(
      await appSyncError(
        handlers.graphql.handler(
          appSyncEvent(
            'Query',
            'listFollowers',
            { userId: alice, nextToken: 'forged' },
            '{ nextToken }',
            bob,
          ),
        ),
      ),
    ).toEqual({ name: 'BadInput', message: 'Invalid nextToken' });
    expect(
      await handlers.graphql.handler(
        appSyncEvent('Query', 'getPost', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, '{ id }', bob),
      ),
    ).toBeNull();
  });

  it('pages with the nextTokens it seals, one invocation after another', async () => {
    const dave = randomUUID();
    await handlers.postConfirmation.handler(confirmation(dave, 'dave@example.com'));
    await handlers.graphql.handler(appSyncEvent('Mutation', 'followUser', { userId: alice }, '{ id }', dave));
    const page = (nextToken?: string) =>
      handlers.graphql.handler(
        appSyncEvent(
          'Query',
          'listFollowers',
          { userId: alice, limit: 1, ...(nextToken ? { nextToken } : {}) },
          '{ items { id } nextToken }',
          null,
        ),
      ) as Promise<{ items: { id: string }[]; nextToken: string | null }>;
    const first = await page();
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await page(first.nextToken as string);
    expect([...first.items, ...second.items].map((user) => user.id).sort()).toEqual([bob, dave].sort());
  });

  it('processes an upload on its S3 event; posts and stories show CloudFront URLs', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    /** createUploadUrl through AppSync, the PUT to S3, and S3's event to the pipeline. */
    const upload = async (purpose: 'POST' | 'STORY') => {
      const reserved = (await handlers.graphql.handler(
        appSyncEvent(
          'Mutation',
          'createUploadUrl',
          { input: { purpose, contentType: 'image/jpeg', contentLength: jpeg.length } },
          '{ key url method headers expiresAt }',
          alice,
        ),
      )) as { key: string; url: string; method: string; headers: string };
      const put = await fetch(reserved.url, {
        method: reserved.method,
        headers: JSON.parse(reserved.headers) as Record<string, string>,
        body: jpeg,
      });
      expect(put.status).toBe(200);
      const event = fixture<S3Event>('s3-object-created');
      const record = event.Records[0]!;
      record.s3.bucket.name = bucket;
      record.s3.object = {
        ...record.s3.object,
        key: encodeURIComponent(reserved.key).replace(/%2F/g, '/'),
        size: jpeg.length,
        eTag: String(put.headers.get('etag')).replace(/"/g, ''),
      };
      await handlers.mediaPipeline.handler(event);
      return { key: reserved.key, event };
    };

    const photo = await upload('POST');
    const post = (await handlers.graphql.handler(
      appSyncEvent(
        'Mutation',
        'createPost',
        { input: { description: 'A photo', mediaKeys: [photo.key] } },
        '{ id media { key status width height url originalUrl variants { size url } } }',
        alice,
      ),
    )) as {
      media: {
        status: string;
        width: number;
        url: string;
        originalUrl: string;
        variants: { size: number; url: string }[];
      }[];
    };
    const [media] = post.media;
    expect(media).toMatchObject({ key: photo.key, status: 'READY', width: 400, height: 300 });
    const folder = photo.key.slice(0, photo.key.lastIndexOf('/'));
    // Everyone is shown the stripped rendition; the original is its owner's alone (ADR 0007).
    expect(media!.url).toMatch(new RegExp(`^${cdnUrl}/${folder}/medium\\.jpg\\?v=[0-9a-f]+$`));
    expect(media!.variants.map((v) => v.size)).toEqual([150, 300, 600, 1200, 150, 300, 600, 1200]);
    for (const variant of media!.variants) expect(variant.url.startsWith(`${cdnUrl}/${folder}/`)).toBe(true);
    // Its owner gets the original on a CloudFront-signed URL that lasts minutes.
    const original = new URL(media!.originalUrl);
    expect(`${original.origin}${original.pathname}`).toBe(`${cdnUrl}/${photo.key}`);
    // Expires is in whole seconds (rounded up by the signer).
    expect(Number(original.searchParams.get('Expires')) * 1000).toBeLessThanOrEqual(Date.now() + 301_000);
    const client = new S3Client({ region, endpoint: s3.endpoint, forcePathStyle: true, credentials });
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${folder}/300.jpg` }));
    expect(head.ContentType).toBe('image/jpeg');
    client.destroy();

    // The pipeline's own writes, and the same event again, change nothing.
    const variantEvent = structuredClone(photo.event);
    variantEvent.Records[0]!.s3.object.key = `${folder}/300.jpg`;
    await handlers.mediaPipeline.handler(variantEvent);
    await handlers.mediaPipeline.handler(photo.event);

    const storyMedia = await upload('STORY');
    await handlers.graphql.handler(
      appSyncEvent('Mutation', 'createStory', { input: { mediaKey: storyMedia.key } }, '{ id }', alice),
    );
    const [story] = (await handlers.graphql.handler(
      appSyncEvent('Query', 'listStories', { userId: alice }, '{ media { url originalUrl } }', bob),
    )) as { media: { url: string; originalUrl: string | null } }[];
    expect(story!.media.originalUrl).toBeNull();
    const signed = new URL(story!.media.url);
    const shown = storyMedia.key.replace('/image.jpg', '/medium.jpg');
    expect(`${signed.origin}${signed.pathname}`).toBe(`${cdnUrl}/${shown}`);
    expect(signed.searchParams.get('Key-Pair-Id')).toBe('LOCAL');
    // CloudFront's canned policy, signed with the key whose public half the key group trusts.
    const expires = Number(signed.searchParams.get('Expires'));
    expect(expires * 1000).toBeGreaterThan(Date.now() + 3600 * 1000);
    const policy = JSON.stringify({
      Statement: [
        {
          Resource: `${cdnUrl}/${shown}`,
          Condition: { DateLessThan: { 'AWS:EpochTime': expires } },
        },
      ],
    });
    const signature = Buffer.from(
      String(signed.searchParams.get('Signature')).replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'),
      'base64',
    );
    const publicKey = createPublicKey(readFileSync(join(dataDir, 'secrets', 'cdn-signing.pem'), 'utf8'));
    expect(verify('RSA-SHA1', Buffer.from(policy), publicKey, signature)).toBe(true);
  });

  it('reports the failed stream record so Lambda retries from it, and not the ones before', async () => {
    const good = fixture<DynamoDBRecord>('dynamodb-stream-record');
    const broken = {
      ...good,
      dynamodb: { ...good.dynamodb, SequenceNumber: '112', StreamViewType: 'KEYS_ONLY' },
    };
    const later = { ...good, dynamodb: { ...good.dynamodb, SequenceNumber: '113' } };
    const result = await handlers.fanOut.handler({ Records: [good, broken, later] as DynamoDBRecord[] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '112' }] });
  });

  it('erases a deleted post and builds a requested export from one batch: likes, comments, media, CloudFront’s copies, AppSync’s cache; the zip', async () => {
    // CloudFront and AppSync stand-ins on loopback, reached through the SDK's endpoint variables.
    const calls: { method: string; path: string; body: string }[] = [];
    const aws = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        calls.push({ method: String(request.method), path: String(request.url), body });
        if (request.url?.includes('/invalidation')) {
          response.writeHead(201, { 'content-type': 'text/xml' });
          response.end('<Invalidation><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status></Invalidation>');
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => aws.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
    const apiId = 'xlvmnh3lyvfufhsh7ssjhkp5im';
    // What the stack gives the data lifecycle function, with the stand-ins in place of AWS.
    Object.assign(process.env, {
      PLAZA_CDN_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
      PLAZA_APPSYNC_API_ID: apiId,
      AWS_ENDPOINT_URL_CLOUDFRONT: endpoint,
      AWS_ENDPOINT_URL_APPSYNC: endpoint,
    });
    const dynamodb = new DynamoDBClient({ region, endpoint: inject('dynamodbEndpoint'), credentials });
    const s3Client = new S3Client({ region, endpoint: s3.endpoint, forcePathStyle: true, credentials });
    try {
      const { items } = (await handlers.graphql.handler(
        appSyncEvent('Query', 'listPostsByUser', { userId: alice }, '{ items { id media { key } } }', alice),
      )) as { items: { id: string; media: { key: string }[] }[] };
      const photoPost = items.find((item) => item.media.length > 0)!;
      const folder = photoPost.media[0]!.key.replace(/original\.jpg$/, '');
      await handlers.graphql.handler(
        appSyncEvent('Mutation', 'likePost', { postId: photoPost.id }, '{ id }', bob),
      );
      await handlers.graphql.handler(
        appSyncEvent('Mutation', 'addComment', { postId: photoPost.id, content: 'Nice' }, '{ id }', bob),
      );
      await readStream();
      const postItems = () =>
        dynamodb.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: `POST#${photoPost.id}` } },
          }),
        );
      const mediaObjects = () => s3Client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: folder }));
      expect((await postItems()).Items?.map((item) => item.SK?.S?.split('#')[0]).sort()).toEqual([
        'COMMENT',
        'LIKE',
        'METADATA',
      ]);
      expect((await mediaObjects()).Contents?.length).toBeGreaterThan(4);

      // Alice asks for her data and deletes the post: both records reach the one consumer, in one batch.
      const requested = (await handlers.graphql.handler(
        appSyncEvent('Mutation', 'requestDataExport', null, '{ id status }', alice),
      )) as { id: string; status: string };
      expect(requested.status).toBe('PENDING');
      await handlers.graphql.handler(
        appSyncEvent('Mutation', 'deletePost', { id: photoPost.id }, '{ id }', alice),
      );
      const batch = (await readStream()).filter((record) =>
        eventFiltersPass(dataLifecycleFilterPatterns, record),
      );
      expect(batch.map(keyOf).sort()).toEqual(
        [`USER#${alice} EXPORT#${requested.id}`, `POST#${photoPost.id} METADATA`].sort(),
      );
      expect(await handlers.dataLifecycle.handler({ Records: batch })).toEqual({ batchItemFailures: [] });

      // Nothing of the post is left in the table, its index entries or the bucket.
      expect((await postItems()).Items).toEqual([]);
      const bobsOwn = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: `OWNER#${bob}` } },
        }),
      );
      expect(bobsOwn.Items?.filter((item) => item.postId?.S === photoPost.id)).toEqual([]);
      expect((await mediaObjects()).Contents ?? []).toEqual([]);
      // CloudFront forgets the media folder; AppSync's cache is flushed once for the batch.
      const invalidations = calls.filter((call) => call.path.includes('/invalidation'));
      expect(invalidations.map((call) => call.path)).toEqual([
        '/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation',
      ]);
      expect(invalidations[0]!.body).toContain(`<Path>/${folder}*</Path>`);
      const flush = { method: 'DELETE', path: `/v1/apis/${apiId}/FlushCache`, body: '' };
      expect(calls.filter((call) => !call.path.includes('/invalidation'))).toEqual([flush]);

      // The export is READY, its zip under exports/: her profile, the post that is left, her story's original.
      const ready = await handlers.graphql.handler(
        appSyncEvent('Query', 'dataExport', { id: requested.id }, '{ id status url }', alice),
      );
      expect(ready).toMatchObject({ id: requested.id, status: 'READY' });
      const url = new URL((ready as { url: string }).url);
      expect(`${url.origin}${url.pathname}`).toBe(`${cdnUrl}/${archiveKey(alice, requested.id)}`);
      const zip = await s3Client.send(
        new GetObjectCommand({ Bucket: bucket, Key: archiveKey(alice, requested.id) }),
      );
      expect(zip.ContentType).toBe('application/zip');
      const files = await readZip(Buffer.from(await zip.Body!.transformToByteArray()));
      expect(JSON.parse(files.get('profile.json')!.toString('utf8'))).toMatchObject({ id: alice });
      const posts = JSON.parse(files.get('posts.json')!.toString('utf8')) as { description: string }[];
      expect(posts.map((post) => post.description)).toEqual(['Hello from Lambda']);
      expect([...files.keys()].filter((name) => name.startsWith('media/'))).toEqual([
        expect.stringMatching(new RegExp(`^media/stories/${alice}/[^/]+/image\\.jpg$`)),
      ]);

      // The consumers' own writes (the erasure's deletes, the export's status) do not come back to it.
      const own = await readStream();
      expect(own.map(keyOf)).toContain(`USER#${alice} EXPORT#${requested.id}`);
      expect(own.filter((record) => eventFiltersPass(dataLifecycleFilterPatterns, record))).toEqual([]);

      // The export's item goes (its TTL, or with the account): its REMOVE takes the zip away, with no flush.
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: table,
          Key: { PK: { S: `USER#${alice}` }, SK: { S: `EXPORT#${requested.id}` } },
        }),
      );
      const removal = (await readStream()).filter((record) =>
        eventFiltersPass(dataLifecycleFilterPatterns, record),
      );
      expect(removal.map(keyOf)).toEqual([`USER#${alice} EXPORT#${requested.id}`]);
      expect(await handlers.dataLifecycle.handler({ Records: removal })).toEqual({ batchItemFailures: [] });
      const zips = await s3Client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: `exports/${alice}/` }),
      );
      expect(zips.Contents ?? []).toEqual([]);
      expect(calls.filter((call) => !call.path.includes('/invalidation'))).toEqual([flush]);
    } finally {
      dynamodb.destroy();
      s3Client.destroy();
      delete process.env.AWS_ENDPOINT_URL_CLOUDFRONT;
      delete process.env.AWS_ENDPOINT_URL_APPSYNC;
      await new Promise((resolve) => aws.close(resolve));
    }
  });
});
