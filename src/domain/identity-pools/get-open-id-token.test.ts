import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { getId } from './get-id.ts';
import { getOpenIdToken } from './get-open-id-token.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const idOf = async (Logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins }, pool.services)).IdentityId;

/** The token's claims, its signature checked with the pool's keys at the test clock's time. */
async function claimsOf(token: string) {
  const keys = createLocalJWKSet(pool.services.signer.jwks() as Parameters<typeof createLocalJWKSet>[0]);
  const { payload } = await jwtVerify(token, keys, {
    issuer: 'http://127.0.0.1:4000',
    audience: pool.poolId,
    currentDate: new Date(pool.clock.now()),
  });
  return payload;
}

describe('getOpenIdToken', () => {
  it('signs a ten-minute token for a guest: sub the identity, aud the pool', async () => {
    const IdentityId = await idOf();
    const answer = await getOpenIdToken({ IdentityId }, pool.services);
    expect(answer.IdentityId).toBe(IdentityId);
    const claims = await claimsOf(answer.Token);
    expect(claims).toMatchObject({ sub: IdentityId, aud: pool.poolId, amr: ['unauthenticated'] });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('names a signed-in identity’s provider in amr', async () => {
    const sub = randomUUID();
    const IdentityId = await idOf(await pool.logins(sub));
    const { Token } = await getOpenIdToken({ IdentityId, Logins: await pool.logins(sub) }, pool.services);
    expect((await claimsOf(Token)).amr).toEqual(['authenticated', pool.provider]);
  });

  it('refuses a signed-in identity asked for without its login, or with another user’s', async () => {
    const IdentityId = await idOf(await pool.logins(randomUUID()));
    await failsWith(getOpenIdToken({ IdentityId }, pool.services), 'NotAuthorizedException');
    await failsWith(
      getOpenIdToken({ IdentityId, Logins: await pool.logins(randomUUID()) }, pool.services),
      'NotAuthorizedException',
    );
    await failsWith(
      getOpenIdToken({ IdentityId: 'us-west-1:00000000-0000-4000-a000-000000000000' }, pool.services),
      'ResourceNotFoundException',
    );
  });
});
