/**
 * The web app's sign-in offers a button per identity provider that amplify_outputs.json lists
 * (`auth.oauth.identity_providers`), in headless Chromium; a click is Amplify's signInWithRedirect,
 * which reaches the hosted UI's /oauth2/authorize for that provider, with PKCE. The local server's
 * hosted UI is on plain http, so this also checks that the app reaches it there. Through a real
 * OpenID Connect provider the browser comes back signed in, and signs out through the hosted UI's
 * /logout, all on plain http (authorize, token, logout).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { startOidcIdp, type OidcIdp } from '../support/oidc-idp.ts';
import { SamlIdp } from '../support/saml-idp.ts';
import { startPoolApp } from '../support/pool-app.ts';
import { artifactsFolder, webSuite } from '../support/web-suite.ts';

const artifacts = artifactsFolder('federated-sign-in');
let idp: OidcIdp;
const samlIdp = new SamlIdp();
let page: Page;
/** Amplify's access tokens in the page's storage (an expression, evaluated in the page). */
const accessTokens = "Object.keys(localStorage).filter((key) => key.endsWith('.accessToken'))";

// The pool's configuration names the providers, so they start first.
beforeAll(async () => {
  idp = await startOidcIdp();
  await samlIdp.start();
});

afterAll(async () => {
  await idp?.close();
  await samlIdp.close();
});

const web = webSuite({
  artifacts,
  keepArtifacts: true,
  timeout: 180_000,
  start: () =>
    startPoolApp('federated-sign-in', {
      configFile: {
        userPool: {
          identityProviders: [
            { name: 'Google', issuer: 'https://accounts.google.com', clientId: 'google-client' },
            { name: 'Okta', issuer: 'https://example.okta.com', clientId: 'okta-client' },
            { name: 'Mock', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
          ],
          samlProviders: [{ name: 'Campus', metadataUrl: `${samlIdp.url}/metadata` }],
        },
      },
    }),
});

beforeAll(async () => {
  await idp.accept(`${web.server.url}/oauth2/idpresponse`);
  page = await (await web.browser.newContext({ baseURL: web.server.url })).newPage();
  page.setDefaultTimeout(30_000);
});

it('lists the providers in amplify_outputs.json and shows a button for each', async () => {
  onTestFailed(() =>
    page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).then(() => {}),
  );
  const outputs = (await (await fetch(`${web.server.url}/amplify_outputs.json`)).json()) as {
    auth: { oauth: Record<string, unknown> };
  };
  expect(outputs.auth.oauth).toMatchObject({
    domain: new URL(web.server.url).host,
    response_type: 'code',
    redirect_sign_in_uri: expect.arrayContaining([`${web.server.url}/`]),
    identity_providers: ['GOOGLE', 'Okta', 'Mock', 'Campus'],
  });

  await page.goto('/signin');
  const group = page.getByRole('group', { name: 'Other ways to sign in' });
  await expect
    .poll(() => group.getByRole('button').allTextContents())
    .toEqual(['Continue with Google', 'Continue with Okta', 'Continue with Mock', 'Continue with Campus']);
  await page.screenshot({ path: join(artifacts, 'sign-in.png'), fullPage: true });

  // The hosted UI would send the browser on to the provider; the request to it is what is checked.
  await page.route('**/oauth2/authorize?**', (route) => route.fulfill({ status: 204 }));
  const [authorize] = await Promise.all([
    page.waitForRequest((request) => request.url().includes('/oauth2/authorize')),
    group.getByRole('button', { name: 'Continue with Okta' }).click(),
  ]);
  const url = new URL(authorize.url());
  expect(url.origin).toBe(web.server.url);
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    identity_provider: 'Okta',
    client_id: web.server.clientId,
    response_type: 'code',
    redirect_uri: `${web.server.url}/`,
    code_challenge_method: 'S256',
  });
  await page.unroute('**/oauth2/authorize?**');
});

it(
  'signs in through a provider and out through the hosted UI, all on plain http',
  { timeout: 60_000 },
  async () => {
    onTestFailed(() =>
      page.screenshot({ path: join(artifacts, 'failure-round-trip.png'), fullPage: true }).then(() => {}),
    );
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Continue with Mock' }).click();
    // oidc-provider's development login and consent forms.
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name=login]').fill('carol');
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.locator('button[type=submit]', { hasText: /continue/i }).click();

    // Back at the app, whose Amplify redeemed the code at the local /oauth2/token: a new user, signed in.
    await page.getByRole('heading', { name: 'Welcome to Plaza' }).waitFor();
    expect(new URL(page.url()).origin).toBe(web.server.url);
    await page.screenshot({ path: join(artifacts, 'signed-in.png'), fullPage: true });

    await page.getByLabel('Username').fill('carol_fed');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Welcome to Plaza' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: /settings/i }).click();
    const signOut = page.getByRole('button', { name: 'Sign out', exact: true });
    expect(await page.evaluate<string[]>(accessTokens)).toHaveLength(1);

    const [logout] = await Promise.all([
      page.waitForRequest((request) => request.url().includes('/logout?')),
      signOut.click(),
    ]);
    expect(new URL(logout.url()).origin).toBe(web.server.url);
    await page.waitForURL(`${web.server.url}/**`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Amplify's tokens are gone from the browser's storage.
    expect(await page.evaluate<string[]>(accessTokens)).toEqual([]);
  },
);
