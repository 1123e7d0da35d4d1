/**
 * The operator console's API on AWS (src/app/lambda-admin.ts) as a function URL invokes it: the
 * server's /admin routes for the moderators group, with a real user pool behind the Cognito
 * adapters (Plaza's embedded one speaks Cognito's API and publishes its JWKS), DynamoDB Local as
 * the table, and CloudWatch's and DynamoDB's backup answers recorded in stand-in clients (there is
 * no local CloudWatch; what AWS itself answers is checked only on a deployment).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionDynamoDbTables } from '../../src/adapters/dynamodb/dynamodb-stores.ts';
import { cloudWatchAlarmSource } from '../../src/adapters/cloudwatch/cloudwatch-alarm-source.ts';
import { cloudWatchMetricSource } from '../../src/adapters/cloudwatch/cloudwatch-metric-source.ts';
import { cognitoUserDirectory } from '../../src/adapters/cognito/cognito-user-directory.ts';
import { dynamoDbBackupCatalog } from '../../src/adapters/dynamodb/dynamodb-backup-catalog.ts';
import { jwksIdentityVerifier } from '../../src/adapters/jose/jwks-identity-verifier.ts';
import { openOperatorApi } from '../../src/app/lambda-admin.ts';
import { openLambdaApp, type LambdaApp } from '../../src/app/lambda.ts';
import { answerFunctionUrl, type FunctionUrlEvent } from '../../src/edge/lambda/function-url.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { mainTable } from '../../src/ports/item-store/table.ts';
import { localCredentials } from '../support/dynamodb-local.ts';
import { poolUser, startPoolApp, type PoolApp } from '../support/pool-app.ts';

const region = 'us-west-1';
let pool: PoolApp;
let app: LambdaApp;
let api: FastifyInstance;
let dataDir: string;
const commands: string[] = [];

/** A stand-in AWS client: the command's name is recorded, the recorded answer returned. */
const recorded = (answer: object) =>
  ({
    send: async (command: object) => {
      commands.push(command.constructor.name);
      return answer;
    },
  }) as never;

