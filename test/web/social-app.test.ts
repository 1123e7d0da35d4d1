/**
 * The web app end to end, in headless Chromium against a real Plaza serving the
 * built app: alice and bob sign up and confirm through the UI (codes from the dev
 * mailbox), bob follows alice, alice posts a photo, bob sees the "new posts" banner
 * without reloading, opens the post, likes and comments, and alice sees the counts
 * change live; bob's story shows in alice's stories bar; alice turns on TOTP and
 * signs in with it. Screenshots of each screen go to test-artifacts/web/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, expect, it, onTestFailed } from 'vitest';
import { createApp } from '../../src/app/app.ts';
import { base32Decode, totpAt, totpStep } from '../../src/domain/identity/totp.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { scenePhoto } from '../support/photos.ts';
import { artifactsFolder, numberedScreenshots, webSuite } from '../support/web-suite.ts';

const artifacts = artifactsFolder('web');
const dir = mkdtempSync(join(tmpdir(), 'plaza-web-e2e-'));
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const originals: string[] = [];

const web = webSuite({
  artifacts,
  start: async () => {
    const app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' }, dir), {
      logger: createLogger({ level: 'silent' }),
    });
    const url = await app.listen();
    return {
      url,
      async close() {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

// Runs before the suite's own afterAll (hooks after the tests run last-registered first).
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
});

/** Each page open when a test fails is saved as it stood, to see why. */
const pages = new Map<string, Page>();
afterEach(() => pages.clear());

