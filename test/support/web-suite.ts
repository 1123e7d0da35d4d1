/**
 * The set-up every Chromium test of the web app shares: a folder for its screenshots, the built
 * app, a server that serves it, and headless Chromium, started before the file's tests and
 * closed after them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFailed } from 'vitest';
import { buildWebApp } from '../../web/build.ts';
import { launchChromium } from './chromium.ts';
import { poolUser, type PoolApp } from './pool-app.ts';

export interface WebSuite<Server> {
  /** Set once the file's beforeAll has run. */
  server: Server;
  browser: Browser;
}

export interface WebSuiteOptions<Server> {
  /** Starts the server the tests drive. */
  start(): Promise<Server>;
  /** The folder for the file's screenshots (artifactsFolder); none for a test that takes none. */
  artifacts?: string;
  /** Screenshots of earlier runs are removed unless kept. */
  keepArtifacts?: boolean;
  /** A test that opens none of the app's pages does without building it. */
  build?: boolean;
  timeout?: number;
}

/** test-artifacts/<name>, where a web test's screenshots go. */
export function artifactsFolder(name: string): string {
  return join(import.meta.dirname, '..', '..', 'test-artifacts', name);
}

export function webSuite<Server extends { close(): Promise<void> }>(
  options: WebSuiteOptions<Server>,
): WebSuite<Server> {
  // Filled in by beforeAll: the tests read it once their hooks have run.
  const suite = {} as Partial<WebSuite<Server>>;
  beforeAll(async () => {
    if (options.artifacts) {
      if (!options.keepArtifacts) rmSync(options.artifacts, { recursive: true, force: true });
      mkdirSync(options.artifacts, { recursive: true });
    }
    if (options.build !== false) {
      const build = await buildWebApp();
      if (build.skipped) throw new Error(`The web app could not be built: ${build.skipped}`);
    }
    suite.server = await options.start();
    suite.browser = await launchChromium();
  }, options.timeout ?? 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite as WebSuite<Server>;
}

/**
 * A virtual authenticator for the page's WebAuthn ceremonies (CDP's WebAuthn domain): it holds
 * discoverable credentials, verifies the user and answers without a touch.
 */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
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
}

/** A GraphQL request with a user-pool token; any error in the answer fails the test. */
export async function graphqlAs(
  url: string,
  token: string,
  query: string,
  variables?: object,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<Record<string, any>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await response.json()) as { data: Record<string, any>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** A pool user with a Plaza username (the app asks a new account for one before anything else). */
export async function member(
  pool: PoolApp,
  name: string,
  options: { groups?: string[]; password?: string } = {},
) {
  const user = await poolUser(pool, `${name}@example.com`, options);
  const { updateProfile } = await graphqlAs(
    pool.url,
    user.accessToken,
    'mutation($u: String) { updateProfile(input: { username: $u }) { id } }',
    { u: name },
  );
  return { ...user, id: String(updateProfile.id) };
}

/** A browser page for one person, in a context of its own, watched as the tests need. */
export async function watchedPage(
  web: WebSuite<{ url: string }>,
  options: {
    /** Names the person in pageErrors and the failure's screenshot, `failure-<who>.png`. */
    who: string;
    viewport: { width: number; height: number };
    artifacts: string;
    /** Where the page's uncaught errors go. */
    pageErrors: string[];
  },
): Promise<Page> {
  const context = await web.browser.newContext({ baseURL: web.server.url, viewport: options.viewport });
  const page = await context.newPage();
  page.on('pageerror', (error) => options.pageErrors.push(`${options.who}: ${error.message}`));
  page.setDefaultTimeout(30_000);
  onTestFailed(async () => {
    await page
      .screenshot({ path: join(options.artifacts, `failure-${options.who}.png`), fullPage: true })
      .catch(() => {});
  });
  return page;
}

/** A page that asked for `path` while signed out and got there through the app's sign-in screen. */
export async function signedIn(
  web: WebSuite<PoolApp>,
  user: { email: string; password: string },
  options: {
    path: string;
    viewport: { width: number; height: number };
    artifacts: string;
    pageErrors: string[];
  },
): Promise<Page> {
  const { path, ...watch } = options;
  const page = await watchedPage(web, { who: user.email, ...watch });
  await page.goto(path);
  await page.waitForURL(`**/signin?next=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`**${path}`);
  return page;
}

/** Full-page screenshots into artifacts, numbered in the order they are taken: `01-<name>.png`. */
export function numberedScreenshots(artifacts: string): (page: Page, name: string) => Promise<void> {
  let shot = 0;
  return async (page, name) => {
    shot += 1;
    await page.screenshot({
      path: join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };
}
