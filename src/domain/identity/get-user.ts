import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import type { IdentityServices } from './model.ts';

export async function getUser(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  return {
    Username: user.sub,
    UserAttributes: Object.entries({ ...user.attributes, sub: user.sub, email: user.email }).map(
      ([Name, Value]) => ({ Name, Value }),
    ),
    MFAOptions: [],
    // What clients read to show whether TOTP is on (Amplify's fetchMFAPreference).
    UserMFASettingList: user.mfaEnabled ? ['SOFTWARE_TOKEN_MFA'] : [],
    ...(user.mfaEnabled ? { PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' } : {}),
  };
}
