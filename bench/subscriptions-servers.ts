/**
 * The servers of the subscriptions benchmark, in a process of their own so the
 * 5,000 clients do not share their core: Plaza (SQLite, in-process event bus)
 * and the bare reference, a `ws` server that broadcasts a prepared JSON string.
 * Prints what the clients need as one JSON line, then obeys commands on stdin:
 * `post <n>` (an author creates a post through GraphQL over HTTP) and
 * `bare <n>` (the bare server sends the same-sized event to every socket).
 */
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { startTestServer } from '../test/support/app-harness.ts';
import { benchConfigFile } from './harness.ts';

const viewers = Number(process.env.SUBSCRIBERS ?? 5000);
const server = await startTestServer({ configFile: benchConfigFile });
const author = await server.newUser('author');
const tokens: string[] = [];
for (let i = 0; i < viewers; i++) tokens.push((await server.newUser(`viewer${i}`)).token);

// Making 5,000 users leaves garbage whose collection would land in the first scenario's measurements.
(globalThis as { gc?: () => void }).gc?.();

const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((resolve) => bare.once('listening', resolve));

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
bare.close();
await server.close();
