import { recordFailure } from './initiate-auth.ts';
import { fail, poolName, toUserRecord, userKeys, type IdentityServices } from './model.ts';
import { parseSrpTimestamp, serverKey, verifyPasswordClaim } from './srp.ts';
import { issueTokens } from './tokens.ts';

export interface RespondToAuthChallengeRequest {
  ClientId: string;
  ChallengeName: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
}

const wrongCredentials = () => fail('NotAuthorizedException', 'Incorrect username or password.');

/** RespondToAuthChallenge: PASSWORD_VERIFIER, the second half of SRP sign-in. */
export async function respondToAuthChallenge(
  request: RespondToAuthChallengeRequest,
  services: IdentityServices,
) {
  const { users, clock, pool } = services;
  if (request.ClientId !== pool.clientId)
    fail('ResourceNotFoundException', 'User pool client does not exist.');
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
  if (user.status !== 'CONFIRMED') fail('UserNotConfirmedException', 'User is not confirmed.');
  if (user.failedSignIns > 0)
    await users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
  return {
    ChallengeParameters: {},
    AuthenticationResult: await issueTokens(user, { withRefreshToken: true }, services),
  };
}
