/**
 * The identity pool in the web app, end to end in headless Chromium against a real Plaza serving
 * the built app. A visitor who has not signed in looks around from the sign-in screen: recent
 * posts, a post with its comments and a profile, read through Amplify with the identity pool's
 * guest credentials (every GraphQL request SigV4-signed, AppSync's AWS_IAM mode); signing in from
 * there goes on as the user (user-pool tokens). A signed-in user's photo goes up with Amplify
 * Storage's uploadData to Plaza's S3 API (virtual-hosted, `<bucket>.localhost:<port>`), under
 * `private/<identity id>/uploads/<media id>/`, with a progress bar, and the post is made from the
 * reservation's key once the pipeline has the bytes. Screenshots go to test-artifacts/guest/.
 */
import type { Page, Request } from 'playwright-core';
import { expect, it } from 'vitest';
import { scenePhoto } from '../support/photos.ts';
import { startPoolApp } from '../support/pool-app.ts';
import {
  artifactsFolder,
  graphqlAs,
  member,
  numberedScreenshots,
  watchedPage,
  webSuite,
} from '../support/web-suite.ts';

const artifacts = artifactsFolder('guest');
const web = webSuite({ artifacts, start: () => startPoolApp('web-guest'), timeout: 180_000 });
const pageErrors: string[] = [];
const password = 'Correct-Horse-9';

const gql = (token: string, query: string, variables?: object) =>
  graphqlAs(web.server.url, token, query, variables);

/** A post with a photo, uploaded the presigned way. */
async function photoPost(token: string, description: string) {
  const bytes = await scenePhoto(900, 600, 200);
  const { createUploadUrl: upload } = await gql(
    token,
    'mutation($i: CreateUploadInput!) { createUploadUrl(input: $i) { key url method headers } }',
    { i: { purpose: 'POST', contentType: 'image/jpeg', contentLength: bytes.length } },
  );
  const put = await fetch(upload.url, {
    method: upload.method,
    headers: JSON.parse(upload.headers) as Record<string, string>,
    body: bytes,
  });
  expect(put.status).toBe(200);
  await web.server.app.media.jobs.idle();
  const { createPost } = await gql(
    token,
    'mutation($d: String, $k: [String!]) { createPost(input: { description: $d, mediaKeys: $k }) { id } }',
    { d: description, k: [upload.key] },
  );
  return createPost.id as string;
}

const screenshot = numberedScreenshots(artifacts);

/** How the page's GraphQL requests were authorized: SigV4 (identity-pool credentials) or a token. */
function graphqlAuth(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request: Request) => {
    if (!new URL(request.url()).pathname.startsWith('/graphql') || request.method() !== 'POST') return;
    const authorization = request.headers()['authorization'] ?? '';
    seen.push(authorization.startsWith('AWS4-HMAC-SHA256 ') ? 'iam' : authorization ? 'token' : 'none');
  });
  return seen;
}

