/**
 * GetCredentialsForIdentity: temporary AWS credentials (one hour) for the identity's role — the
 * unauthenticated role for a guest, the authenticated one for a signed-in identity.
 */
import { authorizeIdentity } from './authorize-identity.ts';
import type { Logins } from './logins.ts';
import { fail, type IdentityPoolServices } from './model.ts';
import type { TemporaryCredentials } from './session-tokens.ts';

export interface GetCredentialsForIdentityRequest {
  IdentityId: string;
  Logins?: Logins;
  CustomRoleArn?: string;
}

/** An AWS-looking temporary access key id: ASIA and 16 base-32 characters. */
function accessKeyId(services: IdentityPoolServices): string {
  return `ASIA${services.ids.ulid().slice(-16)}`;
}

export async function getCredentialsForIdentity(
  request: GetCredentialsForIdentityRequest,
  services: IdentityPoolServices,
): Promise<{ IdentityId: string; Credentials: TemporaryCredentials }> {
  const { identity, role } = await authorizeIdentity(request.IdentityId, request.Logins, services);
  const { settings, clock, tokens } = services;
  const roleArn = settings.roles[role];
  // Without role-mapping rules, the only role an identity may ask for is the one it gets.
  if (request.CustomRoleArn !== undefined && request.CustomRoleArn !== roleArn)
    fail('NotAuthorizedException', 'The identity may not assume the role CustomRoleArn names.');
  const credentials = tokens.issue(
    {
      identityId: identity.identityId,
      identityPoolId: settings.identityPoolId,
      role,
      roleArn,
      expiresAt: clock.now() + settings.credentialSeconds * 1000,
    },
    accessKeyId(services),
  );
  return { IdentityId: identity.identityId, Credentials: credentials };
}
