/**
 * The servers of the GraphQL benchmark, in a process of their own so that the
 * load generator does not share their core: Plaza seeded with a social graph,
 * and the bare reference (plain node:http + better-sqlite3 reading the same
 * SQLite file, taking the same POST body and answering the same JSON). Prints
 * what the load needs as JSON.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { authors, followsPerViewer, seedFeed, viewers } from './feed-seed.ts';

async function startProfiler(): Promise<{ stop(): Promise<object> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      return profile;
    },
  };
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
  // It takes the same request as Plaza, a POST with the GraphQL request as its JSON body, so that
  // both read and parse the same bytes; the viewer comes in a header instead of a token.
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      const { variables } = JSON.parse(text) as { variables?: { id?: string } };
      const viewer = String(request.headers['x-viewer'] ?? '');
      let body: unknown;
      if (request.url === '/feed') {
        body = {
          data: {
            homeFeed: {
              items: feed.all(`FEED#${viewer}`).map((row) => post(JSON.parse(row.item).postId, viewer)),
            },
          },
        };
      } else if (request.url === '/post') {
        body = { data: { getPost: post(variables?.id ?? '', viewer) } };
      } else {
        body = { data: { __typename: 'Query' } };
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
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
const { tokens, postIds } = await seedFeed(app);
const seconds = (performance.now() - started) / 1000;
const bare = await bareServer(config.db.sqlite.path);
// BENCH_CPU_PROFILE=<file>: a CPU profile of the measured load only (not the seeding), for a flame graph.
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
process.stdout.write(
  `${JSON.stringify({ url, bareUrl: bare.url, tokens, postIds, seconds, users: authors + viewers, follows: viewers * followsPerViewer })}\n`,
);
// Runs until the benchmark closes stdin.
process.stdin.resume();
process.stdin.on('end', async () => {
  if (profiler) writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(await profiler.stop()));
  bare.server.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
