import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { getIdentityPoolRoles } from './get-identity-pool-roles.ts';
import { localRoleArns } from './policies.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

describe('getIdentityPoolRoles', () => {
  it('names both roles, and only the authenticated one when the pool has no guests', async () => {
    const roles = localRoleArns();
    expect(await getIdentityPoolRoles({ IdentityPoolId: pool.poolId }, pool.services)).toEqual({
      IdentityPoolId: pool.poolId,
      Roles: { authenticated: roles.authenticated, unauthenticated: roles.unauthenticated },
    });
    const settings = { ...pool.services.settings, allowGuests: false };
    expect(await getIdentityPoolRoles({ IdentityPoolId: pool.poolId }, { settings })).toEqual({
      IdentityPoolId: pool.poolId,
      Roles: { authenticated: roles.authenticated },
    });
  });

  it('finds no other pool', async () => {
    await failsWith(
      getIdentityPoolRoles(
        { IdentityPoolId: 'us-west-1:00000000-0000-4000-a000-000000000000' },
        pool.services,
      ),
      'ResourceNotFoundException',
    );
  });
});
