/**
 * GET /metrics after a scripted session against a real app (SQLite, the
 * embedded pool, the local media store): every metric the design names is
 * there, and each value is what the session did. Counts of requests, sign-ins
 * and jobs are the session's own tallies; capacity units and store calls are
 * what the store's results reported (recorded around the app's stores, not
 * read from the metrics); the stream lag histogram counts the change records
 * a second consumer of the test's saw.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { StreamSubscription } from '../../src/ports/item-store/item-store.ts';
import { recordCapacity, type CapacityRecording } from '../support/capacity-recording.ts';
import { cognitoClient, signUpAndSignIn, type SignedIn } from '../support/cognito-users.ts';
import { scenePhoto } from '../support/photos.ts';
import { labelValues, parsePrometheus, sumOf, type Exposition } from '../support/prometheus.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-metrics-session-'));
let app: App;
let url: string;
let recordings: { main: CapacityRecording; users: CapacityRecording };
let before: Exposition;
let watcher: StreamSubscription;
let changeRecords = 0;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  // Recorded from here on; what the app did while starting is in `before`.
  recordings = { main: recordCapacity(app.stores.main), users: recordCapacity(app.stores.users) };
  before = parsePrometheus(await app.metrics.registry.metrics());
  watcher = app.stores.main.changes.subscribe('metrics-session-test', async (records) => {
    changeRecords += records.length;
  });
  url = await app.listen();
});

afterAll(async () => {
  await watcher?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

/** What the session did, tallied as it goes. */
const done = {
  cognito: new Map<string, number>(),
  cognitoErrors: new Map<string, number>(),
  signIns: 0,
  refreshes: 0,
  throttles: 0,
  graphql: new Map<string, number>(),
  graphqlErrors: new Map<string, number>(),
  mediaBytes: 0,
  media: 0,
  uploads: 0,
};
const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

async function graphql(token: string, operation: string, query: string, variables: object = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables, operationName: operation }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await response.json()) as { data: any; errors?: { errorType: string }[] };
  tally(done.graphql, operation);
  for (const error of body.errors ?? []) tally(done.graphqlErrors, `${operation} ${error.errorType}`);
  return body;
}

