/** DeleteWebAuthnCredential: the holder of an access token removes one of their passkeys. */
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { fail, userKeys, type IdentityServices } from './model.ts';

export async function deleteWebAuthnCredential(
  request: { AccessToken: string; CredentialId: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const notFound = () => fail('ResourceNotFoundException', 'Passkey not found.');
  if (request.CredentialId.length === 0 || request.CredentialId.length > 1023) return notFound();
  await services.users
    .delete({
      key: userKeys.webAuthnCredential(user.sub, request.CredentialId),
      conditions: [{ op: 'itemExists' }],
    })
    .catch(notFound);
  return {};
}
