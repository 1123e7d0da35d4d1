import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { userKeys } from './model.ts';
import { selectChallenge, userAuth } from './user-auth.ts';

let pool: TestPool;
afterEach(() => pool.close());

const sessionOf = (answer: object) => (answer as { Session?: string }).Session;

describe('userAuth', () => {
  it('offers EMAIL_OTP only to a confirmed user with a verified email', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    const invited = await userAuth({ USERNAME: 'ada@example.com' }, pool.services);
    expect(invited).toMatchObject({
      ChallengeName: 'SELECT_CHALLENGE',
      AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP'],
    });
    await failsWith(
      selectChallenge(
        {
          Session: sessionOf(invited),
          ChallengeResponses: { USERNAME: 'ada@example.com', ANSWER: 'EMAIL_OTP' },
        },
        pool.services,
      ),
      'InvalidParameterException',
    );
    // A preference this user cannot have falls back to the choice.
    expect(
      await userAuth({ USERNAME: 'ada@example.com', PREFERRED_CHALLENGE: 'EMAIL_OTP' }, pool.services),
    ).toMatchObject({ ChallengeName: 'SELECT_CHALLENGE' });
    await pool.services.users.update({
      key: userKeys.user(sub),
      set: { status: 'CONFIRMED', attributes: { email_verified: 'true' } },
    });
    expect(await userAuth({ USERNAME: 'ada@example.com' }, pool.services)).toMatchObject({
      AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'],
    });
  });

  it('leads a user with a temporary password from PASSWORD to NEW_PASSWORD_REQUIRED', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const answer = await userAuth(
      { USERNAME: 'ada@example.com', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Temporary-pass-1' },
      pool.services,
    );
    expect(answer).toMatchObject({ ChallengeName: 'NEW_PASSWORD_REQUIRED' });
  });

  it('ends a choice after three minutes', async () => {
    pool = await testPool();
    await pool.user('ada@example.com');
    const Session = sessionOf(await userAuth({ USERNAME: 'ada@example.com' }, pool.services));
    pool.clock.advance(3 * 60 * 1000);
    await failsWith(
      selectChallenge(
        {
          Session,
          ChallengeResponses: {
            USERNAME: 'ada@example.com',
            ANSWER: 'PASSWORD',
            PASSWORD: 'Temporary-pass-1',
          },
        },
        pool.services,
      ),
      'NotAuthorizedException',
    );
  });
});
