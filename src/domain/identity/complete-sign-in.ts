import { userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { issueTokens } from './tokens.ts';

const mfaSessionMs = 3 * 60 * 1000;

/**
 * The end of a successful password or SRP check: tokens, or, when the user has
 * software-token MFA, the SOFTWARE_TOKEN_MFA challenge with a short session.
 */
export async function completeSignIn(user: UserRecord, services: IdentityServices) {
  const { users, clock, ids } = services;
  if (user.failedSignIns > 0)
    await users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
  if (user.mfaEnabled && user.totpSecret) {
    const session = ids.secret(48);
    const expiresAt = clock.now() + mfaSessionMs;
    await users.put({
      item: { ...userKeys.mfaSession(session), sub: user.sub, expiresAt, ttl: Math.ceil(expiresAt / 1000) },
    });
    return {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.sub },
    };
  }
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(user, { withRefreshToken: true }, services),
  };
}
