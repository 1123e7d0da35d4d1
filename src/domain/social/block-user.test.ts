import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { blockUser, unblockUser } from './block-user.ts';
import { createPost } from './create-post.ts';
import { searchUsers } from './find-users.ts';
import { followUser } from './follow-user.ts';
import { getProfile } from './get-profile.ts';
import { homeFeed } from './home-feed.ts';
import { keys, partitions } from './keys.ts';
import { likePost, unlikePost } from './like-post.ts';
import { listPostsByUser } from './list-posts.ts';
import { listStories } from './list-stories.ts';
import { createStory } from './create-story.ts';
import { listComments } from './list-comments.ts';
import { listFollows } from './list-follows.ts';
import { listRelations } from './list-relations.ts';
import { blockersOf } from './relations.ts';
import { updateProfile } from './update-profile.ts';

let world: SocialWorld;
afterEach(() => world.close());

const counts = async (userId: string) => {
  const { followerCount, followingCount } = await getProfile(userId, world.social);
  return { followerCount, followingCount };
};

describe('blockUser and unblockUser', () => {
  it('remove follows both ways with the four counts and store both items, idempotently', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    await followUser(ana, ben, world.social);
    await followUser(ben, ana, world.social);
    await followUser(cy, ana, world.social);

    expect(await blockUser(ana, ben, world.social)).toMatchObject({ id: ben, followerCount: 0 });
    expect(await counts(ana)).toEqual({ followerCount: 1, followingCount: 0 });
    expect(await counts(ben)).toEqual({ followerCount: 0, followingCount: 0 });
    expect((await listFollows(ana, 'followers', {}, world.social)).items.map((p) => p.id)).toEqual([cy]);
    expect((await listFollows(ben, 'following', {}, world.social)).items).toEqual([]);
    const { item } = await world.social.store.get(keys.block(ana, ben));
    const { item: twin } = await world.social.store.get(keys.blockedBy(ben, ana));
    expect(item).toMatchObject({ actorId: ana, targetId: ben });
    expect(twin).toMatchObject({ actorId: ana, targetId: ben, createdAt: item?.createdAt });
    expect([...(await blockersOf(ben, world.social))]).toEqual([ana]);

    world.clock.advance(1000);
    await blockUser(ana, ben, world.social);
    expect((await world.social.store.get(keys.block(ana, ben))).item?.createdAt).toBe(item?.createdAt);
    expect(await counts(ana)).toEqual({ followerCount: 1, followingCount: 0 });
    expect((await listRelations(ana, 'block', {}, world.social)).items.map((p) => p.id)).toEqual([ben]);

    expect((await unblockUser(ana, ben, world.social)).id).toBe(ben);
    await unblockUser(ana, ben, world.social);
    expect((await world.social.store.get(keys.blockedBy(ben, ana))).item).toBeUndefined();
    expect((await listRelations(ana, 'block', {}, world.social)).items).toEqual([]);
    // The follows a block removed stay removed; following again is allowed.
    expect(await counts(ben)).toEqual({ followerCount: 0, followingCount: 0 });
    expect((await followUser(ben, ana, world.social)).followerCount).toBe(2);
  });

  it('refuse blocking oneself, an unknown user and an invalid id, and change nothing', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    expect(await rejectionMessage(blockUser(ana, ana, world.social), 'BadInput')).toBe(
      'You cannot block yourself',
    );
    await failsWith(blockUser(ana, '0b5e1c9a-0000-4000-8000-00000000dead', world.social), 'NotFound');
    await failsWith(unblockUser(ana, '0b5e1c9a-0000-4000-8000-00000000dead', world.social), 'NotFound');
    await failsWith(blockUser(ana, 'USER#x', world.social), 'BadInput');
    const { items } = await world.social.store.query({ partition: partitions.user(ana) });
    expect(items.map((item) => item.SK)).toEqual(['PROFILE']);
  });

  it('stop the blocked user following, liking and commenting on the blocker, until unblocked', async () => {
    world = socialWorld();
    const [ana, ben] = [await world.user('ana'), await world.user('ben')];
    await followUser(ben, ana, world.social);
    const post = await createPost(ana, { description: 'mine' }, world.social);
    await likePost(ben, post.id, world.social);
    await world.fanOut();
    expect((await homeFeed(ben, {}, world.social)).items.map((i) => i.post.id)).toEqual([post.id]);
    await blockUser(ana, ben, world.social);
    // Gone from ben's feed at once, before the fan-out has removed the unfollowed author's entries.
    expect((await homeFeed(ben, {}, world.social)).items).toEqual([]);
    expect(await listPostsByUser(ana, {}, world.social, ben)).toEqual({ items: [], cursor: undefined });
    expect((await listPostsByUser(ana, {}, world.social, ana)).items).toHaveLength(1);
    expect((await listPostsByUser(ana, {}, world.social)).items).toHaveLength(1);
    await createStory(ana, { mediaKey: await world.upload(ana, 'STORY') }, world.social);
    expect(await listStories(ana, world.social, ben)).toEqual([]);
    expect(await listStories(ana, world.social, ana)).toHaveLength(1);

    expect(await rejectionMessage(followUser(ben, ana, world.social), 'Unauthorized')).toMatch(/blocked you/);
    expect(await rejectionMessage(likePost(ben, post.id, world.social), 'Unauthorized')).toMatch(
      /cannot like this post/,
    );
    expect(await rejectionMessage(addComment(ben, post.id, 'hi', world.social), 'Unauthorized')).toMatch(
      /cannot comment on this post/,
    );
    // Taking back what they did before stays possible; the blocker cannot follow without unblocking.
    expect((await unlikePost(ben, post.id, world.social)).likeCount).toBe(0);
    expect(await rejectionMessage(followUser(ana, ben, world.social), 'BadInput')).toMatch(/unblock/);
    expect(await counts(ana)).toEqual({ followerCount: 0, followingCount: 0 });
    expect((await listComments(post.id, {}, world.social)).items).toEqual([]);

    await unblockUser(ana, ben, world.social);
    await followUser(ben, ana, world.social);
    expect((await likePost(ben, post.id, world.social)).likeCount).toBe(1);
    expect((await addComment(ben, post.id, 'hi', world.social)).authorId).toBe(ben);
  });

  it('hide the blocked user from the blocker’s feed, comments and search, not from others', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    await updateProfile(ben, { username: 'bennet' }, world.social);
    await updateProfile(cy, { username: 'bertha' }, world.social);
    await followUser(ana, ben, world.social);
    await followUser(cy, ben, world.social);
    const bens = await createPost(ben, { description: 'ben' }, world.social);
    const own = await createPost(ana, { description: 'ana' }, world.social);
    await addComment(ben, own.id, 'from ben', world.social);
    await addComment(cy, own.id, 'from cy', world.social);
    await world.fanOut();
    expect((await homeFeed(ana, {}, world.social)).items.map((i) => i.post.id)).toEqual([own.id, bens.id]);

    await blockUser(ana, ben, world.social);
    // Hidden at once, before the fan-out has removed the unfollowed author's entries.
    expect((await homeFeed(ana, {}, world.social)).items.map((i) => i.post.id)).toEqual([own.id]);
    const comments = async (viewer?: string) =>
      (await listComments(own.id, {}, world.social, viewer)).items.map((c) => c.content);
    expect(await comments(ana)).toEqual(['from cy']);
    expect(await comments(cy)).toEqual(['from ben', 'from cy']);
    expect(await comments()).toEqual(['from ben', 'from cy']);
    const search = async (viewer?: string) =>
      (await searchUsers('be', {}, world.social, viewer)).items.map((p) => p.username);
    expect(await search(ana)).toEqual(['bertha']);
    expect(await search(cy)).toEqual(['bennet', 'bertha']);
    expect((await homeFeed(cy, {}, world.social)).items.map((i) => i.post.id)).toEqual([bens.id]);
  });
});
