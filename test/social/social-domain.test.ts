/**
 * The social domain end to end on each engine: profiles, unique usernames,
 * posts, likes under concurrency, comments, follows, and the home feed fed by
 * the change-stream fan-out (with large authors merged at read time).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIds } from '../../src/adapters/ids/node-ids.ts';
import { addComment } from '../../src/domain/social/add-comment.ts';
import { createPost } from '../../src/domain/social/create-post.ts';
import { createProfile } from '../../src/domain/social/create-profile.ts';
import { deleteComment } from '../../src/domain/social/delete-comment.ts';
import { deletePost } from '../../src/domain/social/delete-post.ts';
import { fanOutFeed } from '../../src/domain/social/feed-fan-out.ts';
import { followUser, unfollowUser } from '../../src/domain/social/follow-user.ts';
import { getPost } from '../../src/domain/social/get-post.ts';
import { getProfile } from '../../src/domain/social/get-profile.ts';
import { homeFeed } from '../../src/domain/social/home-feed.ts';
import { likePost, unlikePost } from '../../src/domain/social/like-post.ts';
import { listComments } from '../../src/domain/social/list-comments.ts';
import { listFollows } from '../../src/domain/social/list-follows.ts';
import { defaultSocialSettings, type SocialServices } from '../../src/domain/social/model.ts';
import { updateProfile } from '../../src/domain/social/update-profile.ts';
import { isPlazaError } from '../../src/platform/errors.ts';
import { systemClock } from '../../src/ports/clock.ts';
import type { StreamSubscription } from '../../src/ports/item-store/item-store.ts';
import { engines, type EngineHarness } from '../item-store/engines.ts';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isPlazaError(error) ? error.code : String(error)).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe.each(engines().map((open, i) => [i === 0 ? 'sqlite' : 'dynamodb', open] as const))(
  'the social domain on %s',
  (engine, open) => {
    let harness: EngineHarness;
    let services: SocialServices;
    let fanOut: StreamSubscription;
    const user = () => randomUUID();

    beforeAll(async () => {
      harness = await open();
      services = {
        store: harness.store,
        clock: systemClock,
        ids: nodeIds(systemClock),
        settings: { ...defaultSocialSettings, fanOutFollowerLimit: 3 },
      };
      fanOut = harness.store.changes.subscribe('feed', (records) => fanOutFeed(records, services), {
        pollIntervalMs: 50,
      });
    });
    afterAll(async () => {
      await fanOut?.stop();
      await harness?.close();
    });

    async function people(n: number): Promise<string[]> {
      const ids = Array.from({ length: n }, user);
      await Promise.all(
        ids.map((userId) => createProfile({ userId, email: `${userId}@example.com` }, services)),
      );
      return ids;
    }

    it('keeps usernames unique regardless of case, and lets an owner rename', async () => {
      const [alice, bob] = await people(2);
      const name = `alice_${engine}_${Date.now().toString(36)}`;
      await updateProfile(alice!, { username: name, displayName: 'Alice', bio: 'hi' }, services);
      await expectCode(updateProfile(bob!, { username: name.toUpperCase() }, services), 'Conflict');
      await updateProfile(alice!, { username: `${name}2` }, services);
      // The old name is free again.
      expect((await updateProfile(bob!, { username: name }, services)).username).toBe(name);
      await expectCode(updateProfile(bob!, { username: 'no spaces' }, services), 'BadInput');
    });

    it('posts, likes once per user, and counts every concurrent like', async () => {
      const [author, ...likers] = await people(engine === 'sqlite' ? 201 : 41);
      const post = await createPost(author!, { description: 'Sunset over the bay' }, services);
      expect((await getProfile(author!, services)).postCount).toBe(1);
      await likePost(likers[0]!, post.id, services);
      await likePost(likers[0]!, post.id, services);
      expect((await getPost(post.id, services)).likeCount).toBe(1);
      await unlikePost(likers[0]!, post.id, services);
      await unlikePost(likers[0]!, post.id, services);
      expect((await getPost(post.id, services)).likeCount).toBe(0);
      await Promise.all(likers.map((liker) => likePost(liker, post.id, services)));
      expect((await getPost(post.id, services)).likeCount).toBe(likers.length);
      const likes = await harness.store.query({
        partition: `POST#${post.id}`,
        sortKey: { op: 'beginsWith', value: 'LIKE#' },
        consistent: true,
      });
      expect(likes.items).toHaveLength(likers.length);
      await expectCode(likePost(likers[0]!, '01ARZ3NDEKTSV4RRFFQ69G5FAV', services), 'NotFound');
    });

    it('pages comments and lets the post author delete any of them', async () => {
      const [author, commenter] = await people(2);
      const post = await createPost(author!, { description: 'Questions?' }, services);
      const comments = [];
      for (const text of ['one', 'two', 'three'])
        comments.push(await addComment(commenter!, post.id, text, services));
      const first = await listComments(post.id, { limit: 2 }, services);
      expect(first.items.map((c) => c.content)).toEqual(['one', 'two']);
      const rest = await listComments(post.id, { limit: 2, cursor: first.cursor! }, services);
      expect(rest.items.map((c) => c.content)).toEqual(['three']);
      await expectCode(deleteComment(user(), post.id, comments[0]!.id, services), 'Unauthorized');
      await deleteComment(author!, post.id, comments[0]!.id, services);
      expect((await getPost(post.id, services)).commentCount).toBe(2);
      await expectCode(addComment(commenter!, post.id, '   ', services), 'BadInput');
    });

    it('follows both ways in one step, and fills and empties the home feed', async () => {
      const [alice, bob, carol] = await people(3);
      await expectCode(followUser(bob!, bob!, services), 'BadInput');
      await followUser(bob!, alice!, services);
      await followUser(bob!, alice!, services);
      expect((await getProfile(alice!, services)).followerCount).toBe(1);
      expect((await getProfile(bob!, services)).followingCount).toBe(1);
      expect((await listFollows(alice!, 'followers', {}, services)).items.map((p) => p.id)).toEqual([bob]);

      const first = await createPost(alice!, { description: 'first' }, services);
      const second = await createPost(alice!, { description: 'second' }, services);
      await likePost(bob!, second.id, services);
      await fanOut.drain();
      const feed = await homeFeed(bob!, {}, services);
      expect(feed.items.map((item) => item.post.description)).toEqual(['second', 'first']);
      expect(feed.items.map((item) => item.viewerHasLiked)).toEqual([true, false]);
      expect(feed.items[0]?.author?.id).toBe(alice);

      // A new follower sees the followee's recent posts.
      await followUser(carol!, alice!, services);
      await fanOut.drain();
      const page = await homeFeed(carol!, { limit: 1 }, services);
      expect(page.items.map((item) => item.post.id)).toEqual([second.id]);
      const next = await homeFeed(carol!, { limit: 1, cursor: page.cursor! }, services);
      expect(next.items.map((item) => item.post.id)).toEqual([first.id]);

      // Deleting a post takes it out of feeds; unfollowing takes the rest.
      await expectCode(deletePost(bob!, first.id, services), 'Unauthorized');
      await deletePost(alice!, first.id, services);
      await expectCode(getPost(first.id, services), 'NotFound');
      await unfollowUser(bob!, alice!, services);
      await fanOut.drain();
      expect((await homeFeed(carol!, {}, services)).items.map((item) => item.post.id)).toEqual([second.id]);
      expect((await homeFeed(bob!, {}, services)).items).toEqual([]);
      expect((await getProfile(alice!, services)).followerCount).toBe(1);
    });

    it('merges large authors into feeds at read time instead of fanning out', async () => {
      const [star, ...fans] = await people(4);
      for (const fan of fans) await followUser(fan, star!, services);
      await fanOut.drain();
      const post = await createPost(star!, { description: 'hello, everyone' }, services);
      await fanOut.drain();
      const entry = await harness.store.get({ PK: `FEED#${fans[0]}`, SK: post.id }, { consistent: true });
      expect(entry.item).toBeUndefined();
      const feed = await homeFeed(fans[0]!, {}, services);
      expect(feed.items.map((item) => item.post.id)).toContain(post.id);
    });
  },
);
