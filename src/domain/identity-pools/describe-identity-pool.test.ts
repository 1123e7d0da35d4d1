import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { describeIdentityPool } from './describe-identity-pool.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

describe('describeIdentityPool', () => {
  it('answers with the pool’s settings in Cognito’s shape, the user pool its one provider', async () => {
    expect(await describeIdentityPool({ IdentityPoolId: pool.poolId }, pool.services)).toEqual({
      IdentityPoolId: pool.poolId,
      IdentityPoolName: 'plaza',
      AllowUnauthenticatedIdentities: true,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [
        {
          ProviderName: '127.0.0.1:4000/us-west-1_TestPool1',
          ClientId: 'testclient0000000000000001',
          ServerSideTokenCheck: false,
        },
      ],
      IdentityPoolTags: {},
    });
  });

  it('says whether guests are let in as the settings do', async () => {
    const closed = { settings: { ...pool.services.settings, allowGuests: false } };
    const answer = await describeIdentityPool({ IdentityPoolId: pool.poolId }, closed);
    expect(answer.AllowUnauthenticatedIdentities).toBe(false);
  });

  it('names the provider by the server’s current address', async () => {
    const moved = {
      settings: { ...pool.services.settings, providerName: () => '127.0.0.1:5000/us-west-1_TestPool1' },
    };
    const answer = await describeIdentityPool({ IdentityPoolId: pool.poolId }, moved);
    expect(answer.CognitoIdentityProviders[0]?.ProviderName).toBe('127.0.0.1:5000/us-west-1_TestPool1');
  });

  it('finds no other pool, of this region or another', async () => {
    const other = 'us-west-1:00000000-0000-4000-a000-000000000000';
    expect(
      await rejectionMessage(
        describeIdentityPool({ IdentityPoolId: other }, pool.services),
        'ResourceNotFoundException',
      ),
    ).toBe(`IdentityPool '${other}' not found.`);
    const sameUuidElsewhere = pool.poolId.replace(/^us-west-1:/, 'eu-west-1:');
    await failsWith(
      describeIdentityPool({ IdentityPoolId: sameUuidElsewhere }, pool.services),
      'ResourceNotFoundException',
    );
  });
});
