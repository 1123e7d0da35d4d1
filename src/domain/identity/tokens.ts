import { groupClaims, runPreTokenGeneration, type TokenGroups } from './triggers.ts';
import { groupsForToken } from './groups.ts';
import {
  revocationsClaim,
  sessionsPartition,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';

/** Cognito's AuthenticationResult: access and ID tokens with Cognito's claims, and an opaque refresh token. */
export async function issueTokens(
  user: UserRecord,
  options: {
    withRefreshToken: boolean;
    /** The hosted UI's granted OAuth scopes, the ID token's `nonce` and the sign-in's time (s). */
    scope?: string;
    nonce?: string | undefined;
    authTime?: number;
  },
  services: Pick<IdentityServices, 'users' | 'clock' | 'ids' | 'signer' | 'pool' | 'triggers'>,
) {
  const { users, clock, ids, signer, pool } = services;
  const authTime = options.authTime ?? Math.floor(clock.now() / 1000);
  const common = { sub: user.sub, iss: pool.issuer, auth_time: authTime, jti: ids.uuid() };
  // The user's revocation count now: a later sign-out everywhere refuses these tokens, however soon.
  const revocations = user.revocations ?? 0;
  // Cognito's group claims (by precedence), present only for a user in some group.
  const memberships = await groupsForToken(user.sub, services);
  const roles = memberships.flatMap((group) => (group.roleArn === undefined ? [] : [group.roleArn]));
  const groups: TokenGroups = {
    groups: memberships.map((group) => group.groupName),
    roles,
    preferredRole: roles[0],
  };
  // Other attributes ride in the ID token under their own names (custom ones as `custom:<name>`).
  const attributes = Object.fromEntries(
    Object.entries(user.attributes).filter(([name]) => !['email', 'email_verified', 'sub'].includes(name)),
  );
  const generated = await runPreTokenGeneration(
    user.sub,
    options.withRefreshToken ? 'TokenGeneration_Authentication' : 'TokenGeneration_RefreshTokens',
    {
      ...common,
      aud: pool.clientId,
      token_use: 'id',
      email: user.email,
      // A federated user's address is as verified as the provider said it was.
      email_verified:
        user.status === 'EXTERNAL_PROVIDER'
          ? user.attributes.email_verified === 'true'
          : user.status === 'CONFIRMED',
      'cognito:username': user.username ?? user.sub,
      ...attributes,
    },
    { ...user.attributes, sub: user.sub, email: user.email },
    groups,
    services,
  );
  const AccessToken = await signer.sign(
    {
      ...common,
      client_id: pool.clientId,
      token_use: 'access',
      scope: options.scope ?? 'aws.cognito.signin.user.admin',
      username: user.username ?? user.sub,
      origin_jti: ids.uuid(),
      ...groupClaims(generated.groups, 'access'),
      [revocationsClaim]: revocations,
    },
    pool.accessTokenSeconds,
  );
  // The nonce and the revocation count go in after the trigger, which cannot change them.
  const IdToken = await signer.sign(
    {
      ...generated.claims,
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      [revocationsClaim]: revocations,
    },
    pool.idTokenSeconds,
  );
  let RefreshToken: string | undefined;
  if (options.withRefreshToken) {
    RefreshToken = ids.secret(48);
    const expiresAt = clock.now() + pool.refreshTokenSeconds * 1000;
    // Only a hash is stored; the token's absolute expiry is its record's.
    await users.put({
      item: {
        ...userKeys.refresh(RefreshToken),
        GSI1PK: sessionsPartition(user.sub),
        GSI1SK: String(clock.now()).padStart(15, '0'),
        sub: user.sub,
        issuedAt: clock.now(),
        revocations,
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
