import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { createPost } from './create-post.ts';
import { getPost } from './get-post.ts';
import { listComments } from './list-comments.ts';
import { limits } from './model.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('addComment', () => {
  it('adds the comment and counts it on the post together', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    const comment = await addComment(ben, post.id, '  nice  ', world.social);
    expect(comment).toMatchObject({ postId: post.id, authorId: ben, content: 'nice' });
    await addComment(ana, post.id, 'thanks', world.social);
    expect((await getPost(post.id, world.social)).commentCount).toBe(2);
    expect((await listComments(post.id, {}, world.social)).items[0]).toEqual(comment);
  });

  it('refuses a comment on a missing post, and writes nothing for it', async () => {
    world = socialWorld();
    const ben = await world.user('ben');
    const missing = world.social.ids.ulid();
    await failsWith(addComment(ben, missing, 'hello?', world.social), 'NotFound');
    expect((await listComments(missing, {}, world.social)).items).toEqual([]);
  });

  it('holds content to its limit and refuses empty content and bad ids', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    const longest = 'x'.repeat(limits.commentLength);
    expect((await addComment(ana, post.id, longest, world.social)).content).toBe(longest);
    await failsWith(addComment(ana, post.id, `${longest}x`, world.social), 'BadInput');
    await failsWith(addComment(ana, post.id, ' \n ', world.social), 'BadInput');
    await failsWith(addComment(ana, 'not-a-post', 'x', world.social), 'BadInput');
    await failsWith(addComment('', post.id, 'x', world.social), 'BadInput');
    expect((await getPost(post.id, world.social)).commentCount).toBe(1);
  });
});
