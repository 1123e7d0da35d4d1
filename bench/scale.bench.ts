/**
 * How cost grows with data (issue 24): homeFeed(limit: 20), getPost, likePost
 * and createPost at 3,000, 30,000 and 300,000 users on SQLite, each beside the
 * bare reference over the same file (scale-bare.ts), over HTTP (autocannon, 50
 * connections); then the same operations on DynamoDB Local at the smallest
 * size, for the capacity units each consumes.
 *
 * createPost is measured until its fan-out is done: Plaza answers before the
 * followers' feeds are written (the change stream's consumer writes them), so
 * its rate counts the time until the consumer has drained; the reference writes
 * the feeds in the request.
 *
 * Sizes: SCALE_SIZES=3000,30000 (or numbers after `scale` on the command line);
 * SCALE_SECONDS (per round, 4), SCALE_ROUNDS (2), SCALE_VIEWERS (20).
 */
import type autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../test/support/dynamodb-local.ts';
import { homeFeedRequest } from './feed-seed.ts';
import { load, startServerProcess, type ServerProcess } from './http-load.ts';
import type { ControlStats, ScaleServer } from './scale-servers.ts';

const script = new URL('./scale-servers.ts', import.meta.url);
const defaultSizes = [3_000, 30_000, 300_000];
const connections = 50;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** What one server did in one run: completed requests per second (until drained), p99, failures. */
interface Figures {
  /** Requests answered. */
  requests: number;
  rate: number;
  p99: number;
  failures: number;
}

interface OperationRow {
  users: number;
  operation: string;
  plaza: Figures;
  bare: Figures;
  /** Feed entries a request writes on average (createPost: the poster's feed and the followers' fanned out to). */
  feedWrites: number;
}

interface SizeRow {
  users: number;
  ready: ScaleServer;
  plazaRss: number;
  bareRss: number;
  topPost: { followers: number; fannedOut: boolean; plazaMs: number; bareMs: number };
}

interface Target {
  url: string;
  controlUrl: string;
  /** Headers naming the viewer: Plaza's token, or the reference's x-viewer. */
  who: (viewer: ScaleServer['viewers'][number]) => Record<string, string>;
}

interface Operation {
  name: string;
  barePath: string;
  body: (viewer: number) => string;
  /** Measured until the fan-out consumer has caught up. */
  drains: boolean;
}

export function selectedSizes(): number[] {
  const fromArgs = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg));
  const listed = fromArgs.length ? fromArgs.join(',') : process.env.SCALE_SIZES;
  return listed ? listed.split(',').map(Number) : defaultSizes;
}

/** The four operations, as real clients send them: one document each, the ids in the variables. */
function operations(postIds: string[], viewers: number): Operation[] {
  // One sequence for both servers: no viewer likes a post twice, so every like writes.
  let liked = 0;
  let read = 0;
  const nextPost = () => postIds[(read++ * 7919) % postIds.length]!;
  return [
    { name: 'homeFeed(limit: 20)', barePath: '/feed', body: () => homeFeedRequest, drains: false },
    {
      name: 'getPost',
      barePath: '/post',
      body: () =>
        JSON.stringify({
          query:
            'query($id: ID!) { getPost(id: $id) { id description likeCount commentCount viewerHasLiked author { id username } } }',
          variables: { id: nextPost() },
        }),
      drains: false,
    },
    {
      name: 'likePost',
      barePath: '/like',
      body: () =>
        JSON.stringify({
          query: 'mutation($id: ID!) { likePost(postId: $id) { id likeCount viewerHasLiked } }',
          variables: { id: postIds[Math.floor(liked++ / viewers) % postIds.length]! },
        }),
      drains: false,
    },
    {
      name: 'createPost (until fanned out)',
      barePath: '/create',
      body: () =>
        JSON.stringify({
          query:
            'mutation($description: String!) { createPost(input: { description: $description }) { id description } }',
          variables: { description: 'A new post: the light over the harbour, again.' },
        }),
      drains: true,
    },
  ];
}

async function drain(controlUrl: string): Promise<void> {
  const response = await fetch(`${controlUrl}/drain`, { method: 'POST' });
  if (!response.ok) throw new Error(`drain failed: ${await response.text()}`);
}

async function controlStats(controlUrl: string): Promise<ControlStats> {
  return (await (await fetch(`${controlUrl}/stats`)).json()) as ControlStats;
}

