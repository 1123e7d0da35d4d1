import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { blockUser } from './block-user.ts';
import { createPost } from './create-post.ts';
import { keys } from './keys.ts';
import { limits } from './model.ts';
import { postsByHashtag } from './posts-by-hashtag.ts';

let world: SocialWorld;
afterEach(() => world.close());

const ids = (page: { items: { id: string }[] }) => page.items.map((post) => post.id);

describe('postsByHashtag', () => {
  it('finds a tag’s posts newest first, in pages, however the tag is written', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const first = await createPost(ana, { description: 'morning #Sunrise' }, world.social);
    world.clock.advance(1000);
    const second = await createPost(ana, { description: 'again #sunrise #sea' }, world.social);
    const page1 = await postsByHashtag('#SUNRISE', { limit: 1 }, world.social);
    expect(ids(page1)).toEqual([second.id]);
    const page2 = await postsByHashtag('sunrise', { limit: 1, cursor: page1.cursor! }, world.social);
    expect(ids(page2)).toEqual([first.id]);
    expect(ids(await postsByHashtag('sea', {}, world.social))).toEqual([second.id]);
    expect(ids(await postsByHashtag('other', {}, world.social))).toEqual([]);
  });

  it('hides posts of users the viewer blocks or who block them', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    await createPost(ben, { description: '#tag from ben' }, world.social);
    const fromCy = await createPost(cy, { description: '#tag from cy' }, world.social);
    await blockUser(ben, ana, world.social);
    expect(ids(await postsByHashtag('tag', {}, world.social, ana))).toEqual([fromCy.id]);
  });

  it('refuses what is no tag', async () => {
    world = socialWorld();
    await failsWith(postsByHashtag('#', {}, world.social), 'BadInput');
    await failsWith(postsByHashtag('1999', {}, world.social), 'BadInput');
  });
});

describe('createPost with alt text', () => {
  it('keeps each photo’s alt text on the post and refuses one too long or for another photo', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const [photo, other] = [await world.upload(ana, 'POST'), await world.upload(ana, 'POST')];
    const post = await createPost(
      ana,
      { description: '', mediaKeys: [photo, other], altTexts: [{ key: photo, altText: ' A red kite ' }] },
      world.social,
    );
    expect(post.altTexts).toEqual({ [photo]: 'A red kite' });
    await failsWith(
      createPost(
        ana,
        { description: 'x', mediaKeys: [photo], altTexts: [{ key: other, altText: 'no' }] },
        world.social,
      ),
      'BadInput',
    );
    await failsWith(
      createPost(
        ana,
        {
          description: 'x',
          mediaKeys: [photo],
          altTexts: [{ key: photo, altText: 'a'.repeat(limits.altTextLength + 1) }],
        },
        world.social,
      ),
      'BadInput',
    );
  });

  it('indexes at most ten tags of a post, each once', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const tags = Array.from({ length: 12 }, (_, i) => `#t${i}`).join(' ');
    const post = await createPost(ana, { description: `${tags} #T0` }, world.social);
    const found = await Promise.all(
      Array.from({ length: 12 }, (_, i) => world.social.store.get(keys.hashtagPost(`t${i}`, post.id))),
    );
    expect(found.map(({ item }) => item !== undefined)).toEqual([...Array(10).fill(true), false, false]);
  });
});
