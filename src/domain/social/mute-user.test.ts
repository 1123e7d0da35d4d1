import { afterEach, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { createPost } from './create-post.ts';
import { createStory } from './create-story.ts';
import { followUser } from './follow-user.ts';
import { getProfile } from './get-profile.ts';
import { homeFeed } from './home-feed.ts';
import { keys } from './keys.ts';
import { likePost } from './like-post.ts';
import { listComments } from './list-comments.ts';
import { listRelations } from './list-relations.ts';
import { storiesFeed } from './list-stories.ts';
import { muteUser, unmuteUser } from './mute-user.ts';

let world: SocialWorld;
afterEach(() => world.close());

describe('muteUser and unmuteUser', () => {
  it('hide the muted user’s posts and stories from the muter’s feed and stories bar only', async () => {
    world = socialWorld();
    const [ana, ben, cy] = [await world.user('ana'), await world.user('ben'), await world.user('cy')];
    await followUser(ana, ben, world.social);
    await followUser(ana, cy, world.social);
    await followUser(cy, ben, world.social);
    const bens = await createPost(ben, { description: 'ben' }, world.social);
    const cys = await createPost(cy, { description: 'cy' }, world.social);
    await createStory(ben, { mediaKey: await world.upload(ben, 'STORY') }, world.social);
    await createStory(cy, { mediaKey: await world.upload(cy, 'STORY') }, world.social);
    await world.fanOut();
    const feed = async (viewer: string) =>
      (await homeFeed(viewer, {}, world.social)).items.map((i) => i.post.id);
    const bar = async (viewer: string) => (await storiesFeed(viewer, world.social)).map((s) => s.userId);
    expect(await feed(ana)).toEqual([cys.id, bens.id]);
    expect((await bar(ana)).sort()).toEqual([ben, cy].sort());

    expect((await muteUser(ana, ben, world.social)).id).toBe(ben);
    expect(await feed(ana)).toEqual([cys.id]);
    expect(await bar(ana)).toEqual([cy]);
    // Nothing else changes: the follow, the counts, comments, and what others (and ben) see.
    expect((await getProfile(ben, world.social)).followerCount).toBe(2);
    await addComment(ben, cys.id, 'still here', world.social);
    expect((await listComments(cys.id, {}, world.social, ana)).items).toHaveLength(1);
    expect(await feed(cy)).toEqual([cys.id, bens.id]);
    expect((await likePost(ben, cys.id, world.social)).likeCount).toBe(1);

    await unmuteUser(ana, ben, world.social);
    expect(await feed(ana)).toEqual([cys.id, bens.id]);
    expect((await bar(ana)).sort()).toEqual([ben, cy].sort());
  });

  it('keep the first mute when repeated, list it, take it back idempotently', async () => {
    world = socialWorld();
    const [ana, ben] = [await world.user('ana'), await world.user('ben')];
    await muteUser(ana, ben, world.social);
    const first = (await world.social.store.get(keys.mute(ana, ben))).item;
    world.clock.advance(1000);
    await muteUser(ana, ben, world.social);
    expect((await world.social.store.get(keys.mute(ana, ben))).item).toEqual(first);
    expect((await world.social.store.get(keys.mutedBy(ben, ana))).item).toMatchObject({ actorId: ana });
    expect((await listRelations(ana, 'mute', {}, world.social)).items.map((p) => p.id)).toEqual([ben]);
    expect((await listRelations(ben, 'mute', {}, world.social)).items).toEqual([]);
    expect((await listRelations(ana, 'block', {}, world.social)).items).toEqual([]);
    await unmuteUser(ana, ben, world.social);
    await unmuteUser(ana, ben, world.social);
    expect((await world.social.store.get(keys.mutedBy(ben, ana))).item).toBeUndefined();
    expect((await listRelations(ana, 'mute', {}, world.social)).items).toEqual([]);
  });

  it('refuse muting oneself and unknown users', async () => {
    world = socialWorld();
    const ana = await world.user('ana');
    expect(await rejectionMessage(muteUser(ana, ana, world.social), 'BadInput')).toBe(
      'You cannot mute yourself',
    );
    await failsWith(muteUser(ana, '0b5e1c9a-0000-4000-8000-00000000dead', world.social), 'NotFound');
    await failsWith(unmuteUser(ana, 'a b', world.social), 'BadInput');
    expect((await listRelations(ana, 'mute', {}, world.social)).items).toEqual([]);
  });
});
