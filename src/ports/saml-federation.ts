/**
 * SAML 2.0 identity providers the user pool federates to (Cognito's SAML "identity providers"):
 * the AuthnRequest the browser carries to the provider (HTTP-Redirect binding), and the verified
 * identity in the Response it posts back (HTTP-POST binding).
 */
import type { FederatedIdentity } from './federation.ts';

/** The pool as a SAML service provider: its entity ID (the audience) and its ACS URL. */
export interface SamlServiceProvider {
  entityId: string;
  acsUrl: string;
}

export interface SamlIdentity extends FederatedIdentity {
  /** The assertion's ID, accepted once (no replay). */
  assertionId: string;
  /** Until when (ms) the assertion could be presented, so a replay record need live no longer. */
  notOnOrAfter: number;
}

export interface SamlIdentityProvider {
  /** The name in configuration and in `identity_provider=<name>`. */
  name: string;
  /** Pool attribute → SAML attribute name (Cognito's attribute mapping). */
  attributeMapping: Record<string, string>;
  /** Cognito's `IDPInit`: unsolicited Responses (no AuthnRequest of ours) are accepted. */
  idpInitiated: boolean;
  /** The provider's single sign-on URL carrying a fresh AuthnRequest and `relayState`, and that request's ID. */
  authnRequest(sp: SamlServiceProvider, relayState: string): Promise<{ url: string; requestId: string }>;
  /**
   * Verifies a posted `SAMLResponse`: the assertion signed by one of the provider's certificates,
   * issuer, audience, destination and recipient, validity window, and `InResponseTo` = `requestId`
   * (undefined for an IdP-initiated sign-in, which must then carry none); throws when anything does not hold.
   */
  verify(sp: SamlServiceProvider, samlResponse: string, requestId: string | undefined): Promise<SamlIdentity>;
}

/** The pool's SAML side, as the hosted UI serves it. */
export interface SamlFederation {
  providers: ReadonlyMap<string, SamlIdentityProvider>;
  /** `<base URL>/saml2/idpresponse`, Cognito's assertion consumer service. */
  acsUrl(): string;
  /** The service provider's metadata document, for the providers' administrators. */
  serviceProviderMetadata(sp: SamlServiceProvider): string;
}
