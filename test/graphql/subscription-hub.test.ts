import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { memoryEventBus } from '../../src/adapters/memory/memory-event-bus.ts';
import { memoryWindowCounter } from '../../src/adapters/memory/memory-window-counter.ts';
import { defaultWriteLimits } from '../../src/domain/social/write-limits.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { followUser } from '../../src/domain/social/follow-user.ts';
import { likePost } from '../../src/domain/social/like-post.ts';
import { mediaUrls } from '../../src/domain/media/media-urls.ts';
import { poolDirectory } from '../../src/domain/identity/pool-directory.ts';
import type { Caller } from '../../src/ports/identity-verifier.ts';
import type { ItemStore } from '../../src/ports/item-store/item-store.ts';
import { authModes } from '../../src/edge/graphql/auth-modes.ts';
import { executableSchema } from '../../src/edge/graphql/executable-schema.ts';
import { nextTokens } from '../../src/edge/graphql/next-token.ts';
import { subscriptionHub, type LiveResult } from '../../src/edge/graphql/subscription-hub.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A hub over the test server's store, counting its BatchGets, with a bus of its own. */
function hubOverStore() {
  const batchGets: number[] = [];
  const store = server.app.social.store;
  const counting: ItemStore = Object.assign(Object.create(store) as ItemStore, {
    batchGet: (keys: Parameters<ItemStore['batchGet']>[0]) => {
      batchGets.push(keys.length);
      return store.batchGet(keys);
    },
  });
  const events = memoryEventBus();
  const schema = executableSchema();
  const social = { ...server.app.social, store: counting };
  const hub = subscriptionHub({
    schema,
    modes: authModes(schema),
    log: server.app.logger,
    services: {
      social,
      events,
      nextTokens: nextTokens(randomBytes(32)),
      media: server.app.media.services,
      dataExport: server.app.dataExport,
      directory: poolDirectory(server.app.identity.services!),
      writeLimits: { counter: memoryWindowCounter(systemClock), limits: defaultWriteLimits },
      mediaUrls: mediaUrls({
        publicBase: () => 'http://media',
        signPrivate: () => '',
        clock: server.app.clock,
        originalSeconds: 300,
      }),
    },
  });
  return { hub, events, batchGets, social };
}

const user = (sub: string): Caller => ({ kind: 'user', sub }) as Caller;

