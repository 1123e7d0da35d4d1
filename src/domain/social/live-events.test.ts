import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { socialWorld, type SocialWorld } from '../../../test/support/social.ts';
import { addComment } from './add-comment.ts';
import { createPost } from './create-post.ts';
import { deletePost } from './delete-post.ts';
import { likePost, unlikePost } from './like-post.ts';
import { publishLiveEvents } from './live-events.ts';

let world: SocialWorld;
beforeEach(() => {
  world = socialWorld();
});
afterEach(() => world.close());

/** Publishes what the change stream holds so far, as the consumer would `secondsLater` after the writes. */
async function published(secondsLater = 0): Promise<[string, unknown][]> {
  const events: [string, unknown][] = [];
  const count = await publishLiveEvents(await world.changes(), {
    publish: (topic, payload) => events.push([topic, payload]),
    now: () => world.clock.now() / 1000 + secondsLater,
    maxAgeSeconds: 60,
  });
  expect(count).toBe(events.length);
  return events;
}

describe('live events from the change stream', () => {
  it('publishes what the mutations return: a new post, a comment, a like with its count', async () => {
    const [alice, bob] = [await world.user('alice'), await world.user('bob')];
    const post = await createPost(alice, { description: 'hello' }, world.social);
    await addComment(bob, post.id, 'nice', world.social);
    await likePost(bob, post.id, world.social);
    // A second like changes nothing, and neither taking it back nor deleting is an event.
    await likePost(bob, post.id, world.social);
    await unlikePost(bob, post.id, world.social);
    await deletePost(alice, post.id, world.social);

    const events = await published();
    expect(events.map(([topic]) => topic)).toEqual(['createPost', 'addComment', 'likePost']);
    expect(events[0]?.[1]).toEqual(post);
    expect(events[1]?.[1]).toMatchObject({ postId: post.id, authorId: bob, content: 'nice' });
    expect(events[2]?.[1]).toEqual({ ...post, likeCount: 1, commentCount: 1 });
  });

  it('does not publish changes older than the live window (a consumer catching up after a restart)', async () => {
    const alice = await world.user('alice');
    await createPost(alice, { description: 'while the server was down' }, world.social);
    expect(await published(61)).toEqual([]);
    expect(await published(59)).toHaveLength(1);
  });
});
