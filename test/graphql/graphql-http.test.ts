/**
 * POST /graphql runs ahead of Fastify (src/edge/graphql/graphql-http.ts): what Fastify's parser
 * and hooks did for it must still hold — the body limit, JSON only, no prototype poisoning, the
 * request id echoed — and every failure gets AppSync's error shape, never a 5xx.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/app-harness.ts';

let server: TestServer;
let user: { id: string; token: string };
beforeAll(async () => {
  server = await startTestServer();
  user = await server.newUser('lane');
});
afterAll(async () => server?.close());

async function post(body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: user.token, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}
type Json = { data?: Record<string, unknown> | null; errors?: { errorType: string; message: string }[] };

it('answers a query with its request id, new or the caller’s', async () => {
  const fresh = await post(JSON.stringify({ query: '{ __typename }' }));
  expect(fresh).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  expect(fresh.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(fresh.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  const traced = await post(JSON.stringify({ query: '{ __typename }' }), {
    'x-amzn-requestid': 'trace-0001',
  });
  expect(traced.headers.get('x-amzn-requestid')).toBe('trace-0001');
  // A query string on the path does not move the request off the lane.
  const withQuery = await fetch(`${server.url}/graphql?x=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: user.token },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(await withQuery.json()).toEqual({ data: { __typename: 'Query' } });
});

it('refuses bodies that are not JSON objects, too large or poisoned, in AppSync’s shape', async () => {
  const cases: [string | Buffer, Record<string, string>, number, string][] = [
    ['{"query": ', {}, 400, 'BadRequestException'],
    ['[]', {}, 400, 'BadRequestException'],
    ['query { __typename }', { 'content-type': 'application/graphql' }, 415, 'UnsupportedMediaTypeException'],
    ['{"query":"{ __typename }","__proto__":{"admin":true}}', {}, 400, 'BadRequestException'],
    ['{"query":"{ __typename }","constructor":{"prototype":{"admin":true}}}', {}, 400, 'BadRequestException'],
    [Buffer.alloc(1024 * 1024 + 1, 32), {}, 413, 'PayloadTooLargeException'],
  ];
  for (const [body, headers, status, errorType] of cases) {
    const answer = await post(body, headers);
    expect(answer.status, String(body).slice(0, 40)).toBe(status);
    expect(answer.body.errors?.[0]?.errorType).toBe(errorType);
  }
  // The server still answers after each.
  expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
});

it('refuses a body longer than the limit when it comes without a length (chunked)', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(`${server.url}/graphql`);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    // Sent in chunks, so no Content-Length: the limit is counted as the bytes arrive.
    for (let i = 0; i < 5; i++) request.write(Buffer.alloc(256 * 1024, 32));
    request.end();
  });
  expect(status).toBe(413);
});

it('answers without a token as AppSync does', async () => {
  const answer = await post(JSON.stringify({ query: '{ __typename }' }), { authorization: '' });
  expect(answer).toMatchObject({ status: 401, body: { errors: [{ errorType: 'UnauthorizedException' }] } });
});
