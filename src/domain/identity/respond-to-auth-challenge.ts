import { recordFailure } from './initiate-auth.ts';
import {
  afterConfirmation,
  checkPassword,
  fail,
  poolName,
  requireAppClient,
  toUserRecord,
  userKeys,
  type IdentityServices,
} from './model.ts';
import { replacePassword } from './password.ts';
import { parseSrpTimestamp, serverKey, verifyPasswordClaim } from './srp.ts';
import { completeSignIn, signedIn } from './complete-sign-in.ts';
import { claimTotpCode } from './mfa-code.ts';
import { mfaSuccess, passwordSuccess } from './auth-events.ts';
import { answerCodeChallenge } from './code-challenge.ts';
import { selectChallenge } from './user-auth.ts';
import { answerWebAuthnChallenge } from './webauthn-sign-in.ts';

export interface RespondToAuthChallengeRequest {
  ClientId: string;
  ChallengeName: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
}

const wrongCredentials = () => fail('NotAuthorizedException', 'Incorrect username or password.');

/** RespondToAuthChallenge: PASSWORD_VERIFIER (the second half of SRP sign-in) and the challenges after it. */
export async function respondToAuthChallenge(
  request: RespondToAuthChallengeRequest,
  services: IdentityServices,
) {
  const { users, clock, pool } = services;
  requireAppClient(request.ClientId, pool);
  if (request.ChallengeName === 'SOFTWARE_TOKEN_MFA') return softwareTokenChallenge(request, services);
  if (request.ChallengeName === 'NEW_PASSWORD_REQUIRED') return newPasswordChallenge(request, services);
  if (request.ChallengeName === 'MFA_SETUP') return mfaSetupChallenge(request, services);
  if (request.ChallengeName === 'SELECT_CHALLENGE') return selectChallenge(request, services);
  if (request.ChallengeName === 'WEB_AUTHN') return answerWebAuthnChallenge(request, services);
  if (request.ChallengeName === 'EMAIL_OTP' || request.ChallengeName === 'SMS_MFA')
    return codeChallenge(request, request.ChallengeName, services);
  if (request.ChallengeName !== 'PASSWORD_VERIFIER') {
    fail('InvalidParameterException', `Unsupported challenge: ${String(request.ChallengeName)}`);
  }
  const responses = request.ChallengeResponses ?? {};
  const secretBlock = String(responses.PASSWORD_CLAIM_SECRET_BLOCK ?? '');
  const timestamp = String(responses.TIMESTAMP ?? '');
  const signature = String(responses.PASSWORD_CLAIM_SIGNATURE ?? '');
  if (!secretBlock || !timestamp || !signature)
    fail('InvalidParameterException', 'Missing challenge responses');

  const sessionKey = userKeys.srpSession(secretBlock);
  const { item: session } = await users.get(sessionKey, { consistent: true });
  // Unknown users' challenges were never stored: they end here, like a wrong password.
  if (!session || Number(session.expiresAt) <= clock.now()) return wrongCredentials();
  // One answer per challenge.
  await users.delete({ key: sessionKey });
  const { item } = await users.get(userKeys.user(String(session.sub)), { consistent: true });
  if (!item) return wrongCredentials();
  const user = toUserRecord(item);
  if (user.lockedUntil > clock.now()) fail('NotAuthorizedException', 'Password attempts exceeded');

  const claimedAt = parseSrpTimestamp(timestamp);
  const fresh = claimedAt !== undefined && Math.abs(claimedAt - clock.now()) <= 5 * 60 * 1000;
  const key = serverKey({ b: String(session.b), B: String(session.B) }, user.srpVerifier, String(session.A));
  const valid =
    fresh &&
    verifyPasswordClaim({
      key,
      poolName: poolName(pool.userPoolId),
      userId: user.sub,
      secretBlock,
      timestamp,
      signature,
    });
  if (!valid) {
    await recordFailure(user, services);
    return wrongCredentials();
  }
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  if (user.status === 'UNCONFIRMED') fail('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED')
    fail('PasswordResetRequiredException', 'Password reset required for the user');
  return completeSignIn(user, services);
}

