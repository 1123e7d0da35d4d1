/**
 * SAML 2.0 federation end to end against a SAML IdP on a loopback port (test/support/saml-idp.ts,
 * signing with xml-crypto): Plaza's /oauth2/authorize?identity_provider=… → an HTTP-Redirect
 * AuthnRequest → the IdP's auto-posting form → POST /saml2/idpresponse → the app's callback with
 * a code for the pool's own tokens; and every way a Response can be wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userKeys } from '../../src/domain/identity/model.ts';
import { Browser, formOf } from '../support/browser.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';
import { makeSigningKey, SamlIdp, type ResponseOptions } from '../support/saml-idp.ts';
import { pkce, redeemCode } from '../support/oauth-client.ts';

const callback = 'https://app.example/callback';
const emailClaim = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const idp = new SamlIdp();
const metadataDir = mkdtempSync(join(tmpdir(), 'plaza-saml-metadata-'));
let pool: PoolApp;
let acsUrl: string;
let spEntityId: string;

beforeAll(async () => {
  await idp.start();
  writeFileSync(join(metadataDir, 'idp.xml'), idp.metadata());
  pool = await startPoolApp('saml', {
    configFile: {
      userPool: {
        callbackUrls: [callback],
        samlProviders: [
          {
            name: 'Corp',
            metadataUrl: `${idp.url}/metadata`,
            attributeMapping: {
              email: emailClaim,
              given_name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
              'custom:groups': 'groups',
            },
          },
          { name: 'CorpFile', metadataFile: join(metadataDir, 'idp.xml'), clockSkewSeconds: 0 },
          { name: 'Portal', metadataFile: join(metadataDir, 'idp.xml'), idpInitiated: true },
        ],
      },
    },
  });
  acsUrl = `${pool.url}/saml2/idpresponse`;
  spEntityId = `urn:amazon:cognito:sp:${pool.userPoolId}`;
});
afterAll(async () => {
  await pool?.close();
  await idp.close();
  rmSync(metadataDir, { recursive: true, force: true });
});

const toCallback = (location: string) => location.startsWith(callback);

function authorizeUrl(provider: string, challenge: string): string {
  return `${pool.url}/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: pool.clientId,
    redirect_uri: callback,
    scope: 'openid email',
    state: 'app-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    identity_provider: provider,
  })}`;
}

/** Starts at Plaza and goes to the IdP; returns the IdP's auto-posting form (SAMLResponse, RelayState). */
async function toIdp(browser: Browser, provider: string, challenge: string) {
  const start = await browser.request(authorizeUrl(provider, challenge));
  expect(start.status).toBe(302);
  const location = start.headers.get('location')!;
  expect(location.startsWith(`${idp.url}/sso?`)).toBe(true);
  const page = await browser.request(location);
  return formOf(await page.text(), location);
}

/** The whole SP-initiated sign-in; returns where the browser ended (the app's callback, or a page). */
async function signIn(
  browser: Browser,
  provider: string,
  challenge: string,
  alter: Partial<ResponseOptions> = {},
) {
  idp.alter = alter;
  try {
    const form = await toIdp(browser, provider, challenge);
    expect(form.action).toBe(acsUrl);
    return await browser.follow(form.action, { form: form.fields }, toCallback);
  } finally {
    idp.alter = {};
  }
}

const redeem = (code: string, verifier: string) =>
  redeemCode({ url: pool.url, clientId: pool.clientId, callback }, code, verifier);

/** The app was told the sign-in was refused, with its state and no code. */
function expectRefused(step: { response: Response; url: string }) {
  expect(step.url.startsWith(callback)).toBe(true);
  const landed = new URL(step.url);
  expect(landed.searchParams.get('code')).toBeNull();
  expect(landed.searchParams.get('error')).toBe('access_denied');
  expect(landed.searchParams.get('state')).toBe('app-state');
}

