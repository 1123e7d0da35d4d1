/**
 * `Logins`, as Cognito reads them: each entry names a provider of the pool and carries its token.
 * The one provider is the user pool, whose ID tokens are checked with its keys.
 */
import { isPlazaError } from '../../platform/errors.ts';
import {
  fail,
  identityItem,
  identityKeys,
  providerKey,
  type IdentityPoolServices,
  type IdentityRecord,
} from './model.ts';

export type Logins = Record<string, string> | undefined;

/** A verified login: the provider's key (providerKey) and the user it vouches for. */
export interface VerifiedLogin {
  provider: string;
  subject: string;
}

/** The logins' users, every token checked; NotAuthorizedException for an unknown provider or a bad token. */
export async function verifyLogins(logins: Logins, services: IdentityPoolServices): Promise<VerifiedLogin[]> {
  const entries = Object.entries(logins ?? {});
  const verified: VerifiedLogin[] = [];
  for (const [name, token] of entries) {
    const provider = providerKey(name, services.settings);
    if (provider === undefined)
      fail('NotAuthorizedException', 'Token is not from a supported provider of this identity pool.');
    let caller;
    try {
      caller = await services.verifier.verify(token);
    } catch (error) {
      if (!isPlazaError(error)) throw error;
      fail('NotAuthorizedException', 'Invalid login token.');
    }
    if (caller.tokenUse !== 'id' || caller.claims.aud !== services.settings.clientId)
      fail(
        'NotAuthorizedException',
        'Invalid login token. Not a Cognito ID token of this pool’s app client.',
      );
    verified.push({ provider, subject: caller.sub });
  }
  return verified;
}

/** The identity a login is linked to, if any. */
export async function linkedIdentity(
  login: VerifiedLogin,
  services: IdentityPoolServices,
): Promise<string | undefined> {
  const { item } = await services.store.get(identityKeys.login(login.provider, login.subject), {
    consistent: true,
  });
  return item ? String(item.identityId) : undefined;
}

/**
 * A new identity, linked to the login when there is one. Two first sign-ins of the same user at
 * once make one identity: the loser of the login's conditional put answers with the winner's.
 */
export async function createIdentity(
  login: VerifiedLogin | undefined,
  services: IdentityPoolServices,
): Promise<string> {
  const { settings, clock, ids, store } = services;
  const now = clock.now();
  const record: IdentityRecord = {
    identityId: `${settings.region}:${ids.uuid()}`,
    logins: login ? { [login.provider]: login.subject } : {},
    createdAt: now,
    lastModified: now,
  };
  const item = identityItem(record, settings.identityPoolId);
  if (!login) {
    await store.put({ item, conditions: [{ op: 'itemNotExists' }] });
    return record.identityId;
  }
  try {
    await store.transactWrite([
      { put: item, conditions: [{ op: 'itemNotExists' }] },
      {
        put: { ...identityKeys.login(login.provider, login.subject), identityId: record.identityId },
        conditions: [{ op: 'itemNotExists' }],
      },
    ]);
    return record.identityId;
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    const winner = await linkedIdentity(login, services);
    if (!winner) throw error;
    return winner;
  }
}

/** Links a login to a guest identity, which becomes a signed-in one (Cognito's link on first sign-in). */
export async function linkLogin(
  identity: IdentityRecord,
  login: VerifiedLogin,
  services: IdentityPoolServices,
): Promise<void> {
  const { store, clock } = services;
  try {
    await store.transactWrite([
      {
        update: {
          key: identityKeys.identity(identity.identityId),
          set: { logins: { ...identity.logins, [login.provider]: login.subject }, lastModified: clock.now() },
        },
        conditions: [{ op: 'itemExists' }],
      },
      {
        put: { ...identityKeys.login(login.provider, login.subject), identityId: identity.identityId },
        conditions: [{ op: 'itemNotExists' }],
      },
    ]);
  } catch (error) {
    if (!isPlazaError(error, 'TransactionCanceledException')) throw error;
    fail('ResourceConflictException', 'The login is already linked to another identity.');
  }
}