async function person(name: string, baseURL = web.server.url): Promise<Page> {
  const context = await web.browser.newContext({ baseURL, viewport: { width: 420, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  // Pictures come from their variants: an original is never downloaded to be shown.
  page.on('request', (request) => {
    if (/\/media\/.*\/(original|avatar|image)\.jpg(\?|$)/.test(request.url())) originals.push(request.url());
  });
  page.setDefaultTimeout(30_000);
  pages.set(name, page);
  if (pages.size === 1)
    onTestFailed(async () => {
      for (const [who, open] of pages)
        await open
          .screenshot({ path: join(artifacts, `failure-${who}.png`), fullPage: true })
          .catch(() => {});
    });
  return page;
}

const screenshot = numberedScreenshots(artifacts);

const password = 'correct horse battery';

/** Waits until the image has been fetched and decoded (processing may still be under way when it first shows). */
async function loaded(image: Locator) {
  await expect
    .poll(
      () =>
        image.evaluate(
          (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth,
        ),
      {
        timeout: 30_000,
      },
    )
    .toBeGreaterThan(0);
}

/** Sign-up, the code from the dev mailbox, sign-in, and a username: all through the UI. */
async function signUp(
  page: Page,
  email: string,
  username: string,
  displayName: string,
  options: { shots: boolean; taken?: string; avatar?: boolean; beforeProfile?: () => Promise<void> },
) {
  const shots = options.shots;
  await page.goto('/');
  await page.waitForURL('**/signin');
  if (shots) await screenshot(page, 'sign-in');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  if (shots) await screenshot(page, 'sign-up');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL('**/confirm?*');
  await page.getByRole('link', { name: 'dev mailbox' }).waitFor();
  if (shots) await screenshot(page, 'confirm');
  await page.getByRole('link', { name: 'dev mailbox' }).click();
  const useCode = page.getByRole('link', { name: new RegExp(`^Use code \\d{6} for ${email}$`) });
  await useCode.waitFor();
  if (shots) await screenshot(page, 'dev-mailbox');
  await useCode.click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('Your email is confirmed').waitFor();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await options.beforeProfile?.();
  await page.getByRole('heading', { name: 'Welcome to Plaza' }).waitFor();
  await page.getByLabel('Display name').fill(displayName);
  if (options.taken) {
    // A taken name is refused in words, from the API's Conflict error.
    await page.getByLabel('Username').fill(options.taken);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').getByText(`The username ${options.taken} is taken.`).waitFor();
  }
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Bio').fill(`Hi, I am ${displayName}.`);
  if (options.avatar !== false)
    await page.locator('input[type=file]').setInputFiles({
      name: `${username}.jpg`,
      mimeType: 'image/jpeg',
      buffer: await scenePhoto(800, 800, username === 'alice' ? 330 : 150),
    });
  if (shots) await screenshot(page, 'profile-setup');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('region', { name: 'Stories' }).waitFor();
}

// The timeouts are generous because the whole suite shares two cores: alone, both tests take about 45 s.
it('two people sign up, follow, post, like, comment and share stories, live', async () => {
  const alice = await person('alice');
  const bob = await person('bob');
  await signUp(alice, 'alice@example.com', 'alice', 'Alice Liddell', { shots: true });
  await alice.getByRole('heading', { name: 'Your feed is empty' }).waitFor();
  await screenshot(alice, 'empty-feed');
  await signUp(bob, 'bob@example.com', 'bob', 'Bob Stone', { shots: false, taken: 'alice' });

  // bob finds alice and follows her; alice follows back, so each sees the other's stories.
  await bob.getByRole('link', { name: 'Search' }).click();
  await bob.getByRole('searchbox', { name: 'Search people by username' }).fill('ali');
  await bob.getByRole('link', { name: 'Alice Liddell' }).waitFor();
  await screenshot(bob, 'search');
  await bob.getByRole('link', { name: 'Alice Liddell' }).click();
  await bob.getByRole('button', { name: 'Follow Alice Liddell' }).click();
  await bob.getByRole('button', { name: 'Unfollow Alice Liddell' }).waitFor();
  await bob.getByRole('link', { name: '1 follower' }).waitFor();
  await screenshot(bob, 'profile-followed');
  await alice.goto('/u/bob');
  await alice.getByRole('button', { name: 'Follow Bob Stone' }).click();
  await alice.getByRole('button', { name: 'Unfollow Bob Stone' }).waitFor();
  await alice.goto('/u/alice/followers');
  await alice.getByRole('link', { name: 'Bob Stone' }).waitFor();
  await screenshot(alice, 'followers');

  // bob's feed listens for new posts before alice posts.
  await bob.getByRole('link', { name: 'Home' }).click();
  await bob.locator('[data-live=connected]').waitFor();

  await alice.getByRole('link', { name: 'New post' }).click();
  await alice.getByLabel('Add photos').setInputFiles({
    name: 'harbour.jpg',
    mimeType: 'image/jpeg',
    buffer: await scenePhoto(2400, 1600, 210),
  });
  await alice.getByAltText('Preview of harbour.jpg').waitFor();
  await screenshot(alice, 'create-post');
  await alice.getByLabel('Description').fill('Evening light over the harbour');
  await alice.getByRole('button', { name: 'Post' }).click();
  await alice.getByText('Your post is live.').waitFor({ timeout: 30_000 });
  const thumbnail = alice.getByRole('img', { name: 'Evening light over the harbour' });
  await expect
    .poll(() =>
      thumbnail.evaluate(
        (img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth,
      ),
    )
    .toBeGreaterThan(0);
  expect(await thumbnail.getAttribute('srcset')).toMatch(/ 150w, .* 300w, .* 600w, .* 1200w$/);
  await screenshot(alice, 'post-ready');

  // bob is told about it without reloading.
  const banner = bob.getByRole('button', { name: /1 new post/ });
  await banner.waitFor();
  await screenshot(bob, 'new-posts-banner');
  await banner.click();
  await loaded(bob.getByRole('img', { name: 'Evening light over the harbour' }));
  await screenshot(bob, 'feed');
  await bob.setViewportSize({ width: 1280, height: 800 });
  await screenshot(bob, 'feed-desktop');
  await bob.setViewportSize({ width: 420, height: 860 });

  // alice watches her post while bob likes and comments on it.
  await alice.getByRole('link', { name: 'Your profile' }).click();
  await loaded(alice.getByRole('link', { name: 'Evening light over the harbour' }).locator('img'));
  await screenshot(alice, 'own-profile');
  await alice.getByRole('link', { name: 'Evening light over the harbour' }).click();
  await alice.locator('[data-live=connected]').waitFor();
  await bob.getByRole('link', { name: '0 comments' }).click();
  await bob.locator('[data-live=connected]').waitFor();
  await bob.getByRole('button', { name: 'Like' }).click();
  await bob.getByRole('button', { name: 'Liked' }).waitFor();
  await bob.getByLabel('Add a comment').fill('Lovely light!');
  await bob.getByRole('button', { name: 'Comment' }).click();
  // The comment in the list: the live update may show it while the box still holds the text.
  await bob.getByRole('listitem').getByText('Lovely light!').waitFor();
  await bob.getByLabel('Add a comment').and(bob.locator(':placeholder-shown')).waitFor();
  await screenshot(bob, 'post-liked-and-commented');
  await alice.getByText('1 like', { exact: true }).waitFor();
  await alice.getByText('1 comment', { exact: true }).waitFor();
  await alice.getByText('Lovely light!').waitFor();
  await screenshot(alice, 'post-live-counts');

  // bob adds a story; alice sees it in her stories bar and watches it.
  await bob.getByRole('link', { name: 'Home' }).click();
  await bob.getByLabel('Add a photo or video story').setInputFiles({
    name: 'story.jpg',
    mimeType: 'image/jpeg',
    buffer: await scenePhoto(1080, 1920, 20),
  });
  await bob.getByRole('button', { name: 'Stories by Bob Stone (1)' }).waitFor({ timeout: 30_000 });
  await alice.getByRole('link', { name: 'Home' }).click();
  const bobsStories = alice.getByRole('button', { name: 'Stories by Bob Stone (1)' });
  await bobsStories.waitFor();
  await screenshot(alice, 'stories-bar');
  await bobsStories.click();
  await alice.getByRole('dialog', { name: 'Stories by Bob Stone' }).waitFor();
  await loaded(alice.getByRole('img', { name: 'Story by Bob Stone' }));
  await screenshot(alice, 'story-viewer');
  await alice.keyboard.press('Escape');
  await alice.getByRole('dialog').waitFor({ state: 'detached' });

  // alice turns on TOTP from settings with the QR code's secret, then signs in with a code.
  await alice.getByRole('link', { name: 'Settings' }).click();
  await alice.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await alice.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  await screenshot(alice, 'totp-setup');
  const secret = base32Decode((await alice.locator('code.secret').textContent()) ?? '');
  const step = totpStep(Date.now());
  await alice.getByLabel('Code from the app').fill(totpAt(secret, step));
  await alice.getByRole('button', { name: 'Turn on' }).click();
  await alice.getByText('Two-step sign-in is on').waitFor();
  await screenshot(alice, 'settings');
  await alice.getByRole('button', { name: 'Sign out', exact: true }).click();
  await alice.waitForURL('**/signin');
  await alice.getByLabel('Email').fill('alice@example.com');
  await alice.getByLabel('Password').fill(password);
  await alice.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The code used to turn TOTP on is spent; the next step's code is within the allowed drift.
  await alice.getByLabel('Code from your authenticator app').fill(totpAt(secret, step + 1));
  await screenshot(alice, 'sign-in-totp');
  await alice.getByRole('button', { name: 'Continue' }).click();
  await alice.getByRole('region', { name: 'Stories' }).waitFor();

  // Signing out everywhere ends bob's session: his next sign-in starts from the form.
  await bob.getByRole('link', { name: 'Settings' }).click();
  await bob.getByRole('button', { name: 'Sign out everywhere' }).click();
  await bob.waitForURL('**/signin');
  await bob.goto('/');
  await bob.waitForURL('**/signin');

  expect(pageErrors).toEqual([]);
  expect(originals).toEqual([]);
}, 180_000);

it('a pool that requires MFA has a new account set up TOTP at its first sign-in', async () => {
  const mfaDir = mkdtempSync(join(tmpdir(), 'plaza-web-mfa-'));
  writeFileSync(join(mfaDir, 'plaza.config.json'), JSON.stringify({ userPool: { mfa: 'ON' } }));
  const strict = await createApp(loadConfig({ DATA_DIR: mfaDir, PORT: '0', LOG_LEVEL: 'silent' }, mfaDir), {
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const strictUrl = await strict.listen();
    const carol = await person('carol', strictUrl);
    await signUp(carol, 'carol@example.com', 'carol', 'Carol Ann', {
      shots: false,
      avatar: false,
      beforeProfile: async () => {
        await carol.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
        await screenshot(carol, 'sign-in-totp-required');
        const secret = base32Decode((await carol.locator('code.secret').textContent()) ?? '');
        await carol.getByLabel('Code from the app').fill(totpAt(secret, totpStep(Date.now())));
        await carol.getByRole('button', { name: 'Continue' }).click();
      },
    });
    expect(pageErrors).toEqual([]);
  } finally {
    await strict.close();
    rmSync(mfaDir, { recursive: true, force: true });
  }
}, 120_000);
