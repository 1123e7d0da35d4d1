/**
 * Sign-in through a SAML 2.0 identity provider, as Cognito's hosted UI does it: SP-initiated from
 * /oauth2/authorize?identity_provider=<name> (an AuthnRequest whose RelayState is a single-use
 * state bound to the browser), the provider's Response POSTed to /saml2/idpresponse, and
 * IdP-initiated sign-in (the app's authorize parameters in the RelayState) only where the
 * provider allows it (Cognito's `IDPInit`). Each assertion is accepted once.
 */
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { SamlIdentityProvider, SamlServiceProvider } from '../../ports/saml-federation.ts';
import { claimState, type FederationOutcome } from './federation-flow.ts';
import { federatedSignIn } from './federated-sign-in.ts';
import { sha256, type IdentityServices } from './model.ts';
import { parseAuthorizeRequest, type AuthorizationRequest, type HostedUiSettings } from './oauth.ts';

const samlStateMs = 10 * 60 * 1000;
/** Cognito accepts assertions of up to 100,000 characters; base64 makes that about 136,000. */
const samlResponseChars = 140_000;

export const samlKeys = {
  state: (state: string) => ({ PK: `SAMLSTATE#${sha256(state)}`, SK: 'STATE' }),
  /** A used assertion, by its issuer and ID, kept until it could no longer be presented. */
  assertion: (issuer: string, id: string) => ({
    PK: `SAMLASSERTION#${sha256(`${issuer}\n${id}`)}`,
    SK: 'USED',
  }),
};

const expired = () => new PlazaError('invalid_request', 'The sign-in has expired; please start again.');

/** The pool as a service provider: Cognito's entity ID (`urn:amazon:cognito:sp:<pool id>`) and its ACS URL. */
export function samlServiceProvider(
  { pool }: Pick<IdentityServices, 'pool'>,
  hosted: HostedUiSettings,
): SamlServiceProvider {
  return {
    entityId: `urn:amazon:cognito:sp:${pool.userPoolId}`,
    acsUrl: hosted.saml?.acsUrl() ?? '',
  };
}

function samlProvider(hosted: HostedUiSettings, name: string): SamlIdentityProvider | undefined {
  return hosted.saml?.providers.get(name);
}

/**
 * /oauth2/authorize?identity_provider=<a SAML provider>: remembers the app's request and the
 * AuthnRequest's ID under a fresh state (the RelayState), with a hash of the browser's binding
 * cookie, and answers the provider's single sign-on URL.
 */
export async function startSamlFederation(
  request: AuthorizationRequest & { identityProvider: string },
  binding: string,
  services: IdentityServices,
  hosted: HostedUiSettings,
): Promise<string> {
  const { users, clock, ids } = services;
  const provider = samlProvider(hosted, request.identityProvider);
  if (!provider) throw new PlazaError('invalid_request', 'Unknown identity_provider.');
  const state = ids.secret(32);
  const { url, requestId } = await provider.authnRequest(samlServiceProvider(services, hosted), state);
  const expiresAt = clock.now() + samlStateMs;
  await users.put({
    item: {
      ...samlKeys.state(state),
      request: JSON.stringify(request),
      requestId,
      binding: sha256(binding),
      expiresAt,
      ttl: Math.ceil(expiresAt / 1000),
    },
  });
  return url;
}

export type SamlPostOutcome =
  /** SP-initiated: the Response is kept with its state; the browser goes on to GET /saml2/idpresponse?state=…. */
  | { kind: 'continue'; state: string }
  /** IdP-initiated with unusable app parameters that still name the app: told there. */
  | { kind: 'redirect'; url: string }
  | FederationOutcome;

/**
 * POST /saml2/idpresponse. A RelayState that is one of our states gets the Response kept with it
 * (a cross-site POST carries no SameSite=Lax cookie, so the browser binding is checked on the GET
 * that follows); any other RelayState is an IdP-initiated sign-in, refused unless the provider allows it.
 */