/** One closed-loop run; the rate counts until the fan-out has drained where the operation fans out. */
async function run(
  target: Target,
  path: string,
  operation: Operation,
  viewers: ScaleServer['viewers'],
  seconds: number,
  connectionCount = connections,
): Promise<Figures> {
  let n = 0;
  const started = performance.now();
  const result: autocannon.Result = await load({
    url: `${target.url}${path}`,
    method: 'POST',
    connections: connectionCount,
    duration: seconds,
    requests: [
      {
        setupRequest: (request: autocannon.Request) => {
          const v = n++ % viewers.length;
          return {
            ...request,
            headers: { 'content-type': 'application/json', ...target.who(viewers[v]!) },
            body: operation.body(v),
          };
        },
      },
    ],
  });
  if (operation.drains) await drain(target.controlUrl);
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: result.requests.total,
    rate: result.requests.total / elapsed,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** The feed entries one post by a viewer writes, on average over the viewers (who post in turn). */
function meanFanOut(ready: ScaleServer): number {
  const entries = ready.stats.viewerFollowers.map(
    (followers) => 1 + (followers < ready.fanOutFollowerLimit ? followers : 0),
  );
  return entries.reduce((sum, n) => sum + n, 0) / Math.max(1, entries.length);
}

/** One request's JSON from a server, for the check that both answer the same. */
async function answer(target: Target, path: string, body: string, viewer: ScaleServer['viewers'][number]) {
  const response = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.who(viewer) },
    body,
  });
  return response.text();
}

/**
 * Plaza and the reference must answer the same bytes for the same read (the nextToken's MAC is
 * each server's own), and both writes must succeed: else the ratio measures nothing.
 */
async function checkSameAnswers(plaza: Target, bare: Target, ops: Operation[], ready: ScaleServer) {
  const withoutMac = (text: string) => text.replace(/("nextToken":"[^".]*\.)[^"]*"/, '$1"');
  for (const viewer of ready.viewers.slice(0, 3)) {
    for (const op of ops.slice(0, 2)) {
      const body = op.body(0);
      const [a, b] = [
        await answer(plaza, '/graphql', body, viewer),
        await answer(bare, op.barePath, body, viewer),
      ];
      if (withoutMac(a) !== withoutMac(b))
        throw new Error(`${op.name}: Plaza and the reference differ\nPlaza: ${a}\nbare:  ${b}`);
    }
  }
  for (const op of ops.slice(2)) {
    for (const [target, path] of [
      [plaza, '/graphql'],
      [bare, op.barePath],
    ] as const) {
      const text = await answer(target, path, op.body(0), ready.viewers[1]!);
      if (!text.startsWith('{"data":{') || text.includes('"errors"'))
        throw new Error(`${op.name} failed on ${path}: ${text}`);
    }
  }
}

/** One post by the top account (10 % of all users follow it), timed until it is in every feed: the median of 3. */
async function topAccountPost(plaza: Target, bare: Target, ops: Operation[], ready: ScaleServer) {
  const create = ops[3]!;
  const timed = async (target: Target, path: string) => {
    const started = performance.now();
    await answer(target, path, create.body(0), ready.viewers[0]!);
    if (create.drains) await drain(target.controlUrl);
    return performance.now() - started;
  };
  const median = async (target: Target, path: string) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await timed(target, path));
    return times.sort((a, b) => a - b)[1]!;
  };
  const followers = ready.stats.viewerFollowers[0] ?? 0;
  return {
    followers,
    fannedOut: followers < ready.fanOutFollowerLimit,
    plazaMs: await median(plaza, '/graphql'),
    bareMs: await median(bare, create.barePath),
  };
}

