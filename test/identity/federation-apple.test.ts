/**
 * Sign in with Apple end to end against oidc-provider shaped like Apple on a loopback port: the
 * answer comes back as a form POSTed to /oauth2/idpresponse (response_mode=form_post), the token
 * endpoint accepts only a client secret that is an ES256 JWT signed with the team's key (checked
 * in front of the provider, as Apple does), and the name arrives once, in the first answer's `user`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { userKeys } from '../../src/domain/identity/model.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Browser, formOf } from '../support/browser.ts';
import { launchChromium } from '../support/chromium.ts';
import { pkce, redeemCode } from '../support/oauth-client.ts';

const callback = 'https://app.example/callback';
const servicesId = 'com.plaza.web';
const teamId = 'TEAM123456';
const keyId = 'KEY1234567';
/** What the provider itself knows the client by; the front swaps the verified JWT for it. */
const providerSecret = 'the-secret-only-the-front-and-the-provider-know';

const dir = mkdtempSync(join(tmpdir(), 'plaza-apple-'));
let app: App;
let url: string;
let clientId: string;
let idp: Server;
let issuer: string;
let providerKey: CryptoKey;
/** Client secrets the front verified, their claims and header. */
const clientSecrets: { header: Record<string, unknown>; claims: JWTPayload }[] = [];
/** When set, the token endpoint's ID token is re-signed with the provider's key after this change. */
let forge: ((claims: JWTPayload) => JWTPayload) | undefined;
/** When set, one character of the ID token's signature is changed. */
let tamper = false;
/** The key id the token endpoint expects in the client secret (Apple's key of the team). */
let expectedKeyId = keyId;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  // Plaza on `localhost`, the provider on `127.0.0.1`: two sites, as Apple and an app are for a browser.
  const port = await freePort();
  url = `http://localhost:${port}`;
  const team = await generateKeyPair('ES256', { extractable: true });
  writeFileSync(join(dir, 'AuthKey.p8'), await exportPKCS8(team.privateKey));
  writeFileSync(
    join(dir, 'plaza.config.json'),
    JSON.stringify({
      userPool: {
        // Plaza's own page is the callback the browser lands on.
        callbackUrls: [callback, `${url}/`],
        identityProviders: [
          {
            type: 'apple',
            name: 'SignInWithApple',
            issuer,
            clientId: servicesId,
            teamId,
            keyId,
            privateKeyFile: 'AuthKey.p8',
          },
        ],
      },
    }),
  );
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: String(port), PLAZA_PUBLIC_URL: url }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  await app.listen();
  clientId = app.identity.pool!.clientId;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  providerKey = privateKey;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: servicesId,
        client_secret: providerSecret,
        redirect_uris: [`${url}/oauth2/idpresponse`],
        token_endpoint_auth_method: 'client_secret_post',
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'apple-test', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['a-cookie-signing-key-for-the-test'] },
    pkce: { required: () => false },
    scopes: ['openid', 'email', 'name'],
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'is_private_email'] },
    conformIdTokenClaims: false,
    findAccount: async (_context, id) => ({
      accountId: id,
      // Apple's ID token: an opaque team-scoped sub, the email, and booleans written as strings.
      claims: async () => ({
        sub: `001234.${id}`,
        email: `${id}@privaterelay.appleid.com`,
        email_verified: 'true',
      }),
    }),
  });
  const handler = provider.callback();
  idp.on('request', async (request, response) => {
    const requested = new URL(request.url ?? '/', issuer);
    if (
      requested.pathname === '/auth' &&
      !requested.searchParams.get('scope')?.split(' ').includes('openid')
    ) {
      // Apple answers every request with an ID token; oidc-provider wants the openid scope for that.
      requested.searchParams.set('scope', `openid ${requested.searchParams.get('scope') ?? ''}`.trim());
      request.url = `${requested.pathname}${requested.search}`;
    }
    if (request.method === 'POST' && request.url?.startsWith('/token')) {
      const form = new URLSearchParams(await readBody(request));
      try {
        // Apple's check of the client secret: ES256, kid, iss = team, sub = client, aud = Apple, short-lived.
        const secret = form.get('client_secret') ?? '';
        const { payload, protectedHeader } = await jwtVerify(secret, team.publicKey, {
          algorithms: ['ES256'],
          issuer: teamId,
          subject: servicesId,
          audience: issuer,
          maxTokenAge: '10m',
          requiredClaims: ['exp', 'iat'],
        });
        if (protectedHeader.kid !== expectedKeyId) throw new Error('kid');
        clientSecrets.push({ header: protectedHeader, claims: payload });
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      form.set('client_secret', providerSecret);
      // oidc-provider reads an already-read body from request.body.
      Object.assign(request, { body: form.toString() });
      interceptIdToken(response);
    }
    handler(request, response);
  });
});
afterAll(async () => {
  await app?.close();
  idp?.closeAllConnections();
  await new Promise((resolve) => idp?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Applies `forge` or `tamper` to the ID token the token endpoint answers. */
function interceptIdToken(response: ServerResponse) {
  if (!forge && !tamper) return;
  const end = response.end.bind(response);
  response.end = ((body: unknown, ...rest: unknown[]) => {
    const tokens = JSON.parse(Buffer.isBuffer(body) ? body.toString() : String(body)) as { id_token: string };
    const finish = (idToken: string) => {
      const text = JSON.stringify({ ...tokens, id_token: idToken });
      response.setHeader('content-length', Buffer.byteLength(text));
      return (end as (...args: unknown[]) => unknown)(text, ...rest);
    };
    if (tamper) {
      const [head, payload, signature] = tokens.id_token.split('.') as [string, string, string];
      const changed = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      return finish(`${head}.${payload}.${changed}`);
    }
    void new SignJWT(forge!(decodeJwt(tokens.id_token)))
      .setProtectedHeader(decodeProtectedHeader(tokens.id_token) as { alg: string; kid: string })
      .sign(providerKey)
      .then(finish);
    return response;
  }) as typeof response.end;
}

/**
 * Plaza → the provider's login and consent as `login` → its form_post page, whose form (action
 * Plaza's /oauth2/idpresponse) is returned unsent.
 */
async function toApple(browser: Browser, login: string, challenge: string) {
  const start = await browser.request(
    `${url}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callback,
      state: 'app-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      identity_provider: 'SignInWithApple',
    })}`,
  );
  expect(start.status).toBe(302);
  const providerUrl = new URL(start.headers.get('location')!);
  expect(providerUrl.searchParams.get('response_mode')).toBe('form_post');
  expect(providerUrl.searchParams.get('nonce')).toBeTruthy();
  let step = await browser.follow(providerUrl.toString());
  for (let pages = 0; pages < 5; pages++) {
    const form = formOf(await step.response.text(), step.url);
    if (form.action.startsWith(`${url}/oauth2/idpresponse`)) return form;
    const fields = form.fields.prompt === 'login' ? { ...form.fields, login, password: 'any' } : form.fields;
    step = await browser.follow(form.action, { form: fields });
  }
  throw new Error('no form_post page');
}

/**
 * The form_post page's POST, sent cross-site (no cookies, as a browser sends none with SameSite=Lax),
 * then its 303 followed in the browser; returns where the browser lands at the app.
 */
async function postAnswer(browser: Browser, form: { action: string; fields: Record<string, string> }) {
  const posted = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields),
    redirect: 'manual',
  });
  expect(posted.status).toBe(303);
  const next = posted.headers.get('location')!;
  expect(next).not.toContain('code=');
  const step = await browser.follow(next, {}, (location) => location.startsWith(callback));
  return new URL(step.url);
}

