import { afterEach, describe, expect, it } from 'vitest';
import { failsWith } from '../../../test/support/fails-with.ts';
import { testPool, type TestPool } from '../../../test/support/identity.ts';
import { findUserByEmail, startSession, toUserRecord, userKeys, type UserRecord } from './model.ts';
import { associateSoftwareToken, setUserMfaPreference, verifySoftwareToken } from './software-token.ts';
import { issueTokens } from './tokens.ts';
import { base32Decode, totpAt, totpStep } from './totp.ts';

let pool: TestPool;
afterEach(() => pool.close());

const codeFor = (secret: string) => totpAt(base32Decode(secret), totpStep(pool.clock.now()));
const reread = async (sub: string): Promise<UserRecord> =>
  toUserRecord((await pool.services.users.get(userKeys.user(sub), { consistent: true })).item!);

async function signedIn(email: string) {
  await pool.user(email);
  const user = (await findUserByEmail(email, pool.services))!;
  const { AccessToken } = await issueTokens(user, { withRefreshToken: false }, pool.services);
  return { sub: user.sub, AccessToken };
}

/** An MFA_SETUP session, as sign-in starts it for a user who must set up MFA. */
const setupSession = (sub: string, lifetimeMs = 180_000) =>
  startSession(userKeys.mfaSetupSession, lifetimeMs, { sub }, pool.services);

describe('associateSoftwareToken and verifySoftwareToken', () => {
  it('keep a new secret pending until its first code, then make it the confirmed one', async () => {
    pool = await testPool();
    const { sub, AccessToken } = await signedIn('ada@example.com');
    const { SecretCode } = await associateSoftwareToken({ AccessToken }, pool.verifier, pool.services);
    expect(SecretCode).toMatch(/^[A-Z2-7]{32}$/);
    expect(await reread(sub)).toMatchObject({ pendingTotpSecret: SecretCode });
    expect((await reread(sub)).totpSecret).toBeUndefined();

    await failsWith(
      verifySoftwareToken({ AccessToken, UserCode: '000000' }, pool.verifier, pool.services),
      'EnableSoftwareTokenMFAException',
    );
    expect(
      await verifySoftwareToken({ AccessToken, UserCode: codeFor(SecretCode) }, pool.verifier, pool.services),
    ).toEqual({ Status: 'SUCCESS' });
    const user = await reread(sub);
    expect(user).toMatchObject({ totpSecret: SecretCode, totpLastStep: totpStep(pool.clock.now()) });
    expect(user.pendingTotpSecret).toBeUndefined();
    // Outside sign-in the token is set up, not turned on: SetUserMFAPreference does that.
    expect(user.mfaEnabled).toBeUndefined();
    await setUserMfaPreference(
      { AccessToken, SoftwareTokenMfaSettings: { Enabled: true } },
      pool.verifier,
      pool.services,
    );
    expect((await reread(sub)).mfaEnabled).toBe(true);
  });

  it('turn MFA on when set up in an MFA_SETUP session, and mark the session verified', async () => {
    pool = await testPool();
    const sub = await pool.user('ada@example.com');
    const Session = await setupSession(sub);
    const associated = await associateSoftwareToken({ Session }, pool.verifier, pool.services);
    expect(associated.Session).toBe(Session);
    const answer = await verifySoftwareToken(
      { Session, UserCode: codeFor(associated.SecretCode) },
      pool.verifier,
      pool.services,
    );
    expect(answer).toEqual({ Status: 'SUCCESS', Session });
    expect(await reread(sub)).toMatchObject({ totpSecret: associated.SecretCode, mfaEnabled: true });
    const { item } = await pool.services.users.get(userKeys.mfaSetupSession(Session), { consistent: true });
    expect(item?.verified).toBe(true);
  });

  it("refuse an expired or unknown session, another user's session, and a code before a secret", async () => {
    pool = await testPool();
    const ada = await signedIn('ada@example.com');
    const bob = await pool.user('bob@example.com');
    await failsWith(
      verifySoftwareToken({ AccessToken: ada.AccessToken, UserCode: '123456' }, pool.verifier, pool.services),
      'InvalidParameterException',
    );
    const expired = await setupSession(ada.sub, 1000);
    pool.clock.advance(1000);
    for (const request of [
      { Session: expired },
      { Session: 'no-such-session' },
      { Session: 'x'.repeat(3000) },
      { AccessToken: ada.AccessToken, Session: await setupSession(bob) },
      {},
    ])
      await failsWith(
        associateSoftwareToken(request, pool.verifier, pool.services),
        'NotAuthorizedException',
      );
    expect((await reread(bob)).pendingTotpSecret).toBeUndefined();
  });
});
