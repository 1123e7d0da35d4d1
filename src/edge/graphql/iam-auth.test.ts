import { SignatureV4 } from '@smithy/signature-v4';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identityPoolPolicies, localPolicyResources } from '../../domain/identity-pools/policies.ts';
import { sessionTokens } from '../../domain/identity-pools/session-tokens.ts';
import { failsWith } from '../../../test/support/fails-with.ts';
import { ManualClock } from '../../ports/clock.ts';
import { NodeSha256, type IncomingSignedRequest } from '../http/sigv4-verifier.ts';
import { iamAuth } from './iam-auth.ts';

const resources = localPolicyResources('us-west-1', 'media');
const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
const tokens = sessionTokens(randomBytes(32));
const auth = iamAuth({
  tokens,
  clock,
  policies: identityPoolPolicies(resources),
  graphqlApiArn: resources.graphqlApiArn,
});

function credentials(role: 'authenticated' | 'unauthenticated', lifetimeMs = 3600_000) {
  const issued = tokens.issue(
    {
      identityId: 'us-west-1:me',
      identityPoolId: 'p',
      role,
      roleArn: 'r',
      expiresAt: clock.now() + lifetimeMs,
    },
    'ASIAEXAMPLEEXAMPLE00',
  );
  return {
    accessKeyId: issued.AccessKeyId,
    secretAccessKey: issued.SecretKey,
    sessionToken: issued.SessionToken,
  };
}

async function signed(creds: ReturnType<typeof credentials>): Promise<IncomingSignedRequest> {
  const body = '{"query":"{ recentPosts { items { id } } }"}';
  const request = await new SignatureV4({
    service: 'appsync',
    region: 'us-west-1',
    credentials: creds,
    sha256: NodeSha256,
  }).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/graphql',
      headers: { host: 'localhost' },
      body,
    },
    { signingDate: new Date(clock.now()) },
  );
  return { method: 'POST', path: '/graphql', query: '', headers: request.headers, body };
}

describe('iamAuth', () => {
  it('makes the signer the identity of its session token, in its role', async () => {
    const caller = await auth.caller(await signed(credentials('unauthenticated')));
    expect(caller).toEqual({
      kind: 'iam',
      identityId: 'us-west-1:me',
      role: 'unauthenticated',
      accessKeyId: 'ASIAEXAMPLEEXAMPLE00',
    });
    expect(auth.allows(caller, 'Query.recentPosts')).toBe(true);
    expect(auth.allows(caller, 'Mutation.createPost')).toBe(false);
  });

  it('refuses credentials once they expire, remembered or not', async () => {
    const creds = credentials('authenticated', 60_000);
    await auth.caller(await signed(creds));
    clock.advance(61_000);
    await failsWith(auth.caller(await signed(creds)), 'Unauthorized');
    await failsWith(auth.caller(await signed(credentials('authenticated', -1))), 'Unauthorized');
  });

  it('refuses a session token under another access key id', async () => {
    const creds = { ...credentials('authenticated'), accessKeyId: 'ASIAOTHEROTHEROTHER0' };
    await failsWith(auth.caller(await signed(creds)), 'Unauthorized');
  });
});
