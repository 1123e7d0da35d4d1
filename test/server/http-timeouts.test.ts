/**
 * The listener's timeouts (config `http`): a client that dribbles its headers, or stalls mid-body,
 * loses its connection within the timeout; an upgraded WebSocket is not cut by the request timeout.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    configFile: { http: { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 } },
  });
});
afterAll(async () => server?.close());

/** Sends `text` on a raw socket and waits for the server to close it: how long it took, what came back. */
function sendAndAwaitClose(text: string): Promise<{ ms: number; received: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let started = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('connect', () => {
      started = Date.now();
      socket.write(text);
    });
    socket.once('error', reject);
    socket.once('close', () => resolve({ ms: Date.now() - started, received }));
    // Far beyond the timeouts: the test fails rather than hangs.
    setTimeout(() => socket.destroy(new Error('the server kept the connection open')), 10_000).unref();
  });
}

it('closes a connection whose headers never finish within the headers timeout', async () => {
  const { ms, received } = await sendAndAwaitClose('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
  expect(ms).toBeGreaterThanOrEqual(900);
  // 1 s headers timeout, checked every 250 ms here.
  expect(ms).toBeLessThan(2500);
  expect(received).toMatch(/^HTTP\/1\.1 408/);
});

it('closes a connection whose body stalls within the request timeout', async () => {
  const { ms, received } = await sendAndAwaitClose(
    'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
  );
  expect(ms).toBeGreaterThanOrEqual(1900);
  expect(ms).toBeLessThan(4000);
  expect(received).toMatch(/^HTTP\/1\.1 408/);
});

it('answers a request sent whole, as before', async () => {
  const { received } = await sendAndAwaitClose(
    'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  );
  expect(received).toMatch(/^HTTP\/1\.1 200/);
});

it('keeps a WebSocket subscription open past the request timeout', async () => {
  const user = await server.newUser('subscriber');
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: { type: string }[] = [];
  let closed = false;
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as { type: string }));
  socket.on('close', () => (closed = true));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: user.token } }));
  await expect.poll(() => messages.map((message) => message.type)).toContain('connection_ack');
  // Twice the request timeout, plus the checking interval.
  await new Promise((resolve) => setTimeout(resolve, 4500));
  expect(closed).toBe(false);
  socket.send(JSON.stringify({ type: 'ping' }));
  await expect.poll(() => messages.map((message) => message.type)).toContain('pong');
  socket.close();
}, 15_000);
