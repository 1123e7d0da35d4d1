import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { getProfile, getProfiles } from './get-profile.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('getProfile and getProfiles', () => {
  it('read one profile, NotFound for a user without one, BadInput for a bad id', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    expect(await getProfile(ana, world.social)).toMatchObject({ id: ana, email: 'ana@example.com' });
    await failsWith(getProfile('0b5e1c9a-0000-4000-8000-00000000dead', world.social), 'NotFound');
    await failsWith(getProfile('USER#ana', world.social), 'BadInput');
  });

  it('read many in the order asked, leaving out the missing, past one batch of 100', async () => {
    world = socialWorld();
    const users = await Promise.all(Array.from({ length: 130 }, (_, i) => world.user(`u${i}`)));
    const asked = [...users].reverse();
    asked.splice(5, 0, '0b5e1c9a-0000-4000-8000-00000000dead');
    const profiles = await getProfiles(asked, world.social);
    expect(profiles.map((p) => p.id)).toEqual([...users].reverse());
    expect(await getProfiles([], world.social)).toEqual([]);
  });
});
