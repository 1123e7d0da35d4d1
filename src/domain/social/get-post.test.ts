import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { getPost } from './get-post.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('getPost', () => {
  it('reads a post back as written, NotFound for an id never used, BadInput for a non-id', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    expect(await getPost(post.id, world.social)).toEqual(post);
    await failsWith(getPost(world.social.ids.ulid(), world.social), 'NotFound');
    await failsWith(getPost(post.id.toLowerCase(), world.social), 'BadInput');
    await failsWith(getPost('METADATA', world.social), 'BadInput');
  });
});
