/**
 * Federation to an external OpenID Connect provider (Google-style), with fetch
 * and jose: the provider's discovery document, the authorization-code exchange
 * with PKCE, and its ID token verified against its own JWKS.
 */
import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { OidcProviderSettings } from '../../platform/config.ts';
import type { FederatedIdentity, FederatedIdentityProvider } from '../../ports/federation.ts';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  id_token_signing_alg_values_supported?: string[];
}

// Only public-key signatures: an HS256 ID token would be keyed with the client secret, which a verifier must not accept here.
const asymmetric = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);
const timeoutMs = 10_000;

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export type DiscoveredProvider = () => Promise<{
  document: Discovery;
  keys: ReturnType<typeof createRemoteJWKSet>;
}>;

/** The provider's discovery document and JWKS, fetched on first use (again after a failure). */
export function providerDiscovery(settings: { name: string; issuer: string }): DiscoveredProvider {
  let discovery: Promise<{ document: Discovery; keys: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  return () => {
    discovery ??= (async () => {
      const url = `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`${settings.name}: discovery answered ${response.status}`);
      const document = (await response.json()) as Discovery;
      // OpenID Connect Discovery §4.3: the document's issuer is exactly the one configured.
      if (document.issuer !== settings.issuer)
        throw new Error(`${settings.name}: issuer mismatch in discovery`);
      for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
        if (typeof document[field] !== 'string')
          throw new Error(`${settings.name}: discovery lacks ${field}`);
      }
      return {
        document,
        keys: createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: timeoutMs }),
      };
    })();
    // A failed discovery is tried again on the next sign-in rather than remembered.
    discovery.catch(() => (discovery = undefined));
    return discovery;
  };
}

/**
 * The token endpoint's answer to an authorization-code exchange, its ID token verified: signature
 * (asymmetric only) through the JWKS, `iss`, `aud`, `azp`, `exp` and `iat` (30 s of clock skew), `nonce`.
 */
export async function verifiedIdToken(
  settings: { name: string; issuer: string; clientId: string },
  { document, keys }: Awaited<ReturnType<DiscoveredProvider>>,
  response: Response,
  nonce: string,
  now: number,
): Promise<FederatedIdentity> {
  if (!response.ok) throw new Error(`${settings.name}: token endpoint answered ${response.status}`);
  const tokens = (await response.json()) as { id_token?: unknown };
  if (typeof tokens.id_token !== 'string') throw new Error(`${settings.name}: no ID token`);
  const algorithms = (document.id_token_signing_alg_values_supported ?? ['RS256']).filter((alg) =>
    asymmetric.has(alg),
  );
  const { payload } = await jwtVerify(tokens.id_token, keys, {
    issuer: settings.issuer,
    audience: settings.clientId,
    algorithms,
    currentDate: new Date(now),
    clockTolerance: 30,
    // Issued for this exchange: an `iat` in the future, or long past, is not.
    maxTokenAge: 600,
    requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
  });
  if (typeof payload.nonce !== 'string' || !sameText(payload.nonce, nonce))
    throw new Error(`${settings.name}: nonce mismatch`);
  // Several audiences: the token must have been issued to this client (OIDC Core §3.1.3.7).
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== settings.clientId)
    throw new Error(`${settings.name}: azp mismatch`);
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255)
    throw new Error(`${settings.name}: invalid sub`);
  return { issuer: settings.issuer, subject: payload.sub, claims: payload };
}

export function oidcIdentityProvider(
  settings: OidcProviderSettings,
  options: { now: () => number } = { now: Date.now },
): FederatedIdentityProvider {
  const discover = providerDiscovery(settings);

  return {
    name: settings.name,
    attributeMapping: settings.attributeMapping,
    async authorizationUrl({ redirectUri, state, nonce, codeChallenge }) {
      const { document } = await discover();
      const url = new URL(document.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },
    async redeem({ code, codeVerifier, redirectUri, nonce }) {
      const discovered = await discover();
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
      });
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (settings.clientSecret !== undefined) {
        // client_secret_basic: each part form-encoded first (RFC 6749 §2.3.1).
        const basic = `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`;
        headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
      } else {
        body.set('client_id', settings.clientId);
      }
      const response = await fetch(discovered.document.token_endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      return verifiedIdToken(settings, discovered, response, nonce, options.now());
    },
  };
}
