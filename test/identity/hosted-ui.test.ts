/**
 * The hosted UI over real HTTP, as a browser and an app drive it: /oauth2/authorize
 * → /login (CSRF-protected form) → the callback with a code → /oauth2/token with the
 * PKCE verifier, refresh, userInfo, and /logout; and the requests it must refuse.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { AdminResetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { adminListUserAuthEvents } from '../../src/domain/identity/admin-list-user-auth-events.ts';
import { confirmSignUp } from '../../src/domain/identity/confirm-sign-up.ts';
import { issueCode, userKeys } from '../../src/domain/identity/model.ts';
import { signUp } from '../../src/domain/identity/sign-up.ts';
import { base32Encode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Browser, formOf } from '../support/browser.ts';
import { adminClient } from '../support/cognito-users.ts';

const callback = 'https://app.example/callback';
const signedOut = 'https://app.example/signed-out';
const dir = mkdtempSync(join(tmpdir(), 'plaza-hosted-ui-'));
let offset = 0;
const clock = { now: () => Date.now() + offset };
let app: App;
let url: string;
let clientId: string;

beforeAll(async () => {
  writeFileSync(
    join(dir, 'plaza.config.json'),
    JSON.stringify({ userPool: { callbackUrls: [callback], logoutUrls: [signedOut] } }),
  );
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
    clock,
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function confirmedUser(email: string, password: string): Promise<string> {
  const services = app.identity.services!;
  const { UserSub } = await signUp({ ClientId: clientId, Username: email, Password: password }, services);
  const code = await issueCode(UserSub, 'confirm', 600, services);
  await confirmSignUp({ ClientId: clientId, Username: email, ConfirmationCode: code }, services);
  return UserSub;
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    scope: 'openid email profile aws.cognito.signin.user.admin',
    code_challenge_method: 'S256',
    ...parameters,
  }))
    if (value !== undefined) query.set(name, value);
  return `${url}/oauth2/authorize?${query}`;
}

const toCallback = (location: string) => location.startsWith(callback);

/** Authorize → /login page → submit the password; returns the page or the callback URL. */
async function signInThroughLogin(
  browser: Browser,
  email: string,
  password: string,
  parameters: Record<string, string | undefined>,
) {
  const { response, url: loginUrl } = await browser.follow(authorizeUrl(parameters), {}, toCallback);
  expect(new URL(loginUrl).pathname).toBe('/login');
  const page = await response.text();
  const form = formOf(page, loginUrl);
  return browser.follow(form.action, { form: { ...form.fields, username: email, password } }, toCallback);
}

async function redeem(form: Record<string, string>) {
  const response = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, ...form }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function codeFor(email: string, password: string, challenge: string, state = 'xyz') {
  const browser = new Browser();
  const result = await signInThroughLogin(browser, email, password, { code_challenge: challenge, state });
  const location = new URL(result.url);
  return {
    browser,
    code: location.searchParams.get('code') ?? '',
    state: location.searchParams.get('state'),
  };
}

