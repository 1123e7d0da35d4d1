/**
 * Facebook Login end to end against a small Graph API on a loopback port (the login dialog, the
 * code exchange at /oauth/access_token, /debug_token and /me with its appsecret_proof, each
 * checked as Facebook does): Plaza's /oauth2/authorize?identity_provider=Facebook → the dialog →
 * /oauth2/idpresponse → the app's callback → /oauth2/token.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { userKeys } from '../../src/domain/identity/model.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Browser } from '../support/browser.ts';
import { pkce, redeemCode } from '../support/oauth-client.ts';

const callback = 'https://app.example/callback';
const appId = '1234567890';
const appSecret = 'the-facebook-app-secret-for-the-test';
const otherAppId = '9999999999';
const otherAppSecret = 'another-app-secret';
const secrets: Record<string, string> = { [appId]: appSecret, [otherAppId]: otherAppSecret };
const people: Record<string, { id: string; name: string; email: string }> = {
  ada: { id: '10001', name: 'Ada Lovelace', email: 'ada@facebook.example' },
  bob: { id: '10002', name: 'Bob', email: 'bob@facebook.example' },
};

const dir = mkdtempSync(join(tmpdir(), 'plaza-facebook-'));
let app: App;
let url: string;
let clientId: string;
let graph: Server;
let graphUrl: string;
/** Who consents in the dialog next; `refuse` answers the dialog's error instead. */
let nextPerson: string | 'refuse' = 'ada';
/** When set, the code exchange hands out a token issued to this other app. */
let tokenForApp: string | undefined;
const codes = new Map<string, { person: string; redirectUri: string }>();
const tokens = new Map<string, { person: string; app: string }>();

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The parts of the Graph API Plaza uses, refusing what Facebook refuses. */
function graphApi(request: IncomingMessage, response: ServerResponse) {
  const requestUrl = new URL(request.url ?? '/', graphUrl);
  const q = Object.fromEntries(requestUrl.searchParams);
  const oauthError = (message: string) => json(response, 400, { error: { message, type: 'OAuthException' } });
  switch (requestUrl.pathname) {
    case '/v19.0/dialog/oauth': {
      if (q.client_id !== appId || q.response_type !== 'code' || !q.redirect_uri)
        return oauthError('bad dialog');
      const back = new URL(q.redirect_uri);
      if (nextPerson === 'refuse') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_reason', 'user_denied');
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { person: nextPerson, redirectUri: q.redirect_uri });
        back.searchParams.set('code', code);
      }
      if (q.state) back.searchParams.set('state', q.state);
      return response.writeHead(302, { location: back.toString() }).end();
    }
    case '/v19.0/oauth/access_token': {
      const grant = codes.get(q.code ?? '');
      codes.delete(q.code ?? '');
      if (
        !grant ||
        q.client_id !== appId ||
        q.client_secret !== appSecret ||
        q.redirect_uri !== grant.redirectUri
      )
        return oauthError('Invalid verification code format.');
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { person: grant.person, app: tokenForApp ?? appId });
      return json(response, 200, { access_token: token, token_type: 'bearer', expires_in: 5_000_000 });
    }
    case '/v19.0/debug_token': {
      const [caller, secret] = (q.access_token ?? '').split('|');
      if (!caller || secrets[caller] !== secret) return oauthError('Invalid app access token');
      const token = tokens.get(q.input_token ?? '');
      if (!token) return json(response, 200, { data: { is_valid: false } });
      return json(response, 200, {
        data: {
          app_id: token.app,
          is_valid: true,
          user_id: people[token.person]!.id,
          expires_at: Math.floor(Date.now() / 1000) + 3600,
        },
      });
    }
    case '/v19.0/me': {
      const token = tokens.get(q.access_token ?? '');
      if (!token) return oauthError('Invalid OAuth access token.');
      const proof = createHmac('sha256', secrets[token.app]!).update(q.access_token!).digest('hex');
      if (q.appsecret_proof !== proof)
        return oauthError('Invalid appsecret_proof provided in the API argument');
      const person = people[token.person]!;
      const fields = (q.fields ?? 'id').split(',');
      return json(
        response,
        200,
        Object.fromEntries(Object.entries(person).filter(([field]) => fields.includes(field))),
      );
    }
    default:
      return oauthError('Unknown path');
  }
}

