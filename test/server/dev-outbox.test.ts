/** The dev mailbox's data: the outbox's codes over HTTP in development, and nothing at all in production. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-outbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(env: Record<string, string>) {
  const app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0', ...env }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  return { app, url: await app.listen() };
}

async function signUp(url: string, clientId: string, email: string) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
    },
    body: JSON.stringify({ ClientId: clientId, Username: email, Password: 'correct horse battery' }),
  });
  expect(response.status).toBe(200);
}

it('lists the newest mail first, to one address when asked', async () => {
  const { app, url } = await start({});
  try {
    const clientId = app.identity.pool!.clientId;
    await signUp(url, clientId, 'ada@example.com');
    await signUp(url, clientId, 'grace@example.com');
    const all = (await (await fetch(`${url}/dev/outbox`)).json()) as { messages: { to: string }[] };
    expect(all.messages.map((message) => message.to)).toEqual(['grace@example.com', 'ada@example.com']);
    const response = await fetch(`${url}/dev/outbox?to=ADA@example.com`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { messages } = (await response.json()) as {
      messages: { to: string; purpose: string; text: string; at: string }[];
    };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: 'ada@example.com' });
    expect(messages[0]?.text).toMatch(/\d{6}/);
  } finally {
    await app.close();
  }
});

it('is not there in production', async () => {
  const { app, url } = await start({ NODE_ENV: 'production' });
  try {
    expect((await fetch(`${url}/dev/outbox`)).status).toBe(404);
    expect((await fetch(`${url}/dev/outbox`, { headers: { accept: 'text/html' } })).status).toBe(404);
  } finally {
    await app.close();
  }
});
