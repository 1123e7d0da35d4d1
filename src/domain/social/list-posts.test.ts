import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { createPost } from './create-post.ts';
import { deletePost } from './delete-post.ts';
import { likePost } from './like-post.ts';
import { listLikes, listPostsByUser, recentPosts } from './list-posts.ts';
import type { Page } from './model.ts';

let world: SocialWorld;
afterEach(() => world.close());

async function everyPage<T>(read: (cursor?: string) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

const day = 24 * 3600 * 1000;

describe('listPostsByUser', () => {
  it('lists a user’s posts newest first across pages, without others’ or deleted ones', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const posts = [];
    for (let i = 0; i < 5; i++) {
      posts.push(await createPost(ana, { description: `p${i}` }, world.social));
      await createPost(ben, { description: `b${i}` }, world.social);
      world.clock.advance(1000);
    }
    await deletePost(ana, posts[2]!.id, world.social);
    const listed = await everyPage(
      (cursor) => listPostsByUser(ana, { limit: 2, ...(cursor ? { cursor } : {}) }, world.social),
      2,
    );
    expect(listed.map((p) => p.description)).toEqual(['p4', 'p3', 'p1', 'p0']);
    await failsWith(listPostsByUser('x y', {}, world.social), 'BadInput');
  });
});

describe('listLikes', () => {
  it('lists who liked a post, each liker once across pages', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const post = await createPost(ana, { description: 'hi' }, world.social);
    const fans = await Promise.all(['b', 'c', 'd'].map((name) => world.user(name)));
    for (const fan of fans) await likePost(fan, post.id, world.social);
    await likePost(fans[0]!, post.id, world.social);
    const likers = await everyPage(
      (cursor) => listLikes(post.id, { limit: 2, ...(cursor ? { cursor } : {}) }, world.social),
      2,
    );
    expect(likers.map((p) => p.id).sort()).toEqual([...fans].sort());
    await failsWith(listLikes('nope', {}, world.social), 'BadInput');
  });
});

describe('recentPosts', () => {
  it('reads everyone’s posts newest first across days and pages', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    const ben = await world.user('ben');
    const written = [];
    for (let i = 0; i < 6; i++) {
      written.push(await createPost(i % 2 ? ana : ben, { description: `p${i}` }, world.social));
      // Two posts a day, so pages cross from one day's shard into the one before.
      if (i % 2) world.clock.advance(day);
    }
    const listed = await everyPage(
      (cursor) => recentPosts({ limit: 4, ...(cursor ? { cursor } : {}) }, world.social),
      4,
    );
    expect(listed.map((p) => p.description)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1', 'p0']);
  });

  it('looks back at most 30 days', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    await createPost(ana, { description: 'old' }, world.social);
    world.clock.advance(29 * day);
    expect((await recentPosts({}, world.social)).items.map((p) => p.description)).toEqual(['old']);
    world.clock.advance(day);
    expect((await recentPosts({}, world.social)).items).toEqual([]);
  });

  it('refuses a cursor it did not make', async () => {
    world = socialWorld();
    await failsWith(recentPosts({ cursor: 'POST#2026-01-01' }, world.social), 'BadInput');
    await failsWith(recentPosts({ limit: 101 }, world.social), 'BadInput');
  });
});
