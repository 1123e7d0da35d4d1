/** The hosted UI's two forms, each carrying the CSRF token for the browser's cookie. */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeParameters, type AuthorizationRequest } from '../../../domain/identity/oauth.ts';
import { loginPage, mfaPage } from '../login-page.ts';
import { cookie, csrfCookie, csrfToken, html, requestCookie } from './browser.ts';
import type { HostedUiOptions } from './options.ts';

export function showLogin(
  options: Pick<HostedUiOptions, 'hosted' | 'csrfSecret' | 'baseUrl'>,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  status: number,
  extra: { error?: string; username?: string } = {},
) {
  let token = requestCookie(request, csrfCookie);
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    token = randomBytes(32).toString('base64url');
    reply.header('set-cookie', cookie(options, csrfCookie, token, 3600, '/login'));
  }
  const parameters = authorizeParameters(authorization);
  return html(
    reply,
    status,
    loginPage({
      action: `/login?${new URLSearchParams(parameters)}`,
      csrf: csrfToken(options, token),
      ...extra,
      providers: [...options.hosted.providers.keys()].map((name) => ({
        name,
        href: `/oauth2/authorize?${new URLSearchParams({ ...parameters, identity_provider: name })}`,
      })),
    }),
  );
}

export function showMfa(
  options: Pick<HostedUiOptions, 'csrfSecret'>,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  session: string,
  status: number,
  error?: string,
) {
  const token = requestCookie(request, csrfCookie) ?? '';
  return html(
    reply,
    status,
    mfaPage({
      action: `/login?${new URLSearchParams(authorizeParameters(authorization))}`,
      csrf: csrfToken(options, token),
      session,
      error,
    }),
  );
}
