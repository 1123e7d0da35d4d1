import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { confirmedUser, passkeyUser, testOrigin } from '../../../test/support/passkeys.ts';
import { softwareAuthenticator } from '../../../test/support/software-authenticator.ts';
import { findUserByEmail } from './model.ts';
import { removeUser } from './remove-user.ts';
import { respondToAuthChallenge } from './respond-to-auth-challenge.ts';
import { selectChallenge, userAuth } from './user-auth.ts';

let pool: TestPool;
afterEach(() => pool.close());

const email = 'ada@example.com';

interface Challenge {
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  AvailableChallenges?: string[];
  AuthenticationResult?: { AccessToken: string };
}

async function webAuthnChallenge() {
  const answer = (await userAuth(
    { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
    pool.services,
  )) as Challenge;
  expect(answer.ChallengeName).toBe('WEB_AUTHN');
  return {
    Session: answer.Session!,
    options: JSON.parse(answer.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!) as {
      challenge: string;
      rpId: string;
      allowCredentials: { id: string }[];
    },
  };
}

const answer = (Session: string, CREDENTIAL: string, USERNAME = email) =>
  respondToAuthChallenge(
    {
      ClientId: pool.services.pool.clientId,
      ChallengeName: 'WEB_AUTHN',
      Session,
      ChallengeResponses: { USERNAME, CREDENTIAL },
    },
    pool.services,
  ) as Promise<Challenge>;

describe('passkey sign-in (USER_AUTH, WEB_AUTHN)', () => {
  it("signs in with the user's passkey, preferred or chosen, each challenge once", async () => {
    pool = await testPool();
    const { sub, authenticator } = await passkeyUser(pool, email);
    const { Session, options } = await webAuthnChallenge();
    expect(options).toMatchObject({
      rpId: 'localhost',
      allowCredentials: [{ id: authenticator.credentialId }],
    });
    const assertion = authenticator.assert(options, testOrigin);
    const signedIn = await answer(Session, assertion);
    expect((await pool.verifier.verify(signedIn.AuthenticationResult!.AccessToken)).sub).toBe(sub);
    await failsWith(answer(Session, assertion), 'NotAuthorizedException');

    const choice = (await userAuth({ USERNAME: email }, pool.services)) as Challenge;
    expect(choice.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'WEB_AUTHN']);
    const chosen = (await selectChallenge(
      { Session: choice.Session!, ChallengeResponses: { USERNAME: email, ANSWER: 'WEB_AUTHN' } },
      pool.services,
    )) as Challenge;
    const chosenOptions = JSON.parse(chosen.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!) as {
      challenge: string;
    };
    const again = await answer(chosen.Session!, authenticator.assert(chosenOptions, testOrigin));
    expect(again.AuthenticationResult).toBeDefined();
  });

  it('is not offered to a user without a passkey, nor to an unknown one', async () => {
    pool = await testPool();
    await confirmedUser(pool, email);
    for (const USERNAME of [email, 'nobody@example.com']) {
      const preferred = (await userAuth(
        { USERNAME, PREFERRED_CHALLENGE: 'WEB_AUTHN' },
        pool.services,
      )) as Challenge;
      expect(preferred).toMatchObject({
        ChallengeName: 'SELECT_CHALLENGE',
        AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'],
      });
    }
  });

  it('refuses an expired challenge, a replayed counter, a wrong key, another site and another user; refused assertions count to the lockout', async () => {
    pool = await testPool();
    const { authenticator } = await passkeyUser(pool, email);
    await passkeyUser(pool, 'bob@example.com');
    const expired = await webAuthnChallenge();
    pool.clock.advance(5 * 60 * 1000);
    await failsWith(
      answer(expired.Session, authenticator.assert(expired.options, testOrigin)),
      'NotAuthorizedException',
    );

    const first = await webAuthnChallenge();
    await answer(first.Session, authenticator.assert(first.options, testOrigin, { counter: 10 }));
    const replayed = await webAuthnChallenge();
    await failsWith(
      answer(replayed.Session, authenticator.assert(replayed.options, testOrigin, { counter: 10 })),
      'NotAuthorizedException',
    );
    const stranger = await webAuthnChallenge();
    const otherKey = softwareAuthenticator();
    await failsWith(
      answer(stranger.Session, otherKey.assert(stranger.options, testOrigin)),
      'NotAuthorizedException',
    );
    const otherSite = await webAuthnChallenge();
    await failsWith(
      answer(otherSite.Session, authenticator.assert(otherSite.options, 'https://evil.example')),
      'NotAuthorizedException',
    );
    const otherUser = await webAuthnChallenge();
    await failsWith(
      answer(otherUser.Session, authenticator.assert(otherUser.options, testOrigin), 'bob@example.com'),
      'NotAuthorizedException',
    );
    expect((await findUserByEmail(email, pool.services))!.failedSignIns).toBe(3);
    for (let failure = 0; failure < 2; failure++) {
      const next = await webAuthnChallenge();
      await failsWith(
        answer(next.Session, otherKey.assert(next.options, testOrigin)),
        'NotAuthorizedException',
      );
    }
    // Five failures lock sign-in: even the right passkey waits.
    await expect(webAuthnChallenge()).rejects.toMatchObject({ message: 'Password attempts exceeded' });
  });

  it("goes with the user: a removed user's passkeys are gone", async () => {
    pool = await testPool();
    const { sub } = await passkeyUser(pool, email);
    await removeUser((await findUserByEmail(email, pool.services))!, pool.services);
    const { items } = await pool.services.users.query({ partition: `USER#${sub}` });
    expect(items).toEqual([]);
  });
});
