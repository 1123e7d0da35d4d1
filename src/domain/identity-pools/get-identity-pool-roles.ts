/** GetIdentityPoolRoles (developer credentials): the roles guests and signed-in identities get. */
import { requirePool, type IdentityPoolServices } from './model.ts';

export async function getIdentityPoolRoles(
  request: { IdentityPoolId: string },
  services: Pick<IdentityPoolServices, 'settings'>,
) {
  const { settings } = services;
  requirePool(request.IdentityPoolId, settings);
  return {
    IdentityPoolId: settings.identityPoolId,
    Roles: settings.allowGuests
      ? { authenticated: settings.roles.authenticated, unauthenticated: settings.roles.unauthenticated }
      : { authenticated: settings.roles.authenticated },
  };
}
