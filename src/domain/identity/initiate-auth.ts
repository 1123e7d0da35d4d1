import {
  fail,
  findUserBySignInName,
  requireAppClient,
  revokedSince,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';
import { createVerifier, startServerSession } from './srp.ts';
import { completeSignIn } from './complete-sign-in.ts';
import { mfaFailure, passwordFailure, passwordSuccess, recordAuthEvent } from './auth-events.ts';
import { issueTokens } from './tokens.ts';
import { userAuth } from './user-auth.ts';

export interface InitiateAuthRequest {
  AuthFlow: string;
  ClientId: string;
  AuthParameters?: Record<string, string>;
}

// Unknown users and wrong passwords get the same answer (PreventUserExistenceErrors: ENABLED).
const wrongCredentials = () => fail('NotAuthorizedException', 'Incorrect username or password.');

/** A dummy hash verified for unknown users, so that they cost the same time as known ones. */
let decoyHash: Promise<string> | undefined;

/** InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH, USER_AUTH (choice-based) and REFRESH_TOKEN_AUTH (REFRESH_TOKEN). */
export async function initiateAuth(request: InitiateAuthRequest, services: IdentityServices) {
  requireAppClient(request.ClientId, services.pool);
  const parameters = request.AuthParameters ?? {};
  switch (request.AuthFlow) {
    case 'USER_PASSWORD_AUTH':
      return passwordAuth(String(parameters.USERNAME ?? ''), String(parameters.PASSWORD ?? ''), services);
    case 'USER_SRP_AUTH':
      return srpAuth(String(parameters.USERNAME ?? ''), String(parameters.SRP_A ?? ''), services);
    case 'USER_AUTH':
      return userAuth(parameters, services);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return refreshAuth(String(parameters.REFRESH_TOKEN ?? ''), services);
    default:
      return fail('InvalidParameterException', `Unsupported auth flow: ${String(request.AuthFlow)}`);
  }
}

async function passwordAuth(username: string, password: string, services: IdentityServices) {
  return completeSignIn(await authenticatePassword(username, password, services), services);
}

/**
 * The password check of every password sign-in (InitiateAuth and the hosted UI's /login): the
 * hashing bound, the same cost and answer for unknown users, the lockout, and the failure count.
 */
export async function authenticatePassword(
  username: string,
  password: string,
  services: IdentityServices,
): Promise<UserRecord> {
  const { clock, hasher } = services;
  // Refuse before hashing when every hashing slot is busy: a flood cannot queue up memory.
  if (!hasher.hasCapacity()) fail('TooManyRequestsException', 'Too many requests, please try again later.');
  const user = await findUserBySignInName(username, services);
  if (!user) {
    decoyHash ??= hasher.hash('decoy password for unknown users');
    await hasher.verify(await decoyHash, password);
    return wrongCredentials();
  }
  if (user.lockedUntil > clock.now()) fail('NotAuthorizedException', 'Password attempts exceeded');
  const valid = await hasher.verify(user.passwordHash, password);
  if (!valid) {
    await recordFailure(user, services);
    return wrongCredentials();
  }
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  if (user.status === 'UNCONFIRMED') fail('UserNotConfirmedException', 'User is not confirmed.');
  // An administrator reset the password (AdminResetUserPassword): a mailed code sets a new one.
  if (user.status === 'RESET_REQUIRED')
    fail('PasswordResetRequiredException', 'Password reset required for the user');
  return user;
}

/**
 * Cognito's lockout: after five failures, each further one locks sign-in for 2^(n−5) s, at most 15
 * minutes. The failed sign-in goes into the user's history, at the password or after it at MFA.
 */
export async function recordFailure(
  user: UserRecord,
  services: Pick<IdentityServices, 'users' | 'clock' | 'pool' | 'ids'>,
  failedAt: 'Password' | 'Mfa' = 'Password',
) {
  const { users, clock, pool } = services;
  await recordAuthEvent(
    user.sub,
    {
      type: 'SignIn',
      response: 'Fail',
      challenges: failedAt === 'Mfa' ? [passwordSuccess, mfaFailure] : [passwordFailure],
    },
    services,
  );
  const { item } = await users.update({ key: userKeys.user(user.sub), add: { failedSignIns: 1 } });
  const failures = Number(item.failedSignIns);
  if (failures >= pool.lockoutAfterFailures) {
    const seconds = Math.min(pool.lockoutMaxSeconds, 2 ** (failures - pool.lockoutAfterFailures));
    await users.update({ key: userKeys.user(user.sub), set: { lockedUntil: clock.now() + seconds * 1000 } });
  }
}

/**
 * The first half of SRP: the server's B for the client's A. The session (b, B, A) waits in the
 * pool's table under a hash of SECRET_BLOCK for five minutes; unknown users get a challenge that
 * can never be answered, so the answer does not reveal whether they exist.
 */
export async function srpAuth(username: string, srpA: string, services: IdentityServices) {
  const { users, clock, ids } = services;
  if (!/^[0-9a-fA-F]{1,1024}$/.test(srpA)) fail('InvalidParameterException', 'SRP_A is invalid');
  const user = await findUserBySignInName(username, services);
  const verifier = user?.srpVerifier ?? createVerifier(ids.uuid(), ids.secret(16), 'unknown').verifier;
  let session;
  try {
    session = startServerSession(verifier, srpA);
  } catch {
    return fail('InvalidParameterException', 'SRP_A is invalid');
  }
  const secretBlock = ids.secret(96).replace(/-/g, '+').replace(/_/g, '/');
  const expiresAt = clock.now() + 5 * 60 * 1000;
  if (user) {
    await users.put({
      item: {
        ...userKeys.srpSession(secretBlock),
        sub: user.sub,
        A: srpA,
        ...session,
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
    });
  }
  const userId = user?.sub ?? username;
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      SALT: user?.srpSalt ?? Buffer.from(ids.secret(16), 'base64url').toString('hex'),
      SRP_B: session.B,
      SECRET_BLOCK: secretBlock,
      USER_ID_FOR_SRP: userId,
      USERNAME: userId,
    },
  };
}

async function refreshAuth(refreshToken: string, services: IdentityServices) {
  const { users, clock } = services;
  if (refreshToken.length < 20) fail('NotAuthorizedException', 'Invalid Refresh Token');
  const { item } = await users.get(userKeys.refresh(refreshToken), { consistent: true });
  if (!item || Number(item.expiresAt) <= clock.now()) fail('NotAuthorizedException', 'Invalid Refresh Token');
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) fail('NotAuthorizedException', 'Invalid Refresh Token');
  const user = toUserRecord(userItem);
  // Signed out everywhere (or password changed) since this token was issued.
  if (!user.enabled || revokedSince(item, 'issuedAt', user))
    fail('NotAuthorizedException', 'Refresh Token has been revoked');
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(user, { withRefreshToken: false }, services),
  };
}
