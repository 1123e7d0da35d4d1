import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { followUser } from './follow-user.ts';
import { listFollows } from './list-follows.ts';

let world: SocialWorld;
afterEach(() => world.close());

async function everyPage(userId: string, direction: 'followers' | 'following'): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFollows(
      userId,
      direction,
      { limit: 2, ...(cursor ? { cursor } : {}) },
      world.social,
    );
    expect(page.items.length).toBeLessThanOrEqual(2);
    ids.push(...page.items.map((profile) => profile.id));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

describe('listFollows', () => {
  it('lists followers and followees with their profiles, each once across pages', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const fans = await Promise.all(['b', 'c', 'd', 'e', 'f'].map((name) => world.user(name)));
    for (const fan of fans) await followUser(fan, ana, world.social);
    await followUser(ana, fans[0]!, world.social);
    expect((await everyPage(ana, 'followers')).sort()).toEqual([...fans].sort());
    expect(await everyPage(ana, 'following')).toEqual([fans[0]]);
    expect(await everyPage(fans[1]!, 'followers')).toEqual([]);
    const [first] = (await listFollows(ana, 'following', {}, world.social)).items;
    expect(first).toMatchObject({ id: fans[0], followerCount: 1, followingCount: 1 });
  });

  it('refuses a bad user id and a bad limit', async () => {
    world = socialWorld();
    await failsWith(listFollows('a/b', 'followers', {}, world.social), 'BadInput');
    await failsWith(listFollows('ana', 'followers', { limit: 0 }, world.social), 'BadInput');
  });
});
