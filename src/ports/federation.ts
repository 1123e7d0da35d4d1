/**
 * An external provider the user pool federates to (Cognito's "identity
 * providers": OpenID Connect, Facebook, Sign in with Apple): where to send the
 * browser, and the verified identity that comes back.
 */

export interface FederatedIdentity {
  /** The provider's `iss` and `sub`: the only pair users are linked by. */
  issuer: string;
  subject: string;
  /** The ID token's claims, after verification. */
  claims: Record<string, unknown>;
}

export interface FederatedIdentityProvider {
  /** The name in configuration and in `identity_provider=<name>`. */
  name: string;
  /** Cognito's ProviderType, as in the user's `identities` attribute; OIDC when absent. */
  providerType?: 'OIDC' | 'Facebook' | 'SignInWithApple' | 'SAML';
  /**
   * How the provider's answer arrives at /oauth2/idpresponse: in the query of a GET (the default),
   * or as a POSTed form (`form_post`, Sign in with Apple), the only way then accepted.
   */
  responseMode?: 'query' | 'form_post';
  /** Pool attribute → the provider's claim (email → email by default). */
  attributeMapping: Record<string, string>;
  /** The provider's authorization URL for this request (state, nonce and an S256 PKCE challenge). */
  authorizationUrl(request: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }): Promise<string>;
  /**
   * Exchanges the code the provider sent back and verifies the identity (an ID token's
   * signature through the provider's JWKS, `iss`, `aud`, `exp`, `nonce`; or the provider's
   * own API); throws when anything does not hold.
   */
  redeem(request: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
    nonce: string;
    /** The other parameters of the provider's answer (Apple's first-sign-in `user`), unverified. */
    response: Record<string, string>;
  }): Promise<FederatedIdentity>;
}
