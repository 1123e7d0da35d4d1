import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { blockUser } from './block-user.ts';
import { createPost } from './create-post.ts';
import { deleteComment } from './delete-comment.ts';
import { deletePost } from './delete-post.ts';
import { followUser, unfollowUser } from './follow-user.ts';
import { likePost, unlikePost } from './like-post.ts';
import { listNotifications, unreadNotificationCount } from './list-notifications.ts';
import { markNotificationsRead } from './mark-notifications-read.ts';
import { muteUser } from './mute-user.ts';
import { notifyFromChanges } from './notify.ts';
import { updateProfile } from './update-profile.ts';

let world: SocialWorld;
let ada: string, ben: string, cy: string, dee: string;

beforeEach(async () => {
  world = socialWorld();
  const names = ['ada', 'ben', 'cy', 'dee'] as const;
  [ada, ben, cy, dee] = (await Promise.all(names.map((name) => world.user(name)))) as [
    string,
    string,
    string,
    string,
  ];
  for (const [id, username] of [
    [ada, 'ada'],
    [ben, 'ben'],
    [cy, 'cyril'],
    [dee, 'dee'],
  ] as const)
    await updateProfile(id, { username }, world.social);
});
afterEach(() => world.close());

/** The consumer over what is new since its last run, from its own checkpoint, as the server runs it. */
async function notifyNew() {
  const reader = world.social.store.changes.subscribe('notifications', (records) =>
    notifyFromChanges(records, world.social).then(() => undefined),
  );
  await reader.drain();
  await reader.stop();
}

async function inbox(userId: string) {
  await notifyNew();
  const page = await listNotifications(userId, {}, world.social);
  return {
    unread: await unreadNotificationCount(userId, world.social),
    items: page.items.map(({ type, actorIds, othersCount, read, postId, commentId }) => ({
      type,
      actorIds,
      othersCount,
      read,
      ...(postId ? { postId } : {}),
      ...(commentId ? { commentId } : {}),
    })),
  };
}

const tick = () => world.clock.advance(1000);

describe('notifyFromChanges', () => {
  it('groups the likes of a post into one notification, latest likers first, none for the author', async () => {
    const post = await createPost(ada, { description: 'hello' }, world.social);
    await likePost(ada, post.id, world.social);
    for (const liker of [ben, cy, dee]) {
      tick();
      await likePost(liker, post.id, world.social);
    }
    expect(await inbox(ada)).toEqual({
      unread: 1,
      items: [{ type: 'LIKE', actorIds: [dee, cy, ben], othersCount: 2, read: false, postId: post.id }],
    });
    await unlikePost(dee, post.id, world.social);
    expect((await inbox(ada)).items[0]).toMatchObject({ actorIds: [cy, ben], othersCount: 1 });
    await unlikePost(cy, post.id, world.social);
    await unlikePost(ben, post.id, world.social);
    expect(await inbox(ada)).toEqual({ unread: 0, items: [] });
  });

  it('notifies follows, comments and mentions, and takes each back with what it was about', async () => {
    const post = await createPost(ada, { description: 'hi @ben and @nobody' }, world.social);
    tick();
    await followUser(cy, ada, world.social);
    tick();
    const comment = await addComment(cy, post.id, 'nice, @dee and @ada', world.social);
    expect(await inbox(ben)).toMatchObject({ unread: 1, items: [{ type: 'MENTION', actorIds: [ada] }] });
    expect(await inbox(dee)).toMatchObject({
      unread: 1,
      items: [{ type: 'MENTION', actorIds: [cy], commentId: comment.id }],
    });
    // Ada hears of the comment once, as a COMMENT, although it mentions her too.
    expect(await inbox(ada)).toMatchObject({
      unread: 2,
      items: [
        { type: 'COMMENT', actorIds: [cy], postId: post.id, commentId: comment.id },
        { type: 'FOLLOW', actorIds: [cy] },
      ],
    });
    await deleteComment(cy, post.id, comment.id, world.social);
    await unfollowUser(cy, ada, world.social);
    expect(await inbox(ada)).toEqual({ unread: 0, items: [] });
    expect(await inbox(dee)).toEqual({ unread: 0, items: [] });
    await deletePost(ada, post.id, world.social);
    expect(await inbox(ben)).toEqual({ unread: 0, items: [] });
  });

  it('takes back the likes and comments of a deleted post', async () => {
    const post = await createPost(ada, { description: 'soon gone' }, world.social);
    await likePost(ben, post.id, world.social);
    await addComment(cy, post.id, 'first', world.social);
    expect((await inbox(ada)).unread).toBe(2);
    await deletePost(ada, post.id, world.social);
    expect(await inbox(ada)).toEqual({ unread: 0, items: [] });
  });

  it('sends nothing from someone the recipient blocks or mutes, or who blocks them', async () => {
    const post = await createPost(ada, { description: 'x' }, world.social);
    await muteUser(ada, ben, world.social);
    await blockUser(cy, ada, world.social);
    await likePost(ben, post.id, world.social);
    await addComment(ben, post.id, 'hey', world.social);
    await createPost(cy, { description: '@ada look' }, world.social);
    expect(await inbox(ada)).toEqual({ unread: 0, items: [] });
    // Blocking after the fact hides what came before.
    await likePost(dee, post.id, world.social);
    expect((await inbox(ada)).items).toHaveLength(1);
    await blockUser(ada, dee, world.social);
    expect((await inbox(ada)).items).toEqual([]);
  });

  it('counts what changed after the read mark as unread, and a change seen twice once', async () => {
    const post = await createPost(ada, { description: 'x' }, world.social);
    await likePost(ben, post.id, world.social);
    tick();
    await followUser(ben, ada, world.social);
    expect((await inbox(ada)).unread).toBe(2);
    tick();
    expect(await markNotificationsRead(ada, undefined, world.social)).toBe(2);
    expect(await markNotificationsRead(ada, undefined, world.social)).toBe(0);
    expect(await inbox(ada)).toMatchObject({ unread: 0, items: [{ read: true }, { read: true }] });
    // A new like moves the read LIKE notification up, unread again.
    tick();
    await likePost(cy, post.id, world.social);
    expect(await inbox(ada)).toMatchObject({
      unread: 1,
      items: [
        { type: 'LIKE', actorIds: [cy, ben], read: false },
        { type: 'FOLLOW', read: true },
      ],
    });
    // At-least-once: every change handled again leaves the same notifications and count.
    await notifyFromChanges(await world.changes(), world.social);
    expect(await inbox(ada)).toMatchObject({ unread: 1, items: [{ actorIds: [cy, ben] }, { read: true }] });
  });

  it('marks read only up to a given time, never past now, and refuses what is no time', async () => {
    const post = await createPost(ada, { description: 'x' }, world.social);
    await followUser(ben, ada, world.social);
    const between = new Date(world.clock.now() + 500).toISOString();
    tick();
    await likePost(cy, post.id, world.social);
    await notifyNew();
    expect(await markNotificationsRead(ada, between, world.social)).toBe(1);
    expect(await inbox(ada)).toMatchObject({ unread: 1, items: [{ read: false }, { read: true }] });
    expect(await markNotificationsRead(ada, '2999-01-01T00:00:00Z', world.social)).toBe(1);
    await expect(markNotificationsRead(ada, 'yesterday', world.social)).rejects.toMatchObject({
      code: 'BadInput',
    });
  });
});
