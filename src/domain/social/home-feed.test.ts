import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { deletePost } from './delete-post.ts';
import { followUser } from './follow-user.ts';
import { homeFeed, type FeedItem } from './home-feed.ts';
import { partitions } from './keys.ts';
import { likePost } from './like-post.ts';
import type { ItemStore, Key } from '../../ports/item-store/item-store.ts';

let world: SocialWorld;
afterEach(() => world.close());

async function everyPage(viewer: string, limit: number): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await homeFeed(viewer, { limit, ...(cursor ? { cursor } : {}) }, world.social);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

describe('homeFeed', () => {
  it('shows followed users’ and one’s own posts newest first, with authors and the viewer’s likes', async () => {
    world = socialWorld();
    const [ana, ben, cy] = await Promise.all(['ana', 'ben', 'cy'].map((n) => world.user(n)));
    await followUser(ana!, ben!, world.social);
    await world.fanOut();
    const bens = await createPost(ben!, { description: 'ben' }, world.social);
    const own = await createPost(ana!, { description: 'mine' }, world.social);
    await createPost(cy!, { description: 'stranger' }, world.social);
    await likePost(ana!, bens.id, world.social);
    await world.fanOut();
    const { items } = await homeFeed(ana!, {}, world.social);
    expect(items.map((item) => item.post.description)).toEqual(['mine', 'ben']);
    expect(items[0]).toMatchObject({ author: { id: ana }, viewerHasLiked: false, post: { id: own.id } });
    expect(items[1]).toMatchObject({ author: { id: ben }, viewerHasLiked: true, post: { likeCount: 1 } });
  });

  it('pages with the cursor, each post once, and leaves out a post deleted before the fan-out caught up', async () => {
    world = socialWorld();
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => world.user(n)));
    await followUser(ana!, ben!, world.social);
    const written = [];
    for (let i = 0; i < 7; i++) written.push(await createPost(ben!, { description: `b${i}` }, world.social));
    await world.fanOut();
    await deletePost(ben!, written[3]!.id, world.social);
    const seen = await everyPage(ana!, 2);
    expect(seen.map((item) => item.post.description)).toEqual(['b6', 'b5', 'b4', 'b2', 'b1', 'b0']);
  });

  it('merges in large authors’ posts at read time, in time order with fanned-out ones, across pages', async () => {
    world = socialWorld({ fanOutFollowerLimit: 2 });
    const [ana, star, ben, cy] = await Promise.all(['ana', 'star', 'ben', 'cy'].map((n) => world.user(n)));
    // Two followers make the star large; ben, with one, is fanned out.
    await followUser(ana!, star!, world.social);
    await followUser(cy!, star!, world.social);
    await followUser(ana!, ben!, world.social);
    await world.fanOut();
    for (let i = 0; i < 3; i++) {
      await createPost(star!, { description: `star${i}` }, world.social);
      await createPost(ben!, { description: `ben${i}` }, world.social);
    }
    await world.fanOut();
    const { items: fanned } = await world.social.store.query({
      partition: partitions.feed(ana!),
      limit: 100,
    });
    expect(new Set(fanned.map((entry) => entry.authorId))).toEqual(new Set([ben]));
    const seen = await everyPage(ana!, 4);
    expect(seen.map((item) => item.post.description)).toEqual([
      'ben2',
      'star2',
      'ben1',
      'star1',
      'ben0',
      'star0',
    ]);
    // Someone who does not follow the large author gets none of their posts.
    expect((await everyPage(ben!, 10)).map((item) => item.post.description)).toEqual([
      'ben2',
      'ben1',
      'ben0',
    ]);
  });

  it('hydrates a page of many authors in one batch read', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const authors = await Promise.all(Array.from({ length: 12 }, (_, i) => world.user(`w${i}`)));
    for (const author of authors) await followUser(ana, author, world.social);
    for (const author of authors) await createPost(author, { description: author }, world.social);
    await likePost(
      ana,
      (await createPost(authors[0]!, { description: 'liked' }, world.social)).id,
      world.social,
    );
    await world.fanOut();
    const batchGets: number[] = [];
    const store = world.social.store;
    const batchGet = (keys: Key[]) => (batchGets.push(keys.length), store.batchGet(keys));
    const counted = {
      ...world.social,
      store: new Proxy(store, {
        get: (target, name: keyof ItemStore) =>
          name === 'batchGet' ? batchGet : (target[name] as (...args: unknown[]) => unknown).bind?.(target),
      }),
    };
    const { items } = await homeFeed(ana, { limit: 20 }, counted);
    expect(items).toHaveLength(13);
    expect(items[0]).toMatchObject({ post: { description: 'liked' }, viewerHasLiked: true });
    expect(items.every((item) => item.author?.id === item.post.authorId)).toBe(true);
    // 13 posts, 12 authors, 13 likes: one call.
    expect(batchGets).toEqual([38]);
  });

  it('refuses a cursor that is not a post id, a bad limit and a bad viewer', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    await failsWith(homeFeed(ana, { cursor: 'FEED#x' }, world.social), 'BadInput');
    await failsWith(homeFeed(ana, { limit: 0 }, world.social), 'BadInput');
    await failsWith(homeFeed('a b', {}, world.social), 'BadInput');
    expect(await homeFeed(ana, {}, world.social)).toEqual({ items: [], cursor: undefined });
  });
});
