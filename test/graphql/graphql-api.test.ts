/**
 * The GraphQL API over real HTTP: auth modes (user-pool tokens, API keys,
 * nobody), AppSync's error shape, the social flow through the home feed,
 * sealed nextTokens, private fields, and the limits that stop abusive queries
 * before any resolver runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jwksIdentityVerifier } from '../../src/adapters/jose/jwks-identity-verifier.ts';
import { createApp, type App } from '../../src/app/app.ts';
import { createApiKey } from '../../src/domain/api-keys/api-keys.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

const issuer = 'https://cognito-idp.us-west-1.amazonaws.com/us-west-1_TestPool1';
const clientId = 'plazatestclient';
const dir = mkdtempSync(join(tmpdir(), 'plaza-graphql-'));
let app: App;
let url: string;
let sign: (sub: string, claims?: Record<string, unknown>) => Promise<string>;
let apiKey: string;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } as JWK;
  sign = (sub, claims = {}) =>
    new SignJWT({
      token_use: 'access',
      client_id: clientId,
      username: sub,
      scope: 'aws.cognito.signin.user.admin',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  const config = loadConfig({ DATA_DIR: dir, PORT: '0' }, dir);
  app = await createApp(config, {
    logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    identity: jwksIdentityVerifier({
      issuer,
      clientIds: [clientId],
      keys: createLocalJWKSet({ keys: [jwk] }),
      clock: systemClock,
    }),
  });
  url = await app.listen();
  apiKey = (
    await createApiKey(
      { description: 'test', lifetimeMs: 3600_000 },
      { ...app.social, store: app.stores.users },
    )
  ).key;
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface GraphQLResponse {
  status: number;
  // Response shapes vary by query; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: Record<string, any> | null;
  errors?: { errorType: string; message: string; path?: unknown }[];
}

async function gql(
  auth: { token?: string; apiKey?: string },
  query: string,
  variables?: object,
): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth.token ? { authorization: auth.token } : {}),
      ...(auth.apiKey ? { 'x-api-key': auth.apiKey } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
}

async function newUser(name: string) {
  const id = randomUUID();
  await createProfile({ userId: id, email: `${name}@example.com` }, app.social);
  const token = await sign(id);
  await gql({ token }, 'mutation($u: String) { updateProfile(input: { username: $u }) { id } }', {
    u: `${name}${id.slice(0, 6)}`,
  });
  return { id, token };
}

describe('authorization', () => {
  it('refuses a request without credentials, or with a forged token', async () => {
    const none = await gql({}, '{ getPost(id: "01ARZ3NDEKTSV4RRFFQ69G5FAV") { id } }');
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.errorType).toBe('UnauthorizedException');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ token_use: 'access', client_id: clientId })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('someone')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await gql({ token: forged }, '{ me { id } }')).status).toBe(401);
    expect((await gql({ apiKey: 'da2-notakeynotakeynotakey' }, '{ me { id } }')).status).toBe(401);
  });

  it('gives API keys public reads only', async () => {
    const alice = await newUser('keyalice');
    const post = await gql(
      { token: alice.token },
      'mutation { createPost(input: { description: "public" }) { id } }',
    );
    const id = post.data?.createPost.id as string;
    const read = await gql(
      { apiKey },
      'query($id: ID!) { getPost(id: $id) { id description author { id } } }',
      { id },
    );
    expect(read.data?.getPost).toEqual({ id, description: 'public', author: { id: alice.id } });
    for (const query of [
      '{ homeFeed { items { id } } }',
      'mutation { createPost(input: { description: "no" }) { id } }',
      `{ getUser(id: "${alice.id}") { email } }`,
    ]) {
      const refused = await gql({ apiKey }, query);
      expect(refused.data).toBeNull();
      expect(refused.errors?.[0]?.errorType).toBe('Unauthorized');
    }
  });

  it('shows an email to its owner only', async () => {
    const alice = await newUser('mailalice');
    const bob = await newUser('mailbob');
    expect((await gql({ token: alice.token }, '{ me { email } }')).data?.me.email).toBe(
      'mailalice@example.com',
    );
    const other = await gql({ token: bob.token }, 'query($id: ID!) { getUser(id: $id) { id email } }', {
      id: alice.id,
    });
    expect(other.data?.getUser).toEqual({ id: alice.id, email: null });
  });
});

describe('the authorization matrix', () => {
  it('allows each operation to exactly the callers it should, and lets only owners delete', async () => {
    const owner = await newUser('matrixowner');
    const other = await newUser('matrixother');
    const created = await gql(
      { token: owner.token },
      'mutation { createPost(input: { description: "mine" }) { id } }',
    );
    const postId = created.data?.createPost.id as string;

    type Caller = 'anonymous' | 'apiKey' | 'user' | 'owner';
    const auth = (caller: Caller) =>
      caller === 'anonymous'
        ? {}
        : caller === 'apiKey'
          ? { apiKey }
          : { token: caller === 'owner' ? owner.token : other.token };
    // What each caller gets: 'ok', or the errorType it is refused with.
    const matrix: [string, Record<Caller, string>][] = [
      [
        `{ getPost(id: "${postId}") { id } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'ok', user: 'ok', owner: 'ok' },
      ],
      [
        `{ listComments(postId: "${postId}") { items { id } } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'ok', user: 'ok', owner: 'ok' },
      ],
      [
        '{ homeFeed { items { id } } }',
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'ok' },
      ],
      [
        '{ me { id } }',
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'ok' },
      ],
      [
        `{ getUser(id: "${owner.id}") { email } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'ok' },
      ],
      [
        `mutation { likePost(postId: "${postId}") { id } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'ok' },
      ],
      [
        `mutation { followUser(userId: "${owner.id}") { id } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'BadInput' },
      ],
      [
        'mutation { updateProfile(input: { bio: "changed" }) { id } }',
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'ok', owner: 'ok' },
      ],
      [
        `mutation { deletePost(id: "${postId}") { id } }`,
        { anonymous: 'UnauthorizedException', apiKey: 'Unauthorized', user: 'Unauthorized', owner: 'ok' },
      ],
    ];
    const outcomes: Record<string, Record<Caller, string>> = {};
    for (const [query, expected] of matrix) {
      outcomes[query] = {} as Record<Caller, string>;
      // The owner goes last: a deletion must not run before the others are refused.
      for (const caller of ['anonymous', 'apiKey', 'user', 'owner'] as const) {
        const response = await gql(auth(caller), query);
        outcomes[query][caller] = response.errors?.[0]?.errorType ?? 'ok';
      }
      expect({ query, got: outcomes[query] }).toEqual({ query, got: expected });
    }

    // The private field answers null to anyone but its owner.
    const email = `{ getUser(id: "${owner.id}") { email } }`;
    expect((await gql(auth('user'), email)).data?.getUser.email).toBeNull();
    expect((await gql(auth('owner'), email)).data?.getUser.email).toBe('matrixowner@example.com');

    // A comment: its author and the post's author may delete it, nobody else.
    const second = await gql(
      { token: owner.token },
      'mutation { createPost(input: { description: "two" }) { id } }',
    );
    const p2 = second.data?.createPost.id as string;
    const c1 = await gql(
      { token: other.token },
      `mutation { addComment(postId: "${p2}", content: "a") { id } }`,
    );
    const c2 = await gql(
      { token: other.token },
      `mutation { addComment(postId: "${p2}", content: "b") { id } }`,
    );
    const third = await newUser('matrixthird');
    const del = (token: string, id: string) =>
      gql({ token }, `mutation { deleteComment(postId: "${p2}", commentId: "${id}") { id } }`);
    expect((await del(third.token, c1.data?.addComment.id)).errors?.[0]?.errorType).toBe('Unauthorized');
    expect((await del(other.token, c1.data?.addComment.id)).errors).toBeUndefined();
    expect((await del(owner.token, c2.data?.addComment.id)).errors).toBeUndefined();
  });
});

describe('the social flow', () => {
  it('follows, posts, fills the feed, likes and comments', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    const follow = await gql(
      { token: bob.token },
      'mutation($id: ID!) { followUser(userId: $id) { id followerCount viewerFollows } }',
      {
        id: alice.id,
      },
    );
    expect(follow.data?.followUser).toEqual({ id: alice.id, followerCount: 1, viewerFollows: true });
    const created = await gql(
      { token: alice.token },
      'mutation { createPost(input: { description: "Sunset over the bay" }) { id likeCount author { id } } }',
    );
    const postId = created.data?.createPost.id as string;
    expect(created.data?.createPost).toMatchObject({ likeCount: 0, author: { id: alice.id } });
    await app.consumers.drain();
    const like = await gql(
      { token: bob.token },
      'mutation($id: ID!) { likePost(postId: $id) { likeCount viewerHasLiked } }',
      { id: postId },
    );
    expect(like.data?.likePost).toEqual({ likeCount: 1, viewerHasLiked: true });
    const feed = await gql(
      { token: bob.token },
      '{ homeFeed(limit: 10) { items { id description likeCount viewerHasLiked author { id username } } nextToken } }',
    );
    expect(feed.errors).toBeUndefined();
    expect(feed.data?.homeFeed.items).toEqual([
      {
        id: postId,
        description: 'Sunset over the bay',
        likeCount: 1,
        viewerHasLiked: true,
        author: { id: alice.id, username: expect.stringMatching(/^alice/) },
      },
    ]);

    for (const content of ['first!', 'lovely', 'where is this?']) {
      await gql(
        { token: bob.token },
        'mutation($id: ID!, $c: String!) { addComment(postId: $id, content: $c) { id } }',
        { id: postId, c: content },
      );
    }
    const list =
      'query($id: ID!, $t: String) { listComments(postId: $id, limit: 2, nextToken: $t) { items { content author { id } } nextToken } }';
    const first = await gql({ token: alice.token }, list, { id: postId });
    expect(first.data?.listComments.items.map((c: { content: string }) => c.content)).toEqual([
      'first!',
      'lovely',
    ]);
    const next = await gql({ token: alice.token }, list, {
      id: postId,
      t: first.data?.listComments.nextToken,
    });
    expect(next.data?.listComments.items.map((c: { content: string }) => c.content)).toEqual([
      'where is this?',
    ]);

    // Its MAC's first character changed: the last ones also carry padding bits, and a change
    // there alone can leave the MAC's bytes as they were (one token in 256).
    const [payload, mac = ''] = String(first.data?.listComments.nextToken).split('.');
    const tampered = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const refused = await gql({ token: alice.token }, list, { id: postId, t: tampered });
    expect(refused.errors?.[0]?.errorType).toBe('BadInput');
    // A token from one list does not page another.
    const foreign = await gql({ token: alice.token }, list, {
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      t: first.data?.listComments.nextToken,
    });
    expect(foreign.errors?.[0]?.errorType).toBe('BadInput');
  });

  it('answers bad input with a clear errorType and keeps serving', async () => {
    const alice = await newUser('badinput');
    const long = await gql(
      { token: alice.token },
      'mutation($d: String) { createPost(input: { description: $d }) { id } }',
      {
        d: 'x'.repeat(3000),
      },
    );
    expect(long.errors?.[0]).toMatchObject({ errorType: 'BadInput', path: ['createPost'] });
    const self = await gql({ token: alice.token }, 'mutation($id: ID!) { followUser(userId: $id) { id } }', {
      id: alice.id,
    });
    expect(self.errors?.[0]?.errorType).toBe('BadInput');
    const missing = await gql({ token: alice.token }, '{ getPost(id: "not-an-id") { id } }');
    expect(missing.errors?.[0]?.errorType).toBe('BadInput');
    expect((await gql({ token: alice.token }, '{ me { id } }')).data?.me.id).toBe(alice.id);
  });
});

describe('finding users and posts', () => {
  it('finds users by username and prefix, lists posts, likes and recent posts', async () => {
    const stamp = Date.now().toString(36);
    const zoe = await newUser(`zoe${stamp}`);
    const zack = await newUser(`zack${stamp}`);
    const me = await gql({ token: zoe.token }, '{ me { username } }');
    const username = me.data?.me.username as string;
    const byName = await gql({ apiKey }, 'query($u: String!) { getUserByUsername(username: $u) { id } }', {
      u: username.toUpperCase(),
    });
    expect(byName.data?.getUserByUsername).toEqual({ id: zoe.id });
    const search = await gql({ apiKey }, 'query($p: String!) { searchUsers(prefix: $p) { items { id } } }', {
      p: `z`,
    });
    expect(search.data?.searchUsers.items.map((u: { id: string }) => u.id)).toEqual(
      expect.arrayContaining([zoe.id, zack.id]),
    );
    const ids: string[] = [];
    for (const d of ['one', 'two', 'three']) {
      const created = await gql(
        { token: zoe.token },
        'mutation($d: String) { createPost(input: { description: $d }) { id } }',
        { d },
      );
      ids.push(created.data?.createPost.id as string);
    }
    const list =
      'query($id: ID!, $t: String) { listPostsByUser(userId: $id, limit: 2, nextToken: $t) { items { description } nextToken } }';
    const first = await gql({ apiKey }, list, { id: zoe.id });
    expect(first.data?.listPostsByUser.items.map((p: { description: string }) => p.description)).toEqual([
      'three',
      'two',
    ]);
    const rest = await gql({ apiKey }, list, { id: zoe.id, t: first.data?.listPostsByUser.nextToken });
    expect(rest.data?.listPostsByUser.items.map((p: { description: string }) => p.description)).toEqual([
      'one',
    ]);
    await gql({ token: zack.token }, 'mutation($id: ID!) { likePost(postId: $id) { id } }', { id: ids[0] });
    const likes = await gql(
      { apiKey },
      'query($id: ID!) { listLikes(postId: $id) { items { user { id } } } }',
      { id: ids[0] },
    );
    expect(likes.data?.listLikes.items).toEqual([{ user: { id: zack.id } }]);
    const recent = await gql({ apiKey }, '{ recentPosts(limit: 3) { items { id } } }');
    expect(recent.data?.recentPosts.items.map((p: { id: string }) => p.id)).toEqual([...ids].reverse());
    const bad = await gql({ apiKey }, '{ searchUsers(prefix: "no spaces!") { items { id } } }');
    expect(bad.errors?.[0]?.errorType).toBe('BadInput');
  });
});

describe('subscriptions (graphql-transport-ws)', () => {
  function subscribeOnce(token: string | undefined, query: string, variables: Record<string, unknown>) {
    const client = graphqlWsClient(url, token);
    const received: unknown[] = [];
    let fail: (error: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const ready = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const stop = client.subscribe(
      { query, variables },
      { next: (value) => received.push(value), error: (e) => fail(e), complete: () => {} },
    );
    return { client, received, failed, ready, stop };
  }

  it("delivers an author's new post and a like count, only those asked for, resolved for each subscriber", async () => {
    const alice = await newUser('subalice');
    const bob = await newUser('subbob');
    const posts = subscribeOnce(
      bob.token,
      'subscription($a: ID) { onCreatePost(authorId: $a) { id description author { id } } }',
      { a: alice.id },
    );
    await posts.ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await gql({ token: bob.token }, 'mutation { createPost(input: { description: "not alice" }) { id } }');
    const created = await gql(
      { token: alice.token },
      'mutation { createPost(input: { description: "live!" }) { id } }',
    );
    const postId = created.data?.createPost.id as string;
    const likes = subscribeOnce(
      alice.token,
      'subscription($p: ID!) { onLikePost(postId: $p) { id likeCount viewerHasLiked } }',
      { p: postId },
    );
    await likes.ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await gql({ token: bob.token }, 'mutation($p: ID!) { likePost(postId: $p) { id } }', { p: postId });
    for (let i = 0; i < 50 && (posts.received.length < 1 || likes.received.length < 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(posts.received).toEqual([
      { data: { onCreatePost: { id: postId, description: 'live!', author: { id: alice.id } } } },
    ]);
    // Alice sees the count, and her own like state, not bob's.
    expect(likes.received).toEqual([
      { data: { onLikePost: { id: postId, likeCount: 1, viewerHasLiked: false } } },
    ]);
    posts.stop();
    likes.stop();
    await posts.client.dispose();
    await likes.client.dispose();
  });

  it('refuses a connection without credentials', async () => {
    const anonymous = subscribeOnce(undefined, 'subscription { onCreatePost { id } }', {});
    await expect(anonymous.failed).rejects.toMatchObject({ code: 4403 });
    await anonymous.client.dispose();
  });
});

describe("subscriptions (AppSync's real-time protocol)", () => {
  /** A client speaking AppSync's protocol, as Amplify's does: auth in the `header` query parameter. */
  async function realtime(token: string, via: 'query' | 'subprotocol' = 'query') {
    const headers = JSON.stringify({ host: new URL(url).host, Authorization: token });
    const header = Buffer.from(headers).toString('base64');
    const payload = Buffer.from('{}').toString('base64');
    const socket =
      via === 'query'
        ? new WebSocket(
            `${url.replace('http', 'ws')}/graphql/realtime?header=${header}&payload=${payload}`,
            'graphql-ws',
          )
        : new WebSocket(`${url.replace('http', 'ws')}/graphql/realtime`, [
            'graphql-ws',
            `header-${Buffer.from(headers).toString('base64url')}`,
          ]);
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const waitFor = async (type: string) => {
      for (let i = 0; i < 100; i++) {
        const found = messages.find((message) => message.type === type);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
    };
    return { socket, messages, waitFor };
  }

  it('acknowledges, starts, delivers data, and completes on stop', async () => {
    const alice = await newUser('rtalice');
    const bob = await newUser('rtbob');
    const client = await realtime(bob.token);
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect((await client.waitFor('connection_ack')).payload).toEqual({ connectionTimeoutMs: 300000 });
    client.socket.send(
      JSON.stringify({
        id: 'sub-1',
        type: 'start',
        payload: {
          data: JSON.stringify({
            query: 'subscription($a: ID) { onCreatePost(authorId: $a) { id description author { id } } }',
            variables: { a: alice.id },
          }),
          extensions: { authorization: { Authorization: bob.token } },
        },
      }),
    );
    expect(await client.waitFor('start_ack')).toMatchObject({ id: 'sub-1' });
    const created = await gql(
      { token: alice.token },
      'mutation { createPost(input: { description: "realtime" }) { id } }',
    );
    const data = await client.waitFor('data');
    expect(data).toEqual({
      type: 'data',
      id: 'sub-1',
      payload: {
        data: {
          onCreatePost: {
            id: created.data?.createPost.id,
            description: 'realtime',
            author: { id: alice.id },
          },
        },
      },
    });
    client.socket.send(JSON.stringify({ type: 'stop', id: 'sub-1' }));
    expect(await client.waitFor('complete')).toMatchObject({ id: 'sub-1' });
    client.socket.close();
  });

  it("takes the connection's headers from a header- subprotocol, as Amplify JS v6 sends them", async () => {
    const carol = await newUser('rtcarol');
    const client = await realtime(carol.token, 'subprotocol');
    expect(client.socket.protocol).toBe('graphql-ws');
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await client.waitFor('connection_ack')).toMatchObject({ type: 'connection_ack' });
    client.socket.close();
  });

  it('refuses a bad token at connection_init', async () => {
    const client = await realtime('not-a-token');
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await closed).toBe(4401);
    expect(client.messages[0]?.type).toBe('connection_error');
  });
});

