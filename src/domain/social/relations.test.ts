import { afterEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { blockUser, unblockUser } from './block-user.ts';
import { createPost } from './create-post.ts';
import { followUser } from './follow-user.ts';
import { homeFeed } from './home-feed.ts';
import { keys, partitions } from './keys.ts';
import { muteUser, unmuteUser } from './mute-user.ts';
import { hiddenCount, relationItems } from './relations.ts';

let world: SocialWorld;
afterEach(() => world.close());

const counts = (...userIds: string[]) =>
  Promise.all(
    userIds.map(async (id) => (await world.social.store.get(keys.profile(id))).item?.[hiddenCount]),
  );

describe('hiddenCount', () => {
  it('counts blocks both ways and the muter’s mutes, once each, and takes them back', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    expect(await counts(ana, ben, cy)).toEqual([0, 0, 0]);

    await blockUser(ana, ben, world.social);
    await blockUser(ana, ben, world.social);
    await muteUser(cy, ana, world.social);
    await muteUser(cy, ana, world.social);
    expect(await counts(ana, ben, cy)).toEqual([1, 1, 1]);
    await muteUser(ana, cy, world.social);
    expect(await counts(ana, ben, cy)).toEqual([2, 1, 1]);

    await Promise.all([unblockUser(ana, ben, world.social), unblockUser(ana, ben, world.social)]);
    await unmuteUser(cy, ana, world.social);
    await unmuteUser(cy, ana, world.social);
    expect(await counts(ana, ben, cy)).toEqual([1, 0, 0]);
  });

  it('is counted from the partition for a profile written before it existed', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    const { store } = world.social;
    // As an earlier version left them: a block of ben's, without counts.
    await followUser(ana, ben, world.social);
    for (const id of [ana, ben, cy]) await store.update({ key: keys.profile(id), remove: [hiddenCount] });
    for (const item of relationItems('block', ben, ana, new Date(world.clock.now()).toISOString()))
      await store.put({ item });
    await createPost(ben, { description: 'hidden from ana' }, world.social);
    await world.fanOut();
    expect((await store.query({ partition: partitions.feed(ana) })).items).toHaveLength(1);
    // Unknown count: the feed looks, and leaves ben out.
    expect((await homeFeed(ana, {}, world.social)).items).toEqual([]);

    await blockUser(ben, cy, world.social);
    await muteUser(ana, cy, world.social);
    expect(await counts(ana, ben, cy)).toEqual([2, 2, 1]);
    await unblockUser(ben, ana, world.social);
    expect(await counts(ana, ben, cy)).toEqual([1, 1, 1]);
  });

  it('spares the feed nothing it must hide: a counted viewer still misses a blocker’s posts', async () => {
    world = socialWorld();
    const [ana, ben] = [await world.user('ana'), await world.user('ben')];
    await followUser(ana, ben, world.social);
    await createPost(ben, { description: 'seen' }, world.social);
    await world.fanOut();
    expect((await homeFeed(ana, {}, world.social)).items.map((item) => item.post.description)).toEqual([
      'seen',
    ]);
    await muteUser(ana, ben, world.social);
    expect((await homeFeed(ana, {}, world.social)).items).toEqual([]);
    await unmuteUser(ana, ben, world.social);
    expect((await homeFeed(ana, {}, world.social)).items).toHaveLength(1);
  });
});
