import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { userKeys, type IdentityServices } from './model.ts';

/** Deletes the signed-in user from the pool: the user and the email alias go together, and tokens stop working. */
export async function deleteUser(
  request: { AccessToken: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  await services.users.transactWrite([
    { delete: userKeys.user(user.sub) },
    { delete: userKeys.email(user.email), conditions: [{ op: '=', attribute: 'sub', value: user.sub }] },
  ]);
  return {};
}
