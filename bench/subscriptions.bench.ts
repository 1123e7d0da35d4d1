/**
 * Live updates at fan-out: 5,000 subscribers (graphql-transport-ws over real
 * sockets) on `onCreatePost(authorId)`, one author posting. Measured: how long
 * from the mutation's answer until the last subscriber has the event, and
 * deliveries per second, against a bare `ws` server that sends the same JSON
 * to the same number of sockets (no GraphQL, no auth, no per-subscriber
 * resolution) in the same run.
 */
import WebSocket, { WebSocketServer } from 'ws';
import { startTestServer } from '../test/support/app-harness.ts';
import { printTable, type Row } from './harness.ts';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 5000);
const POSTS = 10;

interface Client {
  socket: WebSocket;
  onEvent: (() => void) | undefined;
}

async function openAll(count: number, open: (i: number) => Promise<Client>): Promise<Client[]> {
  const clients: Client[] = [];
  // A few hundred handshakes at a time: the kernel's accept queue is finite.
  for (let i = 0; i < count; i += 250) {
    clients.push(
      ...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, j) => open(i + j)))),
    );
  }
  return clients;
}

/** Waits for every client's next event; resolves to the milliseconds it took. */
function everyone(clients: Client[]): Promise<number> {
  const start = performance.now();
  let left = clients.length;
  return new Promise((resolve) => {
    for (const client of clients) {
      client.onEvent = () => {
        client.onEvent = undefined;
        if (--left === 0) resolve(performance.now() - start);
      };
    }
  });
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

export async function subscriptionsBenchmark(): Promise<void> {
  const server = await startTestServer();
  const author = await server.newUser('author');
  const viewer = await server.newUser('viewer');
  const wsUrl = server.url.replace('http', 'ws') + '/graphql';
  const query = `subscription { onCreatePost(authorId: "${author.id}") { id description likeCount createdAt } }`;

  const opened = performance.now();
  const plazaClients = await openAll(SUBSCRIBERS, (i) => {
    return new Promise<Client>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      const client: Client = { socket, onEvent: undefined };
      socket.once('error', reject);
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: viewer.token } })),
      );
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query } }));
          // graphql-ws starts the subscription right after it reads the message.
          setTimeout(() => resolve(client), 0);
        } else if (message.type === 'next') client.onEvent?.();
      });
    });
  });
  const connectSeconds = (performance.now() - opened) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 500));

  const plazaTimes: number[] = [];
  for (let n = 0; n < POSTS; n++) {
    const all = everyone(plazaClients);
    const started = performance.now();
    await server.gql(author.token, `mutation { createPost(input: { description: "post ${n}" }) { id } }`);
    await all;
    plazaTimes.push(performance.now() - started);
  }
  for (const client of plazaClients) client.socket.terminate();

  // The bare reference: one ws server, the same payload size, the same sockets.
  const bare = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => bare.once('listening', resolve));
  const barePort = (bare.address() as { port: number }).port;
  const bareClients = await openAll(SUBSCRIBERS, () => {
    return new Promise<Client>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${barePort}`);
      const client: Client = { socket, onEvent: undefined };
      socket.once('error', reject);
      socket.once('open', () => resolve(client));
      socket.on('message', () => client.onEvent?.());
    });
  });
  const bareTimes: number[] = [];
  for (let n = 0; n < POSTS; n++) {
    const all = everyone(bareClients);
    const started = performance.now();
    const payload = JSON.stringify({
      id: '1',
      type: 'next',
      payload: {
        data: {
          onCreatePost: {
            id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
            description: `post ${n}`,
            authorId: author.id,
            createdAt: new Date().toISOString(),
          },
        },
      },
    });
    for (const socket of bare.clients) socket.send(payload);
    await all;
    bareTimes.push(performance.now() - started);
  }
  for (const client of bareClients) client.socket.terminate();
  bare.close();
  await server.close();

  const deliveries = (times: number[]) =>
    (SUBSCRIBERS * times.length) / (times.reduce((a, b) => a + b, 0) / 1000);
  console.log(
    `\n${SUBSCRIBERS} subscribers connected in ${connectSeconds.toFixed(1)} s; ` +
      `last delivery after the post: Plaza p50 ${percentile(plazaTimes, 0.5).toFixed(0)} ms, ` +
      `p99 ${percentile(plazaTimes, 0.99).toFixed(0)} ms; bare p50 ${percentile(bareTimes, 0.5).toFixed(0)} ms`,
  );
  const rows: Row[] = [
    {
      benchmark: `onCreatePost to ${SUBSCRIBERS} subscribers (deliveries/s)`,
      plaza: deliveries(plazaTimes),
      bare: deliveries(bareTimes),
      goal: '≥ 0.25× (each delivery is resolved per subscriber)',
      ok: deliveries(plazaTimes) >= 0.25 * deliveries(bareTimes),
    },
  ];
  printTable('Subscriptions: fan-out to live subscribers (ratio = Plaza / bare ws broadcast)', rows);
}
