/** Software-token (TOTP) MFA: associate a secret, verify the first code, and turn MFA on. */
import { randomBytes } from 'node:crypto';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';
import { base32Decode, base32Encode, matchTotp } from './totp.ts';

export async function associateSoftwareToken(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const secret = base32Encode(randomBytes(20));
  await services.users.update({ key: userKeys.user(user.sub), set: { pendingTotpSecret: secret } });
  return { SecretCode: secret };
}

export async function verifySoftwareToken(
  request: { AccessToken: string; UserCode: string; FriendlyDeviceName?: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  if (!user.pendingTotpSecret) fail('InvalidParameterException', 'Associate a software token first.');
  const step = matchTotp(
    base32Decode(user.pendingTotpSecret),
    String(request.UserCode ?? ''),
    services.clock.now(),
  );
  if (step === undefined) fail('EnableSoftwareTokenMFAException', 'Code mismatch');
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { totpSecret: user.pendingTotpSecret, totpLastStep: step },
    remove: ['pendingTotpSecret'],
  });
  return { Status: 'SUCCESS' };
}

export async function setUserMfaPreference(
  request: { AccessToken: string; SoftwareTokenMfaSettings?: { Enabled?: boolean; PreferredMfa?: boolean } },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const settings = request.SoftwareTokenMfaSettings;
  if (!settings) return {};
  if (settings.Enabled && !user.totpSecret)
    fail('InvalidParameterException', 'User has not verified software token mfa');
  await services.users.update({
    key: userKeys.user(user.sub),
    set: { mfaEnabled: settings.Enabled === true },
  });
  return {};
}
