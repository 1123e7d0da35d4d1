/** GetId: the identity of the user the logins name (the same on every sign-in), or a new guest identity. */
import { createIdentity, linkedIdentity, verifyLogins, type Logins } from './logins.ts';
import { fail, requirePool, type IdentityPoolServices } from './model.ts';

export interface GetIdRequest {
  IdentityPoolId: string;
  AccountId?: string;
  Logins?: Logins;
}

export async function getId(
  request: GetIdRequest,
  services: IdentityPoolServices,
): Promise<{ IdentityId: string }> {
  requirePool(request.IdentityPoolId, services.settings);
  const [login, ...others] = await verifyLogins(request.Logins, services);
  if (!login) {
    if (!services.settings.allowGuests)
      fail('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    return { IdentityId: await createIdentity(undefined, services) };
  }
  const owner = await linkedIdentity(login, services);
  for (const other of others) {
    const otherOwner = await linkedIdentity(other, services);
    if (otherOwner !== undefined && otherOwner !== owner)
      fail('ResourceConflictException', 'The logins belong to different identities.');
  }
  return { IdentityId: owner ?? (await createIdentity(login, services)) };
}