/** Subscribes and collects what arrives; fails the test if the hub refuses. */
async function collect(hub: ReturnType<typeof hubOverStore>['hub'], caller: Caller, query: string) {
  const received: LiveResult[] = [];
  const subscribed = await hub.subscribe({ query, caller }, (live) => received.push(live));
  if ('errors' in subscribed) throw new Error(subscribed.errors.map((e) => e.message).join('; '));
  return { received, stop: subscribed.stop };
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 100 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('subscriptionHub', () => {
  it('runs an operation once per event for everyone when no field depends on the viewer', async () => {
    const { hub, events, social } = hubOverStore();
    const author = await server.newUser('hub-author');
    const query = `subscription { onCreatePost(authorId: "${author.id}") { id description author { id username } } }`;
    // A subscriber whose socket throws costs the others nothing (it is delivered to first).
    const broken = await hub.subscribe({ query, caller: user('broken') }, () => {
      throw new Error('broken socket');
    });
    const subscribers = await Promise.all(
      ['a', 'b', 'c'].map(async (name) =>
        collect(hub, user((await server.newUser(`hub-${name}`)).id), query),
      ),
    );
    expect(hub.groups).toBe(1);

    const post = await createPost(author.id, { description: 'shared' }, social);
    events.publish('createPost', post);
    await settle(() => subscribers.every((s) => s.received.length === 1));
    const [first] = subscribers[0]!.received;
    // One answer, the same object for all three, serialized once whatever the number of readers.
    for (const subscriber of subscribers) expect(subscriber.received).toEqual([first]);
    let serializations = 0;
    const format = (result: unknown) => (serializations++, JSON.stringify(result));
    for (const subscriber of subscribers) subscriber.received[0]!.serialized(format);
    expect(serializations).toBe(1);
    expect(first!.result).toEqual({
      data: {
        onCreatePost: { id: post.id, description: 'shared', author: { id: author.id, username: null } },
      },
    });

    // Another author's post does not match the filter.
    const other = await server.newUser('hub-other');
    events.publish('createPost', await createPost(other.id, { description: 'elsewhere' }, social));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const subscriber of subscribers) expect(subscriber.received).toHaveLength(1);
    for (const subscriber of subscribers) subscriber.stop();
    if ('stop' in broken) broken.stop();
    expect(hub.groups).toBe(0);
  });

  it("resolves viewer fields for each viewer, batching the viewers' reads", async () => {
    const { hub, events, batchGets, social } = hubOverStore();
    const author = await server.newUser('hub-liked');
    const viewers = await Promise.all(
      // More viewers than the hub resolves at a time (256), so that the answers go in two slices.
      Array.from({ length: 300 }, (_, i) => server.newUser(`hub-viewer-${i}`)),
    );
    const post = await createPost(author.id, { description: 'liked by some' }, social);
    const likers = new Set(viewers.filter((_, i) => i % 3 === 0).map((v) => v.id));
    for (const id of likers) await likePost(id, post.id, social);
    await followUser(viewers[1]!.id, author.id, social);

    const query = `subscription { onLikePost(postId: "${post.id}") { id likeCount viewerHasLiked author { id viewerFollows } } }`;
    const subscribers = await Promise.all(viewers.map((viewer) => collect(hub, user(viewer.id), query)));
    expect(hub.groups).toBe(1);
    batchGets.length = 0;

    events.publish('likePost', { ...post, likeCount: likers.size });
    await settle(() => subscribers.every((s) => s.received.length === 1));
    subscribers.forEach((subscriber, i) => {
      const viewer = viewers[i]!;
      expect(subscriber.received[0]!.result.data).toEqual({
        onLikePost: {
          id: post.id,
          likeCount: likers.size,
          viewerHasLiked: likers.has(viewer.id),
          author: { id: author.id, viewerFollows: i === 1 },
        },
      });
    });
    // 300 likes and 300 follow edges in chunks of 100 keys a slice: 512 keys in 6 reads for the first
    // slice, 88 in 1 for the second, not 600 reads. The author's profile, read before, comes from
    // the store's memory (ItemStore.cached) with no read at all.
    expect(batchGets.length).toBeLessThanOrEqual(8);
    expect(batchGets.reduce((a, b) => a + b, 0)).toBe(600);
    for (const subscriber of subscribers) subscriber.stop();
    expect(hub.groups).toBe(0);
  });

  it("reads no viewer's like of a new post: its event says nobody likes it", async () => {
    const { hub, events, batchGets, social } = hubOverStore();
    const author = await server.newUser('hub-new-post');
    const viewers = await Promise.all(Array.from({ length: 5 }, (_, i) => server.newUser(`hub-new-${i}`)));
    await followUser(viewers[0]!.id, author.id, social);
    const query = `subscription { onCreatePost(authorId: "${author.id}") { id likeCount viewerHasLiked author { viewerFollows } } }`;
    const subscribers = await Promise.all(viewers.map((viewer) => collect(hub, user(viewer.id), query)));
    batchGets.length = 0;

    const post = await createPost(author.id, { description: 'fresh' }, social);
    events.publish('createPost', post);
    await settle(() => subscribers.every((s) => s.received.length === 1));
    subscribers.forEach((subscriber, i) =>
      expect(subscriber.received[0]!.result.data).toEqual({
        onCreatePost: {
          id: post.id,
          likeCount: 0,
          viewerHasLiked: false,
          author: { viewerFollows: i === 0 },
        },
      }),
    );
    // The author's blockers (a query), then 5 follow edges (the author's profile from the store's
    // memory): no like.
    expect(batchGets.reduce((a, b) => a + b, 0)).toBe(5);

    // A post that has likes still reads each viewer's: 5 likes. The profile and the 5 follow edges,
    // read for the first event, come from the store's memory.
    await likePost(viewers[1]!.id, post.id, social);
    batchGets.length = 0;
    events.publish('createPost', { ...post, likeCount: 1 });
    await settle(() => subscribers.every((s) => s.received.length === 2));
    expect(
      subscribers.map((s) => (s.received[1]!.result.data as { onCreatePost: object }).onCreatePost),
    ).toEqual(
      viewers.map((_, i) => ({
        id: post.id,
        likeCount: 1,
        viewerHasLiked: i === 1,
        author: { viewerFollows: i === 0 },
      })),
    );
    expect(batchGets.reduce((a, b) => a + b, 0)).toBe(5);
    for (const subscriber of subscribers) subscriber.stop();
  });

  it('hands a burst of notifications each to its recipient alone, in order, with one read per slice', async () => {
    const { hub, events, batchGets } = hubOverStore();
    const actor = await server.newUser('hub-actor');
    const recipients = await Promise.all(
      Array.from({ length: 300 }, (_, i) => server.newUser(`hub-recipient-${i}`)),
    );
    const query = 'subscription { onNotification { id type actor { id } } }';
    const subscribers = await Promise.all(recipients.map((r) => collect(hub, user(r.id), query)));
    expect(hub.groups).toBe(1);
    batchGets.length = 0;

    // More at once than the group's queue used to keep (1,000): none may be dropped.
    const perRecipient = 4;
    for (let n = 0; n < perRecipient; n++)
      for (const recipient of recipients)
        events.publish('notification', {
          id: `FOLLOW#${n}`,
          recipientId: recipient.id,
          type: 'FOLLOW',
          actorIds: [actor.id],
          othersCount: 0,
          createdAt: new Date().toISOString(),
          read: false,
        });
    await settle(() => subscribers.every((s) => s.received.length === perRecipient));
    for (const subscriber of subscribers)
      expect(subscriber.received.map((live) => live.result.data)).toEqual(
        Array.from({ length: perRecipient }, (_, n) => ({
          onNotification: { id: `FOLLOW#${n}`, type: 'FOLLOW', actor: { id: actor.id } },
        })),
      );
    // The actor's profile once for each slice of 256 notifications, not once for each of 1,200.
    expect(batchGets.length).toBeLessThanOrEqual(Math.ceil((perRecipient * recipients.length) / 256) + 1);
    for (const subscriber of subscribers) subscriber.stop();
    expect(hub.groups).toBe(0);
  });

  it('refuses what the caller may not read, and documents that are not subscriptions', async () => {
    const { hub } = hubOverStore();
    const refused = (caller: Caller, query: string) =>
      hub.subscribe({ query, caller }, () => undefined).then((subscribed) => 'errors' in subscribed);
    const apiKey = { kind: 'apiKey', keyId: 'k' } as Caller;
    expect(await refused(apiKey, 'subscription { onCreatePost { id author { email } } }')).toBe(true);
    expect(await refused(user('u'), '{ getPost(id: "x") { id } }')).toBe(true);
    expect(await refused(user('u'), 'subscription { onCreatePost { nope } }')).toBe(true);
    expect(await refused(user('u'), 'subscription {')).toBe(true);
    expect(hub.groups).toBe(0);
  });
});