const redeem = (code: string, verifier: string) =>
  redeemCode({ url: url, clientId: clientId, callback }, code, verifier);

async function signInWith(
  login: string,
  user?: object,
): Promise<{ landed: URL; tokens: Record<string, string> | undefined }> {
  const { verifier, challenge } = pkce();
  const browser = new Browser();
  const form = await toApple(browser, login, challenge);
  const landed = await postAnswer(browser, {
    ...form,
    fields: user ? { ...form.fields, user: JSON.stringify(user) } : form.fields,
  });
  const code = landed.searchParams.get('code');
  return { landed, tokens: code ? await redeem(code, verifier) : undefined };
}

describe('Sign in with Apple', () => {
  it('keeps the name of the first sign-in, which Apple never sends again', async () => {
    const { landed, tokens } = await signInWith('ada', {
      name: { firstName: 'Ada', lastName: 'Lovelace' },
      email: 'forged@evil.example',
    });
    expect(landed.searchParams.get('state')).toBe('app-state');
    const id = decodeJwt(tokens!.id_token!);
    expect(id).toMatchObject({
      'cognito:username': 'SignInWithApple_001234.ada',
      // The ID token's email, never the unsigned `user` one; Apple's "true" is a boolean here.
      email: 'ada@privaterelay.appleid.com',
      email_verified: true,
    });
    const sub = String(id.sub);
    const read = async () => (await app.stores.users.get(userKeys.user(sub))).item!;
    const user = await read();
    expect(user.attributes).toMatchObject({ name: 'Ada Lovelace' });
    expect(JSON.parse((user.attributes as Record<string, string>).identities!)).toEqual([
      expect.objectContaining({ providerType: 'SignInWithApple', issuer, userId: '001234.ada' }),
    ]);

    const again = await signInWith('ada');
    expect(decodeJwt(again.tokens!.access_token!).sub).toBe(sub);
    expect((await read()).attributes).toMatchObject({ name: 'Ada Lovelace' });
  });

  it('signs in a real browser, whose binding cookie comes back only after the cross-site POST', async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.newPage();
      const posts: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().startsWith(`${url}/oauth2/idpresponse`))
          void request.allHeaders().then((headers) => posts.push(headers.cookie));
      });
      await page.goto(
        `${url}/oauth2/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: clientId,
          redirect_uri: `${url}/`,
          state: 'app-state',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
          identity_provider: 'SignInWithApple',
        })}`,
      );
      await page.fill('input[name=login]', 'chromium');
      await page.fill('input[name=password]', 'any');
      await page.click('button[type=submit]');
      // The consent page; its answer is the auto-submitted form_post page.
      await page.click('button[type=submit]');
      await page.waitForURL((target) => target.searchParams.has('code'));
      const landed = new URL(page.url());
      expect(landed.searchParams.get('code')).toBeTruthy();
      expect(landed.searchParams.get('state')).toBe('app-state');
      expect(posts).toEqual([undefined]);
    } finally {
      await chromium.close();
    }
  });

  it('sends the token endpoint a short-lived ES256 client secret of the team', async () => {
    clientSecrets.length = 0;
    await signInWith('grace');
    expect(clientSecrets).toHaveLength(1);
    const [{ header, claims }] = clientSecrets as [(typeof clientSecrets)[number]];
    expect(header).toEqual({ alg: 'ES256', kid: keyId });
    expect(claims).toMatchObject({ iss: teamId, sub: servicesId, aud: issuer });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600);
  });

  it('is refused by the token endpoint when the client secret names a key Apple does not hold', async () => {
    expectedKeyId = 'REVOKED123';
    try {
      const { landed, tokens } = await signInWith('grace');
      expect(tokens).toBeUndefined();
      expect(landed.searchParams.get('error')).toBe('access_denied');
    } finally {
      expectedKeyId = keyId;
    }
  });

  it('refuses the answer as a GET, and a POSTed answer used twice', async () => {
    const browser = new Browser();
    const form = await toApple(browser, 'mallory', pkce().challenge);
    const asGet = await browser.request(`${form.action}?${new URLSearchParams(form.fields)}`);
    expect(asGet.status).toBe(400);
    expect(asGet.headers.get('location')).toBeNull();
    // The GET used the state up: the genuine POST that follows is refused too.
    const late = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(form.fields),
      redirect: 'manual',
    });
    expect(late.status).toBe(400);

    const second = new Browser();
    const fresh = await toApple(second, 'mallory', pkce().challenge);
    const post = () =>
      fetch(fresh.action, { method: 'POST', body: new URLSearchParams(fresh.fields), redirect: 'manual' });
    const first = await post();
    expect(first.status).toBe(303);
    expect((await post()).status).toBe(400);
    // The answer finishes only in the browser that started, once.
    expect((await new Browser().request(first.headers.get('location')!)).status).toBe(400);
    const finished = await second.request(first.headers.get('location')!);
    expect(new URL(finished.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    expect((await second.request(first.headers.get('location')!)).status).toBe(400);
  });

  it('refuses a made-up state', async () => {
    const response = await fetch(`${url}/oauth2/idpresponse`, {
      method: 'POST',
      body: new URLSearchParams({ state: 'made-up', code: 'x' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
  });

  it('refuses an ID token with a tampered signature', async () => {
    tamper = true;
    try {
      const { landed, tokens } = await signInWith('mallory');
      expect(tokens).toBeUndefined();
      expect(landed.searchParams.get('error')).toBe('access_denied');
    } finally {
      tamper = false;
    }
  });

  it.each([
    ['another audience', (claims: JWTPayload) => ({ ...claims, aud: 'com.another.app' })],
    ['another issuer', (claims: JWTPayload) => ({ ...claims, iss: 'https://appleid.example' })],
    ['another nonce', (claims: JWTPayload) => ({ ...claims, nonce: 'not-plaza-s' })],
    [
      'an expiry past the 30 s of clock skew',
      (claims: JWTPayload) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }),
    ],
    [
      'an issue time in the future',
      (claims: JWTPayload) => ({ ...claims, iat: Math.floor(Date.now() / 1000) + 600 }),
    ],
  ])('refuses an ID token signed by the provider with %s', async (_name, change) => {
    forge = change;
    try {
      const { landed, tokens } = await signInWith('mallory');
      expect(tokens).toBeUndefined();
      expect(landed.searchParams.get('error')).toBe('access_denied');
    } finally {
      forge = undefined;
    }
  });

  it('accepts an ID token that expired within the clock skew', async () => {
    forge = (claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 });
    try {
      const { tokens } = await signInWith('skewed');
      expect(tokens?.access_token).toBeTruthy();
    } finally {
      forge = undefined;
    }
  });

  it('refuses a configuration whose key is not an ES256 private key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    writeFileSync(join(dir, 'rsa.p8'), await exportPKCS8(privateKey));
    const base = { type: 'apple', clientId: servicesId, teamId, keyId };
    const load = (provider: object) => {
      writeFileSync(
        join(dir, 'bad.config.json'),
        JSON.stringify({ userPool: { identityProviders: [provider] } }),
      );
      return () => loadConfig({ DATA_DIR: dir, PLAZA_CONFIG: 'bad.config.json' }, dir);
    };
    expect(load({ ...base, privateKeyFile: 'rsa.p8' })).toThrow(/not an ES256 \(P-256\) key/);
    expect(load(base)).toThrow(/exactly one of privateKeyFile and privateKeyEnv/);
    expect(load({ ...base, teamId: 'short', privateKeyFile: 'AuthKey.p8' })).toThrow(
      /a 10-character Apple team ID/,
    );
    expect(load({ ...base, privateKeyEnv: 'APPLE_KEY' })).toThrow(/APPLE_KEY is not set/);
    expect(load({ ...base, name: 'Apple', privateKeyFile: 'AuthKey.p8' })).toThrow(
      /name: SignInWithApple \(Cognito’s fixed name/,
    );
  });
});
