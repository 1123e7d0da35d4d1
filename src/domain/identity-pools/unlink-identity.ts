/** UnlinkIdentity: removes logins from an identity, for the holder of one of its logins. */
import { authorizeIdentity } from './authorize-identity.ts';
import type { Logins } from './logins.ts';
import { fail, identityKeys, providerKey, type IdentityPoolServices } from './model.ts';

export interface UnlinkIdentityRequest {
  IdentityId: string;
  Logins: Logins;
  LoginsToRemove: string[];
}

export async function unlinkIdentity(
  request: UnlinkIdentityRequest,
  services: IdentityPoolServices,
): Promise<Record<string, never>> {
  if (Object.keys(request.Logins ?? {}).length === 0)
    fail('NotAuthorizedException', 'UnlinkIdentity needs a login of the identity.');
  const { identity } = await authorizeIdentity(request.IdentityId, request.Logins, services);
  const removed = request.LoginsToRemove.flatMap((name) => {
    const key = providerKey(name, services.settings);
    return key !== undefined && identity.logins[key] !== undefined ? [key] : [];
  });
  if (removed.length === 0) return {};
  const logins = Object.fromEntries(
    Object.entries(identity.logins).filter(([provider]) => !removed.includes(provider)),
  );
  await services.store.transactWrite([
    {
      update: {
        key: identityKeys.identity(identity.identityId),
        set: { logins, lastModified: services.clock.now() },
      },
      conditions: [{ op: 'itemExists' }],
    },
    ...removed.map((provider) => ({
      delete: identityKeys.login(provider, identity.logins[provider] as string),
    })),
  ]);
  return {};
}