describe('authorization code with PKCE through /login', () => {
  it('signs in, redeems the code once, refreshes, answers userInfo and signs out', async () => {
    const sub = await confirmedUser('ada@example.com', 'correct horse battery');
    const { verifier, challenge } = pkce();
    const browser = new Browser();
    const result = await signInThroughLogin(browser, 'ada@example.com', 'correct horse battery', {
      code_challenge: challenge,
      state: 'state-1',
      nonce: 'nonce-1',
    });
    const location = new URL(result.url);
    expect(`${location.origin}${location.pathname}`).toBe(callback);
    expect(location.searchParams.get('state')).toBe('state-1');
    const code = location.searchParams.get('code')!;

    // The hosted-UI session cookie: HttpOnly, SameSite=Lax (not Secure on http).
    const setCookie = result.response.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/plaza-hosted-ui=[^;]+;.*HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);

    const tokens = await redeem({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const access = decodeJwt(tokens.body.access_token!);
    const id = decodeJwt(tokens.body.id_token!);
    expect(access).toMatchObject({ sub, token_use: 'access', client_id: clientId });
    expect(String(access.scope).split(' ').sort()).toEqual(
      ['aws.cognito.signin.user.admin', 'email', 'openid', 'profile'].sort(),
    );
    expect(id).toMatchObject({ sub, aud: clientId, nonce: 'nonce-1', email: 'ada@example.com' });
    expect(tokens.body.token_type).toBe('Bearer');

    // The code is single-use.
    const again = await redeem({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      code_verifier: verifier,
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // The pool's own tokens: they work at the GraphQL API.
    const me = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokens.body.access_token! },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(((await me.json()) as { data: { me: { id: string } } }).data.me.id).toBe(sub);

    const userInfo = await fetch(`${url}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.body.access_token}` },
    });
    expect(userInfo.status).toBe(200);
    expect(await userInfo.json()).toMatchObject({ sub, email: 'ada@example.com', email_verified: 'true' });
    const noToken = await fetch(`${url}/oauth2/userInfo`, { headers: { authorization: 'Bearer nope' } });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toMatch(/invalid_token/);

    const refreshed = await redeem({
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token!,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token!).sub).toBe(sub);
    const badRefresh = await redeem({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(64) });
    expect(badRefresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // The session remembers the sign-in: a second authorize goes straight back with a code.
    const second = pkce();
    const silent = await browser.follow(authorizeUrl({ code_challenge: second.challenge }), {}, toCallback);
    expect(new URL(silent.url).searchParams.get('code')).toBeTruthy();

    // Sign-out ends it: the next authorize asks for the password again.
    const logout = await browser.request(
      `${url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: signedOut })}`,
    );
    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe(signedOut);
    const after = await browser.follow(authorizeUrl({ code_challenge: second.challenge }), {}, toCallback);
    expect(new URL(after.url).pathname).toBe('/login');
  });

  it('refuses a wrong verifier, a wrong redirect_uri or client, and an expired code', async () => {
    await confirmedUser('bob@example.com', 'another long password');
    const { verifier, challenge } = pkce();
    const grant = (code: string, extra: Record<string, string> = {}) =>
      redeem({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callback,
        code_verifier: verifier,
        ...extra,
      });

    const wrongVerifier = await codeFor('bob@example.com', 'another long password', challenge);
    expect(await grant(wrongVerifier.code, { code_verifier: pkce().verifier })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    // A failed attempt used the code up: the right verifier is too late.
    expect((await grant(wrongVerifier.code)).status).toBe(400);

    const wrongRedirect = await codeFor('bob@example.com', 'another long password', challenge);
    expect(await grant(wrongRedirect.code, { redirect_uri: `${callback}/other` })).toMatchObject({
      body: { error: 'invalid_grant' },
    });
    const wrongClient = await codeFor('bob@example.com', 'another long password', challenge);
    expect(await grant(wrongClient.code, { client_id: 'someotherclient' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });

    const expired = await codeFor('bob@example.com', 'another long password', challenge);
    offset = 5 * 60 * 1000 + 1000;
    try {
      expect(await grant(expired.code)).toMatchObject({ body: { error: 'invalid_grant' } });
    } finally {
      offset = 0;
    }
    expect((await grant('not-a-code-at-all-but-long-enough')).status).toBe(400);
    expect(await redeem({ grant_type: 'password', username: 'bob@example.com' })).toMatchObject({
      body: { error: 'unsupported_grant_type' },
    });

    const good = await codeFor('bob@example.com', 'another long password', challenge);
    expect((await grant(good.code)).status).toBe(200);
  });

  it('refuses authorize requests without exact redirect URIs or S256 PKCE', async () => {
    const { challenge } = pkce();
    const browser = new Browser();
    for (const redirect of [
      `${callback}/x`,
      'https://app.example/callback?x=1',
      'https://evil.example/callback',
    ]) {
      const response = await browser.request(
        authorizeUrl({ code_challenge: challenge, redirect_uri: redirect }),
      );
      // Never redirected to an unregistered URI: an error page instead.
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
    const unknownClient = await browser.request(
      authorizeUrl({ code_challenge: challenge, client_id: 'nope' }),
    );
    expect(unknownClient.status).toBe(400);

    const refused = async (parameters: Record<string, string | undefined>) => {
      const response = await browser.request(authorizeUrl({ state: 's', ...parameters }));
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(callback);
      expect(location.searchParams.get('code')).toBeNull();
      expect(location.searchParams.get('state')).toBe('s');
      return location.searchParams.get('error');
    };
    expect(await refused({})).toBe('invalid_request');
    expect(await refused({ code_challenge: challenge, code_challenge_method: 'plain' })).toBe(
      'invalid_request',
    );
    expect(await refused({ code_challenge: 'short', code_challenge_method: 'S256' })).toBe('invalid_request');
    expect(await refused({ code_challenge: challenge, response_type: 'token' })).toBe(
      'unsupported_response_type',
    );
    expect(await refused({ code_challenge: challenge, scope: 'openid admin' })).toBe('invalid_scope');
    expect(await refused({ code_challenge: challenge, identity_provider: 'Nobody' })).toBe('invalid_request');
  });

  it('checks the CSRF token, answers wrong passwords generically, and honours the lockout', async () => {
    await confirmedUser('cy@example.com', 'cy password is long');
    const { challenge } = pkce();
    const browser = new Browser();
    const { response, url: loginUrl } = await browser.follow(authorizeUrl({ code_challenge: challenge }));
    const page = await response.text();
    expect(page).toMatch(/<label for="username">/);
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const form = formOf(page, loginUrl);

    const forged = await browser.request(form.action, {
      form: { ...form.fields, _csrf: 'forged', username: 'cy@example.com', password: 'cy password is long' },
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
    // A request from another site carries no CSRF cookie.
    const crossSite = await fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...form.fields,
        username: 'cy@example.com',
        password: 'cy password is long',
      }),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);

    const attempt = async (username: string, password: string) => {
      const result = await browser.request(form.action, { form: { ...form.fields, username, password } });
      return { status: result.status, message: /role="alert"[^>]*>([^<]*)</.exec(await result.text())?.[1] };
    };
    const wrong = await attempt('cy@example.com', 'not the password');
    const unknown = await attempt('nobody@example.com', 'not the password');
    expect(wrong).toEqual({ status: 400, message: 'Incorrect username or password.' });
    expect(unknown).toEqual(wrong);
    for (let i = 0; i < 4; i++) await attempt('cy@example.com', 'not the password');
    // Locked now (5 failures): even the right password gets the generic answer.
    expect(await attempt('cy@example.com', 'cy password is long')).toEqual(wrong);
    const { item } = await app.stores.users.get(
      userKeys.email('cy@example.com') as { PK: string; SK: string },
    );
    const record = await app.stores.users.get(userKeys.user(String(item!.sub)));
    expect(Number(record.item!.lockedUntil)).toBeGreaterThan(Date.now());
  });

  it('tells a user whose password an administrator reset to reset it first', async () => {
    await confirmedUser('reset@example.com', 'reset password is long');
    const admin = adminClient(url);
    await admin.send(
      new AdminResetUserPasswordCommand({
        UserPoolId: app.identity.pool!.userPoolId,
        Username: 'reset@example.com',
      }),
    );
    admin.destroy();
    const browser = new Browser();
    const { response, url: loginUrl } = await browser.follow(
      authorizeUrl({ code_challenge: pkce().challenge }),
    );
    const form = formOf(await response.text(), loginUrl);
    const result = await browser.request(form.action, {
      form: { ...form.fields, username: 'reset@example.com', password: 'reset password is long' },
    });
    expect(result.status).toBe(400);
    expect(await result.text()).toContain('Your password must be reset');
  });

  it('does not sign in with a password alone a user whose second factor is SMS', async () => {
    const sub = await confirmedUser('texted@example.com', 'texted password is long');
    await app.stores.users.update({
      key: userKeys.user(sub),
      set: {
        smsMfaEnabled: true,
        attributes: { phone_number: '+15555550123', phone_number_verified: 'true' },
      },
    });
    const browser = new Browser();
    const { response, url: loginUrl } = await browser.follow(
      authorizeUrl({ code_challenge: pkce().challenge }),
    );
    const form = formOf(await response.text(), loginUrl);
    const result = await browser.request(form.action, {
      form: { ...form.fields, username: 'texted@example.com', password: 'texted password is long' },
    });
    expect(result.status).toBe(400);
    expect(result.headers.get('location')).toBeNull();
    expect(await result.text()).toContain('code sent by SMS');
  });

  it('asks for the TOTP code when the user has MFA on', async () => {
    const sub = await confirmedUser('dee@example.com', 'dee password is long');
    const secret = randomBytes(20);
    await app.stores.users.update({
      key: userKeys.user(sub),
      set: { totpSecret: base32Encode(secret), mfaEnabled: true },
    });
    const { verifier, challenge } = pkce();
    const browser = new Browser();
    const passwordStep = await signInThroughLogin(browser, 'dee@example.com', 'dee password is long', {
      code_challenge: challenge,
    });
    expect(passwordStep.response.status).toBe(200);
    const mfaForm = formOf(await passwordStep.response.text(), passwordStep.url);
    expect(mfaForm.fields).toHaveProperty('session');

    const wrong = await browser.request(mfaForm.action, { form: { ...mfaForm.fields, code: '000000' } });
    expect(wrong.status).toBe(400);
    const code = totpAt(secret, totpStep(clock.now()));
    const done = await browser.follow(mfaForm.action, { form: { ...mfaForm.fields, code } }, toCallback);
    const authorizationCode = new URL(done.url).searchParams.get('code')!;
    const tokens = await redeem({
      grant_type: 'authorization_code',
      code: authorizationCode,
      redirect_uri: callback,
      code_verifier: verifier,
    });
    expect(decodeJwt(tokens.body.access_token!).sub).toBe(sub);
    // The same TOTP code cannot be used twice.
    const replay = await browser.request(mfaForm.action, { form: { ...mfaForm.fields, code } });
    expect(replay.status).toBe(400);
    // The user's history: the wrong code failed at MFA; the sign-in passed both, from the browser's address.
    const { AuthEvents } = await adminListUserAuthEvents({ Username: sub }, app.identity.services!);
    expect(
      AuthEvents.map(({ EventType, EventResponse, ChallengeResponses, EventContextData }) => ({
        EventType,
        EventResponse,
        ChallengeResponses,
        EventContextData,
      })),
    ).toEqual([
      {
        EventType: 'SignIn',
        EventResponse: 'Pass',
        ChallengeResponses: [
          { ChallengeName: 'Password', ChallengeResponse: 'Success' },
          { ChallengeName: 'Mfa', ChallengeResponse: 'Success' },
        ],
        EventContextData: { IpAddress: '127.0.0.1' },
      },
      {
        EventType: 'SignIn',
        EventResponse: 'Fail',
        ChallengeResponses: [
          { ChallengeName: 'Password', ChallengeResponse: 'Success' },
          { ChallengeName: 'Mfa', ChallengeResponse: 'Failure' },
        ],
        EventContextData: undefined,
      },
      { EventType: 'SignUp', EventResponse: 'Pass', ChallengeResponses: [], EventContextData: undefined },
    ]);
  });

  it('logs out only to configured sign-out URLs', async () => {
    const browser = new Browser();
    for (const target of [
      'https://evil.example/',
      `${signedOut}/../evil`,
      `${signedOut}?next=https://evil.example`,
      '//evil.example',
      'javascript:alert(1)',
    ]) {
      const response = await browser.request(
        `${url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: target })}`,
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
    const wrongClient = await browser.request(
      `${url}/logout?${new URLSearchParams({ client_id: 'other', logout_uri: signedOut })}`,
    );
    expect(wrongClient.status).toBe(400);
  });

  it('publishes the endpoints in the OpenID configuration', async () => {
    const response = await fetch(`${url}/${app.identity.pool!.userPoolId}/.well-known/openid-configuration`);
    expect(await response.json()).toMatchObject({
      authorization_endpoint: `${url}/oauth2/authorize`,
      token_endpoint: `${url}/oauth2/token`,
      userinfo_endpoint: `${url}/oauth2/userInfo`,
      code_challenge_methods_supported: ['S256'],
      claims_supported: expect.arrayContaining(['cognito:username', 'cognito:groups']),
    });
  });

  it("answers CORS preflights for the token and userInfo endpoints to the callback URLs' origins only", async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${url}${path}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const token = await preflight('/oauth2/token', 'https://app.example');
    expect(token.status).toBe(204);
    expect(token.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(token.headers.get('access-control-allow-methods')).toBe('POST');
    expect(token.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    const userInfo = await preflight('/oauth2/userInfo', 'https://app.example');
    expect(userInfo.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(userInfo.headers.get('access-control-allow-headers')).toBe('authorization');
    const elsewhere = await preflight('/oauth2/token', 'https://evil.example');
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });
});
