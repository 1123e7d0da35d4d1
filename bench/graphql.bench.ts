/**
 * The GraphQL API over HTTP (autocannon, 50 connections) against a bare
 * reference in the same run: plain node:http + better-sqlite3 over the same
 * SQLite file with every cache Plaza has, taking the same POST body and
 * answering the same JSON (scale-bare.ts; graphql-servers.ts runs both in a
 * child process).
 * `homeFeed(limit: 20)` with author, counts and viewerHasLiked (also with
 * `npm start`'s logging), `getPost`, `notifications(limit: 20)` with each
 * actor, and `{ __typename }`: what a request costs before it reads anything.
 */
import type autocannon from 'autocannon';
import { homeFeedRequest, notificationsRequest } from './feed-seed.ts';
import { load, loadMeasured, startServerProcess, type Run, type ServerProcess } from './http-load.ts';
import { openLoop, type OpenLoopOptions, type OpenLoopResult } from './open-loop.ts';

/** One server's rounds: the median round's rate and latency, and CPU time per request over all. */
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

const rounds = 3;
const roundSeconds = 4;
const connections = 50;

/** Where one server takes a benchmark's requests, and the next request to send it. */
type Target = Pick<OpenLoopOptions, 'url' | 'next'>;

/** autocannon's options for a target: each connection sends its next request when the last is answered. */
const closedLoop = (target: Target): autocannon.Options => ({
  url: target.url,
  method: 'POST',
  connections,
  requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, ...target.next() }) }],
});
const closedLoops = ([plaza, bare]: [Target, Target]) => [closedLoop(plaza), closedLoop(bare)] as const;

/** Runs each server in turn, `rounds` times, so that a shared machine's changing speed falls on both alike. */
async function alternating<T, R>(
  plaza: T,
  bare: T,
  run: (input: T) => Promise<R>,
): Promise<{ plaza: R[]; bare: R[] }> {
  const results = { plaza: [] as R[], bare: [] as R[] };
  for (let round = 0; round < rounds; round++) {
    results.plaza.push(await run(plaza));
    results.bare.push(await run(bare));
  }
  return results;
}

/** The middle one of a list in the order of `key`. */
const medianBy = <T>(list: T[], key: (item: T) => number): T =>
  [...list].sort((a, b) => key(a) - key(b))[Math.floor(list.length / 2)]!;

/**
 * Plaza and the bare reference under the same load: a 2 s warm-up each (JIT, caches,
 * connections), then alternating rounds. Both servers share one process and are loaded in turn,
 * so the process's CPU time during a round is that server's: CPU per request is its cost on one
 * core, which other work on the machine skews far less than its rate.
 */
async function compare(
  server: ServerProcess<Servers>,
  plaza: autocannon.Options,
  bare: autocannon.Options,
): Promise<{ plaza: Measured; bare: Measured }> {
  for (const options of [plaza, bare]) await load({ ...options, duration: 2 });
  const runs = await alternating(plaza, bare, (options) =>
    loadMeasured(server, { ...options, duration: roundSeconds }),
  );
  const measured = (list: Run[]): Measured => {
    const requests = list.reduce((sum, run) => sum + run.result.requests.total, 0);
    const cpu = list.reduce((sum, run) => sum + run.cpu, 0);
    return {
      result: medianBy(list, (run) => run.result.requests.average).result,
      cpuPerRequest: cpu / requests,
    };
  };
  return { plaza: measured(runs.plaza), bare: measured(runs.bare) };
}

/** One server's latency at a fixed rate, and its CPU time per request there. */
type AtRate = OpenLoopResult & { cpuPerRequest: number };

/**
 * Latency at a given load: the same requests at a fixed rate, open loop, over 50 connections, in
 * alternating rounds. The figures of each server's median round (by p99), with CPU per request
 * over all rounds: at the same rate, unlike each at its own limit, both pay alike for what a
 * request costs the kernel and the event loop however busy the server is.
 */
async function latencyAt(
  server: ServerProcess<Servers>,
  rate: number,
  plaza: Target,
  bare: Target,
): Promise<{ plaza: AtRate; bare: AtRate }> {
  const results = await alternating(plaza, bare, async (target) => {
    const before = server.cpuSeconds() ?? 0;
    const result = await openLoop({ ...target, rate, seconds: roundSeconds, connections });
    return { ...result, cpu: (server.cpuSeconds() ?? 0) - before };
  });
  const atRate = (list: (OpenLoopResult & { cpu: number })[]): AtRate => ({
    ...medianBy(list, (result) => result.p99),
    cpuPerRequest: list.reduce((sum, result) => sum + result.cpu, 0) / (list.length * rate * roundSeconds),
  });
  return { plaza: atRate(results.plaza), bare: atRate(results.bare) };
}

