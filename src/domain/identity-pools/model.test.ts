import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage, thrownMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import {
  identitiesPartition,
  identityItem,
  identityKeys,
  identityPoolIdFor,
  providerKey,
  providerNameOf,
  readIdentity,
  requirePool,
  toIdentityRecord,
} from './model.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const identityId = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000001';

describe('identityPoolIdFor', () => {
  it('is <region>:<uuid v4>, the same for a user pool on every start, another for another pool', () => {
    const id = identityPoolIdFor('us-west-1', 'us-west-1_TestPool1');
    expect(id).toMatch(/^us-west-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(identityPoolIdFor('us-west-1', 'us-west-1_TestPool1')).toBe(id);
    expect(identityPoolIdFor('us-west-1', 'us-west-1_TestPool2')).not.toBe(id);
    expect(identityPoolIdFor('eu-west-1', 'us-west-1_TestPool1')).toMatch(/^eu-west-1:/);
  });
});

describe('identity items', () => {
  it('keep an identity and list it under its pool, and read back as they were written', () => {
    const record = { identityId, logins: { us_pool: 'sub-1' }, createdAt: 1_000, lastModified: 2_000 };
    const item = identityItem(record, 'us-west-1:pool');
    expect(item).toMatchObject({
      ...identityKeys.identity(identityId),
      GSI1PK: identitiesPartition('us-west-1:pool'),
      GSI1SK: identityId,
    });
    expect(toIdentityRecord(item)).toEqual(record);
    // A guest's item may carry no logins at all.
    const { logins: _kept, ...guest } = item;
    expect(toIdentityRecord(guest).logins).toEqual({});
  });

  it('give each login one key of its own, apart from identities', () => {
    expect(identityKeys.login('pool', 'sub-1')).toEqual({ PK: 'LOGIN#pool#sub-1', SK: 'IDENTITY' });
    expect(identityKeys.login('pool', 'sub-1').PK).not.toBe(identityKeys.identity('sub-1').PK);
  });
});

describe('provider names', () => {
  it('keep the user pool’s logins under its id, named by its issuer’s host and path to clients', () => {
    const { settings } = pool.services;
    expect(providerKey(pool.provider, settings)).toBe(pool.userPoolId);
    expect(providerNameOf(pool.userPoolId, settings)).toBe(pool.provider);
    // Another issuer, or the same pool named by another host, is a provider the pool does not have.
    expect(providerKey(`accounts.example.com/${pool.userPoolId}`, settings)).toBeUndefined();
    expect(providerKey('graph.facebook.com', settings)).toBeUndefined();
    expect(providerNameOf('graph.facebook.com', settings)).toBe('graph.facebook.com');
  });
});

describe('requirePool and readIdentity', () => {
  it('know only this pool, as Cognito answers for another', () => {
    expect(() => requirePool(pool.poolId, pool.services.settings)).not.toThrow();
    expect(
      thrownMessage(
        () => requirePool('us-west-1:other', pool.services.settings),
        'ResourceNotFoundException',
      ),
    ).toBe("IdentityPool 'us-west-1:other' not found.");
  });

  it('reads an identity written, and finds none unknown or of another region', async () => {
    const record = { identityId, logins: {}, createdAt: 1_000, lastModified: 1_000 };
    await pool.services.store.put({ item: identityItem(record, pool.poolId) });
    expect(await readIdentity(identityId, pool.services)).toEqual(record);
    const unknown = 'us-west-1:0f6c1d2e-0000-4000-a000-000000000009';
    expect(await rejectionMessage(readIdentity(unknown, pool.services), 'ResourceNotFoundException')).toBe(
      `Identity '${unknown}' not found.`,
    );
    // Even kept in the table, an identity of another region is not this pool's.
    const foreign = identityId.replace('us-west-1', 'eu-west-1');
    await pool.services.store.put({ item: identityItem({ ...record, identityId: foreign }, pool.poolId) });
    await failsWith(readIdentity(foreign, pool.services), 'ResourceNotFoundException');
  });
});
