import { startCodeChallenge } from './code-challenge.ts';
import {
  fail,
  startSession,
  userKeys,
  type IdentityServices,
  type PoolSettings,
  type UserRecord,
} from './model.ts';
import { maskPhone, textMfaCode, verifiedPhone } from './sms.ts';
import { issueTokens } from './tokens.ts';
import { passwordSuccess, recordAuthEvent, type ChallengeResult } from './auth-events.ts';

const challengeSessionMs = 3 * 60 * 1000;

/**
 * The end of a successful password or SRP check: tokens, or a challenge with a
 * short session — NEW_PASSWORD_REQUIRED for a temporary password, or
 * SOFTWARE_TOKEN_MFA or SMS_MFA for the user's MFA (unless the pool's MFA is
 * OFF), MFA_SETUP when the pool requires MFA and the user has none yet.
 */
export async function completeSignIn(
  user: UserRecord,
  services: IdentityServices,
  options: { mfa?: boolean } = {},
) {
  const { users, clock, pool } = services;
  if (user.failedSignIns > 0)
    await users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if ((user.temporaryPasswordExpiresAt ?? 0) <= clock.now()) {
      fail('NotAuthorizedException', 'Temporary password has expired and must be reset by an administrator.');
    }
    const session = await startSession(
      userKeys.newPasswordSession,
      challengeSessionMs,
      { sub: user.sub },
      services,
    );
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
  const method = mfaMethod(user, pool);
  if (method === 'SMS_MFA') {
    const phone = user.attributes.phone_number ?? '';
    return startCodeChallenge(
      'SMS_MFA',
      user,
      { medium: 'SMS', destination: maskPhone(phone), deliver: (code) => textMfaCode(phone, code, services) },
      services,
    );
  }
  if (method === undefined && pool.mfa === 'ON') {
    // MFA is required and this user has none yet: set it up before any token is issued.
    const session = await startSession(
      userKeys.mfaSetupSession,
      challengeSessionMs,
      { sub: user.sub },
      services,
    );
    return {
      ChallengeName: 'MFA_SETUP',
      Session: session,
      ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
    };
  }
  if (method === 'SOFTWARE_TOKEN_MFA') {
    const session = await startSession(userKeys.mfaSession, challengeSessionMs, { sub: user.sub }, services);
    return {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.sub },
    };
  }
  return signedIn(user, services);
}

/**
 * The second factor a sign-in asks for: none when the pool's MFA is OFF (whatever users turned on,
 * as on Cognito); else the user's enabled method, the preferred one of two (TOTP when none is); and
 * when the pool requires MFA of a user who turned none on, SMS to a verified phone number.
 */
export function mfaMethod(
  user: UserRecord,
  pool: Pick<PoolSettings, 'mfa'>,
): 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA' | undefined {
  if (pool.mfa === 'OFF') return undefined;
  const enabled: ('SOFTWARE_TOKEN_MFA' | 'SMS_MFA')[] = [];
  if (user.mfaEnabled && user.totpSecret) enabled.push('SOFTWARE_TOKEN_MFA');
  if (user.smsMfaEnabled && user.attributes.phone_number) enabled.push('SMS_MFA');
  if (enabled.length === 0) return pool.mfa === 'ON' && verifiedPhone(user) ? 'SMS_MFA' : undefined;
  return user.preferredMfa && enabled.includes(user.preferredMfa) ? user.preferredMfa : enabled[0];
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
  // Both write (the history, the refresh token): at once, so the store commits them together.
  const [AuthenticationResult] = await Promise.all([
    issueTokens(user, { withRefreshToken: true }, services),
    recordAuthEvent(user.sub, { type: 'SignIn', response: 'Pass', challenges }, services),
  ]);
  return { ChallengeParameters: {}, AuthenticationResult };
}
