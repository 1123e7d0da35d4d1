/**
 * What every hosted-UI endpoint says to a browser: cookies, forms, pages that
 * may not be framed or cached, redirects, and the checked authorization request.
 */
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseAuthorizeRequest, type AuthorizationRequest } from '../../../domain/identity/oauth.ts';
import { messagePage } from '../login-page.ts';
import type { HostedUiHandler, HostedUiOptions } from './options.ts';

export const sessionCookie = 'plaza-hosted-ui';
export const csrfCookie = 'plaza-csrf';
export const federationCookie = 'plaza-federation';

export type Form = Record<string, string | string[]>;

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    // The first cookie of a name wins, as browsers send the most specific path first.
    if (name && !(name in cookies)) cookies[name] = part.slice(index + 1).trim();
  }
  return cookies;
}

export function requestCookie(request: FastifyRequest, name: string): string | undefined {
  return parseCookies(request.headers.cookie)[name];
}

export function parseForm(body: string): Form {
  const form: Form = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = form[name];
    form[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return form;
}

export function field(form: unknown, name: string): string | undefined {
  const value = (form as Form | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A Set-Cookie value: never readable by scripts, Secure whenever Plaza is served over https. */
export function cookie(
  { baseUrl }: Pick<HostedUiOptions, 'baseUrl'>,
  name: string,
  value: string,
  maxAgeSeconds: number,
  path = '/',
): string {
  return [
    `${name}=${value}`,
    `Path=${path}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(baseUrl().startsWith('https:') ? ['Secure'] : []),
  ].join('; ');
}

/** The form's half of the signed double-submit pair, derived from the cookie's half. */
export function csrfToken({ csrfSecret }: Pick<HostedUiOptions, 'csrfSecret'>, value: string): string {
  return createHmac('sha256', csrfSecret).update(value).digest('base64url');
}

export function html(reply: FastifyReply, status: number, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    )
    .send(body);
}

export function redirect(reply: FastifyReply, location: string) {
  return reply.code(302).header('cache-control', 'no-store').header('location', location).send();
}

/**
 * A handler for a request that carries /oauth2/authorize's parameters: refused with a page when
 * they are unusable, sent back to the app when they name it but are wrong, else handled.
 */
export function withAuthorization(
  {
    services,
    hosted,
  }: { services: Pick<HostedUiOptions['services'], 'pool'> } & Pick<HostedUiOptions, 'hosted'>,
  handle: (
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: AuthorizationRequest,
  ) => Promise<unknown>,
): HostedUiHandler {
  return async (request, reply) => {
    const outcome = parseAuthorizeRequest(
      request.query as Record<string, unknown>,
      services.pool.clientId,
      hosted,
    );
    if (outcome.kind === 'error')
      return html(reply, 400, messagePage('Sign-in request refused', outcome.description));
    if (outcome.kind === 'redirect') return redirect(reply, outcome.url);
    return handle(request, reply, outcome.request);
  };
}
