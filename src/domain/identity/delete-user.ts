import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import type { IdentityServices } from './model.ts';
import { removeUser } from './remove-user.ts';

/** Deletes the signed-in user: the pool forgets them, their tokens stop working and their data is erased. */
export async function deleteUser(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  await removeUser(await userOfAccessToken(request.AccessToken, verifier, services), services);
  return {};
}