beforeAll(async () => {
  pool = await startPoolApp('operator-api');
  dataDir = mkdtempSync(join(tmpdir(), 'plaza-operator-api-'));
  const table = `operator-${Date.now().toString(36)}`;
  const endpoint = inject('dynamodbEndpoint');
  await provisionDynamoDbTables({ endpoint, region, credentials: localCredentials }, [mainTable(table)]);
  const config = loadConfig({
    PLAZA_DB: 'dynamodb',
    PLAZA_TABLE: table,
    DYNAMODB_ENDPOINT: endpoint,
    PLAZA_IDENTITY: 'cognito',
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    PLAZA_APPSYNC_API_ID: 'xlvmnh3lyvfufhsh7ssjhkp5im',
    PLAZA_ALARM_NAME_PREFIX: 'plaza-dev-',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
  });
  app = openLambdaApp(config);
  const issuer = `${pool.url}/${pool.userPoolId}`;
  api = await openOperatorApi(app, {
    verifier: jwksIdentityVerifier({
      issuer,
      clientIds: [pool.clientId],
      keys: new URL(`${issuer}/.well-known/jwks.json`),
      clock: systemClock,
    }),
    alarms: cloudWatchAlarmSource({
      namePrefix: 'plaza-dev-',
      region,
      client: recorded({
        MetricAlarms: [
          {
            AlarmName: 'plaza-dev-HighErrorRate',
            StateValue: 'ALARM',
            StateReason: 'Threshold Crossed',
            StateUpdatedTimestamp: new Date('2026-12-07T06:00:00Z'),
            Threshold: 1,
            Period: 300,
          },
        ],
      }),
    }),
    metrics: cloudWatchMetricSource({ region, client: recorded({ MetricDataResults: [] }) }),
    backups: dynamoDbBackupCatalog({ tableName: table, region, client: recorded({ BackupSummaries: [] }) }),
    directory: cognitoUserDirectory({ userPoolId: pool.userPoolId, region, client: pool.admin }),
  });
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  await pool?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function user(name: string, groups: string[] = []) {
  const signedIn = await poolUser(pool, `${name}-${randomUUID().slice(0, 8)}@example.com`, { groups });
  return { sub: signedIn.sub, email: signedIn.email, token: signedIn.accessToken };
}

/** A function URL's event (payload format 2.0), as Lambda hands it over. */
function event(method: string, path: string, token?: string): FunctionUrlEvent {
  const [rawPath = '/', rawQueryString = ''] = path.split('?');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      host: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-1.on.aws',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz012345',
      domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-1.on.aws',
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '07/Dec/2026:07:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

async function call(method: string, path: string, token?: string) {
  const result = await answerFunctionUrl(api, event(method, path, token));
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

describe('the operator console’s API on AWS', () => {
  it('answers moderators alone: no token, a bad one, another user’s', async () => {
    const ana = await user('ana');
    expect((await call('GET', '/admin/alarms')).status).toBe(403);
    expect(await call('GET', '/admin/alarms', 'not-a-token')).toMatchObject({
      status: 401,
      body: { error: 'Unauthorized' },
    });
    expect(await call('GET', '/admin/alarms', ana.token)).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: 'For the moderators group only' },
    });
    expect(commands).toEqual([]);
  });

  it('shows CloudWatch’s alarms and charts and the table’s backups; says what AWS does not keep', async () => {
    const mod = await user('mod', ['moderators']);
    expect(await call('GET', '/admin/alarms', mod.token)).toMatchObject({
      status: 200,
      body: { alarms: [{ name: 'plaza-dev-HighErrorRate', state: 'ALARM', reason: 'Threshold Crossed' }] },
    });
    const metrics = await call('GET', '/admin/metrics', mod.token);
    expect(metrics.status).toBe(200);
    expect(metrics.body.periodSeconds).toBe(60);
    expect(metrics.body.series.map((s: { name: string }) => s.name)).toEqual([
      'requests',
      'errors',
      'errorRate',
      'latencyP99',
      'readCapacity',
      'writeCapacity',
      'throttled',
      'connectedClients',
    ]);
    // An hour of minutes (and the one under way), null where CloudWatch has no datapoint.
    expect(metrics.body.series[0].values.length).toBeGreaterThanOrEqual(60);
    expect(metrics.body.series[0].values.length).toBeLessThanOrEqual(61);
    expect(new Set(metrics.body.series[0].values)).toEqual(new Set([null]));
    expect(await call('GET', '/admin/backups', mod.token)).toEqual({ status: 200, body: { backups: [] } });
    expect(commands.sort()).toEqual(
      ['DescribeAlarmsCommand', 'DescribeAlarmsCommand', 'GetMetricDataCommand', 'ListBackupsCommand'].sort(),
    );
    for (const path of ['/admin/cost', '/admin/stats?days=7'])
      expect(await call('GET', path, mod.token)).toMatchObject({
        status: 404,
        body: { error: 'NotFound', message: expect.stringContaining('a deployment on AWS does not keep it') },
      });
  });

  it('finds users in the pool and disables, enables, regroups and deletes them', async () => {
    const [mod, ben] = [await user('mod2', ['moderators']), await user('ben')];
    const found = await call('GET', `/admin/users?q=${encodeURIComponent(ben.email)}`, mod.token);
    expect(found).toMatchObject({ status: 200, body: { user: { sub: ben.sub, enabled: true, groups: [] } } });
    expect(await call('POST', `/admin/users/${ben.sub}/disable`, mod.token)).toMatchObject({
      status: 200,
      body: { user: { sub: ben.sub, enabled: false } },
    });
    const inPool = () =>
      pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: ben.sub }));
    expect((await inPool()).Enabled).toBe(false);
    expect((await call('POST', `/admin/users/${ben.sub}/enable`, mod.token)).body.user.enabled).toBe(true);
    expect(await call('PUT', `/admin/users/${ben.sub}/groups/moderators`, mod.token)).toEqual({
      status: 200,
      body: { groups: ['moderators'] },
    });
    expect((await call('DELETE', `/admin/users/${ben.sub}`, mod.token)).status).toBe(204);
    await expect(inPool()).rejects.toMatchObject({ name: 'UserNotFoundException' });
    expect((await call('GET', `/admin/users?q=${ben.sub}`, mod.token)).status).toBe(404);
  });
});
