/**
 * Reports and moderation over GraphQL (issue 20), with the embedded pool's real users: anyone
 * reports, the `moderators` group alone reads the queue and resolves, and a suspension disables
 * the user in the pool, so their token and their password stop working.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorName, poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
beforeAll(async () => {
  pool = await startPoolApp('moderation');
});
afterAll(() => pool.close());

const password = 'Correct-Horse-9';

async function gql(token: string, query: string, variables?: object) {
  const response = await fetch(`${pool.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    // The shapes vary by query; the assertions check them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data: Record<string, any> | null;
    errors?: { errorType: string; message: string }[];
  };
}

async function ok(token: string, query: string, variables?: object) {
  const response = await gql(token, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

async function user(name: string, groups: string[] = []) {
  const signedIn = await poolUser(pool, `${name}@example.com`, { password, groups });
  return { id: signedIn.sub, email: signedIn.email, token: signedIn.accessToken };
}

const report = `mutation($input: ReportInput!) {
  reportContent(input: $input) { id targetType reason note status user { id } reporter { id } post { id } }
}`;
const queue = `query($status: ReportStatus) {
  reports(status: $status) { items { id status action resolvedBy post { id } comment { id } user { id } } nextToken }
}`;
const resolve = `mutation($id: ID!, $action: ModerationAction!) {
  resolveReport(id: $id, action: $action) { id status action resolvedBy resolvedAt }
}`;

describe('reportContent, reports and resolveReport', () => {
  it('let anyone report, moderators alone read and resolve, and suspend a user in the pool', async () => {
    const [ana, ben, mod] = [await user('ana'), await user('ben'), await user('mod', ['moderators'])];
    const postId = (
      await ok(ben.token, 'mutation { createPost(input: { description: "spam, spam" }) { id } }')
    ).createPost.id as string;

    const ofPost = (await ok(ana.token, report, { input: { postId, reason: 'SPAM', note: 'ads' } }))
      .reportContent;
    expect(ofPost).toMatchObject({
      targetType: 'POST',
      reason: 'SPAM',
      note: 'ads',
      status: 'OPEN',
      user: { id: ben.id },
      reporter: { id: ana.id },
      post: { id: postId },
    });
    const ofUser = (await ok(ana.token, report, { input: { userId: ben.id, reason: 'HARASSMENT' } }))
      .reportContent;

    // Not a moderator: refused before anything runs.
    for (const [query, variables] of [
      [queue, {}],
      [resolve, { id: ofUser.id, action: 'DISMISS' }],
    ] as const) {
      const refused = await gql(ana.token, query, variables);
      expect(refused.errors?.[0]?.errorType).toBe('Unauthorized');
    }
    expect((await ok(mod.token, queue)).reports.items.map((item: { id: string }) => item.id)).toEqual([
      ofPost.id,
      ofUser.id,
    ]);

    expect(
      (await ok(mod.token, resolve, { id: ofPost.id, action: 'REMOVE_CONTENT' })).resolveReport,
    ).toMatchObject({
      status: 'RESOLVED',
      action: 'REMOVE_CONTENT',
      resolvedBy: mod.id,
    });
    expect(
      (await ok(ana.token, 'query($id: ID!) { getPost(id: $id) { id } }', { id: postId })).getPost,
    ).toBeNull();
    const twice = await gql(mod.token, resolve, { id: ofPost.id, action: 'DISMISS' });
    expect(twice.errors?.[0]).toMatchObject({ errorType: 'BadInput' });

    await ok(mod.token, resolve, { id: ofUser.id, action: 'SUSPEND_USER' });
    expect((await gql(ben.token, '{ me { id } }')).errors?.[0]?.errorType).toBe('UnauthorizedException');
    expect(
      await errorName(
        pool.cognito.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: ben.email, PASSWORD: password },
          }),
        ),
      ),
    ).toBe('NotAuthorizedException');
    const resolved = (await ok(mod.token, queue, { status: 'RESOLVED' })).reports.items;
    expect(resolved.map((item: { action: string }) => item.action)).toEqual([
      'SUSPEND_USER',
      'REMOVE_CONTENT',
    ]);
    expect(resolved[1].post).toBeNull();
    expect((await ok(mod.token, queue)).reports.items).toEqual([]);
  });

  it('answer clear errors for what does not exist and for bad input, changing nothing', async () => {
    const [cy, mod] = [await user('cy'), await user('mod2', ['moderators'])];
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const errorOf = async (token: string, query: string, variables: object) =>
      (await gql(token, query, variables)).errors?.[0]?.errorType;
    expect(await errorOf(cy.token, report, { input: { postId: missing, reason: 'SPAM' } })).toBe('NotFound');
    expect(await errorOf(cy.token, report, { input: { reason: 'SPAM' } })).toBe('BadInput');
    expect(await errorOf(cy.token, report, { input: { userId: cy.id, reason: 'SPAM' } })).toBe('BadInput');
    expect(await errorOf(cy.token, report, { input: { userId: cy.id, reason: 'RUDE' } })).toBeDefined();
    expect(await errorOf(mod.token, resolve, { id: missing, action: 'DISMISS' })).toBe('NotFound');
    expect((await ok(mod.token, queue)).reports.items).toEqual([]);
  });
});
