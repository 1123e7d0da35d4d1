/**
 * The GraphQL API over HTTP (autocannon, 50 connections) against a bare
 * reference in the same run: plain node:http + better-sqlite3 reading the
 * same SQLite file and answering the same JSON (see graphql-servers.ts, which
 * runs both in a child process). `homeFeed(limit: 20)` with author, counts and
 * viewerHasLiked, and `getPost`.
 */
import type autocannon from 'autocannon';
import { homeFeedRequest } from './feed-seed.ts';
import { load, startServerProcess } from './http-load.ts';

interface Row {
  benchmark: string;
  plaza: autocannon.Result;
  bare: autocannon.Result;
  goal: string;
  ok: boolean;
}

interface Servers {
  url: string;
  bareUrl: string;
  tokens: { sub: string; token: string }[];
  postIds: string[];
  seconds: number;
  users: number;
  follows: number;
}

/** A measured run after a 2 s warm-up of the same load (JIT, caches, connections), for both servers. */
async function run(options: autocannon.Options): Promise<autocannon.Result> {
  await load({ ...options, duration: 2 });
  return load(options);
}

export async function graphqlBenchmark(): Promise<void> {
  const servers = await startServerProcess<Servers>(new URL('./graphql-servers.ts', import.meta.url));
  const { url, bareUrl, tokens, postIds, seconds, users, follows } = servers.ready;
  console.log(
    `\nSeeded ${users} users, ${postIds.length} posts, ${follows} follows in ${seconds.toFixed(1)} s`,
  );
  const bare = { url: bareUrl };

  const feedQuery = homeFeedRequest;
  // As real clients do: one document, the id in the variables (so the parse, validation and JIT caches hold).
  const postQuery = (id: string) =>
    JSON.stringify({
      query:
        'query($id: ID!) { getPost(id: $id) { id description likeCount commentCount viewerHasLiked author { id username } } }',
      variables: { id },
    });
  let n = 0;
  const nextViewer = () => tokens[n++ % tokens.length]!;

  const rows: Row[] = [];
  const plazaFeed = await run({
    url: `${url}/graphql`,
    method: 'POST',
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: nextViewer().token },
          body: feedQuery,
        }),
      },
    ],
  });
  const bareFeed = await run({
    url: bare.url,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/feed?viewer=${nextViewer().sub}` }) }],
  });
  rows.push({
    benchmark: 'homeFeed(limit: 20)',
    plaza: plazaFeed,
    bare: bareFeed,
    goal: '≥ 0.4× bare',
    ok: plazaFeed.requests.average >= 0.4 * bareFeed.requests.average,
  });
  let p = 0;
  const nextPost = () => postIds[(p++ * 7919) % postIds.length]!;
  const plazaPost = await run({
    url: `${url}/graphql`,
    method: 'POST',
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: nextViewer().token },
          body: postQuery(nextPost()),
        }),
      },
    ],
  });
  const barePost = await run({
    url: bare.url,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/post?id=${nextPost()}&viewer=${nextViewer().sub}`,
        }),
      },
    ],
  });
  rows.push({
    benchmark: 'getPost',
    plaza: plazaPost,
    bare: barePost,
    goal: '≥ 0.5× bare',
    ok: plazaPost.requests.average >= 0.5 * barePost.requests.average,
  });

  const errors = rows.reduce((sum, row) => sum + row.plaza.non2xx + row.plaza.errors, 0);
  console.log(
    `\nGraphQL over HTTP, 50 connections, 5 s each after a 2 s warm-up (Plaza non-2xx or errors: ${errors})`,
  );
  console.table(
    rows.map((row) => ({
      benchmark: row.benchmark,
      'plaza req/s': Math.round(row.plaza.requests.average),
      'bare req/s': Math.round(row.bare.requests.average),
      ratio: `${(row.plaza.requests.average / row.bare.requests.average).toFixed(2)}×`,
      'plaza p99 ms': row.plaza.latency.p99,
      'bare p99 ms': row.bare.latency.p99,
      goal: row.goal,
      met: row.ok && errors === 0 ? 'yes' : 'NO',
    })),
  );
  await servers.stop();
}
