/**
 * The operations commands run as users run them (`node bin/plaza.js …`)
 * against a data directory whose server is running: cost and users export.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { signUp } from '../../src/domain/identity/sign-up.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { plaza } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'plaza-cli-'));
const env = { DATA_DIR: dir };
let app: App;
let url: string;
const emails = ['ada@example.com', 'lin@example.com', 'grace@example.com'];

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  url = await app.listen();
  for (const email of emails)
    await signUp(
      { ClientId: app.identity.pool!.clientId, Username: email, Password: 'correct horse battery' },
      app.identity.services!,
    );
  for (let i = 0; i < 5; i++) {
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
  }
  await app.usage.snapshot();
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('plaza users export', { timeout: 90_000 }, () => {
  it('prints every user as a JSON line, without password hashes or secrets', async () => {
    const result = await plaza(['users', 'export'], env);
    expect(result.code).toBe(0);
    const users = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(users.map((user) => user.email).sort()).toEqual([...emails].sort());
    expect(Object.keys(users[0]!).sort()).toEqual(
      ['attributes', 'createdAt', 'email', 'enabled', 'mfaEnabled', 'status', 'sub'].sort(),
    );
    expect(result.stdout).not.toMatch(/passwordHash|srpVerifier|srpSalt|argon2|totp/i);
    expect(result.stderr).toContain('exported 3 users');
  });
});

describe('plaza cost', { timeout: 90_000 }, () => {
  it('prints the projected bill as an aligned table, from the usage the server measured', async () => {
    const result = await plaza(['cost'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Users in the pool: 3');
    expect(result.stdout).toMatch(/^AppSync\s+queries and mutations\s+[\d.]+ million/m);
    expect(result.stdout).toMatch(/^Total\s+\$[\d,]+\.\d\d$/m);
  });

  it('projects to --mau and prints JSON that matches GET /admin/cost', async () => {
    const result = await plaza(['cost', '--mau', '90000', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      projection: { mau: number; factor: number };
      lines: { service: string; quantity: number; cost: number }[];
      measured: { totals: { apiRequests: number } };
    };
    expect(report.projection).toEqual({ mau: 90_000, factor: 30_000 });
    const cognito = report.lines.find((line) => line.service === 'Cognito')!;
    expect(cognito.quantity).toBe(40_000);
    expect(cognito.cost).toBeCloseTo(220, 9);
    expect(report.measured.totals.apiRequests).toBeGreaterThanOrEqual(5);

    const served = await fetch(`${url}/admin/cost?mau=90000`, {
      headers: { authorization: `Basic ${Buffer.from('local:local').toString('base64')}` },
    });
    expect(served.status).toBe(200);
    expect(((await served.json()) as typeof report).lines.find((l) => l.service === 'Cognito')).toEqual(
      cognito,
    );
  });

  it('refuses bad input with a clear message and a non-zero exit code', async () => {
    const badNumber = await plaza(['cost', '--scale', 'lots'], env);
    expect(badNumber.code).not.toBe(0);
    expect(badNumber.stderr).toContain("option '--scale <factor>' argument 'lots' is invalid");
    const both = await plaza(['cost', '--scale', '2', '--mau', '10'], env);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('Give --scale or --mau, not both');
    const nowhere = await plaza(['cost'], { DATA_DIR: join(dir, 'absent') });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/No Plaza data at .*absent/);
  });
});
