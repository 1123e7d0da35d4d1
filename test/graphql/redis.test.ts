/**
 * Several servers: two Plaza servers on one table and one Redis (redis-server from Debian,
 * started here). A post made through one reaches a subscriber connected to the other, once: each
 * server hears it from the table's change stream, not from Redis.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisEventBus } from '../../src/adapters/redis/redis-event-bus.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { startRedis } from '../support/redis.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;
let servers: TestServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const first = await startTestServer({ env: { REDIS_URL: redis.url } });
  servers = [first, await startTestServer({ env: { REDIS_URL: redis.url }, dir: first.dir })];
});
afterAll(async () => {
  for (const server of servers.reverse()) await server.close();
  await redis?.stop();
});

it('delivers each event once to every bus, and stops after unsubscribing', async () => {
  const logger = createLogger({ level: 'silent' });
  const [a, b] = [redisEventBus(redis.url, logger, 'unit:'), redisEventBus(redis.url, logger, 'unit:')];
  await Promise.all([a.ready(), b.ready()]);
  const heard: string[] = [];
  const stopA = a.subscribe('t', (payload) => heard.push(`a:${(payload as { n: number }).n}`));
  b.subscribe('t', (payload) => heard.push(`b:${(payload as { n: number }).n}`));
  await new Promise((resolve) => setTimeout(resolve, 100));
  a.publish('t', { n: 1 });
  await expect.poll(() => heard.sort()).toEqual(['a:1', 'b:1']);
  stopA();
  b.publish('t', { n: 2 });
  await expect.poll(() => heard.length).toBe(3);
  expect(heard.at(-1)).toBe('b:2');
  await Promise.all([a.close(), b.close()]);
});

it('carries a post made on one server to a subscriber on another, once', async () => {
  const [one, two] = servers as [TestServer, TestServer];
  const author = await one.newUser('author');
  const watcher = await two.newUser('watcher');
  const client = graphqlWsClient(two.url, watcher.token);
  const received: unknown[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: `subscription { onCreatePost(authorId: "${author.id}") { id description } }` },
      {
        next: (value) => {
          received.push(value.data?.onCreatePost);
          resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const created = await one.gql(
    author.token,
    'mutation { createPost(input: { description: "over redis" }) { id } }',
  );
  await done;
  // Time for a second delivery, were there one.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(received).toEqual([{ id: created.data?.createPost.id, description: 'over redis' }]);
  await client.dispose();
});
