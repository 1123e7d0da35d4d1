/**
 * The user pool's scheduled export (src/bin/lambda/users-export.ts) as EventBridge invokes it, with
 * Plaza's embedded pool in Amazon Cognito's place (its API is Cognito's: ListUsers, GetCSVHeader,
 * AdminGetUser, SigV4-signed with the admin credentials) and s3rver in S3's: every user, a page of
 * ListUsers and more, lands in `user-pool-exports/<date>.csv` under GetCSVHeader's columns.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  GetCSVHeaderCommand,
  ListUsersCommand,
  SetUserPoolMfaConfigCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.ts';
import type * as UsersExportHandler from '../../src/bin/lambda/users-export.ts';
import { readCsv } from '../../src/domain/identity/csv.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { s3rverCredentials, startS3rver } from '../support/s3rver.ts';

const region = 'us-west-1';
const bucket = 'plaza-user-pool-exports';
const dir = mkdtempSync(join(tmpdir(), 'plaza-users-export-'));
/** More than one page of ListUsers (60). */
const userCount = 63;
let app: App;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let cognito: CognitoIdentityProviderClient;
let UserPoolId: string;
let handler: typeof UsersExportHandler.handler;

beforeAll(async () => {
  s3 = await startS3rver(bucket);
  // The function signs both services' requests with the one key pair Lambda's role gives it;
  // here the pool's admin credentials are s3rver's fixed pair.
  app = await createApp(
    loadConfig(
      {
        DATA_DIR: dir,
        PORT: '0',
        PLAZA_ADMIN_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        PLAZA_ADMIN_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      },
      dir,
    ),
    { logger: createLogger({ level: 'silent' }) },
  );
  const url = await app.listen();
  UserPoolId = app.identity.pool!.userPoolId;
  cognito = new CognitoIdentityProviderClient({ endpoint: url, region, credentials: s3rverCredentials });
  for (let i = 0; i < userCount; i++) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: `user${i}@example.com`,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: `user${i}@example.com` },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  }
  await cognito.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId,
      Username: 'user1@example.com',
      UserAttributes: [
        { Name: 'phone_number', Value: '+14155550101' },
        { Name: 'phone_number_verified', Value: 'true' },
      ],
    }),
  );
  await cognito.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId,
      Username: 'user0@example.com',
      UserAttributes: [{ Name: 'name', Value: 'Ada, "the first"' }],
    }),
  );
  await cognito.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId,
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your Plaza code: {####}' },
    }),
  );
  await cognito.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId,
      Username: 'user1@example.com',
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  // What the stack sets on the function, with the embedded pool and s3rver in place of AWS.
  Object.assign(process.env, {
    COGNITO_USER_POOL_ID: UserPoolId,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url,
    PLAZA_STORAGE: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    DATA_DIR: join(dir, 'lambda'),
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  });
  ({ handler } = await import('../../src/bin/lambda/users-export.ts'));
}, 120_000);

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  await app?.close();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function listedUsers(): Promise<UserType[]> {
  const users: UserType[] = [];
  let PaginationToken: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersCommand({ UserPoolId, ...(PaginationToken ? { PaginationToken } : {}) }),
    );
    users.push(...(page.Users ?? []));
    PaginationToken = page.PaginationToken;
  } while (PaginationToken);
  return users;
}

describe('the user-pool export Lambda', { timeout: 120_000 }, () => {
  it("writes every user to S3 as Cognito's import CSV under GetCSVHeader's columns", async () => {
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
    const result = await handler(scheduled);
    const key = `user-pool-exports/${new Date().toISOString().slice(0, 10)}.csv`;
    expect(result).toMatchObject({ key, users: userCount });

    const client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region,
      credentials: s3rverCredentials,
    });
    const { Contents = [] } = await client.send(new ListObjectsCommand({ Bucket: bucket }));
    expect(Contents.map((object) => object.Key)).toEqual([key]);
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(object.ContentType).toBe('text/csv; charset=utf-8');
    const text = await object.Body!.transformToString();
    expect(Buffer.byteLength(text)).toBe(result.bytes);
    client.destroy();

    const records = [];
    for await (const record of readCsv(
      (async function* () {
        yield text;
      })(),
    ))
      records.push(record.fields);
    const [header, ...rows] = records;
    const { CSVHeader } = await cognito.send(new GetCSVHeaderCommand({ UserPoolId }));
    expect(header).toEqual(CSVHeader);
    const column = (row: string[], name: string) => row[header!.indexOf(name)];

    const users = await listedUsers();
    expect(users).toHaveLength(userCount);
    expect(rows).toHaveLength(userCount);
    const byUsername = new Map(rows.map((row) => [column(row, 'cognito:username'), row]));
    for (const user of users) {
      const row = byUsername.get(user.Username);
      expect(row, user.Username).toBeDefined();
      const attributes = Object.fromEntries((user.Attributes ?? []).map(({ Name, Value }) => [Name, Value]));
      for (const name of header!.filter((name) => !name.startsWith('cognito:')))
        expect(column(row!, name), `${user.Username} ${name}`).toBe(attributes[name] ?? '');
      expect(column(row!, 'cognito:mfa_enabled')).toBe(String(attributes.email === 'user1@example.com'));
    }
    const ada = rows.find((row) => column(row, 'email') === 'user0@example.com')!;
    expect(column(ada, 'name')).toBe('Ada, "the first"');
    expect(text).toContain('"Ada, ""the first"""');
    expect(text).not.toMatch(/argon2|srp|totp|password/i);
  });
});
