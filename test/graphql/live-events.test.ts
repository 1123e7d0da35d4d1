/**
 * Live events come from the table's change stream, not from the request that wrote: posts that
 * `plaza seed` writes in another process reach a subscriber of the running server.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';
import { graphqlWsClient } from '../support/graphql-ws.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('delivers posts written by another process (plaza seed) to subscribers', async () => {
  const watcher = await server.newUser('watcher');
  const client = graphqlWsClient(server.url, watcher.token);
  const received: string[] = [];
  const allThere = new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { onCreatePost { id description author { id } } }' },
      {
        next: (value) => {
          received.push(String((value.data?.onCreatePost as { id: string }).id));
          if (received.length === 3) resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
  // The subscription is registered once the server has acknowledged it; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const seeded = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        'bin/plaza.js',
        'seed',
        '--users',
        '3',
        '--follows',
        '0',
        '--posts',
        '1',
        '--photos',
        '0',
        '--accounts',
        '0',
      ],
      { env: { ...process.env, DATA_DIR: server.dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('close', (code) => resolve({ code, output }));
  });
  expect(seeded.code, seeded.output).toBe(0);
  await allThere;
  const page = await server.gql(watcher.token, '{ recentPosts(limit: 10) { items { id } } }');
  const ids = (page.data?.recentPosts.items as { id: string }[]).map((post) => post.id);
  expect(received.sort()).toEqual(ids.sort());
  await client.dispose();
}, 60_000);
