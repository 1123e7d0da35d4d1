import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { createPost } from './create-post.ts';
import { deleteComment } from './delete-comment.ts';
import { getPost } from './get-post.ts';
import { listComments } from './list-comments.ts';

let world: SocialWorld;
afterEach(() => world.close());

async function threeUsersAndAComment() {
  const ana = await world.user('ana');
  const ben = await world.user('ben');
  const cy = await world.user('cy');
  const post = await createPost(ana, { description: 'hi' }, world.social);
  const comment = await addComment(ben, post.id, 'nice', world.social);
  return { ana, ben, cy, post, comment };
}

describe('deleteComment', () => {
  it('lets the comment’s author delete it, and the count follows', async () => {
    world = socialWorld();
    const { ben, post, comment } = await threeUsersAndAComment();
    expect(await deleteComment(ben, post.id, comment.id, world.social)).toEqual(comment);
    expect((await getPost(post.id, world.social)).commentCount).toBe(0);
    expect((await listComments(post.id, {}, world.social)).items).toEqual([]);
  });

  it('lets the post’s author delete it too', async () => {
    world = socialWorld();
    const { ana, post, comment } = await threeUsersAndAComment();
    await deleteComment(ana, post.id, comment.id, world.social);
    expect((await getPost(post.id, world.social)).commentCount).toBe(0);
  });

  it('refuses anyone else, and leaves the comment and the count alone', async () => {
    world = socialWorld();
    const { cy, post, comment } = await threeUsersAndAComment();
    await failsWith(deleteComment(cy, post.id, comment.id, world.social), 'Unauthorized');
    expect((await getPost(post.id, world.social)).commentCount).toBe(1);
    expect((await listComments(post.id, {}, world.social)).items).toEqual([comment]);
  });

  it('answers NotFound for a comment deleted already or never made, counting nothing twice', async () => {
    world = socialWorld();
    const { ben, post, comment } = await threeUsersAndAComment();
    await deleteComment(ben, post.id, comment.id, world.social);
    await failsWith(deleteComment(ben, post.id, comment.id, world.social), 'NotFound');
    await failsWith(deleteComment(ben, post.id, world.social.ids.ulid(), world.social), 'NotFound');
    await failsWith(deleteComment(ben, world.social.ids.ulid(), comment.id, world.social), 'NotFound');
    expect((await getPost(post.id, world.social)).commentCount).toBe(0);
    await failsWith(deleteComment(ben, post.id, 'x', world.social), 'BadInput');
  });
});
