/**
 * The web app's sign-in offers a button per identity provider that amplify_outputs.json lists
 * (`auth.oauth.identity_providers`), in headless Chromium; a click is Amplify's signInWithRedirect,
 * which reaches the hosted UI's /oauth2/authorize for that provider, with PKCE. The local server's
 * hosted UI is on plain http, so this also checks that the app reaches it there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { buildWebApp } from '../../web/build.ts';
import { launchChromium } from '../support/chromium.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'federated-sign-in');
let server: PoolApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const build = await buildWebApp();
  if (build.skipped) throw new Error(`The web app could not be built: ${build.skipped}`);
  server = await startPoolApp('federated-sign-in', {
    configFile: {
      userPool: {
        identityProviders: [
          { name: 'Google', issuer: 'https://accounts.google.com', clientId: 'google-client' },
          { name: 'Okta', issuer: 'https://example.okta.com', clientId: 'okta-client' },
        ],
      },
    },
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ baseURL: server.url })).newPage();
  page.setDefaultTimeout(30_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('lists the providers in amplify_outputs.json and shows a button for each', async () => {
  onTestFailed(() =>
    page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).then(() => {}),
  );
  const outputs = (await (await fetch(`${server.url}/amplify_outputs.json`)).json()) as {
    auth: { oauth: Record<string, unknown> };
  };
  expect(outputs.auth.oauth).toMatchObject({
    domain: new URL(server.url).host,
    response_type: 'code',
    redirect_sign_in_uri: expect.arrayContaining([`${server.url}/`]),
    identity_providers: ['GOOGLE', 'Okta'],
  });

  await page.goto('/signin');
  const group = page.getByRole('group', { name: 'Other ways to sign in' });
  await expect
    .poll(() => group.getByRole('button').allTextContents())
    .toEqual(['Continue with Google', 'Continue with Okta']);
  await page.screenshot({ path: join(artifacts, 'sign-in.png'), fullPage: true });

  // The hosted UI would send the browser on to the provider; the request to it is what is checked.
  await page.route('**/oauth2/authorize?**', (route) => route.fulfill({ status: 204 }));
  const [authorize] = await Promise.all([
    page.waitForRequest((request) => request.url().includes('/oauth2/authorize')),
    group.getByRole('button', { name: 'Continue with Okta' }).click(),
  ]);
  const url = new URL(authorize.url());
  expect(url.origin).toBe(server.url);
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    identity_provider: 'Okta',
    client_id: server.clientId,
    response_type: 'code',
    redirect_uri: `${server.url}/`,
    code_challenge_method: 'S256',
  });
});
