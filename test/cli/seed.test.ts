import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed } from '../../src/bin/commands/seed.ts';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

it('seeds users, follows, posts with processed photos, likes and comments that the API serves', async () => {
  const stages: string[] = [];
  let ticks = 0;
  const result = await seed(
    server.app,
    {
      users: 12,
      followsPerUser: 4,
      postsPerUser: 2,
      photos: 2,
      accounts: 6,
      password: 'plaza-demo-1',
      seed: 7,
    },
    { start: (stage) => stages.push(stage), tick: () => ticks++, stop: () => undefined },
  );
  expect(stages).toEqual(['users', 'follows', 'posts', 'likes and comments']);
  expect(ticks).toBe(12 + 12 * 4 + 24 + 24);
  expect(result).toMatchObject({ users: 12, posts: 24, photos: 2 });
  expect(result.follows).toBeGreaterThan(30);
  // More accounts than password hashing takes at once (4), made one by one.
  expect(result.accounts).toHaveLength(6);

  await server.app.consumers.drain();
  const viewer = await server.newUser('reader');
  const page = await server.gql(
    viewer.token,
    '{ recentPosts(limit: 100) { items { id media { status } } } }',
  );
  const items = page.data?.recentPosts.items as { media: { status: string }[] }[];
  expect(items).toHaveLength(24);
  expect(items.flatMap((item) => item.media.map((m) => m.status))).toEqual(['READY', 'READY']);
});

it('refuses bad options with a clear message and a non-zero exit code', () => {
  const run = spawnSync(process.execPath, ['bin/plaza.js', 'seed', '--users', 'lots'], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: server.dir },
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--users must be a whole number');
});
