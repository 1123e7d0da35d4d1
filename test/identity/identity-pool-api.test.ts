/**
 * Cognito Identity's API on Plaza's port, driven by the AWS SDK's CognitoIdentityClient and by
 * `fromCognitoIdentityPool`, the credential provider Amplify and SDK apps use: guests, sign-in
 * through the user pool's ID token, the developer operations, and the refusals.
 */
import {
  CognitoIdentityClient,
  DescribeIdentityCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetIdentityPoolRolesCommand,
  GetOpenIdTokenCommand,
  ListIdentitiesCommand,
  UnlinkIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { DeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAndSignIn, type SignedIn } from '../support/cognito-users.ts';
import { errorName, startPoolApp, type PoolApp } from '../support/pool-app.ts';

let pool: PoolApp;
let identity: CognitoIdentityClient;
let developer: CognitoIdentityClient;
let poolId: string;
let provider: string;
let user: SignedIn;

const client = (url: string, credentials = { accessKeyId: 'unused', secretAccessKey: 'unused' }) =>
  new CognitoIdentityClient({ endpoint: url, region: 'us-west-1', credentials });

beforeAll(async () => {
  pool = await startPoolApp('identity-pool-api');
  identity = client(pool.url);
  developer = client(pool.url, { accessKeyId: 'local', secretAccessKey: 'local' });
  poolId = pool.app.identity.identityPool!.settings.identityPoolId;
  provider = `${new URL(pool.url).host}/${pool.userPoolId}`;
  user = await signUpAndSignIn(pool.cognito, {
    clientId: pool.clientId,
    dataDir: pool.dir,
    email: 'identity@example.com',
    password: 'correct horse battery',
  });
});
afterAll(async () => {
  identity?.destroy();
  developer?.destroy();
  await pool?.close();
});

describe('the Cognito Identity API', () => {
  it('gives guests credentials through fromCognitoIdentityPool', async () => {
    const credentials = await fromCognitoIdentityPool({
      identityPoolId: poolId,
      clientConfig: { endpoint: pool.url, region: 'us-west-1' },
    })();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    const grant = pool.app.identity.identityPool!.tokens.open(credentials.sessionToken!, Date.now())?.grant;
    expect(grant).toMatchObject({ identityId: credentials.identityId, role: 'unauthenticated' });
  });

  it('gives a signed-in user one identity and the authenticated role', async () => {
    const Logins = { [provider]: user.idToken };
    const first = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
    const again = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
    expect(again.IdentityId).toBe(first.IdentityId);
    const credentials = await fromCognitoIdentityPool({
      identityPoolId: poolId,
      logins: Logins,
      clientConfig: { endpoint: pool.url, region: 'us-west-1' },
    })();
    expect(credentials.identityId).toBe(first.IdentityId);
    expect(
      pool.app.identity.identityPool!.tokens.open(credentials.sessionToken!, Date.now())?.grant,
    ).toMatchObject({
      role: 'authenticated',
    });
    const { Token } = await identity.send(
      new GetOpenIdTokenCommand({ IdentityId: first.IdentityId, Logins }),
    );
    expect(Token?.split('.')).toHaveLength(3);
    expect(
      await errorName(identity.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId }))),
    ).toBe('NotAuthorizedException');
  });

  it('merges a guest identity into the signed-in one when the user signs in', async () => {
    const Logins = { [provider]: user.idToken };
    const theirs = (await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }))).IdentityId;
    const guest = (await identity.send(new GetIdCommand({ IdentityPoolId: poolId }))).IdentityId;
    const merged = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: guest, Logins }));
    expect(merged.IdentityId).toBe(theirs);
    expect(await errorName(developer.send(new DescribeIdentityCommand({ IdentityId: guest })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('answers the developer operations only to signed requests', async () => {
    const described = await developer.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
    expect(described).toMatchObject({
      IdentityPoolId: poolId,
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: pool.clientId }],
    });
    const roles = await developer.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }));
    expect(Object.keys(roles.Roles ?? {}).sort()).toEqual(['authenticated', 'unauthenticated']);
    const listed = await developer.send(
      new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
    );
    expect(listed.Identities?.length).toBeGreaterThanOrEqual(2);
    const signedIn = listed.Identities?.find((entry) => entry.Logins?.includes(provider));
    expect(signedIn?.CreationDate).toBeInstanceOf(Date);
    expect(await errorName(identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })))).toBe(
      'NotAuthorizedException',
    );
  });

  it('unlinks a login', async () => {
    const other = await signUpAndSignIn(pool.cognito, {
      clientId: pool.clientId,
      dataDir: pool.dir,
      email: 'unlink@example.com',
      password: 'correct horse battery',
    });
    const Logins = { [provider]: other.idToken };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
    await identity.send(new UnlinkIdentityCommand({ IdentityId, Logins, LoginsToRemove: [provider] }));
    const described = await developer.send(new DescribeIdentityCommand({ IdentityId }));
    expect(described.Logins).toEqual([]);
  });

  it('forgets a deleted user’s identity', async () => {
    const leaving = await signUpAndSignIn(pool.cognito, {
      clientId: pool.clientId,
      dataDir: pool.dir,
      email: 'leaving@example.com',
      password: 'correct horse battery',
    });
    const Logins = { [provider]: leaving.idToken };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins }));
    expect((await developer.send(new DescribeIdentityCommand({ IdentityId }))).Logins).toEqual([provider]);
    await pool.cognito.send(new DeleteUserCommand({ AccessToken: leaving.accessToken }));
    expect(await errorName(developer.send(new DescribeIdentityCommand({ IdentityId })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('refuses an unknown pool, a forged token and an unknown provider as Cognito does', async () => {
    const unknownPool = 'us-west-1:00000000-0000-4000-a000-000000000000';
    expect(await errorName(identity.send(new GetIdCommand({ IdentityPoolId: unknownPool })))).toBe(
      'ResourceNotFoundException',
    );
    const [header, payload] = user.idToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    expect(
      await errorName(
        identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [provider]: forged } })),
      ),
    ).toBe('NotAuthorizedException');
    expect(
      await errorName(
        identity.send(
          new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'graph.facebook.com': user.idToken } }),
        ),
      ),
    ).toBe('NotAuthorizedException');
    expect(
      await errorName(
        identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [provider]: user.accessToken } })),
      ),
    ).toBe('NotAuthorizedException');
  });
});

