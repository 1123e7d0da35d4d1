/** GET and POST /oauth2/userInfo: the access token's user, as Cognito's OpenID claims. */
import { userOfAccessToken } from '../../../domain/identity/access-token.ts';
import type { IdentityServices, UserRecord } from '../../../domain/identity/model.ts';
import { allowOrigin } from './cors.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';

export function userInfo(
  options: Pick<HostedUiOptions, 'verifier' | 'hosted'> & { services: Pick<IdentityServices, 'users'> },
): HostedUiHandler {
  return async (request, reply) => {
    allowOrigin(options, request, reply);
    reply.header('cache-control', 'no-store');
    const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')?.[1];
    let user: UserRecord;
    try {
      user = await userOfAccessToken(token, options.verifier, options.services);
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({
        error: 'invalid_token',
        error_description: 'Access token is missing, invalid or revoked.',
      });
    }
    const { identities, ...attributes } = user.attributes;
    return reply.send({
      ...attributes,
      sub: user.sub,
      email: user.email,
      // Cognito's userInfo answers attributes as strings.
      email_verified: String(
        user.status === 'EXTERNAL_PROVIDER'
          ? attributes.email_verified === 'true'
          : user.status === 'CONFIRMED',
      ),
      username: user.username ?? user.sub,
      ...(identities === undefined ? {} : { identities }),
    });
  };
}
