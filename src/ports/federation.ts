/**
 * An external OpenID Connect provider the user pool federates to (Cognito's
 * "identity providers"): where to send the browser, and the verified identity
 * that comes back.
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
   * Exchanges the code the provider sent back and verifies its ID token
   * (signature through the provider's JWKS, `iss`, `aud`, `exp`, `nonce`);
   * throws when anything does not hold.
   */
  redeem(request: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
    nonce: string;
  }): Promise<FederatedIdentity>;
}
