import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { authorizeIdentity } from './authorize-identity.ts';
import { describeIdentity, identityDescription } from './describe-identity.ts';
import { getId } from './get-id.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const newIdentity = async (logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services)).IdentityId;

describe('describeIdentity', () => {
  it('describes a guest: no logins, its dates in epoch seconds', async () => {
    const created = pool.clock.now();
    const IdentityId = await newIdentity();
    expect(await describeIdentity({ IdentityId }, pool.services)).toEqual({
      IdentityId,
      Logins: [],
      CreationDate: created / 1000,
      LastModifiedDate: created / 1000,
    });
  });

  it('names a signed-in identity’s login by the provider name clients know', async () => {
    const IdentityId = await newIdentity(await pool.logins(randomUUID()));
    const { Logins } = await describeIdentity({ IdentityId }, pool.services);
    expect(Logins).toEqual(['127.0.0.1:4000/us-west-1_TestPool1']);
  });

  it('keeps the creation date and moves the modification date when a guest signs in', async () => {
    const created = pool.clock.now();
    const IdentityId = await newIdentity();
    pool.clock.advance(90_000);
    await authorizeIdentity(IdentityId, await pool.logins(randomUUID()), pool.services);
    expect(await describeIdentity({ IdentityId }, pool.services)).toEqual({
      IdentityId,
      Logins: [pool.provider],
      CreationDate: created / 1000,
      LastModifiedDate: (created + 90_000) / 1000,
    });
  });

  it('finds no identity the pool never made, nor one of another region', async () => {
    const unknown = 'us-west-1:00000000-0000-4000-a000-000000000000';
    expect(
      await rejectionMessage(
        describeIdentity({ IdentityId: unknown }, pool.services),
        'ResourceNotFoundException',
      ),
    ).toBe(`Identity '${unknown}' not found.`);
    const IdentityId = await newIdentity();
    await failsWith(
      describeIdentity({ IdentityId: IdentityId.replace(/^us-west-1:/, 'eu-west-1:') }, pool.services),
      'ResourceNotFoundException',
    );
  });
});

describe('identityDescription', () => {
  it('passes a login kept under a key the pool does not know through as it is', () => {
    const described = identityDescription(
      {
        identityId: 'us-west-1:1',
        logins: { 'accounts.google.com': 'g-1' },
        createdAt: 1500,
        lastModified: 2500,
      },
      pool.services.settings,
    );
    expect(described).toEqual({
      IdentityId: 'us-west-1:1',
      Logins: ['accounts.google.com'],
      CreationDate: 1.5,
      LastModifiedDate: 2.5,
    });
  });
});
