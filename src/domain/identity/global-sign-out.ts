import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { userKeys, type IdentityServices } from './model.ts';

/** Signs out everywhere: every token issued before now stops working, refresh tokens included. */
export async function globalSignOut(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  await services.users.update({ key: userKeys.user(user.sub), set: { validAfter: services.clock.now() } });
  return {};
}
