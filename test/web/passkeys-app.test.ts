/**
 * The web app's passkeys in headless Chromium with a virtual authenticator: a user signs in with
 * a password, adds a passkey in Settings (Amplify's associateWebAuthnCredential), signs out and
 * signs in again with "Sign in with a passkey" (Amplify's USER_AUTH with WEB_AUTHN). Plaza's public
 * URL is on localhost, as browsers refuse IP addresses as relying parties.
 */
import { ListWebAuthnCredentialsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it, onTestFailed } from 'vitest';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { startPoolApp } from '../support/pool-app.ts';
import { addVirtualAuthenticator, artifactsFolder, webSuite } from '../support/web-suite.ts';

const artifacts = artifactsFolder('passkeys');
let page: Page;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const web = webSuite({
  artifacts,
  keepArtifacts: true,
  timeout: 180_000,
  start: async () => {
    port = await freePort();
    return startPoolApp('passkeys-app', {
      env: { PORT: String(port), PLAZA_PUBLIC_URL: `http://localhost:${port}` },
    });
  },
});

beforeAll(async () => {
  const context = await web.browser.newContext({
    baseURL: `http://localhost:${port}`,
    viewport: { width: 420, height: 860 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await addVirtualAuthenticator(context, page);
});

it('adds a passkey in Settings and signs in with it', async () => {
  onTestFailed(() =>
    page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).then(() => {}),
  );
  const email = 'web-passkey@example.com';
  const password = 'correct horse battery';
  const { accessToken } = await signUpAndSignIn(web.server.cognito, {
    clientId: web.server.clientId,
    dataDir: web.server.dir,
    email,
    password,
  });
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Welcome to Plaza' }).waitFor();
  await page.getByLabel('Display name').fill('Pat Key');
  await page.getByLabel('Username').fill('patkey');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('region', { name: 'Stories' }).waitFor();

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('list', { name: 'Your passkeys' }).getByText('Passkey').waitFor();
  await page.screenshot({ path: join(artifacts, 'settings-passkey.png'), fullPage: true });
  const { Credentials } = await web.server.cognito.send(
    new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }),
  );
  expect(Credentials).toHaveLength(1);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('region', { name: 'Stories' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'signed-in-with-passkey.png'), fullPage: true });
}, 120_000);
