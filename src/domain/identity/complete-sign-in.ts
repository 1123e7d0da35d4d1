import { fail, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { issueTokens } from './tokens.ts';
import { passwordSuccess, recordAuthEvent, type ChallengeResult } from './auth-events.ts';

const challengeSessionMs = 3 * 60 * 1000;

/**
 * The end of a successful password or SRP check: tokens, or a challenge with a
 * short session — NEW_PASSWORD_REQUIRED for a temporary password, or
 * SOFTWARE_TOKEN_MFA when the user has software-token MFA, MFA_SETUP when the
 * pool requires MFA and the user has none yet.
 */
export async function completeSignIn(
  user: UserRecord,
  services: IdentityServices,
  options: { mfa?: boolean } = {},
) {
  const { users, clock, ids, pool } = services;
  if (user.failedSignIns > 0)
    await users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if ((user.temporaryPasswordExpiresAt ?? 0) <= clock.now()) {
      fail('NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.');
    }
    const session = ids.secret(48);
    const expiresAt = clock.now() + challengeSessionMs;
    await users.put({
      item: {
        ...userKeys.newPasswordSession(session),
        sub: user.sub,
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
    });
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.sub,
        requiredAttributes: '[]',
        userAttributes: JSON.stringify({ email: user.email }),
      },
    };
  }
  if (options.mfa === false) return signedIn(user, services);
  if (pool.mfa === 'ON' && !(user.mfaEnabled && user.totpSecret)) {
    // MFA is required and this user has none yet: set it up before any token is issued.
    const session = ids.secret(48);
    const expiresAt = clock.now() + challengeSessionMs;
    await users.put({
      item: {
        ...userKeys.mfaSetupSession(session),
        sub: user.sub,
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
    });
    return {
      ChallengeName: 'MFA_SETUP',
      Session: session,
      ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
    };
  }
  if (user.mfaEnabled && user.totpSecret) {
    const session = ids.secret(48);
    const expiresAt = clock.now() + challengeSessionMs;
    await users.put({
      item: { ...userKeys.mfaSession(session), sub: user.sub, expiresAt, ttl: Math.ceil(expiresAt / 1000) },
    });
    return {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.sub },
    };
  }
  return signedIn(user, services);
}

/**
 * The answer that ends a sign-in: the user's tokens, with a refresh token. The sign-in goes into
 * the user's history with the challenges it passed.
 */
export async function signedIn(
  user: UserRecord,
  services: IdentityServices,
  challenges: ChallengeResult[] = [passwordSuccess],
) {
  await recordAuthEvent(user.sub, { type: 'SignIn', response: 'Pass', challenges }, services);
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(user, { withRefreshToken: true }, services),
  };
}
