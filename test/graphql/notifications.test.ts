/**
 * Notifications, mentions and hashtags over GraphQL (issue 20): what the notifications consumer
 * writes from the change stream, read as the API shows it (grouped likes, unread count, read
 * mark), delivered live to its recipient alone, and taken back with what it was about, down to
 * an erased account's. postsByHashtag answers from the tag's index items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, notificationsPartition } from '../../src/domain/social/keys.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type User = { id: string; token: string };
let names = 0;

async function ok(token: string, query: string, variables?: object) {
  const response = await server.gql(token, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  // The shapes vary by query; the assertions check them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return response.data as Record<string, any>;
}

/** A user with a username (mentions name users by it). */
async function named(name: string): Promise<User & { username: string }> {
  const user = await server.newUser(name);
  const username = `${name}_${Date.now().toString(36)}${names++}`;
  await ok(user.token, 'mutation($u: String) { updateProfile(input: { username: $u }) { id } }', {
    u: username,
  });
  return { ...user, username };
}

const post = async (user: User, description: string) =>
  String(
    (
      await ok(user.token, 'mutation($d: String) { createPost(input: { description: $d }) { id } }', {
        d: description,
      })
    ).createPost.id,
  );
const like = (user: User, postId: string) =>
  ok(user.token, 'mutation($p: ID!) { likePost(postId: $p) { id } }', { p: postId });

const inboxQuery = `{
  unreadNotificationCount
  notifications(limit: 20) {
    items { type read othersCount actor { id } actors { id } post { id } comment { id content } }
    nextToken
  }
}`;

