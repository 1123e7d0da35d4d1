/**
 * The operations commands run as users run them (`node bin/plaza.js …`)
 * against a data directory whose server is running: cost, users export (the CSV in
 * test/identity/users-import.test.ts), backup and restore.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
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
  it('prints every user as a JSON line with --format json, without password hashes or secrets', async () => {
    const result = await plaza(['users', 'export', '--format', 'json'], env);
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

describe('plaza backup and restore', { timeout: 120_000 }, () => {
  it('backs up while the server writes, lists, and restores into a new directory only', async () => {
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await app.social.store.put({ item: { PK: `CLI#${i % 50}`, SK: 'A', i } });
        writes++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const created = await plaza(['backup', 'create'], env);
    writing = false;
    await writer;
    expect(created.code).toBe(0);
    expect(writes).toBeGreaterThan(10);
    const id = /^Backup (\S+) created/m.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stdout).toMatch(/change log\s+plaza@\d+, plaza-users@\d+/);

    const listed = await plaza(['backup', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+\\d{4}-`, 'm'));

    const into = join(dir, '..', `${dir.split('/').pop()}-restored`);
    const restored = await plaza(['backup', 'restore', id!, '--into', into], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('integrity    ok');
    const exported = await plaza(['users', 'export', '--format', 'json'], { DATA_DIR: into });
    expect(exported.stdout.trim().split('\n')).toHaveLength(emails.length);

    const again = await plaza(['backup', 'restore', id!, '--into', into], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('is not empty');
    const overLive = await plaza(['backup', 'restore', id!, '--into', dir], env);
    expect(overLive.code).not.toBe(0);
    expect(overLive.stderr).toContain('is the live data directory');
    const unknown = await plaza(['backup', 'restore', '20200101T000000000Z', '--into', `${into}-2`], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No backup 20200101T000000000Z');
    rmSync(into, { recursive: true, force: true });
  });

  it('restores to a point in time, and refuses times it cannot', async () => {
    const into = join(dir, '..', `${dir.split('/').pop()}-pitr`);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const restored = await plaza(['restore', '--to-time', now, '--into', into], env);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/change log\s+replayed \d+ records of plaza/);
    rmSync(into, { recursive: true, force: true });

    const badTime = await plaza(['restore', '--to-time', 'last tuesday', '--into', into], env);
    expect(badTime.code).not.toBe(0);
    expect(badTime.stderr).toContain('expected an ISO 8601 time');
    const tooEarly = await plaza(['restore', '--to-time', '2020-01-01T00:00:00Z', '--into', into], env);
    expect(tooEarly.code).not.toBe(0);
    expect(tooEarly.stderr).toContain("before the change log's retention window");
    const noInto = await plaza(['restore', '--to-time', now], env);
    expect(noInto.code).not.toBe(0);
    expect(noInto.stderr).toContain("required option '--into <dir>' not specified");
  });
});
