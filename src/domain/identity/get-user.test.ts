import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { getUser } from './get-user.ts';
import { findUserByEmail, userKeys } from './model.ts';
import { issueTokens } from './tokens.ts';

let pool: TestPool;
afterEach(() => pool.close());

describe('getUser', () => {
  it('answers with the username (the sub), the attributes with sub and email, and the MFA settings', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    await pool.services.users.update({
      key: userKeys.user(sub),
      set: {
        attributes: { name: 'Ada', email: 'ada@example.com', email_verified: 'true' },
        totpSecret: 'JBSWY3DPEHPK3PXP',
        mfaEnabled: true,
        preferredMfa: 'SOFTWARE_TOKEN_MFA',
      },
    });
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const { AccessToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
    const answer = await getUser({ AccessToken }, pool.verifier, pool.services);
    expect(answer.Username).toBe(sub);
    expect(answer.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'name', Value: 'Ada' },
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'sub', Value: sub },
      ]),
    );
    expect(answer.UserAttributes.filter(({ Name }) => Name === 'email')).toHaveLength(1);
    expect(answer).toMatchObject({
      MFAOptions: [],
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
  });

  it('takes an access token only', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const user = (await findUserByEmail('ada@example.com', pool.services))!;
    const { IdToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
    await failsWith(
      getUser({ AccessToken: IdToken }, pool.verifier, pool.services),
      'NotAuthorizedException',
    );
  });
});
