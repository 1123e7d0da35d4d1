/**
 * Federation to Facebook Login with fetch: the login dialog (OAuth 2.0 code flow), the code
 * exchanged at the Graph API's /oauth/access_token with the app secret, the token checked with
 * /debug_token (issued to this app, valid, for the user), then /me with an appsecret_proof.
 * Facebook issues no ID token: the identity is the Graph API's `id` under a fixed issuer.
 */
import { createHmac } from 'node:crypto';
import type { FacebookProviderSettings } from '../../platform/config.ts';
import type { FederatedIdentityProvider } from '../../ports/federation.ts';

/** The issuer users are linked by: Facebook's user ids are global to it (app-scoped, but one app here). */
export const facebookIssuer = 'https://www.facebook.com';
const timeoutMs = 10_000;

export function facebookIdentityProvider(
  settings: FacebookProviderSettings,
  options: { now: () => number } = { now: Date.now },
): FederatedIdentityProvider {
  const graph = async (path: string, parameters: Record<string, string>) => {
    const response = await fetch(`${settings.graphUrl}${path}?${new URLSearchParams(parameters)}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`${settings.name}: ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const fields = [...new Set(['id', ...Object.values(settings.attributeMapping)])];

  return {
    name: settings.name,
    providerType: 'Facebook',
    attributeMapping: settings.attributeMapping,
    // Facebook's dialog takes neither a nonce nor PKCE: the single-use state bound to the browser guards the answer.
    async authorizationUrl({ redirectUri, state }) {
      const url = new URL(settings.authorizationEndpoint);
      url.search = new URLSearchParams({
        client_id: settings.clientId,
        redirect_uri: redirectUri,
        state,
        response_type: 'code',
        scope: settings.scopes.join(','),
      }).toString();
      return url.toString();
    },
    async redeem({ code, redirectUri }) {
      const token = await graph('/oauth/access_token', {
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        redirect_uri: redirectUri,
        code,
      });
      if (typeof token.access_token !== 'string') throw new Error(`${settings.name}: no access token`);
      const accessToken = token.access_token;
      // A user token issued to another app must not sign anyone in here (the "confused deputy" of implicit logins).
      const debug = (
        await graph('/debug_token', {
          input_token: accessToken,
          access_token: `${settings.clientId}|${settings.clientSecret}`,
        })
      ).data as Record<string, unknown> | undefined;
      if (
        !debug ||
        debug.is_valid !== true ||
        String(debug.app_id) !== settings.clientId ||
        typeof debug.user_id !== 'string' ||
        (typeof debug.expires_at === 'number' &&
          debug.expires_at !== 0 &&
          debug.expires_at * 1000 <= options.now())
      )
        throw new Error(`${settings.name}: the access token is not this app's`);
      const me = await graph('/me', {
        fields: fields.join(','),
        access_token: accessToken,
        // Graph API calls signed with the app secret cannot be replayed with a token stolen from another app.
        appsecret_proof: createHmac('sha256', settings.clientSecret).update(accessToken).digest('hex'),
      });
      if (typeof me.id !== 'string' || !/^\d{1,64}$/.test(me.id) || me.id !== debug.user_id)
        throw new Error(`${settings.name}: invalid user id`);
      return { issuer: facebookIssuer, subject: me.id, claims: me };
    },
  };
}
