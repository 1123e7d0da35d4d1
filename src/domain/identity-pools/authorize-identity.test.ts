import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { authorizeIdentity } from './authorize-identity.ts';
import { getId } from './get-id.ts';
import { identityKeys, readIdentity } from './model.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

const newIdentity = async (logins?: Record<string, string>) =>
  (await getId({ IdentityPoolId: pool.poolId, Logins: logins }, pool.services)).IdentityId;
const linkOf = async (sub: string) =>
  (await pool.services.store.get(identityKeys.login(pool.userPoolId, sub), { consistent: true })).item
    ?.identityId;
const withoutGuests = () => ({
  ...pool.services,
  settings: { ...pool.services.settings, allowGuests: false },
});
const loginsDoNotMatch =
  "Logins don't match. Please include at least one valid login for this identity or identity pool.";

describe('authorizeIdentity', () => {
  it('lets a guest identity without logins speak as a guest', async () => {
    const IdentityId = await newIdentity();
    const { identity, role } = await authorizeIdentity(IdentityId, undefined, pool.services);
    expect(role).toBe('unauthenticated');
    expect(identity).toMatchObject({ identityId: IdentityId, logins: {} });
    expect((await authorizeIdentity(IdentityId, {}, pool.services)).role).toBe('unauthenticated');
  });

  it('refuses a guest when the pool lets no guests in', async () => {
    const IdentityId = await newIdentity();
    expect(
      await rejectionMessage(
        authorizeIdentity(IdentityId, undefined, withoutGuests()),
        'NotAuthorizedException',
      ),
    ).toBe('Unauthenticated access is not supported for this identity pool.');
  });

  it('lets a signed-in identity speak only with its own login', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    const { identity, role } = await authorizeIdentity(IdentityId, await pool.logins(sub), pool.services);
    expect(role).toBe('authenticated');
    expect(identity).toMatchObject({ identityId: IdentityId, logins: { [pool.userPoolId]: sub } });
    expect(
      await rejectionMessage(
        authorizeIdentity(IdentityId, undefined, pool.services),
        'NotAuthorizedException',
      ),
    ).toBe(loginsDoNotMatch);
    // Even where guests may not come, a signed-in identity without its login is told its logins are wrong.
    expect(
      await rejectionMessage(authorizeIdentity(IdentityId, {}, withoutGuests()), 'NotAuthorizedException'),
    ).toBe(loginsDoNotMatch);
    const stranger = randomUUID();
    expect(
      await rejectionMessage(
        authorizeIdentity(IdentityId, await pool.logins(stranger), pool.services),
        'NotAuthorizedException',
      ),
    ).toBe(loginsDoNotMatch);
    expect(await linkOf(stranger)).toBeUndefined();
  });

  it('refuses a signed-in identity another user’s login that has an identity of its own', async () => {
    const sub = randomUUID();
    const other = randomUUID();
    const IdentityId = await newIdentity(await pool.logins(sub));
    const theirs = await newIdentity(await pool.logins(other));
    await failsWith(
      authorizeIdentity(IdentityId, await pool.logins(other), pool.services),
      'NotAuthorizedException',
    );
    expect((await readIdentity(IdentityId, pool.services)).logins).toEqual({ [pool.userPoolId]: sub });
    expect((await readIdentity(theirs, pool.services)).logins).toEqual({ [pool.userPoolId]: other });
  });

  it('links a guest identity to a login that has none, even where guests may not come', async () => {
    const sub = randomUUID();
    const IdentityId = await newIdentity();
    pool.clock.advance(5000);
    const { identity, role } = await authorizeIdentity(IdentityId, await pool.logins(sub), withoutGuests());
    expect(role).toBe('authenticated');
    expect(identity).toMatchObject({ identityId: IdentityId, logins: { [pool.userPoolId]: sub } });
    expect(await linkOf(sub)).toBe(IdentityId);
    const stored = await readIdentity(IdentityId, pool.services);
    expect(stored.logins).toEqual({ [pool.userPoolId]: sub });
    expect(stored.lastModified).toBe(pool.clock.now());
    expect(stored.lastModified - stored.createdAt).toBe(5000);
    // The identity is now signed in: without its login it gets nothing.
    await failsWith(authorizeIdentity(IdentityId, undefined, pool.services), 'NotAuthorizedException');
  });

  it('merges a guest identity into the identity the login already has, and the guest stops existing', async () => {
    const sub = randomUUID();
    const theirs = await newIdentity(await pool.logins(sub));
    const guest = await newIdentity();
    const { identity, role } = await authorizeIdentity(guest, await pool.logins(sub), pool.services);
    expect(role).toBe('authenticated');
    expect(identity).toMatchObject({ identityId: theirs, logins: { [pool.userPoolId]: sub } });
    await failsWith(readIdentity(guest, pool.services), 'ResourceNotFoundException');
    await failsWith(authorizeIdentity(guest, undefined, pool.services), 'ResourceNotFoundException');
    expect(await linkOf(sub)).toBe(theirs);
  });

  it('refuses logins it cannot verify, and leaves the guest a guest', async () => {
    const guest = await newIdentity();
    const sub = randomUUID();
    const refusals = [
      { [pool.provider]: 'not a token' },
      { 'accounts.google.com': await pool.idToken(sub) },
      {
        [pool.provider]: await pool.idToken(sub, {
          token_use: 'access',
          client_id: 'testclient0000000000000001',
        }),
      },
      { [pool.provider]: await pool.idToken(sub, { aud: 'anotherclient0000000000001' }) },
    ];
    for (const logins of refusals)
      await failsWith(authorizeIdentity(guest, logins, pool.services), 'NotAuthorizedException');
    expect((await readIdentity(guest, pool.services)).logins).toEqual({});
    expect(await linkOf(sub)).toBeUndefined();
  });

  it('finds no identity the pool never made', async () => {
    await failsWith(
      authorizeIdentity('us-west-1:00000000-0000-4000-a000-000000000000', undefined, pool.services),
      'ResourceNotFoundException',
    );
    await failsWith(authorizeIdentity('nonsense', undefined, pool.services), 'ResourceNotFoundException');
  });
});
