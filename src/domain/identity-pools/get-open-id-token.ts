/**
 * GetOpenIdToken: an OpenID Connect token for the identity (`sub` = identity id, `aud` = the pool),
 * signed with the user pool's keys, valid ten minutes as Cognito's.
 */
import { authorizeIdentity } from './authorize-identity.ts';
import type { Logins } from './logins.ts';
import { providerNameOf, type IdentityPoolServices } from './model.ts';

export interface GetOpenIdTokenRequest {
  IdentityId: string;
  Logins?: Logins;
}

export async function getOpenIdToken(
  request: GetOpenIdTokenRequest,
  services: IdentityPoolServices,
): Promise<{ IdentityId: string; Token: string }> {
  const { identity, role } = await authorizeIdentity(request.IdentityId, request.Logins, services);
  const { settings, signer } = services;
  const Token = await signer.sign(
    {
      iss: settings.openIdIssuer(),
      sub: identity.identityId,
      aud: settings.identityPoolId,
      amr:
        role === 'authenticated'
          ? ['authenticated', ...Object.keys(identity.logins).map((key) => providerNameOf(key, settings))]
          : ['unauthenticated'],
    },
    600,
  );
  return { IdentityId: identity.identityId, Token };
}
