import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { deletePost } from './delete-post.ts';
import { getPost } from './get-post.ts';
import { getProfile } from './get-profile.ts';
import { listPostsByUser } from './list-posts.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('deletePost', () => {
  it('takes the post, its place in the author’s list and its count away together', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const kept = await createPost(ana, { description: 'kept' }, world.social);
    const gone = await createPost(ana, { description: 'gone' }, world.social);
    expect(await deletePost(ana, gone.id, world.social)).toEqual(gone);
    await failsWith(getPost(gone.id, world.social), 'NotFound');
    expect((await listPostsByUser(ana, {}, world.social)).items).toEqual([kept]);
    expect((await getProfile(ana, world.social)).postCount).toBe(1);
  });

  it('lets only the author delete, and leaves the post whole when someone else tries', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const post = await createPost(ana, { description: 'mine' }, world.social);
    await failsWith(deletePost(ben, post.id, world.social), 'Unauthorized');
    expect(await getPost(post.id, world.social)).toEqual(post);
    expect((await getProfile(ana, world.social)).postCount).toBe(1);
  });

  it('answers NotFound the second time, without counting the post twice', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'once' }, world.social);
    await deletePost(ana, post.id, world.social);
    await failsWith(deletePost(ana, post.id, world.social), 'NotFound');
    expect((await getProfile(ana, world.social)).postCount).toBe(0);
  });

  it('refuses ids that are not ids', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    await failsWith(deletePost(ana, 'POST#1', world.social), 'BadInput');
    await failsWith(deletePost('bad id', '01J00000000000000000000000', world.social), 'BadInput');
  });
});
