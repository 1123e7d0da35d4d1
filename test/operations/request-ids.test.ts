/**
 * Request ids in the logs, end to end: pino's lines captured from a real app
 * (SQLite, the embedded pool). A GraphQL mutation's lines carry the request's
 * id (the caller's when well formed), the fan-out's line for the resulting
 * change record carries that record's stream ids, and the image job's lines
 * carry a job id and the id of the upload request that queued it. Signing in,
 * refreshing and subscribing leave no password, code or token in any line.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { StreamRecord, StreamSubscription } from '../../src/ports/item-store/item-store.ts';
import { newImage } from '../../src/ports/item-store/stream-images.ts';
import { cognitoClient, signUpAndSignIn, type SignedIn } from '../support/cognito-users.ts';
import { scenePhoto } from '../support/photos.ts';

type Line = Record<string, unknown> & { msg?: string; reqId?: string };

const dir = mkdtempSync(join(tmpdir(), 'plaza-request-ids-'));
const raw: string[] = [];
const lines = () => raw.map((line) => JSON.parse(line) as Line);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const password = 'Horse-battery-staple-42';
let app: App;
let url: string;
let user: SignedIn;
// Every change record, read by a consumer of the test's own beside the fan-out.
const changes: StreamRecord[] = [];
let watcher: StreamSubscription;

beforeAll(async () => {
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => void raw.push(line) });
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), { logger });
  url = await app.listen();
  watcher = app.stores.main.changes.subscribe('request-ids-test', async (records) => {
    changes.push(...records);
  });
  const cognito = cognitoClient(url);
  user = await signUpAndSignIn(cognito, {
    clientId: app.identity.pool!.clientId,
    dataDir: dir,
    email: 'grace@example.com',
    password,
  });
  cognito.destroy();
});

afterAll(async () => {
  await watcher?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function graphql(query: string, variables: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: user.accessToken, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await response.json()) as { data: any; errors?: unknown[] };
  return { requestId: response.headers.get('x-amzn-requestid'), body };
}

describe('request ids', () => {
  it("takes a well-formed caller's id, makes one otherwise, and answers with it", async () => {
    const given = await graphql('{ me { id } }', {}, { 'x-request-id': 'client-trace-0001' });
    expect(given.requestId).toBe('client-trace-0001');
    const amazon = await graphql('{ me { id } }', {}, { 'x-amzn-requestid': 'abcd1234-amzn' });
    expect(amazon.requestId).toBe('abcd1234-amzn');
    for (const bad of ['short', 'has space in it', 'a'.repeat(129), '{"level":60}', '-leading-dash'])
      expect((await graphql('{ me { id } }', {}, { 'x-request-id': bad })).requestId).toMatch(uuid);
    const health = await fetch(`${url}/healthz`);
    expect(health.headers.get('x-amzn-requestid')).toMatch(uuid);
    const notFound = await fetch(`${url}/no/such/route`, { method: 'POST' });
    expect(notFound.headers.get('x-amzn-requestid')).toMatch(uuid);
    const seen = lines().filter((line) => line.reqId === 'client-trace-0001');
    expect(seen.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    // One line a request at info, with what the request was and how it ended; its arrival at debug.
    expect(seen.map((line) => line.level)).toEqual([20, 30]);
    expect(seen[1]).toMatchObject({ req: { method: 'POST', url: '/graphql' }, res: { statusCode: 200 } });
    const healthLines = lines().filter(
      (line) => (line.req as { url?: string } | undefined)?.url === '/healthz',
    );
    expect(healthLines.map((line) => [line.level, line.msg])).toEqual([
      [20, 'incoming request'],
      [30, 'request completed'],
    ]);
    expect(healthLines[1]).toMatchObject({ req: { method: 'GET' }, res: { statusCode: 200 } });
  });

  it("ties a mutation's request to the stream consumers' lines by the item's id and the change record's", async () => {
    const created = await graphql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { description: 'traced' } },
      { 'x-request-id': 'create-post-0001' },
    );
    const postId = created.body.data.createPost.id as string;
    const mine = lines().filter((line) => line.reqId === 'create-post-0001');
    expect(mine.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);

    await app.consumers.drain();
    await watcher.drain();
    const record = changes.find(
      (change) =>
        change.eventName === 'INSERT' &&
        newImage(change)?.PK === `POST#${postId}` &&
        newImage(change)?.SK === 'METADATA',
    );
    expect(record).toBeDefined();
    const fannedOut = lines().filter((line) => line.msg === 'post fanned out' && line.postId === postId);
    expect(fannedOut).toHaveLength(1);
    expect(fannedOut[0]).toMatchObject({
      consumer: 'feed-fan-out',
      eventID: record!.eventID,
      sequenceNumber: record!.dynamodb.SequenceNumber,
      eventName: 'INSERT',
      feeds: 1,
    });
    // The live event is the same change: subscribers hear of it from the stream, not the request.
    const live = lines().filter((line) => line.msg === 'live event published' && line.id === postId);
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ consumer: 'live-events', topic: 'createPost', eventID: record!.eventID });
  });

  it('gives each image job an id, and the id of the upload request that queued it, on every line', async () => {
    const bytes = await scenePhoto(640, 480, 200);
    const reserved = await graphql(
      'mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url method headers } }',
      { input: { purpose: 'POST', contentType: 'image/jpeg', contentLength: bytes.length } },
    );
    const upload = reserved.body.data.createUploadUrl as { key: string; url: string; headers: string };
    const put = await fetch(upload.url, {
      method: 'PUT',
      headers: {
        ...(JSON.parse(upload.headers) as Record<string, string>),
        'x-request-id': 'upload-0000001',
      },
      body: bytes,
    });
    expect(put.status).toBe(200);
    await app.media.jobs.idle();
    const finished = lines().find((line) => line.msg === 'media job finished' && line.key === upload.key);
    expect(finished).toMatchObject({ reqId: 'upload-0000001', outcome: 'READY', attempt: 1 });
    expect(finished!.jobId).toMatch(uuid);
    const jobLines = lines().filter((line) => line.jobId === finished!.jobId);
    expect(jobLines.map((line) => line.msg)).toEqual(['media job queued', 'media job finished']);
    for (const line of jobLines) expect(line.reqId).toBe('upload-0000001');
  });

  it('logs no password, confirmation code or token, whatever the sign-in or subscription sends', async () => {
    const cognito = cognitoClient(url);
    const clientId = app.identity.pool!.clientId;
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.refreshToken },
      }),
    );
    const wrongPassword = 'Not-the-password-99';
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'grace@example.com', PASSWORD: wrongPassword },
        }),
      ),
    ).rejects.toThrow();
    cognito.destroy();
    // AppSync clients send the token base64-encoded in the URL.
    const header = Buffer.from(
      JSON.stringify({ host: new URL(url).host, Authorization: user.accessToken }),
    ).toString('base64');
    const socket = new WebSocket(
      `${url.replace('http', 'ws')}/graphql/realtime?header=${encodeURIComponent(header)}&payload=e30%3D`,
      'graphql-ws',
    );
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));

    const text = raw.join('');
    const secrets = [
      password,
      wrongPassword,
      user.code,
      user.accessToken,
      user.idToken,
      user.refreshToken,
      refreshed.AuthenticationResult!.AccessToken!,
      refreshed.AuthenticationResult!.IdToken!,
      header,
      encodeURIComponent(header),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    // The connection was logged, its credentials redacted.
    expect(text).toContain('/graphql/realtime?header=[redacted]&payload=e30%3D');
  });
});
