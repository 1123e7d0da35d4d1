import { PlazaError } from '../../platform/errors.ts';
import type { FederatedIdentityProvider } from '../../ports/federation.ts';
import type { Item, Key } from '../../ports/item-store/item-store.ts';
import { federatedSignIn } from './federated-sign-in.ts';
import { sha256, type IdentityServices, type UserRecord } from './model.ts';
import {
  oauthKeys,
  pkceChallenge,
  sameText,
  type AuthorizationRequest,
  type HostedUiSettings,
} from './oauth.ts';

const federationStateMs = 10 * 60 * 1000;

/**
 * /oauth2/authorize?identity_provider=<name>: remembers the app's request under a fresh `state`,
 * with the nonce and PKCE verifier sent to the provider and a hash of the browser's binding
 * cookie, and answers the provider's authorization URL.
 */
export async function startFederation(
  request: AuthorizationRequest & { identityProvider: string },
  binding: string,
  services: IdentityServices,
  hosted: HostedUiSettings,
): Promise<string> {
  const { users, clock, ids } = services;
  const provider = hosted.providers.get(request.identityProvider);
  if (!provider) throw new PlazaError('invalid_request', 'Unknown identity_provider.');
  const state = ids.secret(32);
  const nonce = ids.secret(32);
  const codeVerifier = ids.secret(48);
  const expiresAt = clock.now() + federationStateMs;
  await users.put({
    item: {
      ...oauthKeys.federationState(state),
      request: JSON.stringify(request),
      nonce,
      codeVerifier,
      binding: sha256(binding),
      expiresAt,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return provider.authorizationUrl({
    redirectUri: hosted.idpResponseUrl(),
    state,
    nonce,
    codeChallenge: pkceChallenge(codeVerifier),
  });
}

export type FederationOutcome =
  | { kind: 'signedIn'; request: AuthorizationRequest; user: UserRecord }
  /** The provider refused, or its answer did not verify: the app is told, without a code. */
  | { kind: 'refused'; request: AuthorizationRequest; error: string; description: string };

/**
 * Uses up a federated sign-in's state on first sight: its item, unexpired and bound to this
 * browser (the binding cookie's value, kept hashed). Anything else is `refused()`.
 */
export async function claimState(
  input: { state: string | undefined; binding: string | undefined },
  keyOf: (state: string) => Key,
  services: Pick<IdentityServices, 'users' | 'clock'>,
  refused: () => PlazaError,
): Promise<Item> {
  if (!input.state || input.state.length > 200 || !input.binding) throw refused();
  let item: Item | undefined;
  try {
    ({ previous: item } = await services.users.delete({
      key: keyOf(input.state),
      conditions: [{ op: 'itemExists' }],
    }));
  } catch {
    throw refused();
  }
  if (
    !item ||
    Number(item.expiresAt) <= services.clock.now() ||
    !sameText(String(item.binding), sha256(input.binding))
  )
    throw refused();
  return item;
}

/**
 * /oauth2/idpresponse: the provider's answer. The state is used up on first sight and must belong
 * to this browser; the code is exchanged and the ID token verified (iss, aud, exp, nonce, signature),
 * then the user is linked or created.
 */
export async function finishFederation(
  input: {
    state: string | undefined;
    code: string | undefined;
    error: string | undefined;
    binding: string | undefined;
  },
  services: IdentityServices,
  hosted: HostedUiSettings,
  log: (message: string, error: unknown) => void,
): Promise<FederationOutcome> {
  const unknownState = () =>
    new PlazaError('invalid_request', 'The sign-in has expired; please start again.');
  const item = await claimState(input, oauthKeys.federationState, services, unknownState);
  const request = JSON.parse(String(item.request)) as AuthorizationRequest & { identityProvider: string };
  const provider = hosted.providers.get(request.identityProvider);
  if (!provider) throw unknownState();
  const answer = providerAnswer(provider, item, input);
  if (answer.error !== undefined || !answer.code)
    return {
      kind: 'refused',
      request,
      error: 'access_denied',
      description: 'The identity provider refused the sign-in.',
    };
  let identity;
  try {
    identity = await provider.redeem({
      code: answer.code,
      response: answer.response,
      codeVerifier: String(item.codeVerifier),
      redirectUri: hosted.idpResponseUrl(),
      nonce: String(item.nonce),
    });
  } catch (error) {
    log(`federated sign-in with ${provider.name} refused`, error);
    return {
      kind: 'refused',
      request,
      error: 'access_denied',
      description: 'The identity provider’s answer could not be verified.',
    };
  }
  return { kind: 'signedIn', request, user: await federatedSignIn(provider, identity, services) };
}

const postedAnswerBytes = 8 * 1024;
const postedFields = ['code', 'error', 'user'];

/**
 * POST /oauth2/idpresponse (`response_mode=form_post`, Sign in with Apple): the provider's answer
 * is kept with the state, which is not used up here; the browser is then sent to GET
 * /oauth2/idpresponse?state=…, which finishes. A cross-site POST carries no SameSite=Lax cookie,
 * so only that same-site GET can check the browser binding. Returns the state.
 */
export async function acceptPostedAnswer(
  form: Record<string, string>,
  { users }: Pick<IdentityServices, 'users'>,
): Promise<string> {
  const { state } = form;
  // Only what is read later: Apple's POSTed ID token is not kept (the token endpoint's one is verified).
  const answer = Object.fromEntries(Object.entries(form).filter(([name]) => postedFields.includes(name)));
  const expired = new PlazaError('invalid_request', 'The sign-in has expired; please start again.');
  const stored = JSON.stringify(answer);
  if (!state || state.length > 200 || Buffer.byteLength(stored) > postedAnswerBytes) throw expired;
  try {
    await users.update({
      key: oauthKeys.federationState(state),
      set: { postedAnswer: stored },
      // One answer per state: a second POST cannot replace the first.
      conditions: [{ op: 'itemExists' }, { op: 'attributeNotExists', attribute: 'postedAnswer' }],
    });
  } catch {
    throw expired;
  }
  return state;
}

/**
 * The provider's answer: from the query for most providers, from the POSTed form for a
 * `form_post` provider, which must not be answered by a GET alone (nor a GET one by a POST).
 */
function providerAnswer(
  provider: FederatedIdentityProvider,
  item: Record<string, unknown>,
  input: { code: string | undefined; error: string | undefined },
): { code: string | undefined; error: string | undefined; response: Record<string, string> } {
  const posted = typeof item.postedAnswer === 'string' ? item.postedAnswer : undefined;
  if (provider.responseMode !== 'form_post') {
    if (posted !== undefined) throw new PlazaError('invalid_request', 'Unexpected answer.');
    return { code: input.code, error: input.error, response: {} };
  }
  if (posted === undefined || input.code !== undefined || input.error !== undefined)
    throw new PlazaError('invalid_request', 'The identity provider’s answer must be POSTed.');
  const { code, error, ...response } = JSON.parse(posted) as Record<string, string>;
  return { code, error, response };
}
