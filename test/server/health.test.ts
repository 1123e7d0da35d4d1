/** The server starts on either engine, chosen only by configuration, and reports its health. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { dynamoDbSettings, tableDefinitions } from '../../src/app/stores.ts';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-server-'));
// The AWS SDK finds credentials through its default chain, which reads these; DynamoDB Local takes any.
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'plazalocal', AWS_SECRET_ACCESS_KEY: 'plazalocal' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startWith(env: Record<string, string>): Promise<{ app: App; url: string }> {
  const config = loadConfig({ DATA_DIR: dir, PORT: '0', ...env }, dir);
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
  return { app, url: await app.listen() };
}

describe.each([
  ['sqlite', {}],
  ['dynamodb', { PLAZA_DB: 'dynamodb', PLAZA_TABLE: `health-${Date.now().toString(36)}` }],
] as const)('the server on %s', (engine, env) => {
  it('answers /healthz and /readyz', async () => {
    const fullEnv: Record<string, string> = {
      ...env,
      ...(engine === 'dynamodb'
        ? {
            DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'y',
          }
        : {}),
    };
    if (engine === 'dynamodb') {
      // The SDK reads credentials from the environment only through its default chain.
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
      const config = loadConfig({ DATA_DIR: dir, ...fullEnv }, dir);
      const tables = tableDefinitions(config);
      await provisionDynamoDbTables(dynamoDbSettings(config), [tables.main, tables.users]);
    }
    const { app, url } = await startWith(fullEnv);
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(app.config.db.engine).toBe(engine);
    } finally {
      await app.close();
    }
  });
});

it('is not ready when its store does not answer', async () => {
  const { app, url } = await startWith({
    PLAZA_DB: 'dynamodb',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    PLAZA_TABLE: 'absent-table',
  });
  try {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  } finally {
    await app.close();
  }
});