/** The viewer's notifications once the consumer has written what `expected` waits for. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function inbox(user: User, expected: (data: Record<string, any>) => boolean) {
  for (let attempt = 0; ; attempt++) {
    const data = await ok(user.token, inboxQuery);
    if (expected(data) || attempt === 100) return data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('notifications', () => {
  it('tell of follows, comments and mentions, group the likes of a post, and count the unread', async () => {
    const [ana, ben, cy, dee] = [
      await named('ana'),
      await named('ben'),
      await named('cy'),
      await named('dee'),
    ];
    const postId = await post(ana, `morning @${ben.username} and @nobody_at_all`);
    await ok(cy.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: ana.id });
    await like(ana, postId);
    await like(ben, postId);
    await like(cy, postId);
    await like(dee, postId);
    const comment = await ok(
      dee.token,
      'mutation($p: ID!, $c: String!) { addComment(postId: $p, content: $c) { id } }',
      { p: postId, c: `hi @${cy.username}` },
    );
    const data = await inbox(ana, (d) => d.unreadNotificationCount === 3);
    expect(data.unreadNotificationCount).toBe(3);
    const items = data.notifications.items;
    expect(items.map((item: { type: string }) => item.type).sort()).toEqual(['COMMENT', 'FOLLOW', 'LIKE']);
    const likes = items.find((item: { type: string }) => item.type === 'LIKE');
    // "dee and 2 others": ana's own like is not counted.
    expect(likes).toMatchObject({ read: false, othersCount: 2, actor: { id: dee.id }, post: { id: postId } });
    expect(likes.actors).toEqual([{ id: dee.id }, { id: cy.id }, { id: ben.id }]);
    expect(items.find((item: { type: string }) => item.type === 'COMMENT')).toMatchObject({
      actor: { id: dee.id },
      comment: { id: comment.addComment.id, content: `hi @${cy.username}` },
    });
    expect((await inbox(ben, (d) => d.unreadNotificationCount === 1)).notifications.items).toMatchObject([
      { type: 'MENTION', actor: { id: ana.id }, post: { id: postId }, comment: null },
    ]);
    expect((await inbox(cy, (d) => d.unreadNotificationCount === 1)).notifications.items).toMatchObject([
      { type: 'MENTION', actor: { id: dee.id }, comment: { id: comment.addComment.id } },
    ]);

    expect((await ok(ana.token, 'mutation { markNotificationsRead }')).markNotificationsRead).toBe(3);
    const read = await ok(ana.token, inboxQuery);
    expect(read.unreadNotificationCount).toBe(0);
    expect(read.notifications.items.every((item: { read: boolean }) => item.read)).toBe(true);
  });

  it('are taken back with what they were about, and leave nothing of an erased account', async () => {
    const [ana, ben] = [await named('ana'), await named('ben')];
    const postId = await post(ana, 'soon unliked');
    await like(ben, postId);
    await ok(ben.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: ana.id });
    await inbox(ana, (d) => d.unreadNotificationCount === 2);
    await ok(ben.token, 'mutation($p: ID!) { unlikePost(postId: $p) { id } }', { p: postId });
    const after = await inbox(ana, (d) => d.unreadNotificationCount === 1);
    expect(after.notifications.items).toMatchObject([{ type: 'FOLLOW', actor: { id: ben.id } }]);
    // Ben's account erased: his follow goes, and the notification with it.
    await ok(ben.token, 'mutation { deleteMyAccount }');
    expect(await inbox(ana, (d) => d.unreadNotificationCount === 0)).toMatchObject({
      unreadNotificationCount: 0,
      notifications: { items: [] },
    });
    // Ana's account erased: her notification items and counter go with her partition.
    await like(await named('cy'), postId);
    await inbox(ana, (d) => d.unreadNotificationCount === 1);
    await ok(ana.token, 'mutation { deleteMyAccount }');
    const store = server.app.stores.main;
    for (let attempt = 0; attempt < 100; attempt++) {
      const left = await store.query({ partition: `USER#${ana.id}` });
      if (left.items.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await store.query({ partition: `USER#${ana.id}` })).items).toEqual([]);
    expect((await store.query({ index: 'GSI1', partition: notificationsPartition(ana.id) })).items).toEqual(
      [],
    );
    expect((await store.get(keys.notificationState(ana.id))).item).toBeUndefined();
  }, 30_000);

  it('reach their recipient live, and nobody else', async () => {
    const [ana, ben, cy] = [await named('ana'), await named('ben'), await named('cy')];
    const postId = await post(ana, 'live');
    const listen = (user: User) => {
      const client = graphqlWsClient(server.url, user.token);
      const received: unknown[] = [];
      client.subscribe(
        { query: 'subscription { onNotification { type recipientId actor { id } post { id } } }' },
        {
          next: (value) => void received.push(value.data?.onNotification),
          error: () => {},
          complete: () => {},
        },
      );
      return { client, received };
    };
    const anas = listen(ana);
    const bens = listen(ben);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await like(cy, postId);
    for (let attempt = 0; attempt < 100 && anas.received.length === 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(anas.received).toEqual([
      { type: 'LIKE', recipientId: ana.id, actor: { id: cy.id }, post: { id: postId } },
    ]);
    expect(bens.received).toEqual([]);
    await anas.client.dispose();
    await bens.client.dispose();
  }, 30_000);

  it('refuse a read mark that is no time', async () => {
    const ana = await named('ana');
    const response = await server.gql(ana.token, 'mutation { markNotificationsRead(upTo: "yesterday") }');
    expect(response.errors?.[0]?.errorType).toBe('ValidationError');
  });

  it('are never published by a user: publishNotification is the AWS consumer’s (IAM) alone', async () => {
    const [ana, ben] = [await named('ana'), await named('ben')];
    await ok(ben.token, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: ana.id });
    await inbox(ana, (data) => data.unreadNotificationCount === 1);
    const publish = 'mutation($r: ID!, $n: ID!) { publishNotification(recipientId: $r, id: $n) { id type } }';
    for (const caller of [ana, ben]) {
      const response = await server.gql(caller.token, publish, { r: ana.id, n: `FOLLOW#${ben.id}` });
      expect(response.errors?.[0]?.errorType).toBe('Unauthorized');
      expect(response.data?.publishNotification ?? null).toBeNull();
    }
  });
});

describe('postsByHashtag', () => {
  it('finds posts by their tags, newest first, in pages, whatever the case or form of the tag', async () => {
    const [ana, ben] = [await named('ana'), await named('ben')];
    const tag = `Café${Date.now().toString(36)}`;
    const first = await post(ana, `#${tag} one`);
    const second = await post(ben, `two #${tag.toLowerCase().normalize('NFD')} #other`);
    const query =
      'query($t: String!, $n: String) { postsByHashtag(tag: $t, limit: 1, nextToken: $n) { items { id } nextToken } }';
    const page1 = (await ok(ana.token, query, { t: `#${tag.toUpperCase()}` })).postsByHashtag;
    expect(page1.items).toEqual([{ id: second }]);
    const page2 = (await ok(ana.token, query, { t: tag, n: page1.nextToken })).postsByHashtag;
    expect(page2.items).toEqual([{ id: first }]);
    await ok(ana.token, 'mutation($id: ID!) { deletePost(id: $id) { id } }', { id: first });
    expect((await ok(ben.token, query, { t: tag })).postsByHashtag.items).toEqual([{ id: second }]);
    // The post's erasure takes its index item (not only the post it pointed at).
    const indexItem = keys.hashtagPost(tag.normalize('NFC').toLowerCase(), first);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (!(await server.app.stores.main.get(indexItem)).item) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await server.app.stores.main.get(indexItem)).item).toBeUndefined();
    const bad = await server.gql(ana.token, query, { t: '#' });
    expect(bad.errors?.[0]?.errorType).toBe('BadInput');
  });
});
