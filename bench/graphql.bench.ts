/**
 * The GraphQL API over HTTP (autocannon, 50 connections) against a bare
 * reference in the same run: plain node:http + better-sqlite3 reading the
 * same SQLite file and answering the same JSON (see graphql-servers.ts, which
 * runs both in a child process). `homeFeed(limit: 20)` with author, counts and
 * viewerHasLiked, and `getPost`.
 */
import type autocannon from 'autocannon';
import { homeFeedRequest } from './feed-seed.ts';
import { load, startServerProcess, type ServerProcess } from './http-load.ts';

/** A measured run and the server process's CPU time per request in it. */
interface Measured {
  result: autocannon.Result;
  cpuPerRequest: number;
}

interface Row {
  benchmark: string;
  plaza: Measured;
  bare: Measured;
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

/**
 * A measured run after a 2 s warm-up of the same load (JIT, caches, connections). Both servers
 * share one process and are loaded in turn, so the process's CPU time during a run is that
 * server's: CPU per request is its cost on one core, which other work on a shared machine skews
 * far less than its rate.
 */
async function run(server: ServerProcess<Servers>, options: autocannon.Options): Promise<Measured> {
  await load({ ...options, duration: 2 });
  const before = server.cpuSeconds();
  const result = await load(options);
  const after = server.cpuSeconds();
  const cpu = before === undefined || after === undefined ? Number.NaN : after - before;
  return { result, cpuPerRequest: cpu / result.requests.total };
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
  const plazaFeed = await run(servers, {
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
  const bareFeed = await run(servers, {
    url: bare.url,
    requests: [{ setupRequest: (request) => ({ ...request, path: `/feed?viewer=${nextViewer().sub}` }) }],
  });
  rows.push({
    benchmark: 'homeFeed(limit: 20)',
    plaza: plazaFeed,
    bare: bareFeed,
    goal: '≥ 0.4× bare',
    ok: plazaFeed.result.requests.average >= 0.4 * bareFeed.result.requests.average,
  });
  let p = 0;
  const nextPost = () => postIds[(p++ * 7919) % postIds.length]!;
  const plazaPost = await run(servers, {
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
  const barePost = await run(servers, {
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
    ok: plazaPost.result.requests.average >= 0.5 * barePost.result.requests.average,
  });

  const errors = rows.reduce((sum, row) => sum + row.plaza.result.non2xx + row.plaza.result.errors, 0);
  console.log(
    `\nGraphQL over HTTP, 50 connections, 5 s each after a 2 s warm-up (Plaza non-2xx or errors: ${errors})`,
  );
  console.table(
    rows.map(({ benchmark, plaza, bare, ...row }) => ({
      benchmark,
      'plaza req/s': Math.round(plaza.result.requests.average),
      'bare req/s': Math.round(bare.result.requests.average),
      ratio: `${(plaza.result.requests.average / bare.result.requests.average).toFixed(2)}×`,
      'plaza p99 ms': plaza.result.latency.p99,
      'bare p99 ms': bare.result.latency.p99,
      'plaza CPU µs/req': Math.round(plaza.cpuPerRequest * 1e6),
      'bare CPU µs/req': Math.round(bare.cpuPerRequest * 1e6),
      'CPU ratio': `${(bare.cpuPerRequest / plaza.cpuPerRequest).toFixed(2)}×`,
      goal: row.goal,
      met: row.ok && errors === 0 ? 'yes' : 'NO',
    })),
  );
  await servers.stop();
}
