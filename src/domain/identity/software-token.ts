/** Software-token (TOTP) MFA: associate a secret, verify the first code, and turn MFA on. */
import { randomBytes } from 'node:crypto';
import { isPlazaError } from '../../platform/errors.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, toUserRecord, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import { setMfaPreference, type MfaPreferenceRequest } from './mfa-preference.ts';
import { base32Decode, base32Encode, matchTotp } from './totp.ts';

/**
 * Whose token this is: the signed-in user (AccessToken), or during sign-in the user
 * of an MFA_SETUP session (Session), as Cognito accepts either.
 */
async function userOf(
  request: { AccessToken?: string; Session?: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
): Promise<UserRecord> {
  const session = String(request.Session ?? '');
  // A session, given, must be a live MFA_SETUP session (of the token's user, with a token too).
  const { item } =
    session && session.length <= 2048
      ? await services.users.get(userKeys.mfaSetupSession(session), { consistent: true })
      : { item: undefined };
  if (session && (!item || Number(item.expiresAt) <= services.clock.now()))
    fail('NotAuthorizedException', 'Invalid session for the user.');
  if (request.AccessToken) {
    const user = await userOfAccessToken(request.AccessToken, verifier, services);
    if (item && String(item.sub) !== user.sub)
      fail('NotAuthorizedException', 'Invalid session for the user.');
    return user;
  }
  if (!item) fail('NotAuthorizedException', 'Invalid session for the user.');
  const { item: user } = await services.users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!user) fail('NotAuthorizedException', 'Invalid session for the user.');
  return toUserRecord(user);
}

export async function associateSoftwareToken(
  request: { AccessToken?: string; Session?: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOf(request, verifier, services);
  const secret = base32Encode(randomBytes(20));
  await services.users.update({ key: userKeys.user(user.sub), set: { pendingTotpSecret: secret } });
  return { SecretCode: secret, ...(request.Session ? { Session: request.Session } : {}) };
}

export async function verifySoftwareToken(
  request: { AccessToken?: string; Session?: string; UserCode: string; FriendlyDeviceName?: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOf(request, verifier, services);
  if (!user.pendingTotpSecret) fail('InvalidParameterException', 'Associate a software token first.');
  const step = matchTotp(
    base32Decode(user.pendingTotpSecret),
    String(request.UserCode ?? ''),
    services.clock.now(),
  );
  if (step === undefined) fail('EnableSoftwareTokenMFAException', 'Code mismatch');
  await services.users.update({
    key: userKeys.user(user.sub),
    // Set up during sign-in (MFA_SETUP), the token is the user's MFA from now on.
    set: {
      totpSecret: user.pendingTotpSecret,
      totpLastStep: step,
      ...(request.Session ? { mfaEnabled: true } : {}),
    },
    remove: ['pendingTotpSecret'],
  });
  if (request.Session) {
    await services.users
      .update({
        key: userKeys.mfaSetupSession(request.Session),
        set: { verified: true },
        conditions: [{ op: 'itemExists' }],
      })
      // The sign-in it belonged to finished or ended meanwhile.
      .catch((error: unknown) => {
        if (isPlazaError(error, 'ConditionalCheckFailedException'))
          fail('NotAuthorizedException', 'Invalid session for the user.');
        throw error;
      });
    return { Status: 'SUCCESS', Session: request.Session };
  }
  return { Status: 'SUCCESS' };
}

export async function setUserMfaPreference(
  request: MfaPreferenceRequest & { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  return setMfaPreference(user, request, services);
}
