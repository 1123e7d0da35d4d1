import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { getUserByUsername, searchUsers } from './find-users.ts';
import { updateProfile } from './update-profile.ts';

let world: SocialWorld;
afterEach(() => world.close());

async function named(username: string): Promise<string> {
  const userId = await world.user(username.replace(/\W/g, ''));
  await updateProfile(userId, { username }, world.social);
  return userId;
}

describe('getUserByUsername', () => {
  it('finds a user by username in any case, and nobody for an unknown or impossible name', async () => {
    world = socialWorld();
    const ana = await named('ana_b');
    expect((await getUserByUsername('ANA_B', world.social))?.id).toBe(ana);
    expect(await getUserByUsername('ana', world.social)).toBeUndefined();
    expect(await getUserByUsername('', world.social)).toBeUndefined();
    expect(await getUserByUsername('x'.repeat(31), world.social)).toBeUndefined();
  });
});

describe('searchUsers', () => {
  it('finds users whose username starts with the prefix, in order, page by page', async () => {
    world = socialWorld();
    for (const name of ['mara', 'marc', 'Marek', 'mario', 'nina']) await named(name);
    const found: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchUsers(' MAR ', { limit: 3, ...(cursor ? { cursor } : {}) }, world.social);
      expect(page.items.length).toBeLessThanOrEqual(3);
      found.push(...page.items.map((profile) => profile.username!));
      cursor = page.cursor;
    } while (cursor);
    expect(found).toEqual(['mara', 'marc', 'Marek', 'mario']);
    expect((await searchUsers('marek', {}, world.social)).items.map((p) => p.username)).toEqual(['Marek']);
    expect((await searchUsers('z', {}, world.social)).items).toEqual([]);
  });

  it('forgets a username once it is changed', async () => {
    world = socialWorld();
    const ana = await named('olga');
    await updateProfile(ana, { username: 'petra' }, world.social);
    expect((await searchUsers('olg', {}, world.social)).items).toEqual([]);
    expect((await searchUsers('pet', {}, world.social)).items.map((p) => p.id)).toEqual([ana]);
  });

  it('refuses a prefix that no username could start with, and a bad limit', async () => {
    world = socialWorld();
    for (const prefix of ['', '  ', 'a b', 'x'.repeat(31), 'USER#']) {
      await failsWith(searchUsers(prefix, {}, world.social), 'BadInput');
    }
    await failsWith(searchUsers('a', { limit: 1000 }, world.social), 'BadInput');
  });
});
