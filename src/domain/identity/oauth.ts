/**
 * The hosted UI's model, as Cognito serves it on its domain: authorization
 * requests (code flow with PKCE S256 only, exact redirect URIs), single-use
 * authorization codes, and the hosted UI's own sign-in session. Everything is
 * kept in the pool's table under hashes of the secrets handed out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { PlazaError } from '../../platform/errors.ts';
import type { FederatedIdentityProvider } from '../../ports/federation.ts';
import type { SamlFederation } from '../../ports/saml-federation.ts';
import {
  revokedSince,
  sha256,
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from './model.ts';

/** The user's revocation count now, for a session or code about to be issued. */
async function revocationsOf(sub: string, users: IdentityServices['users']): Promise<number> {
  const { item } = await users.get(userKeys.user(sub), { consistent: true });
  return Number(item?.revocations ?? 0);
}

export interface HostedUiSettings {
  /** The app client's callback URLs (exact match). */
  callbackUrls(): string[];
  /** The app client's sign-out URLs (exact match). */
  logoutUrls(): string[];
  providers: ReadonlyMap<string, FederatedIdentityProvider>;
  /** `<base URL>/oauth2/idpresponse`, where providers send the browser back. */
  idpResponseUrl(): string;
  /** SAML 2.0 providers (their names share `identity_provider` with the others); absent: none. */
  saml?: SamlFederation;
}

export const oauthKeys = {
  code: (code: string) => ({ PK: `AUTHCODE#${sha256(code)}`, SK: 'CODE' }),
  session: (session: string) => ({ PK: `HOSTED#${sha256(session)}`, SK: 'SESSION' }),
  pendingMfa: (token: string) => ({ PK: `HOSTEDMFA#${sha256(token)}`, SK: 'SESSION' }),
  federationState: (state: string) => ({ PK: `FEDSTATE#${sha256(state)}`, SK: 'STATE' }),
  /** A federated user, by the provider's (issuer, sub): never by email. */
  federatedIdentity: (issuer: string, subject: string) => ({
    PK: `IDENTITY#${sha256(`${issuer}\n${subject}`)}`,
    SK: 'LINK',
  }),
};

/** Cognito's lifetimes: codes five minutes, the hosted UI's session an hour. */
export const authorizationCodeMs = 5 * 60 * 1000;
export const hostedSessionMs = 60 * 60 * 1000;
export const pendingMfaMs = 3 * 60 * 1000;

export const supportedScopes = ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'];

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string;
  nonce: string | undefined;
  identityProvider: string | undefined;
}

export type AuthorizeOutcome =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** The client or redirect URI cannot be trusted: shown to the user, never redirected (RFC 6749 §4.1.2.1). */
  | { kind: 'error'; error: string; description: string }
  | { kind: 'redirect'; url: string };

const codeChallengePattern = /^[A-Za-z0-9_-]{43}$/;
const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
}

/** `redirectUri` with the parameters added (the callback URL may carry a query of its own). */
export function withParameters(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** Checks /oauth2/authorize's (and /login's) parameters against the app client's settings. */
export function parseAuthorizeRequest(
  query: Record<string, unknown>,
  clientId: string,
  hosted: HostedUiSettings,
): AuthorizeOutcome {
  const client = single(query, 'client_id');
  const redirectUri = single(query, 'redirect_uri');
  if (client === undefined || !sameText(client, clientId))
    return { kind: 'error', error: 'invalid_client', description: 'Unknown client_id.' };
  if (redirectUri === undefined || !hosted.callbackUrls().some((allowed) => sameText(allowed, redirectUri)))
    return { kind: 'error', error: 'redirect_mismatch', description: 'redirect_uri is not a callback URL.' };
  const state = single(query, 'state');
  const refuse = (error: string, description: string): AuthorizeOutcome => ({
    kind: 'redirect',
    url: withParameters(redirectUri, { error, error_description: description, state }),
  });
  for (const name of Object.keys(query)) {
    // A repeated parameter is ambiguous (RFC 6749 §3.1).
    if (Array.isArray(query[name])) return refuse('invalid_request', `${name} is repeated`);
  }
  if (single(query, 'response_type') !== 'code')
    return refuse('unsupported_response_type', 'Only response_type=code is supported.');
  const codeChallenge = single(query, 'code_challenge');
  if (codeChallenge === undefined || single(query, 'code_challenge_method') !== 'S256')
    return refuse('invalid_request', 'PKCE with code_challenge_method=S256 is required.');
  if (!codeChallengePattern.test(codeChallenge))
    return refuse('invalid_request', 'code_challenge is not a base64url SHA-256.');
  const scope = single(query, 'scope');
  // No scope: every scope the client allows, as Cognito does.
  const scopes = scope === undefined ? [...supportedScopes] : [...new Set(scope.split(' ').filter(Boolean))];
  if (scopes.length === 0 || scopes.some((name) => !supportedScopes.includes(name)))
    return refuse('invalid_scope', 'Unsupported scope.');
  const identityProvider = single(query, 'identity_provider');
  if (
    identityProvider !== undefined &&
    identityProvider !== 'COGNITO' &&
    !hosted.providers.has(identityProvider) &&
    !hosted.saml?.providers.has(identityProvider)
  )
    return refuse('invalid_request', 'Unknown identity_provider.');
  const nonce = single(query, 'nonce');
  if ((state?.length ?? 0) > 2048 || (nonce?.length ?? 0) > 2048)
    return refuse('invalid_request', 'state or nonce is too long.');
  return {
    kind: 'ok',
    request: {
      clientId,
      redirectUri,
      state,
      scopes,
      codeChallenge,
      nonce,
      identityProvider: identityProvider === 'COGNITO' ? undefined : identityProvider,
    },
  };
}

