import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createProfile } from './create-profile.ts';
import { followUser } from './follow-user.ts';
import { getProfile } from './get-profile.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('createProfile', () => {
  it('starts every count at zero, and a retried trigger keeps the first profile', async () => {
    world = socialWorld();
    const userId = '0b5e1c9a-0000-4000-8000-000000000001';
    const first = await createProfile({ userId, email: 'ana@example.com' }, world.social);
    expect(first).toMatchObject({ id: userId, email: 'ana@example.com', followerCount: 0, postCount: 0 });
    world.clock.advance(60_000);
    const again = await createProfile({ userId, email: 'other@example.com' }, world.social);
    expect(again).toEqual(first);
    expect(await getProfile(userId, world.social)).toEqual(first);
  });

  it('keeps the counts a retried trigger would otherwise reset', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    await followUser(ben, ana, world.social);
    await createProfile({ userId: ana }, world.social);
    expect((await getProfile(ana, world.social)).followerCount).toBe(1);
  });

  it('refuses a user id that is not one', async () => {
    world = socialWorld();
    await failsWith(createProfile({ userId: 'USER#x' }, world.social), 'BadInput');
    await failsWith(createProfile({ userId: '' }, world.social), 'BadInput');
    await failsWith(createProfile({ userId: 'a'.repeat(65) }, world.social), 'BadInput');
  });
});
