/**
 * StartWebAuthnRegistration: the options for `navigator.credentials.create()` that register a
 * passkey for the holder of an access token. The challenge waits under the user for five
 * minutes; a new start replaces it, and CompleteWebAuthnRegistration uses it once.
 */
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, userKeys, type IdentityServices, type UserRecord } from './model.ts';
import {
  credentialsOf,
  maxCredentialsPerUser,
  relyingParty,
  webAuthnChallengeMs,
  webAuthnLibrary,
} from './webauthn.ts';

/** A user who may manage passkeys: signed in, enabled, not waiting for a password reset. */
export function requireActiveUser(user: UserRecord): UserRecord {
  if (!user.enabled) fail('NotAuthorizedException', 'User is disabled.');
  if (user.status === 'RESET_REQUIRED')
    fail('PasswordResetRequiredException', 'Password reset required for the user');
  return user;
}

export async function startWebAuthnRegistration(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = requireActiveUser(await userOfAccessToken(request.AccessToken, verifier, services));
  const rp = await relyingParty(services);
  const { credentials } = await credentialsOf(user.sub, services);
  if (credentials.length >= maxCredentialsPerUser)
    fail('LimitExceededException', `A user can have at most ${maxCredentialsPerUser} passkeys.`);
  const { generateRegistrationOptions } = await webAuthnLibrary();
  const options = await generateRegistrationOptions({
    rpName: rp.id,
    rpID: rp.id,
    userName: user.email || user.sub,
    userID: new TextEncoder().encode(user.sub),
    userDisplayName: user.attributes.name ?? user.email,
    timeout: webAuthnChallengeMs,
    attestationType: 'none',
    excludeCredentials: credentials.map((credential) => ({
      id: credential.credentialId,
      transports: credential.transports,
    })) as Parameters<typeof generateRegistrationOptions>[0]['excludeCredentials'],
    // A passkey is discoverable: the sign-in finds it by the site alone.
    authenticatorSelection: { residentKey: 'required', userVerification: rp.userVerification },
  });
  const expiresAt = services.clock.now() + webAuthnChallengeMs;
  await services.users.put({
    item: {
      ...userKeys.webAuthnRegistration(user.sub),
      challenge: options.challenge,
      relyingPartyId: rp.id,
      expiresAt,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return { CredentialCreationOptions: options };
}
