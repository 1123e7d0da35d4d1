import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import type { Logger } from '../../platform/logger.ts';
import type { StreamRecord } from '../../ports/item-store/item-store.ts';
import { createPost } from './create-post.ts';
import { followUser } from './follow-user.ts';
import { getNotification } from './get-notification.ts';
import { likePost, unlikePost } from './like-post.ts';
import { notifyFromChanges } from './notify.ts';
import { publishNotifications } from './publish-notifications.ts';

let world: SocialWorld;
let ada: string, ben: string, cy: string;
beforeEach(async () => {
  world = socialWorld();
  [ada, ben, cy] = [await world.user('ada'), await world.user('ben'), await world.user('cy')];
});
afterEach(() => world.close());

type Published = { recipientId: string; id: string };

/** What is new on the stream for the consumer `name`, from its checkpoint, as the server runs it. */
async function newChanges(name: string): Promise<StreamRecord[]> {
  const records: StreamRecord[] = [];
  const reader = world.social.store.changes.subscribe(name, async (batch) => void records.push(...batch));
  await reader.drain();
  await reader.stop();
  return records;
}

/** Runs the notifications consumer over what is new, then publishes what is new on the stream since. */
async function publish(
  options: { secondsLater?: number; failFor?: string } = {},
): Promise<{ published: Published[]; count: number; errors: unknown[] }> {
  await notifyFromChanges(await newChanges('notify'), world.social);
  const published: Published[] = [];
  const errors: unknown[] = [];
  const logger = { error: (fields: unknown) => void errors.push(fields) } as unknown as Logger;
  const count = await publishNotifications(
    await newChanges('publish'),
    {
      publisher: {
        publish: async (notification) => {
          if (notification.id === options.failFor) throw new Error('AppSync is unreachable');
          published.push(notification);
        },
      },
      now: () => world.clock.now() / 1000 + (options.secondsLater ?? 0),
      maxAgeSeconds: 60,
    },
    logger,
  );
  return { published, count, errors };
}

describe('publishNotifications', () => {
  it('publishes each notification written or moved up, to its recipient, by an id that reads it back', async () => {
    await followUser(ben, ada, world.social);
    const post = await createPost(ada, { description: 'hello' }, world.social);
    await likePost(ben, post.id, world.social);
    const { published, count } = await publish();
    expect(count).toBe(2);
    expect(published).toEqual([
      { recipientId: ada, id: `FOLLOW#${ben}` },
      { recipientId: ada, id: expect.stringContaining(post.id) },
    ]);
    const like = await getNotification(ada, published[1]!.id, world.social);
    expect(like).toMatchObject({ recipientId: ada, type: 'LIKE', actorIds: [ben], postId: post.id });
  });

  it('publishes a grouped like again when a new liker moves it up, not when a like is taken back', async () => {
    const post = await createPost(ada, { description: 'hello' }, world.social);
    await likePost(ben, post.id, world.social);
    const [first] = (await publish()).published;
    world.clock.advance(1000);
    await likePost(cy, post.id, world.social);
    expect((await publish()).published).toEqual([first]);
    expect(await getNotification(ada, first!.id, world.social)).toMatchObject({ actorIds: [cy, ben] });
    world.clock.advance(1000);
    await unlikePost(cy, post.id, world.social);
    expect((await publish()).published).toEqual([]);
    expect(await getNotification(ada, first!.id, world.social)).toMatchObject({ actorIds: [ben] });
  });

  it('publishes nothing older than the live window, and logs a failed publish without throwing', async () => {
    await followUser(ben, ada, world.social);
    expect((await publish({ secondsLater: 61 })).published).toEqual([]);
    await followUser(ben, cy, world.social);
    await followUser(cy, ada, world.social);
    const { count, published, errors } = await publish({ failFor: `FOLLOW#${ben}` });
    expect(count).toBe(1);
    expect(published).toEqual([{ recipientId: ada, id: `FOLLOW#${cy}` }]);
    expect(errors).toEqual([expect.objectContaining({ recipientId: cy, id: `FOLLOW#${ben}` })]);
  });
});