export async function acceptSamlResponse(
  form: { SAMLResponse: string | undefined; RelayState: string | undefined },
  services: IdentityServices,
  hosted: HostedUiSettings,
  log: (message: string, error: unknown) => void,
): Promise<SamlPostOutcome> {
  const { SAMLResponse: samlResponse, RelayState: relayState } = form;
  if (!samlResponse || samlResponse.length > samlResponseChars || !relayState || relayState.length > 4096)
    throw new PlazaError('invalid_request', 'A SAMLResponse and a RelayState are required.');
  if (relayState.length <= 200) {
    try {
      await services.users.update({
        key: samlKeys.state(relayState),
        set: { postedResponse: samlResponse },
        // One Response per state: a second POST cannot replace the first.
        conditions: [{ op: 'itemExists' }, { op: 'attributeNotExists', attribute: 'postedResponse' }],
      });
      return { kind: 'continue', state: relayState };
    } catch (error) {
      // Not a state of ours (or already answered): read as an IdP-initiated RelayState below.
      if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }
  return idpInitiatedSignIn(samlResponse, relayState, services, hosted, log);
}

/** Cognito's IdP-initiated RelayState: the parameters the app would have sent to /oauth2/authorize. */
async function idpInitiatedSignIn(
  samlResponse: string,
  relayState: string,
  services: IdentityServices,
  hosted: HostedUiSettings,
  log: (message: string, error: unknown) => void,
): Promise<SamlPostOutcome> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(relayState)) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  const provider =
    typeof query.identity_provider === 'string' ? samlProvider(hosted, query.identity_provider) : undefined;
  if (!provider) throw expired();
  if (!provider.idpInitiated)
    throw new PlazaError(
      'invalid_request',
      'IdP-initiated sign-in is not enabled for this identity provider.',
    );
  const outcome = parseAuthorizeRequest(query, services.pool.clientId, hosted);
  if (outcome.kind === 'error') throw new PlazaError('invalid_request', outcome.description);
  if (outcome.kind === 'redirect') return outcome;
  return verifiedSignIn(provider, samlResponse, undefined, outcome.request, services, hosted, log);
}

/**
 * GET /saml2/idpresponse?state=…: the state is used up on first sight and must belong to this
 * browser; the Response kept with it must answer the AuthnRequest made for it.
 */
export async function finishSamlFederation(
  input: { state: string | undefined; binding: string | undefined },
  services: IdentityServices,
  hosted: HostedUiSettings,
  log: (message: string, error: unknown) => void,
): Promise<FederationOutcome> {
  const item = await claimState(input, samlKeys.state, services, expired);
  if (typeof item.postedResponse !== 'string') throw expired();
  const request = JSON.parse(String(item.request)) as AuthorizationRequest & { identityProvider: string };
  const provider = samlProvider(hosted, request.identityProvider);
  if (!provider) throw expired();
  return verifiedSignIn(
    provider,
    item.postedResponse,
    String(item.requestId),
    request,
    services,
    hosted,
    log,
  );
}

/** The Response verified, its assertion used up, and the user linked by (IdP entity ID, NameID). */
async function verifiedSignIn(
  provider: SamlIdentityProvider,
  samlResponse: string,
  requestId: string | undefined,
  request: AuthorizationRequest,
  services: IdentityServices,
  hosted: HostedUiSettings,
  log: (message: string, error: unknown) => void,
): Promise<FederationOutcome> {
  const refused = (description: string): FederationOutcome => ({
    kind: 'refused',
    request,
    error: 'access_denied',
    description,
  });
  let identity;
  try {
    identity = await provider.verify(samlServiceProvider(services, hosted), samlResponse, requestId);
  } catch (error) {
    log(`SAML sign-in with ${provider.name} refused`, error);
    return refused('The identity provider’s answer could not be verified.');
  }
  try {
    await services.users.put({
      item: {
        ...samlKeys.assertion(identity.issuer, identity.assertionId),
        ttl: Math.ceil(identity.notOnOrAfter / 1000),
      },
      conditions: [{ op: 'itemNotExists' }],
    });
  } catch (error) {
    if (!isPlazaError(error, 'ConditionalCheckFailedException')) throw error;
    return refused('The identity provider’s answer was already used.');
  }
  const user = await federatedSignIn(
    { name: provider.name, attributeMapping: provider.attributeMapping, providerType: 'SAML' },
    identity,
    services,
  );
  return { kind: 'signedIn', request, user };
}
