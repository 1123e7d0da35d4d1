/**
 * Cognito's hosted-UI endpoints on the embedded pool: /oauth2/authorize (code
 * flow with PKCE S256), /login (a plain form), /oauth2/token, /oauth2/userInfo,
 * /logout, and /oauth2/idpresponse for federated sign-in. The tokens are the
 * pool's own, so refresh, revocation and sign-out everywhere apply to them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userOfAccessToken } from '../../domain/identity/access-token.ts';
import { finishFederation, startFederation } from '../../domain/identity/federation-flow.ts';
import { authenticatePassword } from '../../domain/identity/initiate-auth.ts';
import { claimTotpCode } from '../../domain/identity/mfa-code.ts';
import {
  toUserRecord,
  userKeys,
  type IdentityServices,
  type UserRecord,
} from '../../domain/identity/model.ts';
import {
  authorizeParameters,
  endHostedSession,
  hostedSessionMs,
  hostedSessionUser,
  issueAuthorizationCode,
  oauthKeys,
  parseAuthorizeRequest,
  pendingMfaMs,
  sameText,
  startHostedSession,
  withParameters,
  type AuthorizationRequest,
  type HostedUiSettings,
} from '../../domain/identity/oauth.ts';
import { oauthToken } from '../../domain/identity/oauth-token.ts';
import { errorCatalogue, isPlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import type { IpLimiter } from './ip-limiter.ts';
import { loginPage, messagePage, mfaPage } from './login-page.ts';

const sessionCookie = 'plaza-hosted-ui';
const csrfCookie = 'plaza-csrf';
const federationCookie = 'plaza-federation';
const genericFailure = 'Incorrect username or password.';
const oauthErrors = new Set<string>([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

type Form = Record<string, string | string[]>;

function parseCookies(header: string | undefined): Record<string, string> {
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

function parseForm(body: string): Form {
  const form: Form = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = form[name];
    form[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return form;
}

function field(form: unknown, name: string): string | undefined {
  const value = (form as Form | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function registerHostedUiRoutes(
  server: FastifyInstance,
  options: {
    services: IdentityServices;
    verifier: IdentityVerifier;
    metrics: Metrics;
    hosted: HostedUiSettings;
    /** The per-address sign-in limit the Cognito API uses too: one budget per address. */
    limiter: IpLimiter;
    /** Keys the CSRF tokens (the signed double-submit cookie pattern). */
    csrfSecret: Buffer;
    baseUrl: () => string;
    log: (message: string, error: unknown) => void;
  },
): void {
  const { services, hosted, metrics } = options;
  const { users, clock, ids, pool } = services;

  const cookie = (name: string, value: string, maxAgeSeconds: number, path = '/') =>
    [
      `${name}=${value}`,
      `Path=${path}`,
      `Max-Age=${maxAgeSeconds}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(options.baseUrl().startsWith('https:') ? ['Secure'] : []),
    ].join('; ');
  const csrfToken = (value: string) =>
    createHmac('sha256', options.csrfSecret).update(value).digest('base64url');
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
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
  const redirect = (reply: FastifyReply, location: string) =>
    reply.code(302).header('cache-control', 'no-store').header('location', location).send();
  const authorizeError = (reply: FastifyReply, description: string) =>
    html(reply, 400, messagePage('Sign-in request refused', description));

  /** A code for the app, and the browser sent back to it. */
  async function completeAuthorization(
    reply: FastifyReply,
    request: AuthorizationRequest,
    user: UserRecord,
    authTime: number,
  ) {
    const code = await issueAuthorizationCode(request, user.sub, authTime, services);
    return redirect(reply, withParameters(request.redirectUri, { code, state: request.state }));
  }

  /** A new hosted-UI session (cookie), then the code. */
  async function signedIn(reply: FastifyReply, request: AuthorizationRequest, user: UserRecord) {
    const { session, authTime } = await startHostedSession(user.sub, services);
    reply.header('set-cookie', cookie(sessionCookie, session, hostedSessionMs / 1000));
    metrics.signInSuccesses.inc();
    return completeAuthorization(reply, request, user, authTime);
  }

  function showLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: AuthorizationRequest,
    status: number,
    extra: { error?: string; username?: string } = {},
  ) {
    let token = parseCookies(request.headers.cookie)[csrfCookie];
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = randomBytes(32).toString('base64url');
      reply.header('set-cookie', cookie(csrfCookie, token, 3600, '/login'));
    }
    const parameters = authorizeParameters(authorization);
    return html(
      reply,
      status,
      loginPage({
        action: `/login?${new URLSearchParams(parameters)}`,
        csrf: csrfToken(token),
        ...extra,
        providers: [...hosted.providers.keys()].map((name) => ({
          name,
          href: `/oauth2/authorize?${new URLSearchParams({ ...parameters, identity_provider: name })}`,
        })),
      }),
    );
  }

  server.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_request, body, done) => done(null, parseForm(body as string)),
    );

    scope.get('/oauth2/authorize', async (request, reply) => {
      const outcome = parseAuthorizeRequest(request.query as Record<string, unknown>, pool.clientId, hosted);
      if (outcome.kind === 'error') return authorizeError(reply, outcome.description);
      if (outcome.kind === 'redirect') return redirect(reply, outcome.url);
      const authorization = outcome.request;
      if (authorization.identityProvider !== undefined) {
        // Ties the provider's answer to this browser, so nobody can hand a victim their own sign-in.
        const binding = randomBytes(32).toString('base64url');
        let url: string;
        try {
          url = await startFederation(
            { ...authorization, identityProvider: authorization.identityProvider },
            binding,
            services,
            hosted,
          );
        } catch (error) {
          options.log('federated sign-in could not start', error);
          return redirect(
            reply,
            withParameters(authorization.redirectUri, {
              error: 'temporarily_unavailable',
              error_description: 'The identity provider cannot be reached.',
              state: authorization.state,
            }),
          );
        }
        reply.header('set-cookie', cookie(federationCookie, binding, 600, '/oauth2/idpresponse'));
        return redirect(reply, url);
      }
      const signedInUser = await hostedSessionUser(
        parseCookies(request.headers.cookie)[sessionCookie],
        services,
      );
      if (signedInUser)
        return completeAuthorization(reply, authorization, signedInUser.user, signedInUser.authTime);
      return redirect(reply, `/login?${new URLSearchParams(authorizeParameters(authorization))}`);
    });

    scope.get('/login', async (request, reply) => {
      const outcome = parseAuthorizeRequest(request.query as Record<string, unknown>, pool.clientId, hosted);
      if (outcome.kind === 'error') return authorizeError(reply, outcome.description);
      if (outcome.kind === 'redirect') return redirect(reply, outcome.url);
      return showLogin(request, reply, outcome.request, 200);
    });

    scope.post('/login', async (request, reply) => {
      const outcome = parseAuthorizeRequest(request.query as Record<string, unknown>, pool.clientId, hosted);
      if (outcome.kind === 'error') return authorizeError(reply, outcome.description);
      if (outcome.kind === 'redirect') return redirect(reply, outcome.url);
      const authorization = outcome.request;
      const form = request.body;
      const cookieToken = parseCookies(request.headers.cookie)[csrfCookie];
      const formToken = field(form, '_csrf');
      if (!cookieToken || !formToken || !sameText(csrfToken(cookieToken), formToken))
        return showLogin(request, reply, authorization, 403, {
          error: 'This form has expired. Please try again.',
        });
      if (!options.limiter.allow(request.ip)) {
        metrics.signInThrottles.inc();
        return showLogin(request, reply, authorization, 429, {
          error: 'Too many attempts. Please try again later.',
        });
      }
      const mfaSession = field(form, 'session');
      if (mfaSession !== undefined)
        return verifyMfa(reply, authorization, mfaSession, field(form, 'code') ?? '');
      const username = field(form, 'username') ?? '';
      let user: UserRecord;
      try {
        user = await authenticatePassword(username, field(form, 'password') ?? '', services);
      } catch (error) {
        if (isPlazaError(error, 'TooManyRequestsException')) {
          metrics.signInThrottles.inc();
          return showLogin(request, reply, authorization, 429, {
            error: 'Too many attempts. Please try again later.',
            username,
          });
        }
        if (isPlazaError(error, 'UserNotConfirmedException'))
          return showLogin(request, reply, authorization, 400, {
            error: 'Please confirm your account with the code we emailed you first.',
            username,
          });
        if (!isPlazaError(error)) throw error;
        // Unknown user, wrong password, lockout or disabled: one answer (no enumeration).
        if (error.message === 'Password attempts exceeded') metrics.signInThrottles.inc();
        return showLogin(request, reply, authorization, 400, { error: genericFailure, username });
      }
      if (user.failedSignIns > 0)
        await users.update({ key: userKeys.user(user.sub), set: { failedSignIns: 0, lockedUntil: 0 } });
      if (user.status === 'FORCE_CHANGE_PASSWORD')
        return html(
          reply,
          400,
          messagePage(
            'Password change required',
            'Please sign in with the app once to choose your own password.',
          ),
        );
      // The pool requires MFA and this user has none yet: the hosted UI cannot set it up (the app can).
      if (pool.mfa === 'ON' && !(user.mfaEnabled && user.totpSecret))
        return html(
          reply,
          400,
          messagePage(
            'Set up MFA first',
            'Please set up an authenticator app in the app before signing in here.',
          ),
        );
      if (user.mfaEnabled && user.totpSecret) {
        const session = ids.secret(32);
        const expiresAt = clock.now() + pendingMfaMs;
        await users.put({
          item: {
            ...oauthKeys.pendingMfa(session),
            sub: user.sub,
            expiresAt,
            ttl: Math.ceil(expiresAt / 1000),
          },
        });
        return showMfa(request, reply, authorization, session, 200);
      }
      return signedIn(reply, authorization, user);

      async function verifyMfa(
        reply: FastifyReply,
        authorization: AuthorizationRequest,
        session: string,
        code: string,
      ) {
        const key = oauthKeys.pendingMfa(session);
        const { item } =
          session.length <= 200 ? await users.get(key, { consistent: true }) : { item: undefined };
        const userItem =
          item && Number(item.expiresAt) > clock.now()
            ? (await users.get(userKeys.user(String(item.sub)), { consistent: true })).item
            : undefined;
        if (!userItem)
          return showLogin(request, reply, authorization, 400, { error: 'Please sign in again.' });
        const user = toUserRecord(userItem);
        if (user.lockedUntil > clock.now() || !user.enabled) {
          await users.delete({ key });
          return showLogin(request, reply, authorization, 400, { error: genericFailure });
        }
        try {
          await claimTotpCode(user, code, services);
        } catch (error) {
          if (!isPlazaError(error, 'CodeMismatchException')) throw error;
          return showMfa(request, reply, authorization, session, 400, 'Invalid code. Please try again.');
        }
        await users.delete({ key });
        return signedIn(reply, authorization, user);
      }
    });

    function showMfa(
      request: FastifyRequest,
      reply: FastifyReply,
      authorization: AuthorizationRequest,
      session: string,
      status: number,
      error?: string,
    ) {
      const token = parseCookies(request.headers.cookie)[csrfCookie] ?? '';
      return html(
        reply,
        status,
        mfaPage({
          action: `/login?${new URLSearchParams(authorizeParameters(authorization))}`,
          csrf: csrfToken(token),
          session,
          error,
        }),
      );
    }

    scope.get('/oauth2/idpresponse', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
      reply.header('set-cookie', cookie(federationCookie, '', 0, '/oauth2/idpresponse'));
      let outcome;
      try {
        outcome = await finishFederation(
          {
            state: text('state'),
            code: text('code'),
            error: text('error'),
            binding: parseCookies(request.headers.cookie)[federationCookie],
          },
          services,
          hosted,
          options.log,
        );
      } catch (error) {
        if (!isPlazaError(error)) throw error;
        return html(reply, 400, messagePage('Sign-in failed', error.message));
      }
      if (outcome.kind === 'refused')
        return redirect(
          reply,
          withParameters(outcome.request.redirectUri, {
            error: outcome.error,
            error_description: outcome.description,
            state: outcome.request.state,
          }),
        );
      return signedIn(reply, outcome.request, outcome.user);
    });

    // Browser apps on the callback URLs' origins call the token and userInfo endpoints directly.
    const allowOrigin = (request: FastifyRequest, reply: FastifyReply) => {
      const origin = request.headers.origin;
      if (origin && hosted.callbackUrls().some((url) => new URL(url).origin === origin))
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    };
    const preflight = (path: string, methods: string, headers: string) =>
      scope.options(path, async (request, reply) => {
        allowOrigin(request, reply);
        return reply
          .code(204)
          .header('access-control-allow-methods', methods)
          .header('access-control-allow-headers', headers)
          .send();
      });
    preflight('/oauth2/token', 'POST', 'content-type, authorization');
    preflight('/oauth2/userInfo', 'GET, POST', 'authorization');

    scope.post('/oauth2/token', async (request, reply) => {
      allowOrigin(request, reply);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
      const form: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(body)) {
        if (Array.isArray(value))
          return reply.code(400).send({ error: 'invalid_request', error_description: `${name} is repeated` });
        form[name] = value;
      }
      // client_secret_basic's shape carries the client id too (the app client has no secret).
      const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(request.headers.authorization ?? '');
      if (basic?.[1] && form.client_id === undefined)
        form.client_id = decodeURIComponent(Buffer.from(basic[1], 'base64').toString().split(':')[0] ?? '');
      const started = performance.now();
      metrics.requests.inc({ operation: 'oauth2:token' });
      try {
        const tokens = await oauthToken(form, services);
        metrics.latency.observe({ operation: 'oauth2:token' }, (performance.now() - started) / 1000);
        if (form.grant_type === 'refresh_token') metrics.tokenRefreshSuccesses.inc();
        return reply.send(tokens);
      } catch (error) {
        const type = isPlazaError(error) ? error.code : 'server_error';
        metrics.errors.inc({ operation: 'oauth2:token', type });
        if (!isPlazaError(error) || !oauthErrors.has(error.code)) {
          options.log('token endpoint failed', error);
          return reply.code(500).send({ error: 'server_error' });
        }
        return reply
          .code(errorCatalogue[error.code].status)
          .send({ error: error.code, error_description: error.message });
      }
    });

    const userInfo = async (request: FastifyRequest, reply: FastifyReply) => {
      allowOrigin(request, reply);
      reply.header('cache-control', 'no-store');
      const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')?.[1];
      let user: UserRecord;
      try {
        user = await userOfAccessToken(token, options.verifier, services);
      } catch {
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({
          error: 'invalid_token',
          error_description: 'Access token is missing, invalid or revoked.',
        });
      }
      const { identities, ...attributes } = user.attributes;
      return reply.send({
        ...attributes,
        sub: user.sub,
        email: user.email,
        // Cognito's userInfo answers attributes as strings.
        email_verified: String(
          user.status === 'EXTERNAL_PROVIDER'
            ? attributes.email_verified === 'true'
            : user.status === 'CONFIRMED',
        ),
        username: user.username ?? user.sub,
        ...(identities === undefined ? {} : { identities }),
      });
    };
    scope.get('/oauth2/userInfo', userInfo);
    scope.post('/oauth2/userInfo', userInfo);

    scope.get('/logout', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const clientId = query.client_id;
      const logoutUri = query.logout_uri;
      // Only to a configured sign-out URL, matched exactly: /logout is no open redirector.
      if (
        typeof clientId !== 'string' ||
        !sameText(clientId, pool.clientId) ||
        typeof logoutUri !== 'string' ||
        !hosted.logoutUrls().some((url) => sameText(url, logoutUri))
      )
        return html(
          reply,
          400,
          messagePage('Sign-out refused', 'logout_uri is not a sign-out URL of this app.'),
        );
      await endHostedSession(parseCookies(request.headers.cookie)[sessionCookie], services);
      reply.header('set-cookie', cookie(sessionCookie, '', 0));
      return redirect(reply, logoutUri);
    });
  });
}