describe('SAML federation, SP-initiated', () => {
  it('sends an HTTP-Redirect AuthnRequest from the pool, and serves the SP metadata', async () => {
    const browser = new Browser();
    await toIdp(browser, 'Corp', pkce().challenge);
    const seen = idp.requests.at(-1)!;
    expect(seen).toMatchObject({ acsUrl, issuer: spEntityId });
    expect(seen.id).toMatch(/^_/);
    // The RelayState is an opaque state, never the app's parameters.
    expect(seen.relayState).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const metadata = await fetch(`${pool.url}/saml2/metadata`);
    expect(metadata.status).toBe(200);
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${spEntityId}"`);
    expect(xml).toContain(`Location="${acsUrl}"`);
    expect(xml).toContain('WantAssertionsSigned="true"');

    // The web app's sign-in buttons come from the outputs, SAML providers by their names.
    const outputs = (await (await fetch(`${pool.url}/amplify_outputs.json`)).json()) as {
      auth: { oauth: { identity_providers: string[] } };
    };
    expect(outputs.auth.oauth.identity_providers).toEqual(expect.arrayContaining(['Corp', 'Portal']));
  });

  it('creates the user with mapped attributes on the first sign-in and reuses it on the second', async () => {
    const first = pkce();
    const step = await signIn(new Browser(), 'Corp', first.challenge);
    const landed = new URL(step.url);
    expect(landed.searchParams.get('state')).toBe('app-state');
    const tokens = await redeem(landed.searchParams.get('code')!, first.verifier);
    const id = decodeJwt(tokens.id_token!);
    expect(id).toMatchObject({
      'cognito:username': 'Corp_alice',
      email: 'alice@corp.example',
      email_verified: false,
      given_name: 'ALICE',
      'custom:groups': 'staff,admins',
    });
    const sub = String(id.sub);
    const { item: user } = await pool.app.stores.users.get(userKeys.user(sub));
    expect(user).toMatchObject({ status: 'EXTERNAL_PROVIDER', username: 'Corp_alice' });
    const identities = JSON.parse(String((user!.attributes as Record<string, string>).identities));
    expect(identities[0]).toMatchObject({
      providerName: 'Corp',
      providerType: 'SAML',
      userId: 'alice',
      issuer: idp.entityId,
    });
    const profile = await pool.app.stores.main.get({ PK: `USER#${sub}`, SK: 'PROFILE' });
    expect(profile.item).toBeDefined();

    const second = pkce();
    const again = new URL((await signIn(new Browser(), 'Corp', second.challenge)).url);
    const secondTokens = await redeem(again.searchParams.get('code')!, second.verifier);
    expect(decodeJwt(secondTokens.access_token!).sub).toBe(sub);
  });

  it('reads the IdP metadata from a file as well as from a URL', async () => {
    const { challenge, verifier } = pkce();
    idp.user = 'filer';
    try {
      const landed = new URL((await signIn(new Browser(), 'CorpFile', challenge)).url);
      const tokens = await redeem(landed.searchParams.get('code')!, verifier);
      // No mapping configured: the default maps email from the usual claim.
      expect(decodeJwt(tokens.id_token!)).toMatchObject({
        'cognito:username': 'CorpFile_filer',
        email: 'filer@corp.example',
      });
    } finally {
      idp.user = 'alice';
    }
  });

  it('refuses a NameID changed after signing', async () => {
    const step = await signIn(new Browser(), 'Corp', pkce().challenge, {
      afterSigning: (xml) => xml.replace('>alice</saml:NameID>', '>mallory</saml:NameID>'),
    });
    expectRefused(step);
  });

  it('refuses an unsigned assertion, even inside a signed Response, and one signed by another key', async () => {
    expectRefused(await signIn(new Browser(), 'Corp', pkce().challenge, { signAssertion: false }));
    expectRefused(
      await signIn(new Browser(), 'Corp', pkce().challenge, { signAssertion: false, signResponse: true }),
    );
    expectRefused(await signIn(new Browser(), 'Corp', pkce().challenge, { key: makeSigningKey('Mallory') }));
  });

  it('refuses a wrong audience, destination or recipient', async () => {
    expectRefused(await signIn(new Browser(), 'Corp', pkce().challenge, { audience: 'urn:someone-else' }));
    expectRefused(
      await signIn(new Browser(), 'Corp', pkce().challenge, { destination: 'https://elsewhere.example/acs' }),
    );
    expectRefused(
      await signIn(new Browser(), 'Corp', pkce().challenge, { recipient: 'https://elsewhere.example/acs' }),
    );
  });

  it('refuses an expired or not-yet-valid assertion, within the configured clock skew', async () => {
    const now = Date.now();
    expectRefused(
      await signIn(new Browser(), 'Corp', pkce().challenge, { notOnOrAfter: new Date(now - 5 * 60_000) }),
    );
    expectRefused(
      await signIn(new Browser(), 'Corp', pkce().challenge, { notBefore: new Date(now + 5 * 60_000) }),
    );
    // Corp allows the default 30 s of skew: an assertion 10 s past its window still passes…
    const { challenge, verifier } = pkce();
    const late = new URL(
      (await signIn(new Browser(), 'Corp', challenge, { notOnOrAfter: new Date(now - 10_000) })).url,
    );
    expect((await redeem(late.searchParams.get('code')!, verifier)).access_token).toBeTruthy();
    // …and CorpFile, configured with none, refuses it.
    expectRefused(
      await signIn(new Browser(), 'CorpFile', pkce().challenge, { notOnOrAfter: new Date(now - 10_000) }),
    );
  });

  it('refuses a replayed Response, one answering another request, and one in another browser', async () => {
    const browser = new Browser();
    const form = await toIdp(browser, 'Corp', pkce().challenge);
    const first = await browser.follow(form.action, { form: form.fields }, toCallback);
    expect(new URL(first.url).searchParams.get('code')).toBeTruthy();
    // The same POST again: its state is used up, and the RelayState is no IdP-initiated one.
    const replay = await browser.follow(form.action, { form: form.fields }, toCallback);
    expect(replay.response.status).toBe(400);

    // The same assertion under a fresh state of this browser: answers another AuthnRequest (InResponseTo).
    const fresh = await toIdp(browser, 'Corp', pkce().challenge);
    const spliced = await browser.follow(
      fresh.action,
      { form: { SAMLResponse: form.fields.SAMLResponse!, RelayState: fresh.fields.RelayState! } },
      toCallback,
    );
    expectRefused(spliced);

    // An attacker's browser (no binding cookie) posting a victim-bound state's Response.
    const victim = new Browser();
    const victimForm = await toIdp(victim, 'Corp', pkce().challenge);
    const stolen = await new Browser().follow(victimForm.action, { form: victimForm.fields }, toCallback);
    expect(stolen.response.status).toBe(400);
    expect(stolen.url.startsWith(callback)).toBe(false);
  });
});

