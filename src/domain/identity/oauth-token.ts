import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { initiateAuth } from './initiate-auth.ts';
import type { IdentityServices } from './model.ts';
import { redeemAuthorizationCode, sameText } from './oauth.ts';
import { issueTokens } from './tokens.ts';

export interface OAuthTokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * /oauth2/token: the authorization_code grant (with the PKCE verifier) and the
 * refresh_token grant, answering with the pool's own tokens, so refresh, revocation
 * and sign-out everywhere apply to them as to any other sign-in.
 */
export async function oauthToken(
  body: Record<string, string | undefined>,
  services: IdentityServices,
): Promise<OAuthTokenResponse> {
  const { pool } = services;
  // The app client is public (no secret, as Cognito's for browser and mobile apps): it names itself.
  if (body.client_id === undefined || !sameText(body.client_id, pool.clientId))
    throw new PlazaError('invalid_client', 'Unknown client_id.');
  switch (body.grant_type) {
    case 'authorization_code': {
      if (!body.code || !body.redirect_uri || !body.code_verifier)
        throw new PlazaError('invalid_request', 'code, redirect_uri and code_verifier are required.');
      const granted = await redeemAuthorizationCode(
        {
          code: body.code,
          clientId: body.client_id,
          redirectUri: body.redirect_uri,
          codeVerifier: body.code_verifier,
        },
        services,
      );
      const tokens = await issueTokens(
        granted.user,
        {
          withRefreshToken: true,
          scope: granted.scopes.join(' '),
          nonce: granted.nonce,
          authTime: granted.authTime,
        },
        services,
      );
      return {
        access_token: tokens.AccessToken,
        // An ID token only for OpenID Connect requests, as Cognito does.
        ...(granted.scopes.includes('openid') ? { id_token: tokens.IdToken } : {}),
        ...(tokens.RefreshToken ? { refresh_token: tokens.RefreshToken } : {}),
        token_type: 'Bearer',
        expires_in: tokens.ExpiresIn,
      };
    }
    case 'refresh_token': {
      if (!body.refresh_token) throw new PlazaError('invalid_request', 'refresh_token is required.');
      try {
        const result = await initiateAuth(
          {
            ClientId: pool.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: body.refresh_token },
          },
          services,
        );
        const tokens = (result as { AuthenticationResult?: Awaited<ReturnType<typeof issueTokens>> })
          .AuthenticationResult;
        if (!tokens) throw new PlazaError('invalid_grant', 'Invalid refresh token.');
        return {
          access_token: tokens.AccessToken,
          id_token: tokens.IdToken,
          token_type: 'Bearer',
          expires_in: tokens.ExpiresIn,
        };
      } catch (error) {
        if (isPlazaError(error, 'NotAuthorizedException'))
          throw new PlazaError('invalid_grant', 'Invalid refresh token.');
        throw error;
      }
    }
    default:
      throw new PlazaError(
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token.',
      );
  }
}
