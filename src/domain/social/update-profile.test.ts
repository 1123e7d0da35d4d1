import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { getUserByUsername } from './find-users.ts';
import { getProfile } from './get-profile.ts';
import { limits } from './model.ts';
import { updateProfile } from './update-profile.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('updateProfile', () => {
  it('changes the fields given and keeps the rest', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const avatarKey = await world.upload(ana, 'AVATAR');
    await updateProfile(ana, { displayName: ' Ana ', bio: 'hello', avatarKey }, world.social);
    const updated = await updateProfile(ana, { bio: '' }, world.social);
    expect(updated).toMatchObject({ displayName: 'Ana', bio: '', avatarKey, email: 'ana@example.com' });
    expect(await getProfile(ana, world.social)).toEqual(updated);
    expect(await updateProfile(ana, {}, world.social)).toEqual(updated);
  });

  it('gives a username to one user only, whatever its case, and frees the old one on a rename', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    await updateProfile(ana, { username: 'Ana.B' }, world.social);
    await failsWith(updateProfile(ben, { username: 'ana.b' }, world.social), 'Conflict');
    expect((await getProfile(ben, world.social)).username).toBeUndefined();
    // Its owner may change its case, keeping the one claim.
    await updateProfile(ana, { username: 'ana.b' }, world.social);
    expect((await getUserByUsername('ANA.B', world.social))?.id).toBe(ana);
    await updateProfile(ana, { username: 'anna' }, world.social);
    expect(await getUserByUsername('ana.b', world.social)).toBeUndefined();
    expect((await updateProfile(ben, { username: 'ana.b' }, world.social)).username).toBe('ana.b');
    expect((await getUserByUsername('anna', world.social))?.id).toBe(ana);
  });

  it('refuses bad usernames, over-long text and an avatar that is not the user’s own', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    for (const username of ['ab', 'a'.repeat(31), 'has space', 'émile', 'x@y']) {
      await failsWith(updateProfile(ana, { username }, world.social), 'BadInput');
    }
    await failsWith(
      updateProfile(ana, { displayName: 'x'.repeat(limits.displayNameLength + 1) }, world.social),
      'BadInput',
    );
    await failsWith(updateProfile(ana, { displayName: '  ' }, world.social), 'BadInput');
    await failsWith(updateProfile(ana, { bio: 'x'.repeat(limits.bioLength + 1) }, world.social), 'BadInput');
    await failsWith(
      updateProfile(ana, { avatarKey: await world.upload(ben, 'AVATAR') }, world.social),
      'BadInput',
    );
    await failsWith(
      updateProfile(ana, { avatarKey: await world.upload(ana, 'POST') }, world.social),
      'BadInput',
    );
    const profile = await getProfile(ana, world.social);
    expect(profile.username).toBeUndefined();
    expect(profile.avatarKey).toBeUndefined();
  });

  it('answers NotFound for a user with no profile', async () => {
    world = socialWorld();
    await failsWith(
      updateProfile('0b5e1c9a-0000-4000-8000-00000000dead', { bio: 'x' }, world.social),
      'NotFound',
    );
  });
});