describe('SAML federation, IdP-initiated', () => {
  const relayState = (provider: string, challenge: string) =>
    new URLSearchParams({
      response_type: 'code',
      client_id: pool.clientId,
      redirect_uri: callback,
      scope: 'openid email',
      state: 'app-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      identity_provider: provider,
    }).toString();
  const unsolicited = (nameId: string) =>
    idp.response({
      nameId,
      attributes: { [emailClaim]: `${nameId}@corp.example` },
      acsUrl,
      audience: spEntityId,
    });

  it('is refused unless the provider enables it (IDPInit)', async () => {
    const step = await new Browser().follow(
      acsUrl,
      { form: { SAMLResponse: unsolicited('ivan'), RelayState: relayState('Corp', pkce().challenge) } },
      toCallback,
    );
    expect(step.response.status).toBe(400);
    expect(await step.response.text()).toContain('IdP-initiated sign-in is not enabled');
  });

  it('signs in where enabled, accepts each assertion once, and refuses a solicited Response', async () => {
    const { challenge, verifier } = pkce();
    const samlResponse = unsolicited('ivan');
    const form = { SAMLResponse: samlResponse, RelayState: relayState('Portal', challenge) };
    const step = await new Browser().follow(acsUrl, { form }, toCallback);
    const landed = new URL(step.url);
    expect(landed.searchParams.get('state')).toBe('app-state');
    const tokens = await redeem(landed.searchParams.get('code')!, verifier);
    expect(decodeJwt(tokens.id_token!)).toMatchObject({
      'cognito:username': 'Portal_ivan',
      email: 'ivan@corp.example',
    });

    expectRefused(await new Browser().follow(acsUrl, { form }, toCallback));

    const solicited = idp.response({
      nameId: 'ivan',
      acsUrl,
      audience: spEntityId,
      inResponseTo: '_a-request-of-ours',
    });
    expectRefused(
      await new Browser().follow(acsUrl, { form: { ...form, SAMLResponse: solicited } }, toCallback),
    );
  });

  it('answers a bad request with a page, never a 5xx', async () => {
    const forms: Record<string, string>[] = [
      {},
      { SAMLResponse: 'bm90IHhtbA==', RelayState: 'x' },
      { SAMLResponse: 'bm90IHhtbA==', RelayState: relayState('Nobody', pkce().challenge) },
    ];
    for (const form of forms) {
      const response = await fetch(acsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      expect(response.status).toBe(400);
    }
    const garbage = await new Browser().follow(
      acsUrl,
      { form: { SAMLResponse: 'bm90IHhtbA==', RelayState: relayState('Portal', pkce().challenge) } },
      toCallback,
    );
    expectRefused(garbage);
    const finish = await fetch(`${acsUrl}?state=unknown`);
    expect(finish.status).toBe(400);
  });
});
