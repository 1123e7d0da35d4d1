/**
 * The servers of the subscriptions benchmark, in a process of their own so the
 * 5,000 clients do not share their core: Plaza (SQLite, in-process event bus)
 * and the bare reference, a `ws` server that broadcasts a prepared JSON string.
 * Prints what the clients need as one JSON line, then obeys commands on stdin:
 * `post <n>` (an author creates a post through GraphQL over HTTP) and
 * `notify <n>` (each viewer gets a notification of their own: the author
 * followed them, written in one go as a seed or a restore would, so they reach
 * subscribers through the change stream like any other) and
 * `bare <n>` (the bare server sends the same-sized event to every socket).
 * BENCH_CPU_PROFILE=<file>: a CPU profile of the servers from the first client on.
 */
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { writeFileSync } from 'node:fs';
import { keys, notificationsIndex } from '../src/domain/social/keys.ts';
import { startTestServer } from '../test/support/app-harness.ts';
import { benchConfigFile, startProfiler } from './harness.ts';

const viewers = Number(process.env.SUBSCRIBERS ?? 5000);
// As the GraphQL benchmark's: SQLite syncs at checkpoints rather than each commit, so that a burst of
// writes (5,000 notifications) measures the path to the sockets, not the disk's flushes.
const server = await startTestServer({
  configFile: benchConfigFile,
  env: { PLAZA_SQLITE_SYNCHRONOUS: 'NORMAL' },
});
const author = await server.newUser('author');
const tokens: string[] = [];
const viewerIds: string[] = [];
for (let i = 0; i < viewers; i++) {
  const viewer = await server.newUser(`viewer${i}`);
  tokens.push(viewer.token);
  viewerIds.push(viewer.id);
}

/** A FOLLOW notification from the author to every viewer, as notify.ts writes it, moved up to now. */
async function notifyEveryone(): Promise<void> {
  const at = new Date().toISOString();
  const about = `FOLLOW#${author.id}`;
  const items = viewerIds.map((recipient) => ({
    ...keys.notification(recipient, about),
    ...notificationsIndex(recipient, at, about),
    type: 'FOLLOW',
    actorIds: [author.id],
    about,
    at,
    recipientId: recipient,
  }));
  const writes = [];
  for (let i = 0; i < items.length; i += 25)
    writes.push(server.app.stores.main.batchWrite(items.slice(i, i + 25).map((item) => ({ put: item }))));
  await Promise.all(writes);
}

// Making 5,000 users leaves garbage whose collection would land in the first scenario's measurements.
(globalThis as { gc?: () => void }).gc?.();

const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((resolve) => bare.once('listening', resolve));
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;

process.stdout.write(
  `${JSON.stringify({
    wsUrl: `${server.url.replace('http', 'ws')}/graphql`,
    realtimeUrl: `${server.url.replace('http', 'ws')}/graphql/realtime`,
    bareUrl: `ws://127.0.0.1:${(bare.address() as { port: number }).port}`,
    authorId: author.id,
    tokens,
  })}\n`,
);

for await (const line of createInterface({ input: process.stdin })) {
  const [command, n] = line.split(' ');
  if (command === 'post') {
    await server.gql(author.token, `mutation { createPost(input: { description: "post ${n}" }) { id } }`);
  } else if (command === 'notify') {
    const started = performance.now();
    await notifyEveryone();
    // How much of the delay was writing the 5,000 notifications, before any could be delivered.
    process.stdout.write(`wrote ${(performance.now() - started).toFixed(1)}\n`);
    continue;
  } else if (command === 'bare') {
    const payload = JSON.stringify({
      id: '1',
      type: 'next',
      payload: {
        data: {
          onCreatePost: {
            id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
            description: `post ${n}`,
            likeCount: 0,
            createdAt: new Date().toISOString(),
          },
        },
      },
    });
    for (const socket of bare.clients) socket.send(payload);
  }
  process.stdout.write('ok\n');
}
if (profiler) writeFileSync(process.env.BENCH_CPU_PROFILE as string, JSON.stringify(await profiler.stop()));
bare.close();
await server.close();
