/**
 * Block and mute over GraphQL (issue 20): the mutations and their connections, what a block stops
 * the blocked user doing and seeing (getPost answers null, cached or not), what the blocker no longer
 * sees (feed, comments, search, subscriptions), and what a mute hides (feed and stories bar only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type User = { id: string; token: string };

async function ok(token: string, query: string, variables?: object) {
  const response = await server.gql(token, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  // The shapes vary by query; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return response.data as Record<string, any>;
}

async function errorType(token: string, query: string, variables?: object) {
  const response = await server.gql(token, query, variables);
  return { type: response.errors?.[0]?.errorType, message: response.errors?.[0]?.message };
}

const post = async (user: User, description: string) =>
  String(
    (
      await ok(user.token, 'mutation($d: String) { createPost(input: { description: $d }) { id } }', {
        d: description,
      })
    ).createPost.id,
  );
const follow = (from: User, to: User) =>
  ok(from.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: to.id });
const relation = (name: string, from: User, to: User) =>
  ok(
    from.token,
    `mutation($u: ID!) { ${name}(userId: $u) { id followerCount followingCount viewerBlocks viewerMutes } }`,
    { u: to.id },
  ).then((data) => data[name]);

/** The viewer's home feed once the fan-out has delivered `expected` (the stream consumer runs apart). */
async function feedOnce(user: User, expected: (ids: string[]) => boolean): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const ids = (
      (await ok(user.token, '{ homeFeed { items { id } } }')).homeFeed.items as { id: string }[]
    ).map((item) => item.id);
    if (expected(ids) || attempt === 100) return ids;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('blockUser, unblockUser, muteUser, unmuteUser', () => {
  it('answer the other user with the viewer fields and counts, and list them in sealed pages', async () => {
    const [ana, ben, cy] = [
      await server.newUser('ana'),
      await server.newUser('ben'),
      await server.newUser('cy'),
    ];
    await follow(ana, ben);
    await follow(ben, ana);
    expect(await relation('blockUser', ana, ben)).toEqual({
      id: ben.id,
      followerCount: 0,
      followingCount: 0,
      viewerBlocks: true,
      viewerMutes: false,
    });
    expect(await relation('blockUser', ana, ben)).toMatchObject({ viewerBlocks: true });
    await relation('blockUser', ana, cy);
    expect(await relation('muteUser', ana, cy)).toMatchObject({ viewerBlocks: true, viewerMutes: true });
    const me = await ok(ana.token, '{ me { followerCount followingCount viewerBlocks viewerMutes } }');
    expect(me.me).toEqual({ followerCount: 0, followingCount: 0, viewerBlocks: false, viewerMutes: false });

    const first = (await ok(ana.token, '{ listBlocked(limit: 1) { items { id } nextToken } }')).listBlocked;
    expect(first.items).toHaveLength(1);
    expect(typeof first.nextToken).toBe('string');
    const second = (
      await ok(
        ana.token,
        'query($t: String) { listBlocked(limit: 1, nextToken: $t) { items { id } nextToken } }',
        {
          t: first.nextToken,
        },
      )
    ).listBlocked;
    expect([first.items[0].id, second.items[0].id].sort()).toEqual([ben.id, cy.id].sort());
    // A token pages only the list and the viewer it came from.
    const listMuted = 'query($t: String) { listMuted(nextToken: $t) { items { id } } }';
    expect((await errorType(ana.token, listMuted, { t: first.nextToken })).type).toBe('BadInput');
    const listBlocked = 'query($t: String) { listBlocked(nextToken: $t) { items { id } } }';
    expect((await errorType(ben.token, listBlocked, { t: first.nextToken })).type).toBe('BadInput');
    expect((await ok(ana.token, '{ listMuted { items { id } nextToken } }')).listMuted).toEqual({
      items: [{ id: cy.id }],
      nextToken: null,
    });
    expect((await ok(ben.token, '{ listBlocked { items { id } } }')).listBlocked.items).toEqual([]);

    expect(await relation('unblockUser', ana, ben)).toMatchObject({ viewerBlocks: false });
    expect(await relation('unmuteUser', ana, cy)).toMatchObject({ viewerBlocks: true, viewerMutes: false });
    expect((await ok(ana.token, '{ listBlocked { items { id } } }')).listBlocked.items).toEqual([
      { id: cy.id },
    ]);
  });

  it('refuse oneself, unknown users and callers who are not signed in, changing nothing', async () => {
    const ana = await server.newUser('ana');
    const block = 'mutation($u: ID!) { blockUser(userId: $u) { id } }';
    expect(await errorType(ana.token, block, { u: ana.id })).toEqual({
      type: 'BadInput',
      message: 'You cannot block yourself',
    });
    const mute = 'mutation($u: ID!) { muteUser(userId: $u) { id } }';
    expect((await errorType(ana.token, mute, { u: ana.id })).type).toBe('BadInput');
    expect((await errorType(ana.token, block, { u: '0b5e1c9a-0000-4000-8000-00000000dead' })).type).toBe(
      'NotFound',
    );
    expect((await server.gql(undefined, block, { u: ana.id })).errors?.[0]?.errorType).toBe(
      'UnauthorizedException',
    );
    expect(await ok(ana.token, '{ listBlocked { items { id } } listMuted { items { id } } }')).toEqual({
      listBlocked: { items: [] },
      listMuted: { items: [] },
    });
  });
});