async function measureSize(users: number): Promise<{ size: SizeRow; rows: OperationRow[] }> {
  const viewerCount = env('SCALE_VIEWERS', 20);
  const seconds = env('SCALE_SECONDS', 4);
  const rounds = env('SCALE_ROUNDS', 2);
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-scale-'));
  const servers: ServerProcess<unknown>[] = [];
  try {
    const plazaProcess = await startServerProcess<ScaleServer>(script, [
      'plaza',
      dir,
      String(users),
      String(viewerCount),
    ]);
    servers.push(plazaProcess);
    const ready = plazaProcess.ready;
    const bareProcess = await startServerProcess<{ url: string; controlUrl: string }>(script, [
      'bare',
      ready.databasePath,
      ready.table,
      String(ready.fanOutFollowerLimit),
    ]);
    servers.push(bareProcess);
    console.log(
      `\n${users.toLocaleString('en-US')} users: seeded ${ready.stats.follows.toLocaleString('en-US')} follows, ${ready.stats.posts.toLocaleString('en-US')} posts, ${ready.stats.feedEntries.toLocaleString('en-US')} feed entries in ${ready.seedSeconds.toFixed(1)} s (${(ready.databaseBytes / 1e6).toFixed(0)} MB)`,
    );
    const plaza: Target = { ...ready, who: (viewer) => ({ authorization: viewer.token }) };
    const bare: Target = { ...bareProcess.ready, who: (viewer) => ({ 'x-viewer': viewer.sub }) };
    const ops = operations(ready.stats.postIds, ready.viewers.length);
    await checkSameAnswers(plaza, bare, ops, ready);
    const rows: OperationRow[] = [];
    for (const op of ops) {
      // A warm-up each (JIT, caches, connections), then alternating rounds; the better round of each.
      await run(plaza, '/graphql', op, ready.viewers, 1);
      await run(bare, op.barePath, op, ready.viewers, 1);
      const plazaRuns: Figures[] = [];
      const bareRuns: Figures[] = [];
      for (let round = 0; round < rounds; round++) {
        plazaRuns.push(await run(plaza, '/graphql', op, ready.viewers, seconds));
        bareRuns.push(await run(bare, op.barePath, op, ready.viewers, seconds));
      }
      const best = (list: Figures[]) => list.reduce((a, b) => (b.rate > a.rate ? b : a));
      rows.push({
        users,
        operation: op.name,
        plaza: best(plazaRuns),
        bare: best(bareRuns),
        feedWrites: op.drains ? meanFanOut(ready) : 0,
      });
      console.log(
        `  ${op.name}: Plaza ${Math.round(best(plazaRuns).rate)} req/s, bare ${Math.round(best(bareRuns).rate)} req/s`,
      );
    }
    const topPost = await topAccountPost(plaza, bare, ops, ready);
    const [plazaStats, bareStats] = [
      await controlStats(ready.controlUrl),
      await controlStats(bare.controlUrl),
    ];
    return {
      size: { users, ready, plazaRss: plazaStats.rssBytes, bareRss: bareStats.rssBytes, topPost },
      rows,
    };
  } finally {
    for (const server of servers.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CapacityRow {
  operation: string;
  rate: number;
  p99: number;
  failures: number;
  readUnits: number;
  writeUnits: number;
  /** Store calls per request, by DynamoDB operation. */
  calls: string;
}

/** The same operations on DynamoDB Local: the capacity units each consumes (fan-out included). */
async function dynamoDbCurve(users: number): Promise<{ rows: CapacityRow[]; ready: ScaleServer }> {
  const viewerCount = env('SCALE_VIEWERS', 20);
  const dynamodb = await startDynamoDbLocal();
  const dir = mkdtempSync(join(tmpdir(), 'plaza-bench-scale-dynamodb-'));
  const server = await startServerProcess<ScaleServer>(script, [
    'dynamodb',
    dir,
    String(users),
    String(viewerCount),
    dynamodb.endpoint,
  ]);
  try {
    const ready = server.ready;
    console.log(
      `\nDynamoDB Local, ${users.toLocaleString('en-US')} users: seeded in ${ready.seedSeconds.toFixed(1)} s`,
    );
    const plaza: Target = { ...ready, who: (viewer) => ({ authorization: viewer.token }) };
    const rows: CapacityRow[] = [];
    for (const op of operations(ready.stats.postIds, ready.viewers.length)) {
      await run(plaza, '/graphql', op, ready.viewers, 1, 10);
      const before = await controlStats(ready.controlUrl);
      const figures = await run(plaza, '/graphql', op, ready.viewers, env('SCALE_SECONDS', 4), 10);
      const after = await controlStats(ready.controlUrl);
      const requests = Math.max(1, figures.requests);
      const calls = Object.entries(after.calls)
        .map(([name, count]) => [name, (count - (before.calls[name] ?? 0)) / requests] as const)
        .filter(([, perRequest]) => perRequest >= 0.01)
        .map(([name, perRequest]) => `${name} ${perRequest.toFixed(2)}`)
        .join(', ');
      rows.push({
        operation: op.name,
        ...figures,
        readUnits: (after.readUnits - before.readUnits) / requests,
        writeUnits: (after.writeUnits - before.writeUnits) / requests,
        calls,
      });
    }
    return { rows, ready };
  } finally {
    await server.stop();
    await dynamodb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => Math.round(bytes / 1e6);

function printResults(sizes: SizeRow[], rows: OperationRow[], capacity: CapacityRow[], dynamoUsers: number) {
  console.log(
    `\nHow cost grows on SQLite: Plaza beside the bare reference (node:http + better-sqlite3, same caches, same bytes), ${connections} connections, the better of ${env('SCALE_ROUNDS', 2)} alternating rounds of ${env('SCALE_SECONDS', 4)} s; createPost until every follower's feed has it`,
  );
  console.table(
    rows.map((row) => ({
      users: row.users.toLocaleString('en-US'),
      operation: row.operation,
      'plaza req/s': Math.round(row.plaza.rate),
      'bare req/s': Math.round(row.bare.rate),
      ratio: `${(row.plaza.rate / row.bare.rate).toFixed(2)}×`,
      'plaza p99 ms': row.plaza.p99,
      'bare p99 ms': row.bare.p99,
      'plaza / bare feed writes/s': row.feedWrites
        ? `${Math.round(row.plaza.rate * row.feedWrites)} / ${Math.round(row.bare.rate * row.feedWrites)}`
        : '',
      failures: row.plaza.failures + row.bare.failures,
    })),
  );
  console.log('\nData and memory per size (RSS after the load)');
  console.table(
    sizes.map(({ users, ready, plazaRss, bareRss }) => ({
      users: users.toLocaleString('en-US'),
      follows: ready.stats.follows.toLocaleString('en-US'),
      'feed entries': ready.stats.feedEntries.toLocaleString('en-US'),
      'followers max / p99 / median': `${ready.stats.followers.max} / ${ready.stats.followers.p99} / ${ready.stats.followers.median}`,
      'large authors': ready.stats.largeAuthors,
      'seed s': ready.seedSeconds.toFixed(1),
      'database MB': mb(ready.databaseBytes),
      'plaza RSS MB': mb(plazaRss),
      'bare RSS MB': mb(bareRss),
    })),
  );
  console.log(
    `\nOne post by the most followed account, until it is in every follower's feed (fan-out limit ${sizes[0]?.ready.fanOutFollowerLimit.toLocaleString('en-US')} followers)`,
  );
  console.table(
    sizes.map(({ users, topPost }) => ({
      users: users.toLocaleString('en-US'),
      followers: topPost.followers.toLocaleString('en-US'),
      'fanned out': topPost.fannedOut ? 'yes' : 'no (merged at read)',
      'plaza ms': Math.round(topPost.plazaMs),
      'bare ms': Math.round(topPost.bareMs),
      'plaza feeds/s': topPost.fannedOut ? Math.round(topPost.followers / (topPost.plazaMs / 1000)) : '',
    })),
  );
  const limit = sizes[0]?.ready.fanOutFollowerLimit ?? 0;
  const fanOutRates = rows.filter((row) => row.feedWrites).map((row) => row.plaza.rate * row.feedWrites);
  if (fanOutRates.length) {
    const slowest = Math.min(...fanOutRates);
    const largest = sizes[sizes.length - 1]!;
    console.log(
      `\nHybrid fan-out at ${limit.toLocaleString('en-US')} followers (social.fanOutFollowerLimit): Plaza wrote ${Math.round(slowest).toLocaleString('en-US')} to ${Math.round(Math.max(...fanOutRates)).toLocaleString('en-US')} feed entries/s while posting, so a post by an author just under the limit is in every feed within ${(limit / slowest).toFixed(1)} s; at ${largest.users.toLocaleString('en-US')} users ${largest.ready.stats.largeAuthors} authors are over it, each one more query in the feed reads of their followers`,
    );
  }
  if (capacity.length) {
    console.log(
      `\nDynamoDB Local, ${dynamoUsers.toLocaleString('en-US')} users, 10 connections: capacity units per request (createPost with its fan-out)`,
    );
    console.table(
      capacity.map((row) => ({
        operation: row.operation,
        'req/s': Math.round(row.rate),
        'p99 ms': row.p99,
        'RCU / request': row.readUnits.toFixed(2),
        'WCU / request': row.writeUnits.toFixed(2),
        'store calls / request': row.calls,
        failures: row.failures,
      })),
    );
  }
}

export async function scaleBenchmark(): Promise<void> {
  const sizes = selectedSizes();
  const sizeRows: SizeRow[] = [];
  const rows: OperationRow[] = [];
  for (const users of sizes) {
    const measured = await measureSize(users);
    sizeRows.push(measured.size);
    rows.push(...measured.rows);
  }
  const smallest = Math.min(...sizes);
  const capacity = process.env.SCALE_DYNAMODB === '0' ? [] : (await dynamoDbCurve(smallest)).rows;
  printResults(sizeRows, rows, capacity, smallest);
}
