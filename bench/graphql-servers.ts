/**
 * The servers of the GraphQL benchmark, in a process of their own so that the
 * load generator does not share their core: Plaza seeded with a social graph,
 * and the bare reference (plain node:http + better-sqlite3 reading the same
 * SQLite file and answering the same JSON). Prints what the load needs as JSON.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../src/app.ts';
import { createPost } from '../src/domain/social/create-post.ts';
import { createProfile } from '../src/domain/social/create-profile.ts';
import { followUser } from '../src/domain/social/follow-user.ts';
import { likePost } from '../src/domain/social/like-post.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { signedInUser } from './users.ts';

const authors = 300;
const viewers = 10;
const followsPerViewer = 40;
const postsPerAuthor = 10;

async function seed(app: App) {
  const identity = app.identity.services!;
  const { social } = app;
  const authorIds = Array.from({ length: authors }, (_, i) => `author-${i}`);
  for (const userId of authorIds) await createProfile({ userId }, social);
  const tokens: { sub: string; token: string }[] = [];
  for (let v = 0; v < viewers; v++) {
    const { sub: UserSub, accessToken } = await signedInUser(
      `viewer${v}@example.com`,
      'viewer password',
      identity,
    );
    tokens.push({ sub: UserSub, token: accessToken });
    for (let f = 0; f < followsPerViewer; f++)
      await followUser(UserSub, authorIds[(v * 7 + f * 13) % authors]!, social);
  }
  const postIds: string[] = [];
  for (let p = 0; p < postsPerAuthor; p++) {
    for (const author of authorIds) {
      postIds.push(
        (
          await createPost(
            author,
            { description: `Post ${p} by ${author}: the light over the harbour.` },
            social,
          )
        ).id,
      );
    }
  }
  for (const [i, { sub }] of tokens.entries()) {
    for (let l = 0; l < 50; l++) await likePost(sub, postIds[(i * 31 + l * 97) % postIds.length]!, social);
  }
  await app.fanOut.drain();
  return { tokens, postIds };
}

/** The bare reference: the same answers from raw SQL over the same file. */
function bareServer(path: string): Promise<{ server: Server; url: string }> {
  const db = new Database(path, { readonly: true });
  const get = db.prepare<[string, string], { item: string }>(
    'SELECT item FROM "items_plaza" WHERE pk = ? AND sk = ?',
  );
  const feed = db.prepare<[string], { item: string }>(
    'SELECT item FROM "items_plaza" WHERE pk = ? ORDER BY sk DESC LIMIT 20',
  );
  const profile = (id: string) => {
    const row = get.get(`USER#${id}`, 'PROFILE');
    if (!row) return null;
    const p = JSON.parse(row.item);
    return { id: p.id, username: p.username ?? null };
  };
  const post = (id: string, viewer: string) => {
    const row = get.get(`POST#${id}`, 'METADATA');
    if (!row) return null;
    const p = JSON.parse(row.item);
    return {
      id: p.id,
      description: p.description,
      likeCount: p.likeCount,
      commentCount: p.commentCount,
      viewerHasLiked: get.get(`POST#${id}`, `LIKE#USER#${viewer}`) !== undefined,
      author: profile(p.authorId),
    };
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const viewer = url.searchParams.get('viewer') ?? '';
    let body: unknown;
    if (url.pathname === '/feed') {
      body = {
        data: {
          homeFeed: {
            items: feed.all(`FEED#${viewer}`).map((row) => post(JSON.parse(row.item).postId, viewer)),
          },
        },
      };
    } else {
      body = { data: { getPost: post(url.searchParams.get('id') ?? '', viewer) } };
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      });
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-graphql-'));
const config = loadConfig({ DATA_DIR: dir, PORT: '0', PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' }, dir);
const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
const url = await app.listen();
const started = performance.now();
const { tokens, postIds } = await seed(app);
const seconds = (performance.now() - started) / 1000;
const bare = await bareServer(config.db.sqlite.path);
process.stdout.write(
  `${JSON.stringify({ url, bareUrl: bare.url, tokens, postIds, seconds, users: authors + viewers, follows: viewers * followsPerViewer })}\n`,
);
// Runs until the benchmark closes stdin.
process.stdin.resume();
process.stdin.on('end', async () => {
  bare.server.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
