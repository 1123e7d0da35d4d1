/** Cross-site WebSocket hijacking: only configured origins may open subscriptions from a browser. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { PLAZA_ALLOWED_ORIGINS: 'https://app.example' } });
});
afterAll(async () => server?.close());

function open(path: string, protocol: string, origin?: string): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}${path}`,
      protocol,
      origin ? { origin } : {},
    );
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

it('refuses upgrades from other origins on both subscription endpoints', async () => {
  for (const [path, protocol] of [
    ['/graphql', 'graphql-transport-ws'],
    ['/graphql/realtime', 'graphql-ws'],
  ] as const) {
    expect(await open(path, protocol, 'https://evil.example')).toBe(401);
    expect(await open(path, protocol, 'https://app.example')).toBe('open');
    // Clients that are not browsers send no Origin; their tokens protect them.
    expect(await open(path, protocol)).toBe('open');
  }
});
