/**
 * The hybrid fan-out's threshold is configuration (PLAZA_FAN_OUT_FOLLOWER_LIMIT): an author with
 * more followers than it is not fanned out into their feeds, and is merged in when they read.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { followUser } from '../../src/domain/social/follow-user.ts';
import { keys, partitions } from '../../src/domain/social/keys.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { PLAZA_FAN_OUT_FOLLOWER_LIMIT: '1' } });
});
afterAll(() => server?.close());

it('merges at read time an author over the configured limit, instead of fanning out', async () => {
  const author = await server.newUser('popular');
  const readers = [await server.newUser('reader1'), await server.newUser('reader2')];
  for (const reader of readers) await followUser(reader.id, author.id, server.app.social);
  const created = await server.gql(
    author.token,
    'mutation { createPost(input: { description: "hi" }) { id } }',
  );
  const postId = created.data?.createPost.id as string;
  await server.app.consumers.drain();

  const { item: marked } = await server.app.stores.main.get(keys.largeAuthor(author.id));
  expect(marked).toBeDefined();
  const feed = await server.app.stores.main.query({ partition: partitions.feed(readers[0]!.id) });
  expect(feed.items).toEqual([]);
  // The large-author list is cached for a few seconds: read once it is fresh.
  await new Promise((resolve) => setTimeout(resolve, 5_100));
  const page = await server.gql(readers[0]!.token, '{ homeFeed(limit: 10) { items { id } } }');
  expect(page.data?.homeFeed.items).toEqual([{ id: postId }]);
});
