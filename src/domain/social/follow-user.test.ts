import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { followUser, unfollowUser } from './follow-user.ts';
import { getProfile } from './get-profile.ts';
import { largeAuthorIds } from './large-authors.ts';
import { listFollows } from './list-follows.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('followUser and unfollowUser', () => {
  it('move both edges and both counts together, and repeating changes nothing', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    expect((await followUser(ben, ana, world.social)).followerCount).toBe(1);
    expect((await followUser(ben, ana, world.social)).followerCount).toBe(1);
    expect((await getProfile(ben, world.social)).followingCount).toBe(1);
    expect((await listFollows(ana, 'followers', {}, world.social)).items.map((p) => p.id)).toEqual([ben]);
    expect((await listFollows(ben, 'following', {}, world.social)).items.map((p) => p.id)).toEqual([ana]);

    expect((await unfollowUser(ben, ana, world.social)).followerCount).toBe(0);
    expect((await unfollowUser(ben, ana, world.social)).followerCount).toBe(0);
    expect((await getProfile(ben, world.social)).followingCount).toBe(0);
    expect((await listFollows(ana, 'followers', {}, world.social)).items).toEqual([]);
  });

  it('refuse following oneself, an unknown user, and a follower with no profile', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    await failsWith(followUser(ana, ana, world.social), 'BadInput');
    const ghost = '0b5e1c9a-0000-4000-8000-00000000dead';
    await failsWith(followUser(ana, ghost, world.social), 'NotFound');
    await failsWith(followUser(ghost, ana, world.social), 'NotFound');
    await failsWith(followUser(ana, 'USER#x', world.social), 'BadInput');
    expect(await getProfile(ana, world.social)).toMatchObject({ followerCount: 0, followingCount: 0 });
    expect((await listFollows(ana, 'following', {}, world.social)).items).toEqual([]);
  });

  it('mark an author large once their followers reach the fan-out limit', async () => {
    world = socialWorld({ fanOutFollowerLimit: 2 });
    const star = await world.user('star');
    const [one, two] = [await world.user('one'), await world.user('two')];
    await followUser(one, star, world.social);
    expect(await largeAuthorIds(world.social)).toEqual([]);
    await followUser(two, star, world.social);
    expect(await largeAuthorIds(world.social)).toEqual([star]);
  });
});
