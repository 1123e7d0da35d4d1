/**
 * The operator console end to end, in headless Chromium against a real Plaza serving the built
 * app: a moderator signs in through the UI, sees the open report, the charts, the alarms, the
 * day's activity (for 7 days, then 30), the cost and a backup, dismisses the report and disables a user (who then cannot sign in); a member who is
 * not a moderator gets the "Moderators only" screen. Screenshots go to test-artifacts/admin/.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { withBackups } from '../../src/app/backups.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { buildWebApp } from '../../web/build.ts';
import { launchChromium } from '../support/chromium.ts';
import { errorName, poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'admin');
let pool: PoolApp;
let browser: Browser;
const pageErrors: string[] = [];

async function gql(token: string, query: string, variables?: object) {
  const response = await fetch(`${pool.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: Record<string, { id: string }>; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** A pool user with a Plaza username (the app asks a new account for one before anything else). */
async function member(name: string, groups: string[] = []) {
  const user = await poolUser(pool, `${name}@example.com`, { groups });
  await gql(user.accessToken, 'mutation($u: String) { updateProfile(input: { username: $u }) { id } }', {
    u: name,
  });
  return user;
}

beforeAll(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const build = await buildWebApp();
  if (build.skipped) throw new Error(`The web app could not be built: ${build.skipped}`);
  pool = await startPoolApp('admin-e2e', { configFile: { alarms: { evaluationSeconds: 1 } } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pool?.close();
});

async function signedIn(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: pool.url, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${email}: ${error.message}`));
  page.setDefaultTimeout(30_000);
  onTestFailed(async () => {
    await page.screenshot({ path: join(artifacts, `failure-${email}.png`), fullPage: true }).catch(() => {});
  });
  await page.goto('/admin');
  await page.waitForURL('**/signin?next=%2Fadmin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/admin');
  return page;
}

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

it('lets a moderator work the queue and the users, and turns everyone else away', async () => {
  const [moderator, eve, ben] = [
    await member('mod', ['moderators']),
    await member('eve'),
    await member('ben'),
  ];
  const post = await gql(
    eve.accessToken,
    'mutation { createPost(input: { description: "cheap watches" }) { id } }',
  );
  await gql(
    ben.accessToken,
    'mutation($p: ID) { reportContent(input: { postId: $p, reason: SPAM, note: "buy now" }) { id } }',
    { p: post.createPost!.id },
  );
  await withBackups(loadConfig({ DATA_DIR: pool.dir, PORT: '0' }, pool.dir), (backups) => backups.create());
  await gql(ben.accessToken, '{ homeFeed { items { id } } }');
  // Today's activity counted and the feed's latency sampled now, not within the minute.
  await pool.app.consumers.drain();
  await pool.app.insights.poolConsumers.drain();
  await pool.app.insights.sampleFeedLatency();

  const page = await signedIn(moderator.email, moderator.password);
  await page.getByRole('heading', { name: 'Operator console' }).waitFor();
  const report = page.getByRole('listitem', { name: /^Report / });
  await report.getByText('cheap watches').waitFor();
  await page.getByRole('img', { name: 'Error rate over the last hour' }).locator('canvas').waitFor();
  await page.getByText('HighErrorRate above 10 %').waitFor();
  expect(await page.locator('[aria-labelledby="metrics-heading"] .console-chart').count()).toBe(8);
  await page.getByText(/a month$/).waitFor();
  await page.locator('#backups-heading + * code, #backups-heading ~ ul code').first().waitFor();
  await shoot(page, '01-console');

  const activity = page.getByRole('region', { name: 'Activity' });
  await activity
    .getByText(/^Last 7 days: 3 sign-ups, 1 post, 0 likes, 0 comments, 0 follows, 1 feed read\.$/)
    .waitFor();
  await activity.getByRole('img', { name: 'Home feed latency (ms) per day' }).locator('canvas').waitFor();
  expect(await activity.locator('.console-chart canvas').count()).toBe(4);
  await activity.getByLabel('Days').selectOption('30');
  await activity.getByText(/^Last 30 days: 3 sign-ups, 1 post,/).waitFor();
  await shoot(page, '04-activity');

  await report.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByText('No open reports.').waitFor();

  await page.getByLabel('Email, @name or user id').fill('@eve');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByLabel('Found user').getByText('eve@example.com').waitFor();
  await page.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('status').getByText('Disabled.').waitFor();
  await shoot(page, '02-user-disabled');
  const eveSignIn = pool.cognito.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: eve.email, PASSWORD: eve.password },
    }),
  );
  expect(await errorName(eveSignIn)).toBe('NotAuthorizedException');

  const outsider = await signedIn(ben.email, ben.password);
  await outsider.getByRole('heading', { name: 'Moderators only' }).waitFor();
  await shoot(outsider, '03-moderators-only');
  expect(pageErrors).toEqual([]);
}, 180_000);
