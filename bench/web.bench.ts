/**
 * The web app in headless Chromium against a seeded Plaza: the JavaScript the
 * first visit downloads (gzip), the time from navigation to the first feed page
 * on screen, and the image bytes that page loads against what its originals
 * weigh. The bare reference, measured in the same browser in the same run, is a
 * static hello page from plain node:http.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { createApp, type App } from '../src/app/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { scenePhoto } from '../test/support/photos.ts';
import { buildWebApp } from '../web/build.ts';
import { signedInUser } from './users.ts';
import { median } from './harness.ts';

const authors = 3;
const postsPerAuthor = 4;
const feedPageSize = 10;
const navigations = 7;

async function graphql<T>(url: string, token: string, query: string, variables: object = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

async function upload(url: string, token: string, purpose: string, bytes: Buffer): Promise<string> {
  const { createUploadUrl: target } = await graphql<{
    createUploadUrl: { key: string; url: string; method: string; headers: string | Record<string, string> };
  }>(
    url,
    token,
    'mutation($input: CreateUploadInput!) { createUploadUrl(input: $input) { key url method headers } }',
    { input: { purpose, contentType: 'image/jpeg', contentLength: bytes.length } },
  );
  const headers = typeof target.headers === 'string' ? JSON.parse(target.headers) : target.headers;
  const put = await fetch(target.url, { method: target.method, headers, body: bytes });
  if (!put.ok) throw new Error(`upload refused: ${put.status} ${await put.text()}`);
  return target.key;
}

/** A viewer following authors who posted photos (as a camera makes them) and set avatars, all processed. */
async function seed(app: App, url: string) {
  const identity = app.identity.services!;
  const viewer = await signedInUser('viewer@example.com', 'viewer password', identity);
  await graphql(url, viewer.accessToken, 'mutation { updateProfile(input: { username: "viewer" }) { id } }');
  const originals = new Map<string, number>();
  for (let a = 0; a < authors; a++) {
    const author = await signedInUser(`author${a}@example.com`, 'author password', identity);
    const avatar = await upload(url, author.accessToken, 'AVATAR', await scenePhoto(1024, 1024, a * 90));
    await graphql(
      url,
      author.accessToken,
      'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
      { input: { username: `author${a}`, displayName: `Author ${a}`, avatarKey: avatar } },
    );
    await graphql(url, viewer.accessToken, 'mutation($id: ID!) { followUser(userId: $id) { id } }', {
      id: author.sub,
    });
    for (let p = 0; p < postsPerAuthor; p++) {
      const photo = await scenePhoto(2400, 1600, (a * 90 + p * 25) % 360);
      const key = await upload(url, author.accessToken, 'POST', photo);
      originals.set(key, photo.length);
      await graphql(
        url,
        author.accessToken,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { description: `Photo ${p} by author ${a}`, mediaKeys: [key] } },
      );
    }
  }
  await app.media.jobs.idle();
  await app.consumers.drain();
  return { viewer, originals };
}

interface Visit {
  /** From navigation start to the first feed page's posts in the document. */
  feedMs: number;
  /** Scripts the visit loaded, by URL. */
  scripts: string[];
  /** Bytes received for post photos, and for all images (avatars too). */
  postImageBytes: number;
  imageBytes: number;
  postImageUrls: string[];
}

/** Records, inside the page, when the first page of posts is in the document. */
const watchFeed = `(() => {
  const check = () => {
    if (window.__feedAt === undefined && document.querySelectorAll('article.post').length >= ${feedPageSize}) {
      window.__feedAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();`;

async function visit(context: BrowserContext, url: string, scroll: boolean): Promise<Visit> {
  const page = await context.newPage();
  const scripts: string[] = [];
  const images: Promise<{ url: string; bytes: number }>[] = [];
  page.on('requestfinished', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url());
    if (request.resourceType() === 'image')
      images.push(request.sizes().then((sizes) => ({ url: request.url(), bytes: sizes.responseBodySize })));
  });
  await page.addInitScript(watchFeed);
  await page.goto(url);
  await page.waitForFunction('window.__feedAt !== undefined', undefined, { timeout: 30_000 });
  const feedMs = (await page.evaluate('window.__feedAt')) as number;
  if (scroll) {
    // Bring each post of the first page on screen so its lazy picture loads, then let the network settle.
    const posts = page.locator('article.post');
    for (let i = 0; i < feedPageSize; i++) await posts.nth(i).scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
  }
  // The photos of the first page's posts as the browser chose them (later pages may have started loading).
  const firstPage = new Set(
    (await page
      .locator('article.post')
      .evaluateAll(
        (articles: { querySelectorAll(s: string): ArrayLike<{ currentSrc: string }> }[], count: number) =>
          articles
            .slice(0, count)
            .flatMap((article) =>
              Array.from(article.querySelectorAll('.gallery img'), (img) => img.currentSrc),
            ),
        feedPageSize,
      )) as string[],
  );
  const loaded = await Promise.all(images);
  await page.close();
  const postImages = loaded.filter((image) => firstPage.has(image.url));
  return {
    feedMs,
    scripts,
    postImageBytes: postImages.reduce((sum, image) => sum + image.bytes, 0),
    imageBytes: loaded.reduce((sum, image) => sum + image.bytes, 0),
    postImageUrls: postImages.map((image) => image.url),
  };
}

