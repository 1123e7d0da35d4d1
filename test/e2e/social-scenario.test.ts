/**
 * The product end to end, on both engines, with real clients only: people
 * sign up and sign in through the Cognito API (AWS SDK), then post, follow,
 * like, comment and read their feeds over GraphQL, and receive live events
 * over both WebSocket protocols (graphql-ws's client, and AppSync's protocol
 * as Amplify speaks it).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { createApp, type App } from '../../src/app/app.ts';
import { dynamoDbSettings, tableDefinitions } from '../../src/app/stores.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

interface Person {
  id: string;
  token: string;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  // The DynamoDB engine's feed follows the table's stream, which DynamoDB Local serves by polling.
  for (let i = 0; i < 300 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  if (!done(value)) throw new Error(`${what}: still ${JSON.stringify(value)}`);
  return value;
}

describe.each(['sqlite', 'dynamodb'] as const)('the social scenario on %s', (engine) => {
  const dir = mkdtempSync(join(tmpdir(), `plaza-e2e-${engine}-`));
  let app: App;
  let url: string;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    const env: Record<string, string> = { DATA_DIR: dir, PORT: '0' };
    if (engine === 'dynamodb') {
      Object.assign(env, {
        PLAZA_DB: 'dynamodb',
        PLAZA_TABLE: `e2e-${Date.now().toString(36)}`,
        DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      });
      // The SDK's default credential chain reads these; DynamoDB Local accepts any.
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'plazalocal', AWS_SECRET_ACCESS_KEY: 'plazalocal' });
      const config = loadConfig(env, dir);
      const tables = tableDefinitions(config);
      await provisionDynamoDbTables(dynamoDbSettings(config), [tables.main, tables.users]);
    }
    app = await createApp(loadConfig(env, dir), {
      logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    });
    url = await app.listen();
    cognito = cognitoClient(url);
  });
  afterAll(async () => {
    cognito?.destroy();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function person(name: string): Promise<Person> {
    const { sub, accessToken } = await signUpAndSignIn(cognito, {
      clientId: app.identity.pool!.clientId,
      dataDir: dir,
      email: `${name}@example.com`,
      password: `${name} has a long password`,
    });
    return { id: sub, token: accessToken };
  }

  async function gql(who: Person, query: string, variables?: object) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: who.token },
      body: JSON.stringify({ query, variables }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shapes vary by query; asserted below
    const body = (await response.json()) as { data: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  /** graphql-ws's own client, collecting what a subscription delivers. */
  function liveOverGraphqlWs(who: Person, query: string) {
    const client = graphqlWsClient(url, who.token);
    const received: unknown[] = [];
    const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query },
      { next: (value) => received.push(value), error: () => {}, complete: () => {} },
    );
    return { received, connected, close: () => client.dispose() };
  }

  /** AppSync's real-time protocol, as Amplify opens it (headers in a `header-` subprotocol). */
  async function liveOverAppSync(who: Person, query: string) {
    const header = Buffer.from(JSON.stringify({ Authorization: who.token })).toString('base64url');
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql/realtime`, [
      'graphql-ws',
      `header-${header}`,
    ]);
    const received: unknown[] = [];
    const started = new Promise<void>((resolve) =>
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; payload?: unknown };
        if (message.type === 'connection_ack')
          socket.send(
            JSON.stringify({ id: 'live', type: 'start', payload: { data: JSON.stringify({ query }) } }),
          );
        else if (message.type === 'start_ack') resolve();
        else if (message.type === 'data') received.push(message.payload);
      }),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await started;
    return { received, close: () => socket.close() };
  }

  it('signs people up, and carries posts, follows, likes and comments to feeds and live clients', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((n) => person(`${n}-${engine}`)),
    );
    await gql(alice!, 'mutation { updateProfile(input: { username: "alice_' + engine + '" }) { id } }');

    // Bob follows alice and watches her posts; carol watches over AppSync's protocol.
    expect(
      (await gql(bob!, 'mutation($u: ID!) { followUser(userId: $u) { id followerCount } }', { u: alice!.id }))
        .followUser,
    ).toEqual({ id: alice!.id, followerCount: 1 });
    const bobLive = liveOverGraphqlWs(
      bob!,
      `subscription { onCreatePost(authorId: "${alice!.id}") { description author { username viewerFollows } } }`,
    );
    await bobLive.connected;
    const carolLive = await liveOverAppSync(
      carol!,
      `subscription { onCreatePost(authorId: "${alice!.id}") { description author { viewerFollows } } }`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    const post = (await gql(alice!, 'mutation { createPost(input: { description: "first light" }) { id } }'))
      .createPost as { id: string };
    await until(
      'live events',
      async () => [bobLive.received, carolLive.received],
      (lists) => lists.every((list) => list.length === 1),
    );
    // Each answer is resolved for its own viewer: bob follows alice, carol does not.
    expect(bobLive.received).toEqual([
      {
        data: {
          onCreatePost: {
            description: 'first light',
            author: { username: `alice_${engine}`, viewerFollows: true },
          },
        },
      },
    ]);
    expect(carolLive.received).toEqual([
      { data: { onCreatePost: { description: 'first light', author: { viewerFollows: false } } } },
    ]);

    // The fan-out puts the post in bob's feed, not carol's.
    const feed = '{ homeFeed(limit: 10) { items { id likeCount viewerHasLiked } } }';
    await until(
      'bob’s feed',
      () => gql(bob!, feed),
      (data) => data.homeFeed.items.length === 1,
    );
    expect((await gql(carol!, feed)).homeFeed.items).toEqual([]);

    // Ten likes from bob at once count once; carol's counts too.
    const like = 'mutation($p: ID!) { likePost(postId: $p) { likeCount } }';
    await Promise.all(Array.from({ length: 10 }, () => gql(bob!, like, { p: post.id })));
    expect((await gql(carol!, like, { p: post.id })).likePost.likeCount).toBe(2);
    expect((await gql(bob!, feed)).homeFeed.items).toEqual([
      { id: post.id, likeCount: 2, viewerHasLiked: true },
    ]);

    await gql(carol!, 'mutation($p: ID!) { addComment(postId: $p, content: "lovely") { id } }', {
      p: post.id,
    });
    const comments = await gql(
      bob!,
      '{ listComments(postId: "' + post.id + '") { items { content author { id } } } }',
    );
    expect(comments.listComments.items).toEqual([{ content: 'lovely', author: { id: carol!.id } }]);

    // Unfollowing takes the post out of bob's feed.
    await gql(bob!, 'mutation($u: ID!) { unfollowUser(userId: $u) { id } }', { u: alice!.id });
    await until(
      'bob’s emptied feed',
      () => gql(bob!, feed),
      (data) => data.homeFeed.items.length === 0,
    );
    await bobLive.close();
    carolLive.close();
  }, 60_000);
});
