import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { globalSignOut } from './global-sign-out.ts';
import { findUserByEmail } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

describe('globalSignOut', () => {
  it('ends every session issued so far, even within the same second, and later sign-ins work', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const phone = await issueTokens(user, { withRefreshToken: false }, pool.services);
    const laptop = await issueTokens(user, { withRefreshToken: false }, pool.services);
    await globalSignOut({ AccessToken: laptop.AccessToken }, pool.verifier, pool.services);
    for (const token of [phone.AccessToken, phone.IdToken, laptop.AccessToken]) {
      await expect(pool.verifier.verify(token)).rejects.toMatchObject({ code: 'Unauthorized' });
    }
    await failsWith(
      globalSignOut({ AccessToken: phone.AccessToken }, pool.verifier, pool.services),
      'NotAuthorizedException',
    );
    const again = await issueTokens(
      (await findUserByEmail('ada@example.com', pool.services))!,
      { withRefreshToken: false },
      pool.services,
    );
    expect((await pool.verifier.verify(again.AccessToken)).sub).toBe(user.sub);
  });

  it('takes only an access token', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const { IdToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
    await failsWith(
      globalSignOut({ AccessToken: IdToken }, pool.verifier, pool.services),
      'NotAuthorizedException',
    );
    await failsWith(
      globalSignOut({ AccessToken: '' }, pool.verifier, pool.services),
      'NotAuthorizedException',
    );
  });
});
