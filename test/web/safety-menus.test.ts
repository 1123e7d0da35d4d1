/**
 * Block, mute and report in the web app, end to end in headless Chromium against a real Plaza
 * serving the built app: cy signs in through the UI, mutes ada and reports her from her profile,
 * reports ada's post and blocks bob from his comment under it, then finds both in Settings and
 * unblocks bob there. Each step is checked through the API as well (cy's viewerMutes and
 * listBlocked, the moderators' queue). Screenshots go to test-artifacts/safety/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { startPoolApp } from '../support/pool-app.ts';
import { artifactsFolder, graphqlAs, member, signedIn, webSuite } from '../support/web-suite.ts';

const artifacts = artifactsFolder('safety');
const web = webSuite({ artifacts, start: () => startPoolApp('safety-e2e') });
const pageErrors: string[] = [];

const gql = (token: string, query: string, variables?: object) =>
  graphqlAs(web.server.url, token, query, variables);

const signIn = (user: { email: string; password: string }, path: string) =>
  signedIn(web, user, { path, viewport: { width: 480, height: 900 }, artifacts, pageErrors });

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

/** Picks a reason and a note in an open menu's report form and sends it. */
async function report(page: Page, what: string, reason: string, note?: string) {
  await page.getByRole('button', { name: `Report ${what}` }).click();
  const form = page.getByRole('form', { name: `Report ${what}` });
  await form.getByLabel('Reason').selectOption({ label: reason });
  if (note) await form.getByLabel('Note (optional)').fill(note);
  return form;
}

it('blocks, mutes and reports from profiles, posts and comments, and undoes it in Settings', async () => {
  const [moderator, ada, bob, cy] = [
    await member(web.server, 'mod', { groups: ['moderators'] }),
    await member(web.server, 'ada'),
    await member(web.server, 'bob'),
    await member(web.server, 'cyrus'),
  ];
  const { createPost: post } = await gql(
    ada.accessToken,
    'mutation { createPost(input: { description: "cheap watches, DM me" }) { id } }',
  );
  const { addComment: comment } = await gql(
    bob.accessToken,
    'mutation($p: ID!) { addComment(postId: $p, content: "you will regret this") { id } }',
    { p: post.id },
  );
  await gql(cy.accessToken, 'mutation($u: ID!) { followUser(userId: $u) { id } }', { u: bob.id });
  const cyState = async (id: string) =>
    (await gql(cy.accessToken, 'query($id: ID!) { getUser(id: $id) { viewerBlocks viewerMutes } }', { id }))
      .getUser;

  // From ada's profile: mute her, then report her.
  const page = await signIn(cy, '/u/ada');
  await page.getByRole('heading', { name: 'ada' }).waitFor();
  await page.getByLabel('More actions for ada').click();
  await page.getByRole('button', { name: 'Mute ada' }).click();
  await page.getByRole('status').getByText('Muted ada.').waitFor();
  await page.getByRole('button', { name: 'Unmute ada' }).waitFor();
  expect(await cyState(ada.id)).toEqual({ viewerBlocks: false, viewerMutes: true });
  const profileForm = await report(page, 'ada', 'Harassment', 'keeps messaging me');
  await shoot(page, '01-profile-menu-report');
  await profileForm.getByRole('button', { name: 'Send report' }).click();
  await page.getByRole('status').getByText('Thanks: the moderators will look at it.').waitFor();

  // On her post: report the post; on bob's comment under it: block bob.
  await page.goto(`/p/${post.id}`);
  await page.getByText('cheap watches, DM me').waitFor();
  await page.getByLabel('More actions for post by ada').click();
  const postForm = await report(page, 'post by ada', 'Spam');
  await postForm.getByRole('button', { name: 'Send report' }).click();
  await page.getByRole('status').getByText('Thanks: the moderators will look at it.').waitFor();
  await page.getByLabel('More actions for post by ada').click();
  await page.getByLabel('More actions for comment by bob').click();
  await page.getByRole('button', { name: 'Block bob' }).click();
  await page.getByRole('status').getByText('Blocked bob.').waitFor();
  await shoot(page, '02-comment-menu-blocked');
  expect(await cyState(bob.id)).toEqual({ viewerBlocks: true, viewerMutes: false });
  // Blocking ended cy's follow of bob.
  const { getUser: cyNow } = await gql(
    cy.accessToken,
    'query($id: ID!) { getUser(id: $id) { followingCount } }',
    {
      id: cy.id,
    },
  );
  expect(cyNow.followingCount).toBe(0);

  const { reports } = await gql(
    moderator.accessToken,
    'query { reports { items { targetType reason note post { id } user { id } reporter { id } } } }',
  );
  expect(reports.items).toEqual([
    {
      targetType: 'USER',
      reason: 'HARASSMENT',
      note: 'keeps messaging me',
      post: null,
      user: { id: ada.id },
      reporter: { id: cy.id },
    },
    {
      targetType: 'POST',
      reason: 'SPAM',
      note: null,
      post: { id: post.id },
      user: { id: ada.id },
      reporter: { id: cy.id },
    },
  ]);
  expect(comment.id).toBeTruthy();

  // Settings lists both; unblocking bob there takes him off the list and off the API's.
  await page.goto('/settings');
  const hidden = page.getByRole('region', { name: 'Blocked and muted' });
  await hidden.getByRole('region', { name: 'Blocked' }).getByRole('link', { name: 'bob' }).waitFor();
  await hidden.getByRole('region', { name: 'Muted' }).getByRole('link', { name: 'ada' }).waitFor();
  await hidden.scrollIntoViewIfNeeded();
  await shoot(page, '03-settings-blocked-and-muted');
  await hidden.getByRole('button', { name: 'Unblock bob' }).click();
  await hidden.getByText('You block nobody.').waitFor();
  const { listBlocked } = await gql(cy.accessToken, 'query { listBlocked { items { id } } }');
  expect(listBlocked.items).toEqual([]);
  expect(await cyState(ada.id)).toEqual({ viewerBlocks: false, viewerMutes: true });
  expect(pageErrors).toEqual([]);
}, 180_000);
