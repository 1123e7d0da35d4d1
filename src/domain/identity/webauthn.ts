/**
 * Passkeys (WebAuthn) in the user pool: the relying party the pool speaks for, the origins it
 * accepts, and the credentials kept under each user (`USER#<sub>` / `WEBAUTHN#<credential id>`,
 * so they go when the user goes). The ceremonies themselves are @simplewebauthn/server's.
 */
import { isIP } from 'node:net';
import type { Item } from '../../ports/item-store/item-store.ts';
import { fail, userKeys, webAuthnCredentialPrefix, type IdentityServices, type UserRecord } from './model.ts';

/**
 * @simplewebauthn/server, loaded at the first ceremony: it and its certificate parsers are about a
 * third of a second of every process's start (the server's, each `plaza` command's), and most
 * processes never see a passkey.
 */
export const webAuthnLibrary = () => import('@simplewebauthn/server');

/** How long a registration or sign-in challenge can be answered, as Cognito's. */
export const webAuthnChallengeMs = 5 * 60 * 1000;
/** Cognito's limit of passkeys per user. */
export const maxCredentialsPerUser = 20;

export interface RelyingParty {
  id: string;
  userVerification: 'required' | 'preferred';
}

export interface StoredCredential {
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  attachment?: string;
  friendlyName: string;
  relyingPartyId: string;
  createdAt: number;
}

type PoolServices = Pick<IdentityServices, 'pool' | 'users'>;

/** What SetUserPoolMfaConfig set for passkeys, if anything. */
export async function storedWebAuthnConfig({ users }: Pick<IdentityServices, 'users'>) {
  const { item } = await users.get(userKeys.webAuthnConfig(), { consistent: true });
  return item as { relyingPartyId?: string; userVerification?: RelyingParty['userVerification'] } | undefined;
}

/**
 * The relying party: SetUserPoolMfaConfig's id, else the configured one, else the host of the
 * pool's URL. Browsers refuse IP addresses as ids, so a loopback address becomes `localhost` (the
 * page must be opened there) and any other address needs an id configured.
 */
export async function relyingParty(services: PoolServices): Promise<RelyingParty> {
  const configured = services.pool.webAuthn;
  if (configured?.enabled === false)
    fail('WebAuthnNotEnabledException', 'Passkeys are turned off in this user pool (userPool.webAuthn).');
  const stored = await storedWebAuthnConfig(services);
  const id = stored?.relyingPartyId ?? configured?.relyingPartyId ?? hostRelyingParty(services.pool.issuer);
  if (!id)
    fail(
      'WebAuthnConfigurationMissingException',
      "The pool's address is an IP address: set a relying party id (userPool.webAuthn.relyingPartyId or SetUserPoolMfaConfig).",
    );
  return { id, userVerification: stored?.userVerification ?? configured?.userVerification ?? 'preferred' };
}

function hostRelyingParty(issuer: string): string | undefined {
  const host = new URL(issuer).hostname.replace(/^\[|\]$/g, '');
  if (host === '127.0.0.1' || host === '::1') return 'localhost';
  return isIP(host) ? undefined : host;
}

export interface WebAuthnConfiguration {
  RelyingPartyId?: string;
  UserVerification?: string;
  FactorConfiguration?: string;
}

/** SetUserPoolMfaConfig's WebAuthnConfiguration: kept in the table, it overrides the configured one. */
export async function saveWebAuthnConfiguration(
  configuration: WebAuthnConfiguration,
  services: Pick<IdentityServices, 'users'>,
): Promise<void> {
  const { RelyingPartyId, UserVerification, FactorConfiguration } = configuration;
  if (RelyingPartyId !== undefined && !isRelyingPartyId(RelyingPartyId))
    fail('InvalidParameterException', 'RelyingPartyId must be a domain name (not an IP address).');
  if (UserVerification !== undefined && UserVerification !== 'required' && UserVerification !== 'preferred')
    fail('InvalidParameterException', 'UserVerification must be required or preferred.');
  if (FactorConfiguration !== undefined && FactorConfiguration !== 'SINGLE_FACTOR')
    fail(
      'InvalidParameterException',
      'Passkeys are a first factor here: FactorConfiguration SINGLE_FACTOR only.',
    );
  const stored = await storedWebAuthnConfig(services);
  await services.users.put({
    item: {
      ...userKeys.webAuthnConfig(),
      ...stored,
      ...(RelyingPartyId ? { relyingPartyId: RelyingPartyId.toLowerCase() } : {}),
      ...(UserVerification ? { userVerification: UserVerification } : {}),
    },
  });
}

