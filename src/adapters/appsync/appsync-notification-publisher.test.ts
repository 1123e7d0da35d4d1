import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appSyncNotificationPublisher,
  publishNotificationDocument,
} from './appsync-notification-publisher.ts';

const credentials = {
  accessKeyId: 'ASIAFANOUTEXAMPLE000',
  secretAccessKey: 'fan-out-role-secret',
  sessionToken: 'fan-out-role-session',
};

type Received = { headers: IncomingMessage['headers']; body: string; path: string; validSignature: boolean };
const received: Received[] = [];
/** What the loopback API answers next: AppSync's GraphQL errors arrive with a 200. */
let answer: { status: number; body: unknown } = { status: 200, body: { data: {} } };
let url: string;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    received.push({
      headers: request.headers,
      body,
      path: request.url ?? '',
      validSignature: await signedWell(request, body),
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
});

/** Signs the request again with the role's secret at its own x-amz-date: AppSync's check. */
async function signedWell(request: IncomingMessage, body: string): Promise<boolean> {
  const date = String(request.headers['x-amz-date']);
  const signingDate = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const [hostname, port] = String(request.headers.host).split(':');
  const resigned = await new SignatureV4({
    service: 'appsync',
    region: 'us-west-1',
    credentials,
    sha256: Sha256,
  }).sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: hostname ?? '',
      ...(port ? { port: Number(port) } : {}),
      path: request.url ?? '/',
      headers: { host: String(request.headers.host), 'content-type': 'application/json' },
      body,
    },
    { signingDate },
  );
  return resigned.headers.authorization === request.headers.authorization;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('AppSync notification publisher', () => {
  it('sends publishNotification signed with the role (service appsync, session token included)', async () => {
    received.length = 0;
    const publisher = appSyncNotificationPublisher({
      url,
      region: 'us-west-1',
      credentials: async () => credentials,
    });
    await publisher.publish({ recipientId: 'u-ada', id: 'FOLLOW#u-ben' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.path).toBe('/graphql');
    expect(request!.validSignature).toBe(true);
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAFANOUTEXAMPLE000\/\d{8}\/us-west-1\/appsync\/aws4_request, /,
    );
    expect(request!.headers['x-amz-security-token']).toBe('fan-out-role-session');
    expect(JSON.parse(request!.body)).toEqual({
      query: publishNotificationDocument,
      variables: { recipientId: 'u-ada', id: 'FOLLOW#u-ben' },
    });
  });

  it('rejects with AppSync’s errorType on a GraphQL error, and with the status on an HTTP failure', async () => {
    const publisher = appSyncNotificationPublisher({
      url,
      region: 'us-west-1',
      credentials: async () => credentials,
    });
    answer = {
      status: 200,
      body: {
        data: { publishNotification: null },
        errors: [
          {
            errorType: 'Unauthorized',
            message: 'Not Authorized to access publishNotification on type Mutation',
          },
        ],
      },
    };
    await expect(publisher.publish({ recipientId: 'u-ada', id: 'x' })).rejects.toMatchObject({
      errorType: 'Unauthorized',
      message: expect.stringContaining('Not Authorized to access publishNotification'),
    });
    answer = {
      status: 403,
      body: { errors: [{ errorType: 'UnknownOperationException', message: 'Unknown' }] },
    };
    await expect(publisher.publish({ recipientId: 'u-ada', id: 'x' })).rejects.toMatchObject({
      errorType: 'UnknownOperationException',
    });
    answer = { status: 502, body: 'Bad Gateway' };
    await expect(publisher.publish({ recipientId: 'u-ada', id: 'x' })).rejects.toMatchObject({
      errorType: 'HTTP502',
    });
    answer = { status: 200, body: { data: {} } };
  });
});
