/** Per-resolver caching over HTTP: repeat reads cost no store reads, and writes show at once. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

async function readUnits(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^plaza_consumed_read_capacity_units_total\{[^}]*table="plaza"[^}]*\} (\S+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((a, b) => a + b, 0);
}

it('serves getPost from the cache until a like or comment changes it', async () => {
  const alice = await server.newUser('alice');
  const bob = await server.newUser('bob');
  const created = await server.gql(
    alice.token,
    'mutation { createPost(input: { description: "hi" }) { id } }',
  );
  const id = created.data?.createPost.id as string;
  const read = () =>
    server.gql(bob.token, 'query($id: ID!) { getPost(id: $id) { id likeCount commentCount } }', { id });

  expect((await read()).data?.getPost.likeCount).toBe(0);
  const before = await readUnits();
  expect((await read()).data?.getPost.likeCount).toBe(0);
  expect(await readUnits()).toBe(before);

  await server.gql(bob.token, 'mutation($id: ID!) { likePost(postId: $id) { id } }', { id });
  expect((await read()).data?.getPost.likeCount).toBe(1);
  await server.gql(bob.token, 'mutation($id: ID!) { addComment(postId: $id, content: "nice") { id } }', {
    id,
  });
  expect((await read()).data?.getPost.commentCount).toBe(1);
});

it('serves getUser from the cache until the profile or its follows change', async () => {
  const carol = await server.newUser('carol');
  const dave = await server.newUser('dave');
  const read = () =>
    server.gql(dave.token, 'query($id: ID!) { getUser(id: $id) { id displayName followerCount } }', {
      id: carol.id,
    });
  expect((await read()).data?.getUser.followerCount).toBe(0);
  await server.gql(carol.token, 'mutation { updateProfile(input: { displayName: "Carol C" }) { id } }');
  expect((await read()).data?.getUser.displayName).toBe('Carol C');
  await server.gql(dave.token, 'mutation($id: ID!) { followUser(userId: $id) { id } }', { id: carol.id });
  expect((await read()).data?.getUser.followerCount).toBe(1);
});