describe('limits before execution', () => {
  it('refuses over-deep, over-aliased and malformed queries with 400', async () => {
    const { token } = await newUser('limits');
    const fine = await gql({ token }, '{ homeFeed { items { author { id } } } }');
    expect(fine.status).toBe(200);
    const query = `{ a: ${Array.from({ length: 9 }, () => 'getPost(id: "x") { author {').join(' ')} id ${'} }'.repeat(9)} }`;
    const rejected = await gql({ token }, query);
    expect(rejected.status).toBe(400);
    expect(rejected.errors?.[0]?.errorType).toBe('ValidationError');
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect((await gql({ token }, aliases)).status).toBe(400);
    expect((await gql({ token }, '{ me { id ')).status).toBe(400);
  });

  it('refuses over-costly and over-long queries, and runs no resolver for any refused query', async () => {
    const { token } = await newUser('costly');
    const readUnits = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith('plaza_consumed_read_capacity_units_total'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    };
    // Within the depth, alias and token limits, but deep fields cost more (graphql-armor's cost).
    const deepFields = `items { author { avatar { ${'key '.repeat(70)} } } }`;
    const costly = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: homeFeed { ${deepFields} }`).join(' ')} }`;
    const long = `{ me { ${'id '.repeat(2100)} } }`;
    const deep = `{ a: ${'getPost(id: "x") { author { '.repeat(5)} id ${'} } '.repeat(5)} }`;
    const before = await readUnits();
    for (const [query, reason] of [
      [costly, /cost/i],
      [long, /token/i],
      [deep, /depth/i],
    ] as const) {
      // Twice: the second time the document's validation comes from the server's memory of it.
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = await gql({ token }, query);
        expect(refused.status).toBe(400);
        expect(refused.errors?.[0]?.errorType).toBe('ValidationError');
        expect(refused.errors?.map((error) => error.message).join(' ')).toMatch(reason);
      }
    }
    expect(await readUnits()).toBe(before);
    // The same shape within the limits runs.
    expect((await gql({ token }, `{ a: homeFeed { ${deepFields} } }`)).status).toBe(200);
    expect(await readUnits()).toBeGreaterThan(before);
  });

  it('refuses a mutation over GET', async () => {
    const { token } = await newUser('getmut');
    const response = await fetch(
      `${url}/graphql?query=${encodeURIComponent('mutation { createPost(input: { description: "x" }) { id } }')}`,
      {
        headers: { authorization: token },
      },
    );
    expect(response.status).toBe(405);
    const read = await fetch(`${url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { authorization: token },
    });
    expect(read.status).toBe(200);
  });
});
