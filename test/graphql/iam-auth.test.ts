/**
 * AppSync's AWS_IAM mode on Plaza's GraphQL endpoint: requests signed with @smithy/signature-v4
 * (service `appsync`) using credentials `fromCognitoIdentityPool` got from Plaza's identity pool.
 * Guests browse the public reads; writes and private fields are Unauthorized; tampered or unknown
 * signatures are refused; the real-time endpoint takes IAM-signed connections and subscriptions.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { readFileSync } from 'node:fs';
import { parse, type ObjectTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publicQueries, publicSubscriptions } from '../../src/domain/identity-pools/policies.ts';
import { schemaPath } from '../../src/edge/graphql/graphql-routes.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
let guest: AwsCredentialIdentity;
let author: { id: string; token: string };

async function signedHeaders(
  credentials: AwsCredentialIdentity,
  path: string,
  body: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const url = new URL(server.url);
  const signed = await new SignatureV4({
    service: 'appsync',
    region: 'us-west-1',
    credentials,
    sha256: Sha256,
  }).sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, 'content-type': 'application/json', ...extra },
    body,
  });
  return signed.headers as Record<string, string>;
}

async function iamGql(
  query: string,
  options: { credentials?: AwsCredentialIdentity; tamper?: boolean } = {},
) {
  const body = JSON.stringify({ query });
  const headers = await signedHeaders(options.credentials ?? guest, '/graphql', body);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers,
    body: options.tamper ? body.replace('recentPosts', 'recentPosts ') : body,
  });
  return {
    status: response.status,
    ...((await response.json()) as { data?: Record<string, unknown>; errors?: { errorType: string }[] }),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  const identityPoolId = server.app.identity.identityPool!.settings.identityPoolId;
  guest = await fromCognitoIdentityPool({
    identityPoolId,
    clientConfig: { endpoint: server.url, region: 'us-west-1' },
  })();
  author = await server.newUser('iamauthor');
  await server.gql(author.token, 'mutation { createPost(input: { description: "hello guests" }) { id } }');
});
afterAll(() => server?.close());

describe('AWS_IAM on /graphql', () => {
  it('lets a guest browse recent posts and profiles', async () => {
    const answer = await iamGql(
      '{ recentPosts(limit: 5) { items { id description author { id username } } } }',
    );
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    const items = (answer.data?.recentPosts as { items: { description: string; author: { id: string } }[] })
      .items;
    expect(items.map((post) => post.description)).toContain('hello guests');
    const profile = await iamGql(`{ getUser(id: "${author.id}") { id postCount } }`);
    expect(profile.data?.getUser).toEqual({ id: author.id, postCount: 1 });
  });

  it('refuses a guest’s writes and the fields only users may read, as Unauthorized', async () => {
    const write = await iamGql('mutation { createPost(input: { description: "guest" }) { id } }');
    expect(write.errors?.map((error) => error.errorType)).toEqual(['Unauthorized']);
    expect(write.data ?? null).toBeNull();
    const feed = await iamGql('{ homeFeed { items { id } } }');
    expect(feed.errors?.map((error) => error.errorType)).toEqual(['Unauthorized']);
    const viewer = await iamGql('{ recentPosts { items { viewerHasLiked } } }');
    expect(viewer.errors?.map((error) => error.errorType)).toEqual(['Unauthorized']);
  });

  it('refuses a tampered body, a forged session token and unknown keys with 403 and AWS’s names', async () => {
    const tampered = await iamGql('{ recentPosts { items { id } } }', { tamper: true });
    expect([tampered.status, tampered.errors?.[0]?.errorType]).toEqual([403, 'InvalidSignatureException']);
    const forged = { ...guest, sessionToken: `${guest.sessionToken}x` };
    const refused = await iamGql('{ recentPosts { items { id } } }', { credentials: forged });
    expect([refused.status, refused.errors?.[0]?.errorType]).toEqual([403, 'UnrecognizedClientException']);
    const made = { accessKeyId: 'ASIAMADEUP', secretAccessKey: 'made-up', sessionToken: 'made-up' };
    const unknown = await iamGql('{ recentPosts { items { id } } }', { credentials: made });
    expect([unknown.status, unknown.errors?.[0]?.errorType]).toEqual([403, 'UnrecognizedClientException']);
  });

  it('refuses a signature made more than 15 minutes ago', async () => {
    const body = JSON.stringify({ query: '{ recentPosts { items { id } } }' });
    const url = new URL(server.url);
    const signed = await new SignatureV4({
      service: 'appsync',
      region: 'us-west-1',
      credentials: guest,
      sha256: Sha256,
    }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/graphql',
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      },
      { signingDate: new Date(Date.now() - 16 * 60 * 1000) },
    );
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body,
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { errorType: string }[] }).errors[0]?.errorType).toBe(
      'InvalidSignatureException',
    );
  });

  it('names in the guest policy exactly the root fields the schema opens to @aws_iam', () => {
    const schema = parse(readFileSync(schemaPath, 'utf8'));
    const iamFields = (type: string) =>
      (
        schema.definitions.find(
          (definition): definition is ObjectTypeDefinitionNode =>
            definition.kind === 'ObjectTypeDefinition' && definition.name.value === type,
        )?.fields ?? []
      )
        .filter((field) => field.directives?.some((directive) => directive.name.value === 'aws_iam'))
        .map((field) => field.name.value)
        .sort();
    expect([...publicQueries].sort()).toEqual(iamFields('Query'));
    expect([...publicSubscriptions].sort()).toEqual(iamFields('Subscription'));
    // The one IAM mutation is the AWS notifications consumer's, which neither role's policy grants
    // (test/infra/notifications.test.ts).
    expect(iamFields('Mutation')).toEqual(['publishNotification']);
  });

  it('names the identity pool and AWS_IAM in amplify_outputs.json', async () => {
    const outputs = (await (await fetch(`${server.url}/amplify_outputs.json`)).json()) as {
      auth: Record<string, unknown>;
      data: Record<string, unknown>;
    };
    expect(outputs.auth.identity_pool_id).toBe(server.app.identity.identityPool!.settings.identityPoolId);
    expect(outputs.auth.unauthenticated_identities_enabled).toBe(true);
    expect(outputs.data.authorization_types).toContain('AWS_IAM');
  });
});

describe('AWS_IAM on the real-time endpoint', () => {
  async function connect(credentials: AwsCredentialIdentity) {
    const headers = await signedHeaders(credentials, '/graphql/connect', '{}', {
      accept: 'application/json, text/javascript',
      'content-encoding': 'amz-1.0',
    });
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/graphql/realtime?header=${Buffer.from(JSON.stringify(headers)).toString('base64')}&payload=e30=`,
      'graphql-ws',
    );
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const waitFor = async (type: string) => {
      for (let i = 0; i < 100; i++) {
        const found = messages.find((message) => message.type === type);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no ${type} message; got ${JSON.stringify(messages)}`);
    };
    socket.send(JSON.stringify({ type: 'connection_init' }));
    return { socket, waitFor };
  }

  it('takes a signed connection and subscription, and delivers new posts to a guest', async () => {
    const client = await connect(guest);
    await client.waitFor('connection_ack');
    const data = JSON.stringify({ query: 'subscription { onCreatePost { id description } }', variables: {} });
    client.socket.send(
      JSON.stringify({
        id: 'guest-1',
        type: 'start',
        payload: { data, extensions: { authorization: await signedHeaders(guest, '/graphql', data) } },
      }),
    );
    expect(await client.waitFor('start_ack')).toMatchObject({ id: 'guest-1' });
    await server.gql(
      author.token,
      'mutation { createPost(input: { description: "live for guests" }) { id } }',
    );
    expect(await client.waitFor('data')).toMatchObject({
      id: 'guest-1',
      payload: { data: { onCreatePost: { description: 'live for guests' } } },
    });
    client.socket.close();
  });

  it('refuses a connection signed with unknown credentials', async () => {
    const client = await connect({ accessKeyId: 'ASIAMADEUP', secretAccessKey: 'x', sessionToken: 'y' });
    expect(await client.waitFor('connection_error')).toMatchObject({
      payload: { errors: [{ errorType: 'UnauthorizedException' }] },
    });
  });
});
