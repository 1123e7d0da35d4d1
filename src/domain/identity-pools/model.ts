/**
 * The identity pool (Cognito's "federated identities"): identities, guest or signed in through the
 * user pool, kept in the user pool's table beside the users, and the services its operations use.
 */
import { createHash } from 'node:crypto';
import { PlazaError, type ErrorCode } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { TokenSigner } from '../../ports/identity.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import type { Ids } from '../../ports/ids.ts';
import type { Item, ItemStore } from '../../ports/item-store/item-store.ts';
import type { RoleType, SessionTokens } from './session-tokens.ts';

export interface IdentityPoolSettings {
  identityPoolId: string;
  identityPoolName: string;
  region: string;
  /** Guests get identities and the unauthenticated role's credentials (Cognito's AllowUnauthenticatedIdentities). */
  allowGuests: boolean;
  /** The user pool's key in `Logins`: its issuer without the scheme (`127.0.0.1:4000/<userPoolId>`). */
  providerName(): string;
  /** The user pool's id: what logins are kept under, since the issuer's host moves with the server's URL. */
  userPoolId: string;
  /** The user pool's app client whose ID tokens are accepted. */
  clientId: string;
  roles: Record<RoleType, string>;
  /** How long credentials last (Cognito's: one hour). */
  credentialSeconds: number;
  /** The `iss` of GetOpenIdToken's tokens. */
  openIdIssuer(): string;
}

export interface IdentityPoolServices {
  /** The user pool's table. */
  store: ItemStore;
  clock: Clock;
  ids: Ids;
  /** Checks the user pool's ID tokens given in `Logins`. */
  verifier: IdentityVerifier;
  /** Signs GetOpenIdToken's tokens with the pool's keys. */
  signer: TokenSigner;
  tokens: SessionTokens;
  settings: IdentityPoolSettings;
}

/** An identity: the logins linked to it (provider's key → the provider's subject); none for a guest. */
export interface IdentityRecord {
  identityId: string;
  logins: Record<string, string>;
  createdAt: number;
  lastModified: number;
}

export const identityKeys = {
  identity: (identityId: string) => ({ PK: `IDENTITY#${identityId}`, SK: 'IDENTITY' }),
  /** A login's one identity: the conditional put on it keeps a user to one identity. */
  login: (provider: string, subject: string) => ({ PK: `LOGIN#${provider}#${subject}`, SK: 'IDENTITY' }),
};

/** The GSI1 partition that lists a pool's identities. */
export const identitiesPartition = (identityPoolId: string) => `IDENTITIES#${identityPoolId}`;

export function identityItem(record: IdentityRecord, identityPoolId: string): Item {
  return {
    ...identityKeys.identity(record.identityId),
    GSI1PK: identitiesPartition(identityPoolId),
    GSI1SK: record.identityId,
    identityId: record.identityId,
    logins: record.logins,
    createdAt: record.createdAt,
    lastModified: record.lastModified,
  };
}

export function toIdentityRecord(item: Item): IdentityRecord {
  return {
    identityId: String(item.identityId),
    logins: (item.logins ?? {}) as Record<string, string>,
    createdAt: Number(item.createdAt),
    lastModified: Number(item.lastModified),
  };
}

/**
 * The pool's id, `<region>:<uuid>`, derived from the user pool's id so it is stable across restarts
 * without a file of its own and differs between installs.
 */
export function identityPoolIdFor(region: string, userPoolId: string): string {
  const hex = createHash('sha256').update(`identity-pool:${userPoolId}`).digest('hex');
  return `${region}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The key a login is kept under, for a provider name in `Logins`; undefined for a provider the pool has not. */
export function providerKey(name: string, settings: IdentityPoolSettings): string | undefined {
  return name === settings.providerName() ? settings.userPoolId : undefined;
}

/** The provider name clients know a kept login by. */
export function providerNameOf(key: string, settings: IdentityPoolSettings): string {
  return key === settings.userPoolId ? settings.providerName() : key;
}

export function fail(code: ErrorCode, message: string): never {
  throw new PlazaError(code, message);
}

export function requirePool(identityPoolId: string, settings: IdentityPoolSettings): void {
  if (identityPoolId !== settings.identityPoolId)
    fail('ResourceNotFoundException', `IdentityPool '${identityPoolId}' not found.`);
}

/** The identity, read consistently; ResourceNotFoundException when there is none. */
export async function readIdentity(
  identityId: string,
  services: IdentityPoolServices,
): Promise<IdentityRecord> {
  // An identity id names its pool's region; one of another pool cannot be ours.
  if (!identityId.startsWith(`${services.settings.region}:`))
    fail('ResourceNotFoundException', `Identity '${identityId}' not found.`);
  const { item } = await services.store.get(identityKeys.identity(identityId), { consistent: true });
  if (!item) fail('ResourceNotFoundException', `Identity '${identityId}' not found.`);
  return toIdentityRecord(item);
}
