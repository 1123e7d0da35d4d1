import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { revokeSessions, type IdentityServices } from './model.ts';

/** Signs out everywhere: every token issued before now stops working, refresh tokens included. */
export async function globalSignOut(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  await revokeSessions(user.sub, services);
  return {};
}
