import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { getCredentialsForIdentity } from './get-credentials-for-identity.ts';
import { getId } from './get-id.ts';
import { readIdentity } from './model.ts';
import { localRoleArns } from './policies.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const newIdentity = async (logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services)).IdentityId;
const grantOf = (sessionToken: string) => pool.services.tokens.open(sessionToken, pool.clock.now());
const roles = localRoleArns();

describe('getCredentialsForIdentity', () => {
  it('gives a guest the unauthenticated role’s credentials for an hour', async () => {
    const IdentityId = await newIdentity();
    const answer = await getCredentialsForIdentity({ IdentityId }, pool.services);
    expect(answer.IdentityId).toBe(IdentityId);
    const { AccessKeyId, SecretKey, SessionToken, Expiration } = answer.Credentials;
    expect(AccessKeyId).toMatch(/^ASIA[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(SecretKey).toHaveLength(40);
    expect(Expiration).toBe(pool.clock.now() / 1000 + 3600);
    expect(grantOf(SessionToken)).toEqual({
      grant: {
        identityId: IdentityId,
        identityPoolId: pool.poolId,
        role: 'unauthenticated',
        roleArn: roles.unauthenticated,
        accessKeyId: AccessKeyId,
        expiresAt: pool.clock.now() + 3600_000,
      },
      secretAccessKey: SecretKey,
    });
    expect(pool.services.tokens.open(SessionToken, pool.clock.now() + 3600_000)).toBeUndefined();
  });

  it('gives a signed-in identity the authenticated role’s, and fresh keys on every call', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    const first = await getCredentialsForIdentity(
      { IdentityId, Logins: await pool.logins(sub) },
      pool.services,
    );
    const second = await getCredentialsForIdentity(
      { IdentityId, Logins: await pool.logins(sub) },
      pool.services,
    );
    expect(grantOf(first.Credentials.SessionToken)?.grant).toMatchObject({
      identityId: IdentityId,
      role: 'authenticated',
      roleArn: roles.authenticated,
    });
    expect(second.Credentials.AccessKeyId).not.toBe(first.Credentials.AccessKeyId);
    expect(second.Credentials.SecretKey).not.toBe(first.Credentials.SecretKey);
  });

  it('lasts as long as the pool’s settings say', async () => {
    const IdentityId = await newIdentity();
    const short = { ...pool.services, settings: { ...pool.services.settings, credentialSeconds: 900 } };
    const { Credentials } = await getCredentialsForIdentity({ IdentityId }, short);
    expect(Credentials.Expiration).toBe(pool.clock.now() / 1000 + 900);
    expect(pool.services.tokens.open(Credentials.SessionToken, pool.clock.now() + 900_000)).toBeUndefined();
  });

  it('answers for the signed-in identity a guest is merged into', async () => {
    const sub = randomUUID();
    const theirs = await newIdentity(await pool.logins(sub));
    const guest = await newIdentity();
    const answer = await getCredentialsForIdentity(
      { IdentityId: guest, Logins: await pool.logins(sub) },
      pool.services,
    );
    expect(answer.IdentityId).toBe(theirs);
    expect(grantOf(answer.Credentials.SessionToken)?.grant).toMatchObject({
      identityId: theirs,
      role: 'authenticated',
    });
    await failsWith(readIdentity(guest, pool.services), 'ResourceNotFoundException');
  });

  it('grants a CustomRoleArn only when it names the role the identity gets', async () => {
    const IdentityId = await newIdentity();
    const own = await getCredentialsForIdentity(
      { IdentityId, CustomRoleArn: roles.unauthenticated },
      pool.services,
    );
    expect(grantOf(own.Credentials.SessionToken)?.grant.roleArn).toBe(roles.unauthenticated);
    expect(
      await rejectionMessage(
        getCredentialsForIdentity({ IdentityId, CustomRoleArn: roles.authenticated }, pool.services),
        'NotAuthorizedException',
      ),
    ).toBe('The identity may not assume the role CustomRoleArn names.');
    await failsWith(
      getCredentialsForIdentity(
        { IdentityId, CustomRoleArn: 'arn:aws:iam::123456789012:role/Admin' },
        pool.services,
      ),
      'NotAuthorizedException',
    );
  });

  it('refuses whom Cognito refuses', async () => {
    const sub = randomUUID();
    const signedIn = await newIdentity(await pool.logins(sub));
    await failsWith(
      getCredentialsForIdentity({ IdentityId: signedIn }, pool.services),
      'NotAuthorizedException',
    );
    await failsWith(
      getCredentialsForIdentity(
        { IdentityId: signedIn, Logins: await pool.logins(randomUUID()) },
        pool.services,
      ),
      'NotAuthorizedException',
    );
    const expired = await pool.idToken(sub);
    pool.clock.advance(3601_000);
    await failsWith(
      getCredentialsForIdentity(
        { IdentityId: signedIn, Logins: { [pool.provider]: expired } },
        pool.services,
      ),
      'NotAuthorizedException',
    );
    const guest = await newIdentity();
    const closed = { ...pool.services, settings: { ...pool.services.settings, allowGuests: false } };
    await failsWith(getCredentialsForIdentity({ IdentityId: guest }, closed), 'NotAuthorizedException');
    await failsWith(
      getCredentialsForIdentity(
        { IdentityId: 'us-west-1:00000000-0000-4000-a000-000000000000' },
        pool.services,
      ),
      'ResourceNotFoundException',
    );
  });
});
