import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { adminAddUserToGroup } from './groups.ts';
import { createGroup } from './groups.ts';
import { revocationsClaim, sha256, toUserRecord, userKeys, type UserRecord } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function confirmedUser(): Promise<UserRecord> {
  const sub = await pool.user('ada@example.com');
  await pool.services.users.update({
    key: userKeys.user(sub),
    set: { status: 'CONFIRMED', attributes: { email: 'ada@example.com', sub, 'custom:team': 'blue' } },
  });
  const { item } = await pool.services.users.get(userKeys.user(sub), { consistent: true });
  return toUserRecord(item!);
}

describe('issueTokens', () => {
  it('signs access and ID tokens with Cognito’s claims, verifiable with the pool’s JWKS', async () => {
    pool = await testPool();
    const user = await confirmedUser();
    const { AccessToken, IdToken, ExpiresIn, TokenType, RefreshToken } = await issueTokens(
      user,
      { withRefreshToken: false, nonce: 'n-1' },
      pool.services,
    );
    expect({ ExpiresIn, TokenType, RefreshToken }).toEqual({
      ExpiresIn: 3600,
      TokenType: 'Bearer',
      RefreshToken: undefined,
    });
    const keys = createLocalJWKSet(pool.services.signer.jwks() as Parameters<typeof createLocalJWKSet>[0]);
    const now = new Date(pool.clock.now());
    const access = (
      await jwtVerify(AccessToken, keys, { currentDate: now, issuer: pool.services.pool.issuer })
    ).payload;
    expect(access).toMatchObject({
      sub: user.sub,
      token_use: 'access',
      client_id: pool.services.pool.clientId,
      scope: 'aws.cognito.signin.user.admin',
      username: user.sub,
      [revocationsClaim]: 0,
    });
    expect(access.exp! - access.iat!).toBe(3600);
    expect(access['cognito:groups']).toBeUndefined();
    const id = (await jwtVerify(IdToken, keys, { currentDate: now, audience: pool.services.pool.clientId }))
      .payload;
    expect(id).toMatchObject({
      token_use: 'id',
      email: 'ada@example.com',
      email_verified: true,
      'cognito:username': user.sub,
      'custom:team': 'blue',
      nonce: 'n-1',
    });
    expect(id.jti).toBe(access.jti);
  });

  it('carries the groups by precedence, and the roles of those that have one', async () => {
    pool = await testPool();
    const user = await confirmedUser();
    const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
    await createGroup({ GroupName: 'readers', Precedence: 9 }, pool.services);
    await createGroup({ GroupName: 'admins', Precedence: 1, RoleArn: role('Admin') }, pool.services);
    await createGroup({ GroupName: 'writers', Precedence: 5, RoleArn: role('Writer') }, pool.services);
    for (const GroupName of ['readers', 'admins', 'writers'])
      await adminAddUserToGroup({ Username: user.sub, GroupName }, pool.services);
    const { AccessToken, IdToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
    expect(decodeJwt(AccessToken)['cognito:groups']).toEqual(['admins', 'writers', 'readers']);
    expect(decodeJwt(IdToken)).toMatchObject({
      'cognito:groups': ['admins', 'writers', 'readers'],
      'cognito:roles': [role('Admin'), role('Writer')],
      'cognito:preferred_role': role('Admin'),
    });
  });

  it('keeps only a hash of the refresh token, expiring with the pool’s refresh lifetime', async () => {
    pool = await testPool();
    const user = { ...(await confirmedUser()), revocations: 3 };
    const { RefreshToken, AccessToken } = await issueTokens(user, { withRefreshToken: true }, pool.services);
    expect(RefreshToken!.length).toBeGreaterThanOrEqual(64);
    expect(decodeJwt(AccessToken)[revocationsClaim]).toBe(3);
    const { item } = await pool.services.users.get(userKeys.refresh(RefreshToken!), { consistent: true });
    expect(item).toMatchObject({
      sub: user.sub,
      revocations: 3,
      expiresAt: pool.clock.now() + pool.services.pool.refreshTokenSeconds * 1000,
    });
    expect(JSON.stringify(item)).not.toContain(RefreshToken);
    expect(String(item!.PK)).toContain(sha256(RefreshToken!).slice(0, 16));
  });
});
