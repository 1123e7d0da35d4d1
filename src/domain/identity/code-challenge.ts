/**
 * Sign-in challenges answered with a delivered code: EMAIL_OTP (passwordless, in the USER_AUTH flow)
 * and SMS_MFA (the second factor). The code lives only as a hash in the challenge's session, for
 * three minutes as on Cognito, and is used once; a wrong code counts towards the user's lockout.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { recordFailure } from './initiate-auth.ts';
import { fail, sha256, toUserRecord, userKeys, type IdentityServices, type UserRecord } from './model.ts';

export type CodeChallenge = 'EMAIL_OTP' | 'SMS_MFA';

const challengeMs = 3 * 60 * 1000;

/** Cognito's lengths: EMAIL_OTP codes of the USER_AUTH flow have eight digits, SMS MFA codes six. */
const digits: Record<CodeChallenge, number> = { EMAIL_OTP: 8, SMS_MFA: 6 };

const codeHash = (challenge: CodeChallenge, session: string, code: string) =>
  sha256(`${challenge}:${session}:${code}`);

/**
 * Starts a code challenge for `user` (undefined for an unknown user, who gets the same answer and
 * nothing is sent). `deliver` sends the code; the session is the challenge's answer key.
 */
export async function startCodeChallenge(
  challenge: CodeChallenge,
  user: UserRecord | undefined,
  delivery: { medium: 'EMAIL' | 'SMS'; destination: string; deliver: (code: string) => Promise<void> },
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
) {
  const { users, clock, ids } = services;
  const session = ids.secret(48);
  const code = String(randomInt(0, 10 ** digits[challenge])).padStart(digits[challenge], '0');
  const expiresAt = clock.now() + challengeMs;
  if (user) {
    await users.put({
      item: {
        ...userKeys.codeSession(session),
        sub: user.sub,
        challenge,
        hash: codeHash(challenge, session, code),
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
    });
    await delivery.deliver(code);
  }
  return {
    ChallengeName: challenge,
    Session: session,
    ChallengeParameters: {
      CODE_DELIVERY_DELIVERY_MEDIUM: delivery.medium,
      CODE_DELIVERY_DESTINATION: delivery.destination,
      ...(user ? { USER_ID_FOR_SRP: user.sub } : {}),
    },
  };
}

/** Checks the code of a challenge's session and uses it up: the user it signs in. */
export async function answerCodeChallenge(
  challenge: CodeChallenge,
  session: string,
  code: string,
  services: Pick<IdentityServices, 'users' | 'clock' | 'pool' | 'ids'>,
): Promise<UserRecord> {
  const { users, clock } = services;
  const key = userKeys.codeSession(session);
  const { item } = session ? await users.get(key, { consistent: true }) : { item: undefined };
  // An expired code ends its session, as on Cognito (the store may keep it until its TTL runs).
  if (!item || item.challenge !== challenge || Number(item.expiresAt) <= clock.now())
    fail('NotAuthorizedException', 'Invalid session for the user, session is expired.');
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) fail('NotAuthorizedException', 'Invalid session for the user.');
  const user = toUserRecord(userItem);
  if (user.lockedUntil > clock.now()) fail('NotAuthorizedException', 'Password attempts exceeded');
  const expected = Buffer.from(String(item.hash), 'hex');
  const given = Buffer.from(codeHash(challenge, session, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    await recordFailure(user, services, challenge === 'SMS_MFA' ? 'Mfa' : 'Password');
    fail('CodeMismatchException', 'Invalid code received for user');
  }
  // One use: of two concurrent answers with the right code, only the first deletes the session.
  await users
    .delete({ key, conditions: [{ op: '=', attribute: 'hash', value: String(item.hash) }] })
    .catch(() => fail('NotAuthorizedException', 'Invalid session for the user.'));
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  return user;
}
