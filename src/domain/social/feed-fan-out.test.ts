import { afterEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { deletePost } from './delete-post.ts';
import { fanOutFeed } from './feed-fan-out.ts';
import { followUser, unfollowUser } from './follow-user.ts';
import { partitions } from './keys.ts';

let world: SocialWorld;
afterEach(() => world.close());

/** The post ids in a user's feed partition, newest first. */
async function feedOf(userId: string): Promise<string[]> {
  const { items } = await world.social.store.query({
    partition: partitions.feed(userId),
    descending: true,
    limit: 100,
  });
  return items.map((item) => String(item.postId));
}

describe('fanOutFeed', () => {
  it('puts a new post into the author’s and each follower’s feed, and takes it out when deleted', async () => {
    world = socialWorld();
    const [ana, ben, cy, dee] = await Promise.all(['ana', 'ben', 'cy', 'dee'].map((n) => world.user(n)));
    await followUser(ben!, ana!, world.social);
    await followUser(cy!, ana!, world.social);
    await world.fanOut();
    const post = await createPost(ana!, { description: 'hi' }, world.social);
    await world.fanOut();
    for (const reader of [ana!, ben!, cy!]) expect(await feedOf(reader)).toEqual([post.id]);
    expect(await feedOf(dee!)).toEqual([]);
    await deletePost(ana!, post.id, world.social);
    await world.fanOut();
    for (const reader of [ana!, ben!, cy!]) expect(await feedOf(reader)).toEqual([]);
  });

  it('copies the most recent posts in on a follow (backfillPosts of them) and takes them out on an unfollow', async () => {
    world = socialWorld({ backfillPosts: 3 });
    const [ana, ben, cy] = await Promise.all(['ana', 'ben', 'cy'].map((n) => world.user(n)));
    const anas = [];
    for (let i = 0; i < 5; i++)
      anas.push((await createPost(ana!, { description: `a${i}` }, world.social)).id);
    const cys = (await createPost(cy!, { description: 'c' }, world.social)).id;
    // The posts are fanned out before the follow, so only the backfill can bring them in.
    await world.fanOut();
    await followUser(ben!, ana!, world.social);
    await followUser(ben!, cy!, world.social);
    await world.fanOut();
    expect(await feedOf(ben!)).toEqual([cys, anas[4], anas[3], anas[2]]);
    await unfollowUser(ben!, ana!, world.social);
    await world.fanOut();
    expect(await feedOf(ben!)).toEqual([cys]);
  });

  it('changes nothing when a batch comes again (at-least-once delivery)', async () => {
    world = socialWorld();
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => world.user(n)));
    await followUser(ben!, ana!, world.social);
    const kept = await createPost(ana!, { description: 'kept' }, world.social);
    const gone = await createPost(ana!, { description: 'gone' }, world.social);
    await deletePost(ana!, gone.id, world.social);
    const records = await world.changes();
    await fanOutFeed(records, world.social);
    await fanOutFeed(records, world.social);
    expect(await feedOf(ben!)).toEqual([kept.id]);
    expect(await feedOf(ana!)).toEqual([kept.id]);
  });

  it('leaves a large author’s followers to read time: only the author’s own feed is written', async () => {
    world = socialWorld({ fanOutFollowerLimit: 2 });
    const [star, one, two] = await Promise.all(['star', 'one', 'two'].map((n) => world.user(n)));
    await followUser(one!, star!, world.social);
    await followUser(two!, star!, world.social);
    await world.fanOut();
    const post = await createPost(star!, { description: 'to millions' }, world.social);
    await world.fanOut();
    expect(await feedOf(star!)).toEqual([post.id]);
    expect(await feedOf(one!)).toEqual([]);
    expect(await feedOf(two!)).toEqual([]);
  });
});
