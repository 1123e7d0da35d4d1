import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { mfaSettings } from './mfa-preference.ts';
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
    ...mfaSettings(user),
  };
}
