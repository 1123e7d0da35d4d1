import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { changePassword } from './change-password.ts';
import { findUserByEmail } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function signedIn() {
  await pool.user('ada@example.com');
  const user = (await findUserByEmail('ada@example.com', pool.services))!;
  return issueTokens(user, { withRefreshToken: false }, pool.services);
}

const change = (AccessToken: string, PreviousPassword: string, ProposedPassword: string) =>
  changePassword({ AccessToken, PreviousPassword, ProposedPassword }, pool.verifier, pool.services);

describe('changePassword', () => {
  it('replaces the password given the current one, and the token it was made with stops working', async () => {
    pool = await testPool();
    const { AccessToken } = await signedIn();
    await change(AccessToken, 'Temporary-pass-1', 'a brand new one');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    expect(await pool.services.hasher.verify(user.passwordHash, 'a brand new one')).toBe(true);
    await failsWith(change(AccessToken, 'a brand new one', 'yet another one'), 'NotAuthorizedException');
  });

  it('refuses a wrong current password and a proposed one against the policy, changing nothing', async () => {
    pool = await testPool();
    const { AccessToken } = await signedIn();
    await failsWith(change(AccessToken, 'not the password', 'a brand new one'), 'NotAuthorizedException');
    await failsWith(change(AccessToken, 'Temporary-pass-1', 'short'), 'InvalidPasswordException');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    expect(await pool.services.hasher.verify(user.passwordHash, 'Temporary-pass-1')).toBe(true);
  });

  it('takes only an access token of this pool', async () => {
    pool = await testPool();
    const { IdToken } = await signedIn();
    await failsWith(change(IdToken, 'Temporary-pass-1', 'a brand new one'), 'NotAuthorizedException');
    await failsWith(change('', 'Temporary-pass-1', 'a brand new one'), 'NotAuthorizedException');
    await failsWith(change('a.b.c', 'Temporary-pass-1', 'a brand new one'), 'NotAuthorizedException');
  });
});