it('a visitor browses recent posts, a post and a profile as a guest, then signs in', async () => {
  const ada = await member(web.server, 'adah', { password });
  await member(web.server, 'cyd', { password });
  const postId = await photoPost(ada.accessToken, 'Harbour at dawn #sea');
  await gql(ada.accessToken, 'mutation($p: ID!) { addComment(postId: $p, content: "first light") { id } }', {
    p: postId,
  });

  const page = await watchedPage(web, {
    who: 'guest',
    viewport: { width: 480, height: 900 },
    artifacts,
    pageErrors,
  });
  const auth = graphqlAuth(page);

  await page.goto('/signin');
  await page.getByRole('link', { name: 'Look around first' }).click();
  await page.waitForURL('**/explore');
  await page.getByRole('heading', { name: 'Recent posts' }).waitFor();
  const post = page.getByRole('article').filter({ hasText: 'Harbour at dawn' });
  await post.waitFor();
  await expect
    .poll(() =>
      post
        .getByRole('img')
        .first()
        .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
    )
    .toBeGreaterThan(0);
  await screenshot(page, 'guest-recent-posts');

  await post.getByRole('link', { name: 'adah' }).click();
  await page.waitForURL('**/explore/u/adah');
  await page.getByRole('heading', { name: 'adah' }).waitFor();
  await page.getByRole('article').filter({ hasText: 'Harbour at dawn' }).waitFor();
  await screenshot(page, 'guest-profile');

  await page
    .getByRole('article')
    .getByRole('link')
    .filter({ has: page.locator('time') })
    .click();
  await page.waitForURL(`**/explore/p/${postId}`);
  await page.getByRole('list', { name: 'Comments' }).getByText('first light').waitFor();
  await screenshot(page, 'guest-post');
  // Everything so far was read with the guest's credentials, not a token.
  expect(auth.length).toBeGreaterThanOrEqual(3);
  expect(new Set(auth)).toEqual(new Set(['iam']));

  // Signing in from the post goes on to the same post, now as cyd (who may like it).
  auth.length = 0;
  await page.getByRole('note').getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL('**/signin?next=*');
  await page.getByLabel('Email').fill('cyd@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((address) => address.pathname === `/p/${postId}`);
  await page.getByRole('button', { name: /like/i }).first().waitFor();
  await screenshot(page, 'signed-in-post');
  expect(auth.length).toBeGreaterThan(0);
  expect(new Set(auth)).toEqual(new Set(['token']));
  expect(pageErrors).toEqual([]);
  await page.context().close();
}, 180_000);

it('a signed-in user’s photo goes up with Amplify Storage, with a progress bar, into a post', async () => {
  const page = await watchedPage(web, {
    who: 'upload',
    viewport: { width: 480, height: 900 },
    artifacts,
    pageErrors,
  });
  const s3Requests: string[] = [];
  page.on('request', (request) => {
    const address = new URL(request.url());
    if (address.hostname.endsWith('.localhost'))
      s3Requests.push(`${request.method()} ${address.host}${address.pathname}`);
  });

  await page.goto('/signin');
  await page.getByLabel('Email').fill('cyd@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('link', { name: 'New post' }).click();
  const bytes = await scenePhoto(1600, 1200, 30);
  await page
    .getByLabel('Add photos')
    .setInputFiles({ name: 'harbour view.jpg', mimeType: 'image/jpeg', buffer: bytes });
  await page.getByAltText('Preview of harbour view.jpg').waitFor();
  const progress = page.getByLabel('Uploading harbour view.jpg');
  await page.getByText('Uploaded').waitFor();
  expect(await progress.getAttribute('value')).toBe(String(bytes.length));
  expect(await progress.getAttribute('max')).toBe(String(bytes.length));
  await screenshot(page, 'storage-uploaded');

  // The bytes went to the bucket's S3 API, virtual-hosted, under the identity's uploads folder.
  const outputs = (await (await fetch(`${web.server.url}/amplify_outputs.json`)).json()) as {
    storage: { bucket_name: string };
  };
  const host = `${outputs.storage.bucket_name}.localhost:${new URL(web.server.url).port}`;
  const put = s3Requests.filter((request) => request.startsWith('PUT '));
  expect(put).toHaveLength(1);
  expect(put[0]).toMatch(
    new RegExp(
      `^PUT ${host.replace(/[.]/g, '\\.')}/private/us-west-1(:|%3A)[0-9a-f-]+/uploads/[0-9A-Z]{26}/harbour(%20| )view\\.jpg$`,
    ),
  );

  await page.getByLabel('Description').fill('Harbour view, by way of Amplify Storage');
  await page.getByRole('button', { name: 'Post' }).click();
  await page.getByText('Your post is live.').waitFor({ timeout: 30_000 });
  const photo = page.getByRole('img', { name: 'Harbour view, by way of Amplify Storage' });
  await expect
    .poll(() =>
      photo.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth),
    )
    .toBeGreaterThan(0);
  expect(await photo.getAttribute('srcset')).toMatch(/ 150w, .* 300w, .* 600w, .* 1200w$/);
  await screenshot(page, 'storage-post-ready');
  expect(pageErrors).toEqual([]);
  await page.context().close();
}, 180_000);
