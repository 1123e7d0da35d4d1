/**
 * The graphql-transport-ws protocol's rules, spoken by a raw socket: what a
 * misbehaving client gets (the close codes of graphql-ws's PROTOCOL.md), and
 * queries, subscriptions and `complete` over one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
let user: { id: string; token: string };
beforeAll(async () => {
  server = await startTestServer();
  user = await server.newUser('transport');
});
afterAll(() => server.close());

interface Connection {
  socket: WebSocket;
  messages: { id?: string; type: string; payload?: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: object): void;
  waitFor(predicate: (message: Connection['messages'][number]) => boolean): Promise<void>;
}

async function connect(protocol = 'graphql-transport-ws'): Promise<Connection> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, protocol);
  const messages: Connection['messages'] = [];
  socket.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    async waitFor(predicate) {
      for (let i = 0; i < 200 && !messages.some(predicate); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      if (!messages.some(predicate)) throw new Error(`not received; got ${JSON.stringify(messages)}`);
    },
  };
}

async function acknowledged(): Promise<Connection> {
  const connection = await connect();
  connection.send({ type: 'connection_init', payload: { Authorization: user.token } });
  await connection.waitFor((m) => m.type === 'connection_ack');
  return connection;
}

describe('graphql-transport-ws', () => {
  it('closes with 4408 when connection_init does not come in time', async () => {
    const connection = await connect();
    expect(await connection.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  it('closes with 4429 on a second connection_init', async () => {
    const connection = await acknowledged();
    connection.send({ type: 'connection_init', payload: { Authorization: user.token } });
    expect((await connection.closed).code).toBe(4429);
  });

  it('closes with 4401 on subscribe before the ack, and 4403 on bad credentials', async () => {
    const early = await connect();
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await early.closed).code).toBe(4401);
    const forged = await connect();
    forged.send({ type: 'connection_init', payload: { Authorization: 'not a token' } });
    expect((await forged.closed).code).toBe(4403);
  });

  it('closes with 4400 on an unknown or malformed message, and 4409 on an id in use', async () => {
    const unknown = await acknowledged();
    unknown.send({ type: 'start', id: '1' });
    expect((await unknown.closed).code).toBe(4400);
    const malformed = await acknowledged();
    malformed.socket.send('{not json');
    expect((await malformed.closed).code).toBe(4400);
    const twice = await acknowledged();
    const subscription = { query: 'subscription { onCreatePost { id } }' };
    twice.send({ id: 'a', type: 'subscribe', payload: subscription });
    twice.send({ id: 'a', type: 'subscribe', payload: subscription });
    expect(await twice.closed).toEqual({ code: 4409, reason: 'Subscriber for a already exists' });
  });

  it('refuses a socket that did not choose the protocol', async () => {
    const legacy = await connect('graphql-ws');
    expect((await legacy.closed).code).toBe(4406);
  });

  it('answers ping, runs queries, reports refused operations, and stops on complete', async () => {
    const connection = await acknowledged();
    connection.send({ type: 'ping', payload: { n: 1 } });
    await connection.waitFor((m) => m.type === 'pong');
    expect(connection.messages.find((m) => m.type === 'pong')).toEqual({ type: 'pong', payload: { n: 1 } });

    connection.send({ id: 'q', type: 'subscribe', payload: { query: '{ me { id } }' } });
    await connection.waitFor((m) => m.id === 'q' && m.type === 'complete');
    expect(connection.messages.filter((m) => m.id === 'q')).toEqual([
      { id: 'q', type: 'next', payload: { data: { me: { id: user.id } } } },
      { id: 'q', type: 'complete' },
    ]);

    connection.send({
      id: 'bad',
      type: 'subscribe',
      payload: { query: 'subscription { onCreatePost { nope } }' },
    });
    await connection.waitFor((m) => m.id === 'bad');
    expect(connection.messages.find((m) => m.id === 'bad')).toMatchObject({
      type: 'error',
      payload: [{ message: expect.stringContaining('nope') }],
    });

    // Subscriptions are held to the same limits as queries over HTTP.
    const aliased = `subscription { onCreatePost { ${Array.from({ length: 20 }, (_, i) => `a${i}: id`).join(' ')} } }`;
    connection.send({ id: 'many', type: 'subscribe', payload: { query: aliased } });
    await connection.waitFor((m) => m.id === 'many');
    expect(connection.messages.find((m) => m.id === 'many')).toMatchObject({
      type: 'error',
      payload: [{ message: expect.stringMatching(/aliases/i) }],
    });

    const query = `subscription { onCreatePost(authorId: "${user.id}") { description } }`;
    connection.send({ id: 's', type: 'subscribe', payload: { query } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.gql(user.token, 'mutation { createPost(input: { description: "one" }) { id } }');
    await connection.waitFor((m) => m.id === 's');
    connection.send({ id: 's', type: 'complete' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.gql(user.token, 'mutation { createPost(input: { description: "two" }) { id } }');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connection.messages.filter((m) => m.id === 's')).toEqual([
      { id: 's', type: 'next', payload: { data: { onCreatePost: { description: 'one' } } } },
    ]);
    connection.socket.close();
  });
});
