import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createStory } from './create-story.ts';
import { followUser } from './follow-user.ts';
import { listStories, storiesFeed } from './list-stories.ts';

let world: SocialWorld;
afterEach(() => world.close());

const hour = 3600_000;

async function story(userId: string) {
  return createStory(userId, { mediaKey: await world.upload(userId, 'STORY') }, world.social);
}

describe('listStories', () => {
  it('lists live stories oldest first and drops them once expired, before the TTL sweep', async () => {
    world = socialWorld({ storyLifetimeMs: 24 * hour });
    const ana = await world.user('ana');
    const first = await story(ana);
    world.clock.advance(hour);
    const second = await story(ana);
    expect(await listStories(ana, world.social)).toEqual([first, second]);
    world.clock.advance(23 * hour);
    expect(await listStories(ana, world.social)).toEqual([second]);
    world.clock.advance(hour);
    expect(await listStories(ana, world.social)).toEqual([]);
    await failsWith(listStories('a/b', world.social), 'BadInput');
  });
});

describe('storiesFeed', () => {
  it('puts the viewer first, then followed users by their latest story, leaving out the storyless and unfollowed', async () => {
    world = socialWorld();
    const [me, early, late, quiet, stranger] = await Promise.all(
      ['me', 'early', 'late', 'quiet', 'stranger'].map((name) => world.user(name)),
    );
    for (const followee of [early!, late!, quiet!]) await followUser(me!, followee, world.social);
    await story(late!);
    world.clock.advance(1000);
    await story(early!);
    world.clock.advance(1000);
    await story(late!);
    await story(stranger!);
    world.clock.advance(1000);
    await story(me!);
    const feed = await storiesFeed(me!, world.social);
    expect(feed.map((entry) => entry.userId)).toEqual([me, late, early]);
    expect(feed[1]!.stories).toHaveLength(2);
  });

  it('is empty for a viewer with no stories who follows nobody', async () => {
    world = socialWorld();
    const me = await world.user('me');
    expect(await storiesFeed(me, world.social)).toEqual([]);
    await failsWith(storiesFeed('', world.social), 'BadInput');
  });
});
