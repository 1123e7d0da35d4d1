/**
 * Alarms end to end: a burst of failing GraphQL requests fires the design's
 * HighErrorRate after its two periods, the webhook receives the SNS-shaped
 * notification, GET /admin/alarms shows it to the admin credentials only, and
 * healthy traffic resolves it. Time is a ManualClock; the monitor's tick is
 * called at each period's end.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/ports/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-alarms-'));
const clock = new ManualClock(Date.UTC(2026, 2, 1));
const received: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
let receiver: Server;
let app: App;
let url: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address() as { port: number };
  const config = loadConfig(
    { DATA_DIR: dir, PORT: '0', PLAZA_ALARM_WEBHOOK_URL: `http://127.0.0.1:${address.port}/sns` },
    dir,
  );
  app = await createApp(config, { logger: createLogger({ level: 'silent' }), clock });
  url = await app.listen();
});

afterAll(async () => {
  await app.close();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function failingRequests(n: number) {
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    await response.arrayBuffer();
  }
}

async function healthyRequests(n: number) {
  for (let i = 0; i < n; i++) await (await fetch(`${url}/healthz`)).arrayBuffer();
}

async function endPeriod() {
  clock.advance(300_000);
  await app.alarms.tick();
}

const basic = `Basic ${Buffer.from('local:local').toString('base64')}`;

async function alarmsAs(authorization?: string) {
  const response = await fetch(`${url}/admin/alarms`, authorization ? { headers: { authorization } } : {});
  return {
    status: response.status,
    body: (await response.json()) as { alarms?: { name: string; state: string }[] },
  };
}

const stateOf = async (name: string) =>
  (await alarmsAs(basic)).body.alarms!.find((a) => a.name === name)!.state;

describe('HighErrorRate', () => {
  it('fires after two periods of failing requests, is posted to the webhook, and resolves', async () => {
    await failingRequests(20);
    await healthyRequests(5);
    await endPeriod();
    expect(await stateOf('HighErrorRate')).toBe('OK');
    expect(received).toHaveLength(0);

    await failingRequests(20);
    await endPeriod();
    expect(await stateOf('HighErrorRate')).toBe('ALARM');
    expect(received).toHaveLength(1);
    const firing = received[0]!;
    expect(firing.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(firing.body).toMatchObject({
      Type: 'Notification',
      Subject: 'ALARM: "HighErrorRate" in us-west-1',
    });
    expect(JSON.parse(firing.body.Message as string)).toMatchObject({
      status: 'firing',
      AlarmName: 'HighErrorRate',
      NewStateValue: 'ALARM',
      StateChangeTime: new Date(clock.now()).toISOString(),
    });

    await healthyRequests(30);
    await endPeriod();
    expect(await stateOf('HighErrorRate')).toBe('OK');
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]!.body.Message as string)).toMatchObject({
      status: 'resolved',
      NewStateValue: 'OK',
      OldStateValue: 'ALARM',
    });
  });
});

describe('/admin', () => {
  it('answers only the admin credentials, in Basic authentication or signed with SigV4', async () => {
    expect((await alarmsAs()).status).toBe(401);
    expect((await alarmsAs(`Basic ${Buffer.from('local:wrong').toString('base64')}`)).status).toBe(401);
    const allowed = await alarmsAs(basic);
    expect(allowed.status).toBe(200);
    expect(allowed.body.alarms!.map((a) => a.name)).toContain('HighErrorRate');

    const target = new URL(`${url}/admin/alarms`);
    const sign = (secretAccessKey: string) =>
      new SignatureV4({
        service: 'execute-api',
        region: 'us-west-1',
        credentials: { accessKeyId: 'local', secretAccessKey },
        sha256: Sha256,
      }).sign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: target.hostname,
          port: Number(target.port),
          path: target.pathname,
          headers: { host: target.host },
        },
        { signingDate: new Date(clock.now()) },
      );
    const signed = await sign('local');
    const response = await fetch(target, { headers: signed.headers as Record<string, string> });
    expect(response.status).toBe(200);
    const forged = await sign('not-the-secret');
    expect((await fetch(target, { headers: forged.headers as Record<string, string> })).status).toBe(401);
  });
});

describe('/metrics', () => {
  it("carries DynamoDB's SuccessfulRequestLatency and ThrottledRequests, and response bytes per route", async () => {
    // The readiness probe reads the main table.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^# TYPE plaza_throttled_requests_total counter/m);
    expect(text).toMatch(
      /^plaza_successful_request_latency_seconds_count\{table="plaza",operation="GetItem"\} \d+/m,
    );
    expect(text).toMatch(/^plaza_response_bytes_total\{operation="GET \/healthz"\} \d+/m);
  });
});