describe('metrics after a scripted session', () => {
  it('counts what was done, under the design names', async () => {
    const cognito = cognitoClient(url);
    const clientId = app.identity.pool!.clientId;
    const users: SignedIn[] = [];
    for (const name of ['ada', 'ben', 'cy']) {
      users.push(
        await signUpAndSignIn(cognito, {
          clientId,
          dataDir: dir,
          email: `${name}@example.com`,
          password: `${name}-horse-battery-9`,
        }),
      );
      for (const call of ['SignUp', 'ConfirmSignUp', 'InitiateAuth']) tally(done.cognito, call);
      done.signIns++;
    }
    const [ada, ben] = users as [SignedIn, SignedIn, SignedIn];

    await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: ada.refreshToken },
      }),
    );
    tally(done.cognito, 'InitiateAuth');
    done.refreshes++;

    // Wrong passwords until the pool locks the user out.
    let failures = 0;
    for (; failures < 20; failures++) {
      tally(done.cognito, 'InitiateAuth');
      const refused = await cognito
        .send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'cy@example.com', PASSWORD: 'not-the-password-1' },
          }),
        )
        .then(
          () => undefined,
          (error: Error) => error,
        );
      expect(refused).toBeDefined();
      tally(done.cognitoErrors, `InitiateAuth ${refused!.name}`);
      if (refused!.message === 'Password attempts exceeded') {
        done.throttles++;
        break;
      }
    }
    expect(done.throttles).toBe(1);
    cognito.destroy();

    // GraphQL: queries, mutations, and one that fails.
    await graphql(ada.accessToken, 'Me', 'query Me { me { id } }');
    await graphql(ben.accessToken, 'Me', 'query Me { me { id } }');
    await graphql(ben.accessToken, 'Follow', 'mutation Follow($id: ID!) { followUser(userId: $id) { id } }', {
      id: ada.sub,
    });
    const posts: string[] = [];
    for (const text of ['first light', 'second light']) {
      const created = await graphql(
        ada.accessToken,
        'CreatePost',
        'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { description: text } },
      );
      posts.push(created.data.createPost.id as string);
    }
    await app.consumers.drain();
    for (let i = 0; i < 3; i++) {
      const feed = await graphql(
        ben.accessToken,
        'Feed',
        'query Feed { homeFeed(limit: 20) { items { id author { id } } nextToken } }',
      );
      expect(feed.data.homeFeed.items).toHaveLength(2);
    }
    const liked = await graphql(
      ben.accessToken,
      'Like',
      'mutation Like($id: ID!) { likePost(postId: $id) { id } }',
      // Refused before the store is asked: a failed write's capacity is billed but not reported to the caller.
      { id: 'not-a-post-id' },
    );
    expect(liked.errors).toHaveLength(1);

    // A subscriber: connected while open, gone when closed.
    const subscriber = graphqlWsClient(url, ben.accessToken);
    await new Promise<void>((resolve, reject) => {
      subscriber.on('connected', () => resolve());
      subscriber.on('error', reject);
    });
    expect(sumOf(await scrape(), 'plaza_connected_clients')).toBe(1);
    await subscriber.dispose();
    for (let i = 0; i < 100 && sumOf(await scrape(), 'plaza_connected_clients') !== 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));

    // A photo: upload URL, upload, the pipeline job, then the media server twice (a miss, a hit).
    const bytes = await scenePhoto(640, 480, 30);
    const reserved = await graphql(
      ada.accessToken,
      'Upload',
      'mutation Upload($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url headers } }',
      { input: { purpose: 'POST', contentType: 'image/jpeg', contentLength: bytes.length } },
    );
    const upload = reserved.data.createUploadUrl as { key: string; url: string; headers: string };
    const put = await fetch(upload.url, {
      method: 'PUT',
      headers: JSON.parse(upload.headers) as Record<string, string>,
      body: bytes,
    });
    expect(put.status).toBe(200);
    done.uploads++;
    await put.arrayBuffer();
    await app.media.jobs.idle();
    const caches: string[] = [];
    for (let i = 0; i < 2; i++) {
      // The public rendition: the original is its owner's, on a signed URL only.
      const media = await fetch(`${url}/media/${upload.key.replace('original.jpg', 'medium.jpg')}`);
      expect(media.status).toBe(200);
      caches.push(media.headers.get('x-cache') ?? '');
      done.mediaBytes += (await media.arrayBuffer()).byteLength;
      done.media++;
    }
    expect(caches).toEqual(['Miss', 'Hit']);

    await app.consumers.drain();
    await watcher.drain();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);

    // Every metric the design names, and the ones Plaza adds, is declared.
    for (const name of [
      'plaza_sign_in_successes_total',
      'plaza_sign_in_throttles_total',
      'plaza_token_refresh_successes_total',
      'plaza_consumed_read_capacity_units_total',
      'plaza_consumed_write_capacity_units_total',
      'plaza_throttled_requests_total',
      'plaza_successful_request_latency_seconds',
      'plaza_requests_total',
      'plaza_errors_total',
      'plaza_latency_seconds',
      'plaza_connected_clients',
      'plaza_media_jobs_total',
      'plaza_media_cache_requests_total',
      'plaza_response_bytes_total',
      'plaza_stream_consumer_lag_seconds',
      'plaza_backup_lag_seconds',
    ])
      expect(after.types.has(name), name).toBe(true);

    // Cognito's.
    expect(delta('plaza_sign_in_successes_total')).toBe(done.signIns);
    expect(delta('plaza_token_refresh_successes_total')).toBe(done.refreshes);
    expect(delta('plaza_sign_in_throttles_total')).toBe(done.throttles);
    for (const [call, count] of done.cognito)
      expect(delta('plaza_requests_total', { operation: `cognito:${call}` }), call).toBe(count);
    for (const [key, count] of done.cognitoErrors) {
      const [call, type] = key.split(' ') as [string, string];
      expect(delta('plaza_errors_total', { operation: `cognito:${call}`, type }), key).toBe(count);
    }
    expect(failures + 1).toBe(done.cognitoErrors.get('InitiateAuth NotAuthorizedException'));

    // AppSync's: requests, latency and errors per operation.
    for (const [operation, count] of done.graphql) {
      expect(delta('plaza_requests_total', { operation }), operation).toBe(count);
      expect(delta('plaza_latency_seconds_count', { operation }), operation).toBe(count);
    }
    expect([...done.graphqlErrors]).toEqual([['Like BadInput', 1]]);
    expect(delta('plaza_errors_total', { operation: 'Like', type: 'BadInput' })).toBe(1);
    expect(sumOf(after, 'plaza_connected_clients')).toBe(0);

    // Routes other than GraphQL: the Cognito API's POST /, uploads and media, and their bytes.
    const cognitoCalls = [...done.cognito.values()].reduce((a, b) => a + b, 0);
    expect(delta('plaza_requests_total', { operation: 'POST /' })).toBe(cognitoCalls);
    // The route counts the Cognito API's refusals by HTTP status.
    const cognitoErrors = [...done.cognitoErrors.values()].reduce((a, b) => a + b, 0);
    expect(delta('plaza_errors_total', { operation: 'POST /', type: '400' })).toBe(cognitoErrors);
    const graphqlErrors = [...done.graphqlErrors.values()].reduce((a, b) => a + b, 0);
    expect(delta('plaza_errors_total')).toBe(graphqlErrors + 2 * cognitoErrors);
    expect(delta('plaza_requests_total', { operation: 'PUT /upload/*' })).toBe(done.uploads);
    expect(delta('plaza_requests_total', { operation: 'GET /media/*' })).toBe(done.media);
    expect(delta('plaza_latency_seconds_count', { operation: 'GET /media/*' })).toBe(done.media);
    expect(delta('plaza_response_bytes_total', { operation: 'GET /media/*' })).toBe(done.mediaBytes);
    // Nothing was counted that the session did not do.
    const operations = labelValues(after, 'plaza_requests_total', 'operation');
    expect([...operations].sort()).toEqual(
      [
        ...[...done.cognito.keys()].map((call) => `cognito:${call}`),
        ...done.graphql.keys(),
        'POST /',
        'PUT /upload/*',
        'GET /media/*',
      ].sort(),
    );

    // The pipeline and the edge cache.
    expect(delta('plaza_media_jobs_total', { outcome: 'READY' })).toBe(1);
    expect(delta('plaza_media_jobs_total')).toBe(1);
    expect(delta('plaza_media_job_seconds_count')).toBe(1);
    expect(delta('plaza_media_cache_requests_total', { result: 'Miss' })).toBe(1);
    expect(delta('plaza_media_cache_requests_total', { result: 'Hit' })).toBe(1);

    // DynamoDB's: capacity units and store calls equal what the stores' results reported.
    expect(recordings.main.failures.concat(recordings.users.failures)).toEqual([]);
    for (const [table, recording] of [
      [app.stores.main.tableName, recordings.main],
      [app.stores.users.tableName, recordings.users],
    ] as const) {
      expect(recording.writeUnits).toBeGreaterThan(0);
      expect(delta('plaza_consumed_read_capacity_units_total', { table }), table).toBeCloseTo(
        recording.readUnits,
        6,
      );
      expect(delta('plaza_consumed_write_capacity_units_total', { table }), table).toBeCloseTo(
        recording.writeUnits,
        6,
      );
      for (const [operation, count] of recording.calls)
        expect(
          delta('plaza_successful_request_latency_seconds_count', { table, operation }),
          `${table} ${operation}`,
        ).toBe(count);
      expect(delta('plaza_successful_request_latency_seconds_count', { table }), `${table} calls`).toBe(
        [...recording.calls.values()].reduce((a, b) => a + b, 0),
      );
    }
    // SQLite never refuses for throughput: the counter is declared, with nothing counted.
    expect(sumOf(after, 'plaza_throttled_requests_total')).toBe(0);

    // The fan-out handled every change record of the main table, each soon after it was written.
    expect(changeRecords).toBeGreaterThan(0);
    const lag = { consumer: 'feed-fan-out' };
    expect(delta('plaza_stream_consumer_lag_seconds_count', lag)).toBe(changeRecords);
    expect(delta('plaza_stream_consumer_lag_seconds_bucket', { ...lag, le: '60' })).toBe(changeRecords);
    expect(delta('plaza_stream_consumer_lag_seconds_sum', lag)).toBeGreaterThanOrEqual(0);
  });
});