/** GetUserPoolMfaConfig's WebAuthnConfiguration: the relying party in force, if passkeys are on and it has one. */
export async function webAuthnConfiguration(services: PoolServices) {
  const rp = await relyingParty(services).catch(() => undefined);
  return rp
    ? {
        WebAuthnConfiguration: {
          RelyingPartyId: rp.id,
          UserVerification: rp.userVerification,
          FactorConfiguration: 'SINGLE_FACTOR',
        },
      }
    : {};
}

/** A relying party id as WebAuthn takes it: a domain name, never an address. */
export function isRelyingPartyId(id: string): boolean {
  return (
    id.length <= 127 &&
    isIP(id) === 0 &&
    /^(?=.{1,127}$)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i.test(id)
  );
}

/**
 * The origin a ceremony came from, as the browser wrote it in clientDataJSON, if the pool
 * accepts it: the relying party's host or a subdomain, over https (http only on localhost,
 * which browsers count as secure).
 */
export function allowedOrigin(clientDataJSON: unknown, rp: RelyingParty): string {
  let origin: string | undefined;
  try {
    const data = JSON.parse(Buffer.from(String(clientDataJSON), 'base64url').toString('utf8')) as {
      origin?: unknown;
    };
    if (typeof data.origin === 'string') origin = data.origin;
  } catch {
    // answered below
  }
  if (!origin) return fail('InvalidParameterException', 'The credential has no readable clientDataJSON.');
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return fail('WebAuthnOriginNotAllowedException', `Origin ${origin} is not allowed.`);
  }
  const host = url.hostname;
  const local = host === 'localhost' || host.endsWith('.localhost');
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && local);
  if (!secure || !(host === rp.id || host.endsWith(`.${rp.id}`)) || url.origin !== origin)
    fail('WebAuthnOriginNotAllowedException', `Origin ${origin} is not allowed for relying party ${rp.id}.`);
  return origin;
}

/** The user's passkeys, oldest first: one page of at most `limit` after the sort key `after`. */
export async function credentialsOf(
  sub: string,
  { users }: Pick<IdentityServices, 'users'>,
  page: { limit: number; after?: string } = { limit: maxCredentialsPerUser },
): Promise<{ credentials: StoredCredential[]; more: boolean }> {
  const partition = userKeys.user(sub).PK;
  const { items } = await users.query({
    partition,
    sortKey: page.after
      ? {
          op: 'between',
          low: `${webAuthnCredentialPrefix}${page.after}\u0000`,
          high: `${webAuthnCredentialPrefix}\uffff`,
        }
      : { op: 'beginsWith', value: webAuthnCredentialPrefix },
    limit: page.limit + 1,
    consistent: true,
  });
  return { credentials: items.slice(0, page.limit).map(toCredential), more: items.length > page.limit };
}

export async function credentialOf(
  user: Pick<UserRecord, 'sub'>,
  credentialId: string,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<StoredCredential | undefined> {
  if (credentialId.length === 0 || credentialId.length > 1023) return undefined;
  const { item } = await users.get(userKeys.webAuthnCredential(user.sub, credentialId), { consistent: true });
  return item ? toCredential(item) : undefined;
}

function toCredential(item: Item): StoredCredential {
  return item as unknown as StoredCredential;
}

/**
 * Names of well-known passkey providers by AAGUID, as Cognito names a credential after its
 * authenticator; any other is a "Passkey".
 */
const providers: Record<string, string> = {
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
};

export function friendlyName(aaguid: string): string {
  return providers[aaguid] ?? 'Passkey';
}

/**
 * Whether a value has the members of a `PublicKeyCredential.toJSON()` (id, rawId, type) and, in its
 * response, clientDataJSON and `responseMembers` as strings: a registration's or an assertion's.
 */
export function isCredentialJson(value: unknown, responseMembers: string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { id, rawId, type, response } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof rawId !== 'string' || type !== 'public-key') return false;
  if (typeof response !== 'object' || response === null) return false;
  const members = response as Record<string, unknown>;
  return ['clientDataJSON', ...responseMembers].every((member) => typeof members[member] === 'string');
}
