/**
 * Federation end to end against a real OpenID Connect provider (the npm package
 * oidc-provider) on a loopback port: Plaza's /oauth2/authorize?identity_provider=…
 * → the provider's login and consent → /oauth2/idpresponse → the app's callback
 * with a code for the pool's own tokens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { userKeys } from '../../src/domain/identity/model.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Browser, formOf } from '../support/browser.ts';
import { startOidcIdp, type OidcIdp } from '../support/oidc-idp.ts';
import { pkce, redeemCode } from '../support/oauth-client.ts';

const callback = 'https://app.example/callback';
const dir = mkdtempSync(join(tmpdir(), 'plaza-federation-'));
let app: App;
let url: string;
let clientId: string;
let idp: OidcIdp;
/** When set, the provider's token response carries an ID token with one signature character changed. */
let tamperIdToken = false;

beforeAll(async () => {
  idp = await startOidcIdp();
  writeFileSync(
    join(dir, 'plaza.config.json'),
    JSON.stringify({
      userPool: {
        callbackUrls: [callback],
        identityProviders: [
          { name: 'Mock', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
        ],
      },
    }),
  );
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
  await idp.accept(`${url}/oauth2/idpresponse`, (request, response) => {
    if (!tamperIdToken || !request.url?.startsWith('/token')) return;
    const end = response.end.bind(response);
    response.end = ((body: unknown, ...rest: unknown[]) => {
      const text = Buffer.isBuffer(body) ? body.toString() : String(body);
      // A character in the middle of the signature: the last one may only carry padding bits.
      const tampered = text.replace(
        /("id_token":"[^".]+\.[^".]+\.[^"]{10})(.)/,
        (_m, head: string, char: string) => {
          return `${head}${char === 'A' ? 'B' : 'A'}`;
        },
      );
      return (end as (...args: unknown[]) => unknown)(tampered, ...rest);
    }) as typeof response.end;
  });
});
afterAll(async () => {
  await app?.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

const toCallback = (location: string) => location.startsWith(callback);

/**
 * Starts at Plaza, signs in at the provider as `login` (its login and consent forms),
 * and returns where the browser was sent in the end (the app's callback).
 */
async function federatedSignIn(
  browser: Browser,
  login: string,
  challenge: string,
  rewriteProviderUrl: (url: string) => string = (u) => u,
): Promise<URL> {
  const start = await browser.request(
    `${url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callback,
      scope: 'openid email',
      state: 'app-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      identity_provider: 'Mock',
    })}`,
  );
  expect(start.status).toBe(302);
  const providerUrl = start.headers.get('location')!;
  expect(providerUrl.startsWith(`${idp.issuer}/`)).toBe(true);
  const query = new URL(providerUrl).searchParams;
  expect(query.get('code_challenge_method')).toBe('S256');
  expect(query.get('nonce')).toBeTruthy();
  expect(query.get('state')).toBeTruthy();

  let step = await browser.follow(rewriteProviderUrl(providerUrl), {}, toCallback);
  for (let pages = 0; pages < 4 && !toCallback(step.url); pages++) {
    const html = await step.response.text();
    const form = formOf(html, step.url);
    const fields = form.fields.prompt === 'login' ? { ...form.fields, login, password: 'any' } : form.fields;
    step = await browser.follow(form.action, { form: fields }, toCallback);
  }
  return new URL(step.url);
}

const redeem = (code: string, verifier: string) =>
  redeemCode({ url: url, clientId: clientId, callback }, code, verifier);

describe('federation to an external OIDC provider', () => {
  it('creates the user and profile on the first sign-in and reuses them on the second', async () => {
    const first = pkce();
    const landed = await federatedSignIn(new Browser(), 'alice', first.challenge);
    expect(landed.searchParams.get('state')).toBe('app-state');
    const tokens = await redeem(landed.searchParams.get('code')!, first.verifier);
    const id = decodeJwt(tokens.id_token!);
    expect(id).toMatchObject({
      'cognito:username': 'Mock_alice',
      email: 'alice@idp.example',
      email_verified: true,
      iss: `${url}/${app.identity.pool!.userPoolId}`,
    });
    const sub = String(id.sub);
    const { item: user } = await app.stores.users.get(userKeys.user(sub));
    expect(user).toMatchObject({ status: 'EXTERNAL_PROVIDER', username: 'Mock_alice' });
    // The post-confirmation trigger made the profile.
    const profile = await app.stores.main.get({ PK: `USER#${sub}`, SK: 'PROFILE' });
    expect(profile.item).toBeDefined();

    // A new browser, the same account at the provider: the same pool user.
    const second = pkce();
    const again = await federatedSignIn(new Browser(), 'alice', second.challenge);
    const secondTokens = await redeem(again.searchParams.get('code')!, second.verifier);
    expect(decodeJwt(secondTokens.access_token!).sub).toBe(sub);

    // Someone else at the provider is someone else here.
    const other = pkce();
    const bobLanded = await federatedSignIn(new Browser(), 'bob', other.challenge);
    const bobTokens = await redeem(bobLanded.searchParams.get('code')!, other.verifier);
    expect(decodeJwt(bobTokens.access_token!).sub).not.toBe(sub);
  });

  it('refuses an ID token whose signature was tampered with', async () => {
    const { challenge } = pkce();
    tamperIdToken = true;
    let landed: URL;
    try {
      landed = await federatedSignIn(new Browser(), 'mallory', challenge);
    } finally {
      tamperIdToken = false;
    }
    expect(landed.searchParams.get('code')).toBeNull();
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('app-state');
  });

  it('refuses an ID token carrying another nonce', async () => {
    const { challenge } = pkce();
    const landed = await federatedSignIn(new Browser(), 'mallory', challenge, (providerUrl) => {
      const rewritten = new URL(providerUrl);
      rewritten.searchParams.set('nonce', 'a-nonce-plaza-never-issued');
      return rewritten.toString();
    });
    expect(landed.searchParams.get('code')).toBeNull();
    expect(landed.searchParams.get('error')).toBe('access_denied');
  });

  it('refuses a provider answer in another browser, a forged code, or a replay', async () => {
    const { challenge } = pkce();
    const browser = new Browser();
    const start = await browser.request(
      `${url}/oauth2/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: callback,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        identity_provider: 'Mock',
      })}`,
    );
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    // The attacker's browser (no binding cookie) brings back the provider's answer.
    const foreign = await new Browser().request(
      `${url}/oauth2/idpresponse?${new URLSearchParams({ state, code: 'whatever' })}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('location')).toBeNull();
    // In the right browser, a code the provider never issued is refused, and the state is used up.
    const bogus = await browser.request(
      `${url}/oauth2/idpresponse?${new URLSearchParams({ state, code: 'x' })}`,
    );
    const refused = new URL(bogus.headers.get('location')!);
    expect(refused.searchParams.get('error')).toBe('access_denied');
    expect(refused.searchParams.get('code')).toBeNull();
    const replay = await browser.request(
      `${url}/oauth2/idpresponse?${new URLSearchParams({ state, code: 'x' })}`,
    );
    expect(replay.status).toBe(400);
  });
});
