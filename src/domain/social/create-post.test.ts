import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { getPost } from './get-post.ts';
import { getProfile } from './get-profile.ts';
import { listPostsByUser } from './list-posts.ts';
import { limits } from './model.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('createPost', () => {
  it('writes the post, lists it under its author and counts it, all at once', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: '  sunset  ' }, world.social);
    expect(post).toMatchObject({ authorId: ana, description: 'sunset', likeCount: 0, commentCount: 0 });
    expect(await getPost(post.id, world.social)).toEqual(post);
    expect((await listPostsByUser(ana, {}, world.social)).items).toEqual([post]);
    expect((await getProfile(ana, world.social)).postCount).toBe(1);
  });

  it('takes the author’s own uploads, and a photo alone needs no description', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const photos = [await world.upload(ana, 'POST'), await world.upload(ana, 'POST')];
    const post = await createPost(ana, { description: '', mediaKeys: photos }, world.social);
    expect(post.mediaKeys).toEqual(photos);
  });

  it('refuses someone else’s upload, an upload that has not arrived or failed, and one given twice', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const bens = await world.upload(ben, 'POST');
    const pending = await world.upload(ana, 'POST', { uploaded: false });
    const failed = await world.upload(ana, 'POST', { failed: true });
    const avatar = await world.upload(ana, 'AVATAR');
    const own = await world.upload(ana, 'POST');
    for (const mediaKeys of [[bens], [pending], [failed], [avatar], [own, own], ['../etc/passwd']]) {
      await failsWith(createPost(ana, { description: 'x', mediaKeys }, world.social), 'BadInput');
    }
    expect((await getProfile(ana, world.social)).postCount).toBe(0);
  });

  it('holds a post to the limits: description length, photos per post, not empty', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const longest = 'é'.repeat(limits.descriptionLength);
    expect((await createPost(ana, { description: longest }, world.social)).description).toBe(longest);
    await failsWith(createPost(ana, { description: `${longest}x` }, world.social), 'BadInput');
    await failsWith(createPost(ana, { description: '   ' }, world.social), 'BadInput');
    const many = await Promise.all(
      Array.from({ length: limits.mediaPerPost + 1 }, () => world.upload(ana, 'POST')),
    );
    await failsWith(createPost(ana, { description: 'x', mediaKeys: many }, world.social), 'BadInput');
    expect(
      (await createPost(ana, { description: 'x', mediaKeys: many.slice(1) }, world.social)).mediaKeys,
    ).toHaveLength(limits.mediaPerPost);
  });

  it('needs the author’s profile and a valid author id', async () => {
    world = socialWorld();
    await failsWith(
      createPost('0b5e1c9a-0000-4000-8000-00000000dead', { description: 'x' }, world.social),
      'NotFound',
    );
    await failsWith(createPost('no/slash', { description: 'x' }, world.social), 'BadInput');
  });
});
