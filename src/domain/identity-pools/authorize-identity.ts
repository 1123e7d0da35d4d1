/**
 * Whom a request with an identity id and `Logins` speaks for, as Cognito decides it: a guest
 * identity without logins; a signed-in one only with a login linked to it. A guest identity given
 * a login is linked to it, or, when the login already has an identity, merged into that one (the
 * guest id stops existing and the answer names the signed-in identity).
 */
import { linkLogin, linkedIdentity, verifyLogins, type Logins } from './logins.ts';
import { fail, identityKeys, readIdentity, type IdentityPoolServices, type IdentityRecord } from './model.ts';
import type { RoleType } from './session-tokens.ts';

export interface AuthorizedIdentity {
  identity: IdentityRecord;
  role: RoleType;
}

const loginsDoNotMatch = () =>
  fail(
    'NotAuthorizedException',
    "Logins don't match. Please include at least one valid login for this identity or identity pool.",
  );

export async function authorizeIdentity(
  identityId: string,
  logins: Logins,
  services: IdentityPoolServices,
): Promise<AuthorizedIdentity> {
  const verified = await verifyLogins(logins, services);
  let identity = await readIdentity(identityId, services);
  if (verified.length === 0) {
    if (Object.keys(identity.logins).length > 0) loginsDoNotMatch();
    if (!services.settings.allowGuests)
      fail('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
    return { identity, role: 'unauthenticated' };
  }
  for (const login of verified) {
    const owner = await linkedIdentity(login, services);
    if (owner === identity.identityId) continue;
    const signedIn = Object.keys(identity.logins).length > 0;
    if (owner !== undefined) {
      if (signedIn) loginsDoNotMatch();
      await services.store.delete({ key: identityKeys.identity(identity.identityId) });
      identity = await readIdentity(owner, services);
      continue;
    }
    if (identity.logins[login.provider] !== undefined) loginsDoNotMatch();
    await linkLogin(identity, login, services);
    identity = { ...identity, logins: { ...identity.logins, [login.provider]: login.subject } };
  }
  return { identity, role: 'authenticated' };
}
