import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { createPost } from './create-post.ts';
import { listComments } from './list-comments.ts';
import { limits } from './model.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('listComments', () => {
  it('lists a post’s comments oldest first, page by page through the cursor, and no other post’s', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    const other = await createPost(ana, { description: 'other' }, world.social);
    await addComment(ana, other.id, 'elsewhere', world.social);
    const written = [];
    for (let i = 0; i < 7; i++) {
      written.push(await addComment(ana, post.id, `comment ${i}`, world.social));
      world.clock.advance(1000);
    }
    const seen = [];
    let cursor: string | undefined;
    do {
      const page = await listComments(post.id, { limit: 3, ...(cursor ? { cursor } : {}) }, world.social);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(written);
    expect((await listComments(post.id, {}, world.social)).items).toHaveLength(7);
  });

  it('refuses a limit outside 1..maxPageSize and a bad post id', async () => {
    world = socialWorld();
    const post = world.social.ids.ulid();
    for (const limit of [0, -1, 1.5, limits.maxPageSize + 1]) {
      await failsWith(listComments(post, { limit }, world.social), 'BadInput');
    }
    expect((await listComments(post, { limit: limits.maxPageSize }, world.social)).items).toEqual([]);
    await failsWith(listComments('x', {}, world.social), 'BadInput');
  });
});