beforeAll(async () => {
  graph = createServer(graphApi);
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  graphUrl = `http://127.0.0.1:${(graph.address() as AddressInfo).port}`;
  writeFileSync(join(dir, 'facebook-secret'), `${appSecret}\n`);
  writeFileSync(
    join(dir, 'plaza.config.json'),
    JSON.stringify({
      userPool: {
        callbackUrls: [callback],
        identityProviders: [
          {
            type: 'facebook',
            name: 'Facebook',
            clientId: appId,
            clientSecretFile: 'facebook-secret',
            authorizationEndpoint: `${graphUrl}/v19.0/dialog/oauth`,
            graphUrl: `${graphUrl}/v19.0`,
          },
        ],
      },
    }),
  );
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  clientId = app.identity.pool!.clientId;
});
afterAll(async () => {
  await app?.close();
  graph?.closeAllConnections();
  await new Promise((resolve) => graph?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function authorizeUrl(challenge: string) {
  return `${url}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    state: 'app-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    identity_provider: 'Facebook',
  })}`;
}

/** Plaza → the dialog (someone consents) → Plaza → where the browser lands at the app. */
async function signIn(browser: Browser, person: string, challenge: string): Promise<URL> {
  nextPerson = person;
  const step = await browser.follow(authorizeUrl(challenge), {}, (next) => next.startsWith(callback));
  return new URL(step.url);
}

const redeem = (code: string, verifier: string) =>
  redeemCode({ url: url, clientId: clientId, callback }, code, verifier);

describe('federation to Facebook', () => {
  it('sends the browser to the dialog with the app ID, state and scopes, and no secret', async () => {
    const start = await new Browser().request(authorizeUrl(pkce().challenge));
    const dialog = new URL(start.headers.get('location')!);
    expect(`${dialog.origin}${dialog.pathname}`).toBe(`${graphUrl}/v19.0/dialog/oauth`);
    expect(Object.fromEntries(dialog.searchParams)).toMatchObject({
      client_id: appId,
      redirect_uri: `${url}/oauth2/idpresponse`,
      response_type: 'code',
      scope: 'public_profile,email',
    });
    expect(dialog.searchParams.get('state')).toMatch(/^[\w-]{32,}$/);
    expect(start.headers.get('location')).not.toContain(appSecret);
  });

  it('links the Graph API id, maps email and name, and reuses the user on the next sign-in', async () => {
    const first = pkce();
    const landed = await signIn(new Browser(), 'ada', first.challenge);
    expect(landed.searchParams.get('state')).toBe('app-state');
    const tokenSet = await redeem(landed.searchParams.get('code')!, first.verifier);
    const id = decodeJwt(tokenSet.id_token!);
    expect(id).toMatchObject({ 'cognito:username': 'Facebook_10001', email: 'ada@facebook.example' });
    const sub = String(id.sub);
    const { item: user } = await app.stores.users.get(userKeys.user(sub));
    expect(user).toMatchObject({ status: 'EXTERNAL_PROVIDER', username: 'Facebook_10001' });
    const attributes = user!.attributes as Record<string, string>;
    expect(attributes.name).toBe('Ada Lovelace');
    expect(JSON.parse(attributes.identities!)).toEqual([
      expect.objectContaining({
        userId: '10001',
        providerName: 'Facebook',
        providerType: 'Facebook',
        issuer: 'https://www.facebook.com',
      }),
    ]);

    const second = pkce();
    const again = await signIn(new Browser(), 'ada', second.challenge);
    expect(
      decodeJwt((await redeem(again.searchParams.get('code')!, second.verifier)).access_token!).sub,
    ).toBe(sub);
    const other = pkce();
    const bob = await signIn(new Browser(), 'bob', other.challenge);
    expect(
      decodeJwt((await redeem(bob.searchParams.get('code')!, other.verifier)).access_token!).sub,
    ).not.toBe(sub);
  });

  it('tells the app when the person declines in the dialog', async () => {
    const landed = await signIn(new Browser(), 'refuse', pkce().challenge);
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('code')).toBeNull();
    expect(landed.searchParams.get('state')).toBe('app-state');
  });

  it('refuses an access token issued to another app', async () => {
    tokenForApp = otherAppId;
    let landed: URL;
    try {
      landed = await signIn(new Browser(), 'bob', pkce().challenge);
    } finally {
      tokenForApp = undefined;
    }
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('code')).toBeNull();
  });

  it('refuses a made-up state, an answer in another browser, and a replayed state', async () => {
    const browser = new Browser();
    const madeUp = await browser.request(
      `${url}/oauth2/idpresponse?${new URLSearchParams({ state: 'made-up', code: 'x' })}`,
    );
    expect(madeUp.status).toBe(400);

    nextPerson = 'ada';
    const start = await browser.request(authorizeUrl(pkce().challenge));
    const dialog = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const answer = dialog.headers.get('location')!;
    // The attacker's browser (no binding cookie) brings back the dialog's answer.
    expect((await new Browser().request(answer)).status).toBe(400);
    // The right browser finishes; the same answer again is a replay.
    const finished = await browser.request(answer);
    expect(new URL(finished.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    const replay = await browser.request(answer);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
  });

  it('refuses a configuration without the app secret, naming the field but never the secret', () => {
    const base = { type: 'facebook', name: 'Facebook', clientId: appId };
    const load = (provider: object, env: Record<string, string> = {}) => {
      writeFileSync(
        join(dir, 'bad.config.json'),
        JSON.stringify({ userPool: { identityProviders: [provider] } }),
      );
      return () => loadConfig({ DATA_DIR: dir, PLAZA_CONFIG: 'bad.config.json', ...env }, dir);
    };
    expect(load(base)).toThrow(/exactly one of clientSecret, clientSecretFile and clientSecretEnv/);
    expect(load({ ...base, clientSecretEnv: 'FACEBOOK_APP_SECRET' })).toThrow(
      /identityProviders\.0\.clientSecret: the environment variable FACEBOOK_APP_SECRET is not set/,
    );
    expect(load({ ...base, clientSecretFile: 'missing-file' })).toThrow(/cannot read missing-file/);
    expect(load({ ...base, clientId: 'not-digits', clientSecret: appSecret })).toThrow(/a Facebook app ID/);
    const fromEnv = load(
      { ...base, clientSecretEnv: 'FACEBOOK_APP_SECRET' },
      { FACEBOOK_APP_SECRET: appSecret },
    )();
    expect(fromEnv.hostedUi.identityProviders[0]).toMatchObject({
      type: 'facebook',
      clientSecret: appSecret,
    });
    try {
      load({ ...base, clientSecret: appSecret, clientSecretEnv: 'X' })();
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(appSecret);
    }
  });
});
