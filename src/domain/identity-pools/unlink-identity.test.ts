import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { getId } from './get-id.ts';
import { identityKeys, readIdentity } from './model.ts';
import { unlinkIdentity } from './unlink-identity.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const signedIn = async () => {
  const sub = randomUUID();
  const logins = await pool.logins(sub);
  const { IdentityId } = await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services);
  return { sub, logins, IdentityId };
};
const linkOf = async (sub: string) =>
  (await pool.services.store.get(identityKeys.login(pool.userPoolId, sub), { consistent: true })).item;

describe('unlinkIdentity', () => {
  it('removes a login from the identity and its link, so that login later starts a new identity', async () => {
    const { sub, logins, IdentityId } = await signedIn();
    // Named as in Logins: the user pool's issuer, host and path.
    const unlinked = await unlinkIdentity(
      { IdentityId, Logins: logins, LoginsToRemove: Object.keys(logins) },
      pool.services,
    );
    expect(unlinked).toEqual({});
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({});
    expect(await linkOf(sub)).toBeUndefined();
    const again = await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services);
    expect(again.IdentityId).not.toBe(IdentityId);
  });

  it('changes nothing for providers the identity has no login with', async () => {
    const { sub, logins, IdentityId } = await signedIn();
    await unlinkIdentity(
      { IdentityId, Logins: logins, LoginsToRemove: ['accounts.google.com'] },
      pool.services,
    );
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
    expect((await linkOf(sub))?.identityId).toBe(IdentityId);
  });

  it('is refused without a login, or with another user’s, changing nothing', async () => {
    const { sub, IdentityId } = await signedIn();
    const other = await signedIn();
    await failsWith(
      unlinkIdentity({ IdentityId, Logins: {}, LoginsToRemove: Object.keys(other.logins) }, pool.services),
      'NotAuthorizedException',
    );
    await failsWith(
      unlinkIdentity(
        { IdentityId, Logins: other.logins, LoginsToRemove: Object.keys(other.logins) },
        pool.services,
      ),
      'NotAuthorizedException',
    );
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
  });
});
