/**
 * Amplify JS v6 as a guest, configured from Plaza's amplify_outputs.json (with its endpoints
 * pointed at Plaza, as the web app does): fetchAuthSession gets identity-pool credentials, and
 * Amplify's GraphQL client with `authMode: 'iam'` signs with its own SigV4 signer.
 */
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession } from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const author = await server.newUser('amplifyauthor');
  await server.gql(
    author.token,
    'mutation { createPost(input: { description: "seen by amplify guests" }) { id } }',
  );
  const outputs = (await (await fetch(`${server.url}/amplify_outputs.json`)).json()) as Parameters<
    typeof Amplify.configure
  >[0];
  Amplify.configure(outputs);
  const config = Amplify.getConfig();
  // Amplify's outputs name no custom Cognito endpoints; its resource config does.
  const Cognito = {
    ...config.Auth!.Cognito,
    userPoolEndpoint: `${server.url}/`,
    identityPoolEndpoint: `${server.url}/`,
  };
  Amplify.configure({ ...config, Auth: { ...config.Auth, Cognito } } as ResourcesConfig);
});
afterAll(() => server?.close());

describe('Amplify JS as a guest', () => {
  it('gets guest credentials and reads the public feed with authMode iam', async () => {
    const session = await fetchAuthSession();
    expect(session.identityId).toBe(
      server.app.identity.identityPool!.tokens.open(session.credentials!.sessionToken!, Date.now())?.grant
        .identityId,
    );
    const client = generateClient({ authMode: 'iam' });
    const result = (await client.graphql({
      query: '{ recentPosts(limit: 5) { items { description } } }',
    })) as {
      data: { recentPosts: { items: { description: string }[] } };
    };
    expect(result.data.recentPosts.items.map((post) => post.description)).toContain('seen by amplify guests');
    await expect(
      client.graphql({ query: 'mutation { createPost(input: { description: "no" }) { id } }' }),
    ).rejects.toMatchObject({ errors: [{ errorType: 'Unauthorized' }] });
  });
});
