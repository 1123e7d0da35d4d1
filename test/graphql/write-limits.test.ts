/** Per-user write limits over GraphQL (issue 20): over the limit, TooManyRequestsException and nothing written. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    configFile: { social: { writesPerMinute: { posts: 1, likes: 2, follows: 1, comments: 1, reports: 1 } } },
  });
});
afterAll(() => server?.close());

describe('social.writesPerMinute', () => {
  it('refuses a user’s writes over their limit, writing nothing, and counts users apart', async () => {
    const [ana, ben, cy] = [
      await server.newUser('ana'),
      await server.newUser('ben'),
      await server.newUser('cy'),
    ];
    const post = (token: string) =>
      server.gql(token, 'mutation { createPost(input: { description: "hi" }) { id } }');
    const first = await post(ana.token);
    const postId = first.data?.createPost.id as string;
    const refused = await post(ana.token);
    expect(refused.errors?.[0]).toMatchObject({ errorType: 'TooManyRequestsException' });
    expect(refused.errors?.[0]?.message).toMatch(/at most 1/);
    expect(
      (await server.gql(ana.token, `{ listPostsByUser(userId: "${ana.id}") { items { id } } }`)).data,
    ).toEqual({ listPostsByUser: { items: [{ id: postId }] } });
    expect((await post(ben.token)).errors).toBeUndefined();

    const like = (token: string) =>
      server.gql(token, 'mutation($id: ID!) { likePost(postId: $id) { likeCount } }', { id: postId });
    await like(cy.token);
    // Aliases do not get round it: each counts.
    const aliased = await server.gql(
      cy.token,
      'mutation($id: ID!) { a: likePost(postId: $id) { likeCount } b: likePost(postId: $id) { likeCount } }',
      { id: postId },
    );
    expect(aliased.errors?.map((error) => error.errorType)).toEqual(['TooManyRequestsException']);
    expect(
      (await server.gql(cy.token, `{ getPost(id: "${postId}") { likeCount } }`)).data?.getPost.likeCount,
    ).toBe(1);

    const follow = (token: string, id: string) =>
      server.gql(token, 'mutation($id: ID!) { followUser(userId: $id) { id } }', { id });
    expect((await follow(cy.token, ana.id)).errors).toBeUndefined();
    expect((await follow(cy.token, ben.id)).errors?.[0]?.errorType).toBe('TooManyRequestsException');
    expect(
      (await server.gql(cy.token, `{ getUser(id: "${ben.id}") { followerCount } }`)).data?.getUser
        .followerCount,
    ).toBe(0);
  });
});
