import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { userOfAccessToken } from './access-token.ts';
import { findUserByEmail, userKeys } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

async function tokensOf(email: string) {
  await pool.user(email);
  const user = (await findUserByEmail(email, pool.services))!;
  return { user, ...(await issueTokens(user, { withRefreshToken: false }, pool.services)) };
}

describe('userOfAccessToken', () => {
  it("is the token's user, as the table holds them now", async () => {
    pool = await testPool();
    const { user, AccessToken } = await tokensOf('ada@example.com');
    await pool.services.users.update({ key: userKeys.user(user.sub), set: { attributes: { name: 'Ada' } } });
    const found = await userOfAccessToken(AccessToken, pool.verifier, pool.services);
    expect(found).toMatchObject({ sub: user.sub, email: 'ada@example.com', attributes: { name: 'Ada' } });
  });

  it('refuses no token, an id token, a forged one and the token of a user who is gone', async () => {
    pool = await testPool();
    const { user, IdToken, AccessToken } = await tokensOf('ada@example.com');
    for (const token of [undefined, '', 42, IdToken, 'not.a.jwt', `${AccessToken.slice(0, -4)}AAAA`])
      await failsWith(userOfAccessToken(token, pool.verifier, pool.services), 'NotAuthorizedException');
    await pool.services.users.delete({ key: userKeys.user(user.sub) });
    await failsWith(userOfAccessToken(AccessToken, pool.verifier, pool.services), 'NotAuthorizedException');
  });
});
