/** ListWebAuthnCredentials: the passkeys of the holder of an access token, a page at a time. */
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { userOfAccessToken } from './access-token.ts';
import { afterToken, fail, type IdentityServices } from './model.ts';
import { credentialsOf, maxCredentialsPerUser } from './webauthn.ts';

export async function listWebAuthnCredentials(
  request: { AccessToken: string; MaxResults?: number; NextToken?: string },
  verifier: IdentityVerifier,
  services: IdentityServices,
) {
  const user = await userOfAccessToken(request.AccessToken, verifier, services);
  const limit = request.MaxResults ?? maxCredentialsPerUser;
  if (!Number.isInteger(limit) || limit < 0 || limit > maxCredentialsPerUser)
    fail('InvalidParameterException', `MaxResults must be between 0 and ${maxCredentialsPerUser}`);
  const after = request.NextToken === undefined ? undefined : afterToken.decode(request.NextToken);
  const { credentials, more } = await credentialsOf(user.sub, services, {
    limit,
    ...(after ? { after } : {}),
  });
  const last = credentials.at(-1);
  return {
    Credentials: credentials.map((credential) => ({
      CredentialId: credential.credentialId,
      FriendlyCredentialName: credential.friendlyName,
      RelyingPartyId: credential.relyingPartyId,
      ...(credential.attachment ? { AuthenticatorAttachment: credential.attachment } : {}),
      AuthenticatorTransports: credential.transports,
      CreatedAt: credential.createdAt / 1000,
    })),
    ...(more && last ? { NextToken: afterToken.encode(last.credentialId) } : {}),
  };
}
