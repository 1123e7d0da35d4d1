/**
 * Federation to Sign in with Apple: OpenID Connect with the answer POSTed to
 * /oauth2/idpresponse (`response_mode=form_post`), a client secret that is an
 * ES256 JWT signed with the team's key (made with jose for each exchange), and
 * the ID token verified as any provider's. Apple sends the user's name once, in
 * the first sign-in's POSTed `user`, outside the ID token.
 */
import { SignJWT, importPKCS8 } from 'jose';
import type { AppleProviderSettings } from '../../platform/config.ts';
import type { FederatedIdentityProvider } from '../../ports/federation.ts';
import { providerDiscovery, verifiedIdToken } from '../oidc/oidc-identity-provider.ts';

const timeoutMs = 10_000;
/** Apple accepts client secrets for up to six months; one per exchange needs only minutes. */
const clientSecretSeconds = 300;

/** The name in Apple's `user` form field ({"name":{"firstName","lastName"},"email"}), as claims. */
function nameClaims(user: string | undefined): Record<string, string> {
  if (user === undefined || user.length > 4096) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(user);
  } catch {
    return {};
  }
  const name = (parsed as { name?: { firstName?: unknown; lastName?: unknown } } | null)?.name;
  const part = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 256) : '');
  const given = part(name?.firstName);
  const family = part(name?.lastName);
  const claims: Record<string, string> = {};
  // Cognito's names for Apple's attributes (firstName, lastName), and OpenID Connect's.
  if (given) claims.firstName = claims.given_name = given;
  if (family) claims.lastName = claims.family_name = family;
  if (given || family) claims.name = [given, family].filter(Boolean).join(' ');
  return claims;
}

export function appleIdentityProvider(
  settings: AppleProviderSettings,
  options: { now: () => number } = { now: Date.now },
): FederatedIdentityProvider {
  const discover = providerDiscovery(settings);
  const signingKey = importPKCS8(settings.privateKey, 'ES256');
  // A rejected import is reported at the first sign-in, not as an unhandled rejection at start.
  signingKey.catch(() => undefined);

  const clientSecret = async () => {
    const now = Math.floor(options.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: settings.keyId })
      .setIssuer(settings.teamId)
      .setSubject(settings.clientId)
      .setAudience(settings.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + clientSecretSeconds)
      .sign(await signingKey);
  };

  return {
    name: settings.name,
    providerType: 'SignInWithApple',
    responseMode: 'form_post',
    attributeMapping: settings.attributeMapping,
    // Apple documents no PKCE; the code is bound by the client secret, the state and the nonce.
    async authorizationUrl({ redirectUri, state, nonce }) {
      const { document } = await discover();
      const url = new URL(document.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        response_mode: 'form_post',
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        state,
        nonce,
      }).toString();
      return url.toString();
    },
    async redeem({ code, redirectUri, nonce, response: answer }) {
      const discovered = await discover();
      const response = await fetch(discovered.document.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          client_id: settings.clientId,
          client_secret: await clientSecret(),
        }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      const identity = await verifiedIdToken(settings, discovered, response, nonce, options.now());
      const { email_verified: verified } = identity.claims;
      return {
        ...identity,
        claims: {
          // The POSTed name is not signed, so it never overrides a claim of the ID token.
          ...nameClaims(answer.user),
          ...identity.claims,
          // Apple writes booleans as strings.
          email_verified: verified === true || verified === 'true',
        },
      };
    },
  };
}
