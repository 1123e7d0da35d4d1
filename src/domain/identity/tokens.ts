import { runPreTokenGeneration } from './triggers.ts';
import { userKeys, type IdentityServices, type UserRecord } from './model.ts';

/** Cognito's AuthenticationResult: access and ID tokens with Cognito's claims, and an opaque refresh token. */
export async function issueTokens(
  user: UserRecord,
  options: { withRefreshToken: boolean },
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids' | 'signer' | 'pool' | 'triggers'>,
) {
  const { users, clock, ids, signer, pool } = services;
  const authTime = Math.floor(clock.now() / 1000);
  const common = { sub: user.sub, iss: pool.issuer, auth_time: authTime, jti: ids.uuid() };
  const AccessToken = await signer.sign(
    {
      ...common,
      client_id: pool.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.sub,
      origin_jti: ids.uuid(),
    },
    pool.accessTokenSeconds,
  );
  // Other attributes ride in the ID token under their own names (custom ones as `custom:<name>`).
  const attributes = Object.fromEntries(
    Object.entries(user.attributes).filter(([name]) => !['email', 'email_verified', 'sub'].includes(name)),
  );
  const idClaims = await runPreTokenGeneration(
    user.sub,
    options.withRefreshToken ? 'TokenGeneration_Authentication' : 'TokenGeneration_RefreshTokens',
    {
      ...common,
      aud: pool.clientId,
      token_use: 'id',
      email: user.email,
      email_verified: user.status === 'CONFIRMED',
      'cognito:username': user.sub,
      ...attributes,
    },
    { ...user.attributes, sub: user.sub, email: user.email },
    services,
  );
  const IdToken = await signer.sign(idClaims, pool.idTokenSeconds);
  let RefreshToken: string | undefined;
  if (options.withRefreshToken) {
    RefreshToken = ids.secret(48);
    const expiresAt = clock.now() + pool.refreshTokenSeconds * 1000;
    // Only a hash is stored; the token's absolute expiry is its record's.
    await users.put({
      item: {
        ...userKeys.refresh(RefreshToken),
        sub: user.sub,
        issuedAt: clock.now(),
        expiresAt,
        ttl: Math.ceil(expiresAt / 1000),
      },
    });
  }
  return {
    AccessToken,
    IdToken,
    ...(RefreshToken ? { RefreshToken } : {}),
    ExpiresIn: pool.accessTokenSeconds,
    TokenType: 'Bearer',
  };
}
