/**
 * The web app's passkeys in headless Chromium with a virtual authenticator: a user signs in with
 * a password, adds a passkey in Settings (Amplify's associateWebAuthnCredential), signs out and
 * signs in again with "Sign in with a passkey" (Amplify's USER_AUTH with WEB_AUTHN). Plaza's public
 * URL is on localhost, as browsers refuse IP addresses as relying parties.
 */
import { ListWebAuthnCredentialsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { buildWebApp } from '../../web/build.ts';
import { launchChromium } from '../support/chromium.ts';
import { signUpAndSignIn } from '../support/cognito-users.ts';
import { startPoolApp, type PoolApp } from '../support/pool-app.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'passkeys');
let server: PoolApp;
let browser: Browser;
let page: Page;

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

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const build = await buildWebApp();
  if (build.skipped) throw new Error(`The web app could not be built: ${build.skipped}`);
  const port = await freePort();
  server = await startPoolApp('passkeys-app', {
    env: { PORT: String(port), PLAZA_PUBLIC_URL: `http://localhost:${port}` },
  });
  browser = await launchChromium();
  const context = await browser.newContext({
    baseURL: `http://localhost:${port}`,
    viewport: { width: 420, height: 860 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('adds a passkey in Settings and signs in with it', async () => {
  onTestFailed(() =>
    page.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true }).then(() => {}),
  );
  const email = 'web-passkey@example.com';
  const password = 'correct horse battery';
  const { accessToken } = await signUpAndSignIn(server.cognito, {
    clientId: server.clientId,
    dataDir: server.dir,
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
  const { Credentials } = await server.cognito.send(
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