export async function graphqlBenchmark(): Promise<void> {
  const servers = await startServerProcess<Servers>(new URL('./graphql-servers.ts', import.meta.url));
  const { url, bareUrl, tokens, postIds, seconds, users, follows } = servers.ready;
  console.log(
    `\nSeeded ${users} users, ${postIds.length} posts, ${follows} follows in ${seconds.toFixed(1)} s`,
  );
  // As real clients do: one document, the id in the variables (so the parse, validation and JIT caches hold).
  const postQuery = (id: string) =>
    JSON.stringify({
      query:
        'query($id: ID!) { getPost(id: $id) { id description likeCount commentCount viewerHasLiked author { id username } } }',
      variables: { id },
    });
  const typenameRequest = JSON.stringify({ query: '{ __typename }' });
  let n = 0;
  const nextViewer = () => tokens[n++ % tokens.length]!;

  /** The same POST to both servers: Plaza gets the viewer's token, the bare reference their id. */
  const targets = (barePath: string, body: () => string): [Target, Target] => {
    const target = (address: string, who: (viewer: Servers['tokens'][number]) => Record<string, string>) => ({
      url: address,
      next: () => ({ headers: { 'content-type': 'application/json', ...who(nextViewer()) }, body: body() }),
    });
    return [
      target(`${url}/graphql`, (viewer) => ({ authorization: viewer.token })),
      target(`${bareUrl}${barePath}`, (viewer) => ({ 'x-viewer': viewer.sub })),
    ];
  };
  const rows: Row[] = [];
  const feedTargets = targets('/feed', () => homeFeedRequest);
  const feed = await compare(servers, ...closedLoops(feedTargets));
  // The goal, as it names it: the rate, and p99 in this closed loop of 50 connections.
  rows.push({
    benchmark: 'homeFeed(limit: 20)',
    ...feed,
    goal: '≥ 0.5× bare, p99 < 25 ms',
    ok:
      feed.plaza.result.requests.average >= 0.5 * feed.bare.result.requests.average &&
      feed.plaza.result.latency.p99 < 25,
  });
  // As `npm start` runs: LOG_LEVEL=info, one JSON line a request (to a file here). Plaza has one log
  // format everywhere, so there is no other development logging to measure.
  servers.send('log info');
  const logged = await compare(servers, ...closedLoops(feedTargets));
  servers.send('log silent');
  rows.push({
    benchmark: 'homeFeed, LOG_LEVEL=info',
    ...logged,
    goal: "(npm start's logging)",
    ok: true,
  });
  // In a closed loop every connection is always busy, so p99 is about twice 50 ÷ rate: a figure of
  // the rate. How fast a page comes under load is measured at a fixed rate instead, half and 80% of
  // what Plaza answered above, both servers at the same rate.
  const fixedRates = [];
  for (const share of [0.5, 0.8]) {
    const rate = Math.round(share * feed.plaza.result.requests.average);
    fixedRates.push({ query: 'homeFeed', share, rate, ...(await latencyAt(servers, rate, ...feedTargets)) });
  }
  let p = 0;
  const nextPost = () => postIds[(p++ * 7919) % postIds.length]!;
  const postTargets = targets('/post', () => postQuery(nextPost()));
  const post = await compare(servers, ...closedLoops(postTargets));
  rows.push({
    benchmark: 'getPost',
    ...post,
    goal: '≥ 0.6× bare',
    ok: post.plaza.result.requests.average >= 0.6 * post.bare.result.requests.average,
  });
  // Each server at its own limit charges the slower one for waking its client: with the server the
  // bottleneck, the client sleeps between answers and each write wakes it (measured on these
  // machines: a server made to spin 50 µs more a request spent 20 µs more in writev). At one rate
  // both pay alike, so getPost's CPU is also compared there, at half Plaza's rate (at 80%, open
  // loop's own costs took Plaza past its limit, and the queue, not the server, set the latency).
  const postRate = Math.round(0.5 * post.plaza.result.requests.average);
  fixedRates.push({
    query: 'getPost',
    share: 0.5,
    rate: postRate,
    ...(await latencyAt(servers, postRate, ...postTargets)),
  });
  const inbox = await compare(servers, ...closedLoops(targets('/notifications', () => notificationsRequest)));
  rows.push({
    benchmark: 'notifications(limit: 20)',
    ...inbox,
    goal: '≥ 0.5× bare',
    ok: inbox.plaza.result.requests.average >= 0.5 * inbox.bare.result.requests.average,
  });
  // What every request costs before any data: HTTP, the token, parse/validate/execute, metrics.
  const floor = await compare(servers, ...closedLoops(targets('/typename', () => typenameRequest)));
  rows.push({ benchmark: '{ __typename } (no data)', ...floor, goal: '(what a request costs)', ok: true });

  const errors =
    rows.reduce((sum, row) => sum + row.plaza.result.non2xx + row.plaza.result.errors, 0) +
    fixedRates.reduce((sum, load) => sum + load.plaza.errors, 0);
  console.log(
    `\nGraphQL over HTTP, 50 connections, ${rounds} alternating rounds of ${roundSeconds} s after a 2 s warm-up; rate and p99 of the median round, CPU over all (Plaza non-2xx or errors: ${errors})`,
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
  console.log(
    `\nAt a fixed rate (a share of Plaza's rate above), both servers alike: open loop over ${connections} connections, each request timed from when it was due; median of ${rounds} alternating rounds of ${roundSeconds} s`,
  );
  console.table(
    fixedRates.flatMap(({ query, share, rate, ...servers }) =>
      Object.entries(servers).map(([server, result]) => ({
        query,
        load: `${rate} req/s (${share}× Plaza's)`,
        server,
        'p50 ms': result.p50.toFixed(1),
        'p99 ms': result.p99.toFixed(1),
        'max ms': result.max.toFixed(1),
        'CPU µs/req': Math.round(result.cpuPerRequest * 1e6),
        'CPU ratio':
          server === 'plaza'
            ? `${(servers.bare.cpuPerRequest / servers.plaza.cpuPerRequest).toFixed(2)}×`
            : '',
        'non-2xx or errors': result.errors,
      })),
    ),
  );
  await servers.stop();
}