describe('metrics turned off', () => {
  it('serves without measuring: /metrics answers 404, no alarm is evaluated', async () => {
    const off = mkdtempSync(join(tmpdir(), 'plaza-metrics-off-'));
    const config = loadConfig({ DATA_DIR: off, PORT: '0', PLAZA_METRICS: 'off' }, off);
    expect(config.metrics.enabled).toBe(false);
    const quiet = await createApp(config, { logger: createLogger({ level: 'silent' }) });
    try {
      const base = await quiet.listen();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const graphqlResponse = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(graphqlResponse.status).toBe(401);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(404);
      expect(((await metrics.json()) as { message: string }).message).toMatch(/PLAZA_METRICS/);
      expect(await quiet.metrics.registry.getMetricsAsJSON()).toEqual([]);
      expect(quiet.alarms.list()).toEqual([]);
    } finally {
      await quiet.close();
      rmSync(off, { recursive: true, force: true });
    }
    // The config file says the same.
    const fileDir = mkdtempSync(join(tmpdir(), 'plaza-metrics-file-'));
    writeFileSync(join(fileDir, 'plaza.config.json'), JSON.stringify({ metrics: { enabled: false } }));
    expect(loadConfig({ DATA_DIR: fileDir }, fileDir).metrics.enabled).toBe(false);
    expect(loadConfig({ DATA_DIR: fileDir, PLAZA_METRICS: 'on' }, fileDir).metrics.enabled).toBe(true);
    rmSync(fileDir, { recursive: true, force: true });
  });
});
