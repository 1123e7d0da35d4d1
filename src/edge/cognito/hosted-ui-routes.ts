/**
 * Cognito's hosted-UI endpoints on the embedded pool: /oauth2/authorize (code
 * flow with PKCE S256), /login (a plain form), /oauth2/token, /oauth2/userInfo,
 * /logout, /oauth2/idpresponse for federated sign-in, and /saml2/idpresponse and
 * /saml2/metadata for SAML providers. The tokens are the
 * pool's own, so refresh, revocation and sign-out everywhere apply to them.
 * One module per endpoint under ./hosted-ui/; this file is their route table.
 */
import type { FastifyInstance } from 'fastify';
import { authorize } from './hosted-ui/authorize.ts';
import { parseForm } from './hosted-ui/browser.ts';
import { preflight } from './hosted-ui/cors.ts';
import { idpFormPost, idpResponse } from './hosted-ui/idp-response.ts';
import { loginForm, submitLogin } from './hosted-ui/login.ts';
import { logout } from './hosted-ui/logout.ts';
import type { HostedUiHandler, HostedUiOptions } from './hosted-ui/options.ts';
import { samlFinish, samlMetadata, samlPost } from './hosted-ui/saml-response.ts';
import { token } from './hosted-ui/token.ts';
import { userInfo } from './hosted-ui/user-info.ts';

export type { HostedUiOptions } from './hosted-ui/options.ts';

const routes: {
  method: 'GET' | 'POST' | 'OPTIONS';
  url: string;
  handler: (options: HostedUiOptions) => HostedUiHandler;
  /** Above the form parser's 16 KiB: a signed SAML Response with its certificate is larger. */
  bodyLimit?: number;
}[] = [
  { method: 'GET', url: '/oauth2/authorize', handler: authorize },
  { method: 'GET', url: '/login', handler: loginForm },
  { method: 'POST', url: '/login', handler: submitLogin },
  { method: 'GET', url: '/oauth2/idpresponse', handler: idpResponse },
  { method: 'POST', url: '/oauth2/idpresponse', handler: idpFormPost },
  { method: 'POST', url: '/saml2/idpresponse', handler: samlPost, bodyLimit: 256 * 1024 },
  { method: 'GET', url: '/saml2/idpresponse', handler: samlFinish },
  { method: 'GET', url: '/saml2/metadata', handler: samlMetadata },
  { method: 'OPTIONS', url: '/oauth2/token', handler: preflight('POST', 'content-type, authorization') },
  { method: 'POST', url: '/oauth2/token', handler: token },
  { method: 'OPTIONS', url: '/oauth2/userInfo', handler: preflight('GET, POST', 'authorization') },
  { method: 'GET', url: '/oauth2/userInfo', handler: userInfo },
  { method: 'POST', url: '/oauth2/userInfo', handler: userInfo },
  { method: 'GET', url: '/logout', handler: logout },
];

export function registerHostedUiRoutes(server: FastifyInstance, options: HostedUiOptions): void {
  server.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, parseForm(body as string)),
    );
    for (const { method, url, handler, bodyLimit } of routes)
      scope.route({ method, url, handler: handler(options), ...(bodyLimit ? { bodyLimit } : {}) });
  });
}