/** The authorize request's parameters again, to carry it through /login and back. */
export function authorizeParameters(request: AuthorizationRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: request.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function sameText(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever differs.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A single-use code for the app, bound to its client, redirect URI and PKCE challenge. */
export async function issueAuthorizationCode(
  request: AuthorizationRequest,
  sub: string,
  authTime: number,
  { users, clock, ids }: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<string> {
  const code = ids.secret(32);
  const expiresAt = clock.now() + authorizationCodeMs;
  await users.put({
    item: {
      ...oauthKeys.code(code),
      sub,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scopes.join(' '),
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      authTime,
      issuedAt: clock.now(),
      revocations: await revocationsOf(sub, users),
      expiresAt,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return code;
}

const invalidGrant = (): never => {
  throw new PlazaError('invalid_grant', 'The authorization code is invalid, expired or already used.');
};

/**
 * Redeems a code at the token endpoint. It is used up by the first attempt, right or wrong
 * (a conditional delete, so two concurrent redemptions cannot both win), then every binding is checked.
 */
export async function redeemAuthorizationCode(
  input: { code: string; clientId: string; redirectUri: string; codeVerifier: string },
  { users, clock }: Pick<IdentityServices, 'users' | 'clock'>,
): Promise<{ user: UserRecord; scopes: string[]; nonce: string | undefined; authTime: number }> {
  if (input.code.length < 20 || input.code.length > 200) return invalidGrant();
  let item;
  try {
    ({ previous: item } = await users.delete({
      key: oauthKeys.code(input.code),
      conditions: [{ op: 'itemExists' }],
    }));
  } catch {
    return invalidGrant();
  }
  if (!item || Number(item.expiresAt) <= clock.now()) return invalidGrant();
  if (!sameText(String(item.clientId), input.clientId)) return invalidGrant();
  if (!sameText(String(item.redirectUri), input.redirectUri)) return invalidGrant();
  if (!verifierPattern.test(input.codeVerifier)) return invalidGrant();
  if (!sameText(pkceChallenge(input.codeVerifier), String(item.codeChallenge))) return invalidGrant();
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) return invalidGrant();
  const user = toUserRecord(userItem);
  // Disabled, or signed out everywhere since the code was issued.
  if (!user.enabled || revokedSince(item, 'issuedAt', user)) return invalidGrant();
  return {
    user,
    scopes: String(item.scope).split(' '),
    nonce: item.nonce === undefined ? undefined : String(item.nonce),
    authTime: Number(item.authTime),
  };
}

/** The hosted UI remembers a sign-in for an hour (Cognito's session cookie), so apps can come back without a password. */
export async function startHostedSession(
  sub: string,
  { users, clock, ids }: Pick<IdentityServices, 'users' | 'clock' | 'ids'>,
): Promise<{ session: string; authTime: number }> {
  const session = ids.secret(32);
  const authTime = Math.floor(clock.now() / 1000);
  const expiresAt = clock.now() + hostedSessionMs;
  await users.put({
    item: {
      ...oauthKeys.session(session),
      sub,
      authTime,
      createdAt: clock.now(),
      revocations: await revocationsOf(sub, users),
      expiresAt,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return { session, authTime };
}

/** The signed-in user of a hosted-UI session, if it is still good. */
export async function hostedSessionUser(
  session: string | undefined,
  { users, clock }: Pick<IdentityServices, 'users' | 'clock'>,
): Promise<{ user: UserRecord; authTime: number } | undefined> {
  if (!session || session.length > 200) return undefined;
  const { item } = await users.get(oauthKeys.session(session), { consistent: true });
  if (!item || Number(item.expiresAt) <= clock.now()) return undefined;
  const { item: userItem } = await users.get(userKeys.user(String(item.sub)), { consistent: true });
  if (!userItem) return undefined;
  const user = toUserRecord(userItem);
  // A global sign-out, password change or disable ends the hosted session too.
  if (!user.enabled || user.status === 'UNCONFIRMED' || revokedSince(item, 'createdAt', user))
    return undefined;
  return { user, authTime: Number(item.authTime) };
}

export async function endHostedSession(
  session: string | undefined,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<void> {
  if (session && session.length <= 200) await users.delete({ key: oauthKeys.session(session) });
}
