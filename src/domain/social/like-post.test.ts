import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { likePost, unlikePost } from './like-post.ts';
import { listLikes } from './list-posts.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('likePost and unlikePost', () => {
  it('count each liker once however often they like, and a like taken back once', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    expect((await likePost(ben, post.id, world.social)).likeCount).toBe(1);
    expect((await likePost(ben, post.id, world.social)).likeCount).toBe(1);
    expect((await likePost(ana, post.id, world.social)).likeCount).toBe(2);
    expect((await listLikes(post.id, {}, world.social)).items.map((p) => p.id).sort()).toEqual(
      [ana, ben].sort(),
    );
    expect((await unlikePost(ben, post.id, world.social)).likeCount).toBe(1);
    expect((await unlikePost(ben, post.id, world.social)).likeCount).toBe(1);
    expect((await listLikes(post.id, {}, world.social)).items.map((p) => p.id)).toEqual([ana]);
  });

  it('count every like when many come at once', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'hot' }, world.social);
    const fans = await Promise.all(Array.from({ length: 12 }, (_, i) => world.user(`fan${i}`)));
    await Promise.all(
      fans.flatMap((fan) => [likePost(fan, post.id, world.social), likePost(fan, post.id, world.social)]),
    );
    expect((await likePost(ana, post.id, world.social)).likeCount).toBe(13);
  });

  it('refuse a missing post and bad ids', async () => {
    world = socialWorld();
    const ben = await world.user('ben');
    await failsWith(likePost(ben, world.social.ids.ulid(), world.social), 'NotFound');
    await failsWith(unlikePost(ben, world.social.ids.ulid(), world.social), 'NotFound');
    await failsWith(likePost(ben, 'nope', world.social), 'BadInput');
    await failsWith(likePost('a b', world.social.ids.ulid(), world.social), 'BadInput');
  });
});
