/**
 * `plaza users export` and `plaza users import` as an operator runs them, beside servers that run:
 * the export is Cognito's user-import CSV under GetCSVHeader's columns (read with the AWS SDK), and
 * imports into a fresh pool as the same users, who set a password with a mailed code and sign in.
 */
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { plaza } from '../support/cli.ts';
import { adminClient, cognitoClient, signUpAndSignIn } from '../support/cognito-users.ts';
import { latestCode } from '../support/outbox.ts';

const root = mkdtempSync(join(tmpdir(), 'plaza-users-import-'));
const source = join(root, 'source');
const fresh = join(root, 'fresh');
const servers: App[] = [];

async function start(dir: string) {
  const app = await createApp(loadConfig({ DATA_DIR: dir, PORT: '0' }, dir), {
    logger: createLogger({ level: 'silent' }),
  });
  servers.push(app);
  return { app, url: await app.listen() };
}

let first: Awaited<ReturnType<typeof start>>;
let second: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  first = await start(source);
  second = await start(fresh);
  const cognito = cognitoClient(first.url);
  const { clientId } = first.app.identity.pool!;
  for (const email of ['ada@example.com', 'lin@example.com'])
    await signUpAndSignIn(cognito, { clientId, dataDir: source, email, password: 'correct horse battery' });
  await adminClient(first.url).send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: first.app.identity.pool!.userPoolId,
      Username: 'ada@example.com',
      UserAttributes: [
        { Name: 'name', Value: 'Ada, "the first"' },
        { Name: 'custom:profile_picture_url', Value: 'https://example.com/ada.jpg' },
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const app of servers) await app.close();
  rmSync(root, { recursive: true, force: true });
});

const attributesOf = (user: UserType) =>
  Object.fromEntries((user.Attributes ?? []).map(({ Name, Value }) => [Name, Value]));

async function listed(url: string, UserPoolId: string) {
  const { Users = [] } = await adminClient(url).send(new ListUsersCommand({ UserPoolId }));
  return Users.map((user) => ({ username: user.Username, attributes: attributesOf(user) })).sort((a, b) =>
    String(a.attributes.email).localeCompare(String(b.attributes.email)),
  );
}

describe('plaza users export and import', { timeout: 120_000 }, () => {
  it("exports Cognito's CSV under GetCSVHeader's columns, and imports it into a fresh pool as the same users", async () => {
    const { CSVHeader, UserPoolId } = await adminClient(first.url).send(
      new GetCSVHeaderCommand({ UserPoolId: first.app.identity.pool!.userPoolId }),
    );
    expect(UserPoolId).toBe(first.app.identity.pool!.userPoolId);
    expect(CSVHeader?.slice(0, 3)).toEqual(['name', 'given_name', 'family_name']);
    expect(CSVHeader?.slice(-2)).toEqual(['cognito:mfa_enabled', 'cognito:username']);
    expect(CSVHeader).toContain('custom:profile_picture_url');

    const exported = await plaza(['users', 'export'], { DATA_DIR: source });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('exported 2 users');
    const lines = exported.stdout.split('\r\n');
    expect(lines[0]).toBe(CSVHeader!.join(','));
    expect(exported.stdout).toContain('"Ada, ""the first"""');
    expect(exported.stdout).not.toMatch(/argon2|srp|totp/i);

    const file = join(root, 'users.csv');
    writeFileSync(file, exported.stdout);
    const imported = await plaza(['users', 'import', file], { DATA_DIR: fresh });
    expect(imported.stderr).toBe('  2 imported, 0 skipped\n');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported 2 users, skipped 0.');

    const pool = second.app.identity.pool!;
    expect(await listed(second.url, pool.userPoolId)).toEqual(
      await listed(first.url, first.app.identity.pool!.userPoolId),
    );
    const ada = await adminClient(second.url).send(
      new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'ada@example.com' }),
    );
    expect(ada.UserStatus).toBe('RESET_REQUIRED');

    // The imported user sets a password with a mailed code, then signs in.
    const cognito = cognitoClient(second.url);
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ada@example.com', PASSWORD: 'correct horse battery' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await cognito.send(new ForgotPasswordCommand({ ClientId: pool.clientId, Username: 'ada@example.com' }));
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: pool.clientId,
        Username: 'ada@example.com',
        ConfirmationCode: latestCode(fresh, 'ada@example.com'),
        Password: 'a new password 1',
      }),
    );
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ada@example.com', PASSWORD: 'a new password 1' },
      }),
    );
    const me = await fetch(`${second.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AuthenticationResult!.AccessToken! },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(((await me.json()) as { data: { me: { id: string } } }).data.me.id).toBe(ada.Username);
  });

  it('reports the rows it skips with their lines, imports the rest, and exits non-zero', async () => {
    const file = join(root, 'mixed.csv');
    writeFileSync(
      file,
      'email,email_verified,cognito:username\n' +
        'new@example.com,true,\n' +
        'ada@example.com,false,\n' +
        'bad,maybe,\n' +
        '"unclosed@example.com,true,\n',
    );
    const result = await plaza(['users', 'import', file], { DATA_DIR: fresh });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('line 3: skipped: a user with this email already exists');
    expect(result.stderr).toContain('line 4: skipped: email_verified must be true or false, not "maybe"');
    expect(result.stderr).toContain('line 5: a quoted field is not closed');

    const unknown = await plaza(['users', 'import', join(root, 'absent.csv')], { DATA_DIR: fresh });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No file');
    const bad = await plaza(['users', 'export', '--format', 'xml'], { DATA_DIR: fresh });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Allowed choices are csv, json');
  });
});
