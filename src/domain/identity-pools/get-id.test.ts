import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { getId } from './get-id.ts';
import { readIdentity } from './model.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const idOf = async (Logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins }, pool.services)).IdentityId;

describe('getId', () => {
  it('makes a new guest identity, in the pool’s region, on every call without logins', async () => {
    const first = await idOf();
    const second = await idOf();
    expect(first).toMatch(/^us-west-1:[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
    expect((await readIdentity(first, pool.services)).logins).toEqual({});
  });

  it('gives a user the same identity at every sign-in, kept under the user pool’s id', async () => {
    const sub = randomUUID();
    const first = await idOf(await pool.logins(sub));
    pool.clock.advance(60_000);
    expect(await idOf(await pool.logins(sub))).toBe(first);
    expect(await idOf(await pool.logins(randomUUID()))).not.toBe(first);
    expect((await readIdentity(first, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
  });

  it('makes one identity when a user’s first two sign-ins race', async () => {
    const sub = randomUUID();
    const logins = await pool.logins(sub);
    const [a, b] = await Promise.all([idOf(logins), idOf(logins)]);
    expect(a).toBe(b);
  });

  it('refuses an unknown pool, a bad token, an unknown provider, and guests when the pool has none', async () => {
    const other = 'us-west-1:00000000-0000-4000-a000-000000000000';
    expect(
      await rejectionMessage(getId({ IdentityPoolId: other }, pool.services), 'ResourceNotFoundException'),
    ).toBe(`IdentityPool '${other}' not found.`);
    await failsWith(idOf({ [pool.provider]: 'not-a-token' }), 'NotAuthorizedException');
    await failsWith(
      idOf({ 'accounts.google.com': await pool.idToken(randomUUID()) }),
      'NotAuthorizedException',
    );
    const settings = { ...pool.services.settings, allowGuests: false };
    expect(
      await rejectionMessage(
        getId({ IdentityPoolId: pool.poolId }, { ...pool.services, settings }),
        'NotAuthorizedException',
      ),
    ).toBe('Unauthenticated access is not supported for this identity pool.');
  });
});
