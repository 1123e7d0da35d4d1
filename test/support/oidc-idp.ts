/**
 * A real OpenID Connect provider (the npm package oidc-provider) on a loopback port, for federation
 * tests: any login is accepted (its development login and consent forms), PKCE S256 is required, and
 * the account `<login>` has the email `<login>@idp.example`. The issuer is known before the relying
 * party's redirect URI, which `accept` adds once it is (the pool's server listens after its config
 * names the issuer).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Starts the provider, for a client whose redirect URI is `redirectUri`; `beforeRequest` sees each
   * request and its response first (to tamper with what the provider answers).
   */
  accept(
    redirectUri: string,
    beforeRequest?: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startOidcIdp(): Promise<OidcIdp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'plaza';
  const clientSecret = 'a-long-client-secret-for-the-test';
  return {
    issuer,
    clientId,
    clientSecret,
    async accept(redirectUri, beforeRequest) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test', alg: 'RS256', use: 'sig' }] },
        cookies: { keys: ['a-cookie-signing-key-for-the-test'] },
        pkce: { required: () => true, methods: ['S256'] },
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        // The claims in the ID token itself, as Google puts them there.
        conformIdTokenClaims: false,
        findAccount: async (_context, id) => ({
          accountId: id,
          claims: async () => ({ sub: id, email: `${id}@idp.example`, email_verified: true }),
        }),
      });
      const handler = provider.callback();
      server.on('request', (request, response) => {
        beforeRequest?.(request, response);
        void handler(request, response);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