/**
 * A delivered code: EMAIL_OTP signs in without a password and so without MFA, as Cognito's
 * passwordless sign-in; SMS_MFA is the second factor after a password.
 */
async function codeChallenge(
  request: RespondToAuthChallengeRequest,
  challenge: 'EMAIL_OTP' | 'SMS_MFA',
  services: IdentityServices,
) {
  const member = challenge === 'EMAIL_OTP' ? 'EMAIL_OTP_CODE' : 'SMS_MFA_CODE';
  const code = String(request.ChallengeResponses?.[member] ?? '');
  if (!code) fail('InvalidParameterException', `Missing ${member}`);
  const user = await answerCodeChallenge(challenge, String(request.Session ?? ''), code, services);
  if (challenge === 'SMS_MFA') return signedIn(user, services, [passwordSuccess, mfaSuccess]);
  if (user.status !== 'CONFIRMED') fail('NotAuthorizedException', 'Incorrect username or password.');
  return completeSignIn(user, services, { mfa: false });
}

/** The second factor: a TOTP code for the session the password step handed out, each code once. */
async function softwareTokenChallenge(request: RespondToAuthChallengeRequest, services: IdentityServices) {
  const { users, clock } = services;
  const session = String(request.Session ?? '');
  const code = String(request.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE ?? '');
  const sessionKey = userKeys.mfaSession(session);
  const { item } = session ? await users.get(sessionKey, { consistent: true }) : { item: undefined };
  if (!item || Number(item.expiresAt) <= clock.now())
    fail('NotAuthorizedException', 'Invalid session for the user.');
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) fail('NotAuthorizedException', 'Invalid session for the user.');
  const user = toUserRecord(userItem);
  await claimTotpCode(user, code, services);
  await users.delete({ key: sessionKey });
  return signedIn(user, services, [passwordSuccess, mfaSuccess]);
}

/** The end of MFA_SETUP: the session's user has verified a software token (VerifySoftwareToken). */
async function mfaSetupChallenge(request: RespondToAuthChallengeRequest, services: IdentityServices) {
  const { users, clock } = services;
  const session = String(request.Session ?? '');
  const sessionKey = userKeys.mfaSetupSession(session);
  const { item } = session ? await users.get(sessionKey, { consistent: true }) : { item: undefined };
  if (!item || Number(item.expiresAt) <= clock.now())
    fail('NotAuthorizedException', 'Invalid session for the user.');
  if (item.verified !== true) fail('InvalidParameterException', 'Verify a software token first.');
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) fail('NotAuthorizedException', 'Invalid session for the user.');
  await users.delete({ key: sessionKey });
  return signedIn(toUserRecord(userItem), services, [passwordSuccess, mfaSuccess]);
}

/**
 * A user an administrator created sets their own password. Plaza then runs its post-confirmation
 * step too (Cognito would not), so every confirmed user has a profile.
 */
async function newPasswordChallenge(request: RespondToAuthChallengeRequest, services: IdentityServices) {
  const { users, clock, pool } = services;
  const session = String(request.Session ?? '');
  const sessionKey = userKeys.newPasswordSession(session);
  const { item } = session ? await users.get(sessionKey, { consistent: true }) : { item: undefined };
  if (!item || Number(item.expiresAt) <= clock.now())
    fail('NotAuthorizedException', 'Invalid session for the user.');
  const password = checkPassword(request.ChallengeResponses?.NEW_PASSWORD, pool);
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem || userItem.status !== 'FORCE_CHANGE_PASSWORD')
    fail('NotAuthorizedException', 'Invalid session for the user.');
  const user = toUserRecord(userItem);
  await users.delete({ key: sessionKey });
  await replacePassword(user, password, services);
  const { item: updated } = await users.update({
    key: userKeys.user(user.sub),
    set: { status: 'CONFIRMED', lastModified: services.clock.now() },
    remove: ['temporaryPasswordExpiresAt'],
  });
  await afterConfirmation(user, services);
  return completeSignIn(toUserRecord(updated), services);
}
