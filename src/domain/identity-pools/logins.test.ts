import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failsWith, rejectionMessage } from '../../../test/support/fails-with.ts';
import { testIdentityPool, type TestIdentityPool } from '../../../test/support/identity-pool.ts';
import { createIdentity, linkedIdentity, linkLogin, verifyLogins } from './logins.ts';
import { readIdentity } from './model.ts';

let pool: TestIdentityPool;
beforeAll(async () => {
  pool = await testIdentityPool();
});
afterAll(() => pool.close());

describe('verifyLogins', () => {
  it('reads the user pool’s ID tokens as logins kept under the pool’s id; none for no logins', async () => {
    const sub = randomUUID();
    expect(await verifyLogins(await pool.logins(sub), pool.services)).toEqual([
      { provider: pool.userPoolId, subject: sub },
    ]);
    expect(await verifyLogins(undefined, pool.services)).toEqual([]);
    expect(await verifyLogins({}, pool.services)).toEqual([]);
  });

  it('refuses another provider, a forged or expired token, an access token and another client’s', async () => {
    const sub = randomUUID();
    expect(
      await rejectionMessage(
        verifyLogins({ 'accounts.google.com': await pool.idToken(sub) }, pool.services),
        'NotAuthorizedException',
      ),
    ).toBe('Token is not from a supported provider of this identity pool.');
    const token = await pool.idToken(sub);
    const forged = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await failsWith(verifyLogins({ [pool.provider]: forged }, pool.services), 'NotAuthorizedException');
    const expiring = await pool.idToken(sub);
    pool.clock.advance(2 * 3600_000);
    await failsWith(verifyLogins({ [pool.provider]: expiring }, pool.services), 'NotAuthorizedException');
    const access = await pool.idToken(sub, { token_use: 'access', client_id: 'testclient0000000000000001' });
    await failsWith(verifyLogins({ [pool.provider]: access }, pool.services), 'NotAuthorizedException');
    const otherClient = await pool.idToken(sub, { aud: 'someotherclient00000000001' });
    await failsWith(verifyLogins({ [pool.provider]: otherClient }, pool.services), 'NotAuthorizedException');
  });
});

describe('createIdentity, linkedIdentity and linkLogin', () => {
  it('links a login to one identity, and a guest that signs in keeps its id', async () => {
    const login = { provider: pool.userPoolId, subject: randomUUID() };
    expect(await linkedIdentity(login, pool.services)).toBeUndefined();
    const guest = await createIdentity(undefined, pool.services);
    await linkLogin(await readIdentity(guest, pool.services), login, pool.services);
    expect(await linkedIdentity(login, pool.services)).toBe(guest);
    expect((await readIdentity(guest, pool.services)).logins).toEqual({ [login.provider]: login.subject });
    // The same login made again answers with the identity it already has.
    expect(await createIdentity(login, pool.services)).toBe(guest);
  });

  it('refuses to link a login that another identity has', async () => {
    const login = { provider: pool.userPoolId, subject: randomUUID() };
    await createIdentity(login, pool.services);
    const guest = await createIdentity(undefined, pool.services);
    expect(
      await rejectionMessage(
        linkLogin(await readIdentity(guest, pool.services), login, pool.services),
        'ResourceConflictException',
      ),
    ).toBe('The login is already linked to another identity.');
    expect((await readIdentity(guest, pool.services)).logins).toEqual({});
  });
});