describe('an identity pool under a flood of guests', () => {
  it('limits the identities one address makes, as sign-in attempts are', async () => {
    const limited = await startPoolApp('identity-pool-limited', {
      env: { PLAZA_SIGNIN_PER_IP_PER_MINUTE: '3' },
    });
    const limitedClient = client(limited.url);
    try {
      const IdentityPoolId = limited.app.identity.identityPool!.settings.identityPoolId;
      const answers = [];
      for (let i = 0; i < 5; i++)
        answers.push(await errorName(limitedClient.send(new GetIdCommand({ IdentityPoolId }))));
      expect(answers).toEqual([
        'no error',
        'no error',
        'no error',
        'TooManyRequestsException',
        'TooManyRequestsException',
      ]);
    } finally {
      limitedClient.destroy();
      await limited.close();
    }
  });
});

describe('an identity pool without guests', () => {
  it('refuses guest identities', async () => {
    const closed = await startPoolApp('identity-pool-closed', {
      configFile: { identityPool: { allowGuests: false } },
    });
    const client2 = client(closed.url);
    try {
      const id = closed.app.identity.identityPool!.settings.identityPoolId;
      expect(await errorName(client2.send(new GetIdCommand({ IdentityPoolId: id })))).toBe(
        'NotAuthorizedException',
      );
    } finally {
      client2.destroy();
      await closed.close();
    }
  });
});