describe('a block', () => {
  it('hides the blocker’s posts from the blocked user and stops their follows, likes and comments', async () => {
    const [ana, ben] = [await server.newUser('ana'), await server.newUser('ben')];
    const postId = await post(ana, 'ana only');
    const getPost = 'query($p: ID!) { getPost(id: $p) { id } }';
    // Read (and cached) before the block: the cached answer is not shown to the blocked user.
    expect((await ok(ben.token, getPost, { p: postId })).getPost).toEqual({ id: postId });
    await relation('blockUser', ana, ben);
    expect((await ok(ben.token, getPost, { p: postId })).getPost).toBeNull();
    expect((await ok(ana.token, getPost, { p: postId })).getPost).toEqual({ id: postId });
    const list = 'query($u: ID!) { listPostsByUser(userId: $u) { items { id } nextToken } }';
    expect((await ok(ben.token, list, { u: ana.id })).listPostsByUser).toEqual({
      items: [],
      nextToken: null,
    });
    expect((await ok(ana.token, list, { u: ana.id })).listPostsByUser.items).toEqual([{ id: postId }]);
    const stranger = await server.newUser('stranger');
    expect((await ok(stranger.token, getPost, { p: postId })).getPost).toEqual({ id: postId });
    await relation('unblockUser', ana, ben);
    expect((await ok(ben.token, getPost, { p: postId })).getPost).toEqual({ id: postId });
    await relation('blockUser', ana, ben);
    expect((await ok(ben.token, getPost, { p: postId })).getPost).toBeNull();

    const follow = await errorType(ben.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', {
      u: ana.id,
    });
    expect(follow).toEqual({
      type: 'Unauthorized',
      message: 'You cannot follow this user: they have blocked you',
    });
    expect(
      (await errorType(ben.token, 'mutation($p: ID!) { likePost(postId: $p) { id } }', { p: postId })).type,
    ).toBe('Unauthorized');
    const comment = 'mutation($p: ID!) { addComment(postId: $p, content: "hi") { id } }';
    expect((await errorType(ben.token, comment, { p: postId })).type).toBe('Unauthorized');
    const counts = await ok(ana.token, 'query($p: ID!) { getPost(id: $p) { likeCount commentCount } }', {
      p: postId,
    });
    expect(counts.getPost).toEqual({ likeCount: 0, commentCount: 0 });
    expect(
      (await errorType(ana.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: ben.id })).type,
    ).toBe('BadInput');
  });

  it('hides the blocked user from the blocker’s feed, comments and search', async () => {
    const [ana, ben, cy] = [
      await server.newUser('ana'),
      await server.newUser('ben'),
      await server.newUser('cy'),
    ];
    const suffix = ana.id.slice(0, 6);
    await ok(ben.token, 'mutation($n: String) { updateProfile(input: { username: $n }) { id } }', {
      n: `zb${suffix}`,
    });
    await ok(cy.token, 'mutation($n: String) { updateProfile(input: { username: $n }) { id } }', {
      n: `zc${suffix}`,
    });
    await follow(ana, ben);
    await follow(ana, cy);
    const bens = await post(ben, 'ben');
    const cys = await post(cy, 'cy');
    await ok(ben.token, 'mutation($p: ID!) { addComment(postId: $p, content: "from ben") { id } }', {
      p: cys,
    });
    expect(await feedOnce(ana, (ids) => ids.length === 2)).toEqual([cys, bens]);

    await relation('blockUser', ana, ben);
    expect(await feedOnce(ana, (ids) => ids.length === 1)).toEqual([cys]);
    const comments = 'query($p: ID!) { listComments(postId: $p) { items { content } } }';
    expect((await ok(ana.token, comments, { p: cys })).listComments.items).toEqual([]);
    expect((await ok(cy.token, comments, { p: cys })).listComments.items).toEqual([{ content: 'from ben' }]);
    const search = 'query($q: String!) { searchUsers(prefix: $q) { items { id } } }';
    expect(
      (await ok(ana.token, search, { q: 'z' })).searchUsers.items.map((u: { id: string }) => u.id),
    ).not.toContain(ben.id);
    expect((await ok(cy.token, search, { q: `zb${suffix}` })).searchUsers.items).toEqual([{ id: ben.id }]);
    expect((await ok(ana.token, search, { q: `zc${suffix}` })).searchUsers.items).toEqual([{ id: cy.id }]);
  });

  it('keeps the blocked user’s live posts from the blocker, not from other subscribers', async () => {
    const [ana, ben, cy, dee] = [
      await server.newUser('ana'),
      await server.newUser('ben'),
      await server.newUser('cy'),
      await server.newUser('dee'),
    ];
    await relation('blockUser', ana, ben);
    const received = (user: User, count: number, fields = 'description') => {
      const client = graphqlWsClient(server.url, user.token);
      const descriptions: string[] = [];
      const done = new Promise<string[]>((resolve, reject) => {
        client.subscribe(
          { query: `subscription { onCreatePost { ${fields} } }` },
          {
            next: (value) => {
              descriptions.push(String((value.data?.onCreatePost as { description: string }).description));
              if (descriptions.length === count) resolve(descriptions);
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      return { client, done };
    };
    // Both in one audience (no field depends on the viewer): the hub sends per member.
    const blocker = received(ana, 1);
    // With a field that depends on the viewer, ana is an audience of her own.
    const blockerAlone = received(ana, 1, 'description viewerHasLiked');
    const other = received(dee, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await post(ben, `from ben ${ben.id}`);
    await post(cy, `from cy ${cy.id}`);
    expect(await other.done).toEqual([`from ben ${ben.id}`, `from cy ${cy.id}`]);
    // Events arrive in order: had ana been sent ben's, it would have come first.
    expect(await blocker.done).toEqual([`from cy ${cy.id}`]);
    expect(await blockerAlone.done).toEqual([`from cy ${cy.id}`]);
    await blocker.client.dispose();
    await blockerAlone.client.dispose();
    await other.client.dispose();
  }, 30_000);
});

describe('a mute', () => {
  // The stories bar's part is in src/domain/social/mute-user.test.ts (stories need uploads).
  it('hides posts from the muter’s feed only', async () => {
    const [ana, ben, cy] = [
      await server.newUser('ana'),
      await server.newUser('ben'),
      await server.newUser('cy'),
    ];
    await follow(ana, ben);
    await follow(cy, ben);
    const bens = await post(ben, 'ben');
    expect(await feedOnce(ana, (ids) => ids.length === 1)).toEqual([bens]);
    expect(await relation('muteUser', ana, ben)).toMatchObject({ followerCount: 2, viewerMutes: true });
    expect(await feedOnce(ana, (ids) => ids.length === 0)).toEqual([]);
    expect(await feedOnce(cy, (ids) => ids.length === 1)).toEqual([bens]);
    const getPost = 'query($p: ID!) { getPost(id: $p) { id viewerHasLiked } }';
    expect((await ok(ana.token, getPost, { p: bens })).getPost).toEqual({ id: bens, viewerHasLiked: false });
    await relation('unmuteUser', ana, ben);
    expect(await feedOnce(ana, (ids) => ids.length === 1)).toEqual([bens]);
  });
});

describe('getPost without the resolver cache', () => {
  it('answers null to the blocked user from one read of the block', async () => {
    const uncached = await startTestServer({
      configFile: { caching: { fields: { 'Query.getPost': { ttlSeconds: 0 } } } },
    });
    try {
      const [ana, ben] = [await uncached.newUser('ana'), await uncached.newUser('ben')];
      const created = await uncached.gql(
        ana.token,
        'mutation { createPost(input: { description: "a" }) { id } }',
      );
      const getPost = 'query($p: ID!) { getPost(id: $p) { id } }';
      const p = created.data?.createPost.id as string;
      expect((await uncached.gql(ben.token, getPost, { p })).data?.getPost).toEqual({ id: p });
      await uncached.gql(ana.token, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: ben.id });
      expect((await uncached.gql(ben.token, getPost, { p })).data?.getPost).toBeNull();
      expect((await uncached.gql(ana.token, getPost, { p })).data?.getPost).toEqual({ id: p });
    } finally {
      await uncached.close();
    }
  });
});