/** The same files' sizes as gzip serves them (Chromium takes brotli when offered; the goal is stated in gzip). */
async function gzipBytes(urls: string[]): Promise<number> {
  let total = 0;
  for (const url of new Set(urls)) {
    const response = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    if (response.headers.get('content-encoding') !== 'gzip') throw new Error(`${url} is not served gzipped`);
    // fetch decodes the body; the raw length is what crossed the wire.
    const length = Number(response.headers.get('content-length'));
    await response.arrayBuffer();
    total += length;
  }
  return total;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function bareReference(browser: Browser): Promise<number> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>hello</title><h1>Hello</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const times: number[] = [];
  for (let i = 0; i < navigations; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    times.push(
      (await page.evaluate(
        '(() => { const [n] = performance.getEntriesByType("navigation"); return n.loadEventEnd; })()',
      )) as number,
    );
    await context.close();
  }
  server.close();
  return median(times);
}

export async function webBenchmark(): Promise<void> {
  const build = await buildWebApp({ log: console.log });
  if (build.skipped) throw new Error(`The web app could not be built: ${build.skipped}`);
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-web-'));
  const app = await createApp(
    loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL', LOG_LEVEL: 'silent' }, dir),
    { logger: createLogger({ level: 'silent' }) },
  );
  const url = await app.listen();
  const browser = await launchChromium();
  try {
    const started = performance.now();
    const { originals } = await seed(app, url);
    console.log(
      `\nSeeded ${authors} authors with ${originals.size} photo posts (${kb([...originals.values()].reduce((a, b) => a + b, 0))} of originals) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // Sign in once through the app; each measured visit starts from that session with an empty cache.
    const signIn = await browser.newContext({ baseURL: url });
    const page = await signIn.newPage();
    await page.goto('/signin');
    await page.getByLabel('Email').fill('viewer@example.com');
    await page.getByLabel('Password').fill('viewer password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('article.post').first().waitFor();
    const session = await signIn.storageState();
    await signIn.close();

    const desktop = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
    const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true };
    const visits: Visit[] = [];
    for (let i = 0; i < navigations; i++) {
      const context = await browser.newContext({ storageState: session, ...desktop });
      visits.push(await visit(context, `${url}/`, i === 0));
      await context.close();
    }
    const phoneContext = await browser.newContext({ storageState: session, ...phone });
    const phoneVisit = await visit(phoneContext, `${url}/`, true);
    await phoneContext.close();
    const bareMs = await bareReference(browser);

    const first = visits[0]!;
    const jsGzip = await gzipBytes(first.scripts);
    const feedMs = median(visits.map((v) => v.feedMs));
    const originalsOf = (urls: string[]) =>
      [
        ...new Set(
          urls.map((u) => new URL(u).pathname.replace(/\/[^/]+$/, '/original.jpg').slice('/media/'.length)),
        ),
      ]
        .map((key) => originals.get(key) ?? 0)
        .reduce((a, b) => a + b, 0);
    const desktopOriginals = originalsOf(first.postImageUrls);
    const phoneOriginals = originalsOf(phoneVisit.postImageUrls);
    const rows = [
      {
        measure: 'initial JavaScript (gzip)',
        plaza: kb(jsGzip),
        'bare reference': '0 KB (static page)',
        ratio: '—',
        goal: '≤ 300 KB',
        met: jsGzip <= 300 * 1024 ? 'yes' : 'NO',
      },
      {
        measure: `navigation → first feed page (${feedPageSize} posts), median of ${navigations}`,
        plaza: `${feedMs.toFixed(0)} ms`,
        'bare reference': `${bareMs.toFixed(0)} ms (hello page loaded)`,
        ratio: `${(feedMs / bareMs).toFixed(1)}×`,
        goal: '≤ 1000 ms',
        met: feedMs <= 1000 ? 'yes' : 'NO',
      },
      {
        measure: 'first page photos, desktop 1280 px @1x',
        plaza: kb(first.postImageBytes),
        'bare reference': `${kb(desktopOriginals)} (originals)`,
        ratio: `${((100 * first.postImageBytes) / desktopOriginals).toFixed(1)} %`,
        goal: '≤ 10 %',
        met: first.postImageBytes <= desktopOriginals / 10 ? 'yes' : 'NO',
      },
      {
        measure: 'first page photos, phone 390 px @3x',
        plaza: kb(phoneVisit.postImageBytes),
        'bare reference': `${kb(phoneOriginals)} (originals)`,
        ratio: `${((100 * phoneVisit.postImageBytes) / phoneOriginals).toFixed(1)} %`,
        goal: '≤ 10 %',
        met: phoneVisit.postImageBytes <= phoneOriginals / 10 ? 'yes' : 'NO',
      },
    ];
    console.log(
      `\nWeb app in headless Chromium (${first.scripts.length} scripts; all images incl. avatars: desktop ${kb(first.imageBytes)}, phone ${kb(phoneVisit.imageBytes)})`,
    );
    console.table(rows);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
