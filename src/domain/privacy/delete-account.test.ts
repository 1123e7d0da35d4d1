import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from '../social/create-post.ts';
import { recordKey } from '../../ports/item-store/stream-images.ts';
import { keys, partitions } from '../social/keys.ts';
import { updateProfile } from '../social/update-profile.ts';
import { deleteAccount } from './delete-account.ts';

let world: SocialWorld;
afterEach(() => world.close());

const exists = async (key: { PK: string; SK: string }) =>
  (await world.social.store.get(key, { consistent: true })).item !== undefined;

describe('deleteAccount', () => {
  it('removes the profile and frees the username at once, leaving the rest to the change stream', async () => {
    world = socialWorld();
    const ada = await world.user('ada');
    await updateProfile(ada, { username: 'ada' }, world.social);
    const post = await createPost(ada, { description: 'hello' }, world.social);
    expect(await deleteAccount(ada, world.social)).toBe(true);
    expect(await exists(keys.profile(ada))).toBe(false);
    expect(await exists(keys.usernameClaim('ada'))).toBe(false);
    // The post goes later, when erase-account.ts reads the profile's REMOVE record.
    const { items } = await world.social.store.query({ partition: partitions.post(post.id) });
    expect(items.length).toBeGreaterThan(0);
    // The profile's REMOVE record is what starts the erasure.
    const removed = (await world.changes())
      .filter((record) => record.eventName === 'REMOVE')
      .map((record) => recordKey(record));
    expect(removed).toEqual(expect.arrayContaining([keys.profile(ada), keys.usernameClaim('ada')]));
  });

  it('is idempotent, works without a username, and refuses an id that is not one', async () => {
    world = socialWorld();
    const ben = await world.user('ben');
    expect(await deleteAccount(ben, world.social)).toBe(true);
    expect(await deleteAccount(ben, world.social)).toBe(false);
    await failsWith(deleteAccount('', world.social), 'BadInput');
  });

  it('keeps a claim that names someone else, and still removes the profile', async () => {
    world = socialWorld();
    const [cy, dee] = [await world.user('cy'), await world.user('dee')];
    await updateProfile(cy, { username: 'cyril' }, world.social);
    // A damaged table: the claim cy's profile names belongs to dee.
    await world.social.store.put({ item: { ...keys.usernameClaim('cyril'), userId: dee } });
    expect(await deleteAccount(cy, world.social)).toBe(true);
    expect(await exists(keys.profile(cy))).toBe(false);
    expect((await world.social.store.get(keys.usernameClaim('cyril'))).item?.userId).toBe(dee);
  });
});
