/**
 * The operator console end to end, in headless Chromium against a real Plaza serving the built
 * app: a moderator signs in through the UI, sees the open report, the charts, the alarms, the
 * day's activity (for 7 days, then 30), the cost and a backup, dismisses the report and disables a user (who then cannot sign in); a member who is
 * not a moderator gets the "Moderators only" screen. Screenshots go to test-artifacts/admin/.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { withBackups } from '../../src/app/backups.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { errorName, startPoolApp } from '../support/pool-app.ts';
import { artifactsFolder, graphqlAs, member, signedIn, webSuite } from '../support/web-suite.ts';

const artifacts = artifactsFolder('admin');
const web = webSuite({
  artifacts,
  start: () => startPoolApp('admin-e2e', { configFile: { alarms: { evaluationSeconds: 1 } } }),
});
const pageErrors: string[] = [];

const gql = (token: string, query: string, variables?: object) =>
  graphqlAs(web.server.url, token, query, variables);

const signIn = (user: { email: string; password: string }) =>
  signedIn(web, user, { path: '/admin', viewport: { width: 1000, height: 900 }, artifacts, pageErrors });

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

it('lets a moderator work the queue and the users, and turns everyone else away', async () => {
  const [moderator, eve, ben] = [
    await member(web.server, 'mod', { groups: ['moderators'] }),
    await member(web.server, 'eve'),
    await member(web.server, 'ben'),
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
  await withBackups(loadConfig({ DATA_DIR: web.server.dir, PORT: '0' }, web.server.dir), (backups) =>
    backups.create(),
  );
  await gql(ben.accessToken, '{ homeFeed { items { id } } }');
  // Today's activity counted and the feed's latency sampled now, not within the minute.
  await web.server.app.consumers.drain();
  await web.server.app.insights.poolConsumers.drain();
  await web.server.app.insights.sampleFeedLatency();

  const page = await signIn(moderator);
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
  const eveSignIn = web.server.cognito.send(
    new InitiateAuthCommand({
      ClientId: web.server.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: eve.email, PASSWORD: eve.password },
    }),
  );
  expect(await errorName(eveSignIn)).toBe('NotAuthorizedException');

  const outsider = await signIn(ben);
  await outsider.getByRole('heading', { name: 'Moderators only' }).waitFor();
  await shoot(outsider, '03-moderators-only');
  expect(pageErrors).toEqual([]);
}, 180_000);
