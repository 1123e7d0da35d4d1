import { afterEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import type { UserDirectory } from '../../ports/user-directory.ts';
import { keys } from '../social/keys.ts';
import { closeAccount } from './close-account.ts';

let world: SocialWorld;
afterEach(() => world.close());

/** The directory as closeAccount uses it: it is asked to delete, and can fail. */
function directory(failWith?: Error) {
  const deleted: string[] = [];
  const users = {
    deleteUser: async (userId: string) => {
      if (failWith) throw failWith;
      deleted.push(userId);
    },
  } as Partial<UserDirectory> as UserDirectory;
  return { deleted, users };
}

describe('closeAccount', () => {
  it('removes the user from the directory and the profile from Plaza, and can run again', async () => {
    world = socialWorld();
    const ada = await world.user('ada');
    const { deleted, users } = directory();
    expect(await closeAccount(ada, { ...world.social, directory: users })).toBe(true);
    expect(deleted).toEqual([ada]);
    expect((await world.social.store.get(keys.profile(ada), { consistent: true })).item).toBeUndefined();
    expect(await closeAccount(ada, { ...world.social, directory: users })).toBe(true);
    expect(deleted).toEqual([ada, ada]);
  });

  it('keeps the profile when the directory could not remove the user, so that closing can be tried again', async () => {
    world = socialWorld();
    const ben = await world.user('ben');
    const { users } = directory(new Error('directory unavailable'));
    await expect(closeAccount(ben, { ...world.social, directory: users })).rejects.toThrow(
      'directory unavailable',
    );
    expect((await world.social.store.get(keys.profile(ben), { consistent: true })).item).toBeDefined();
  });
});
