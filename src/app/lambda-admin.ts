/**
 * The operator console's API on AWS (ADR 0013): the server's /admin routes, in a Lambda behind a
 * function URL, for the moderators group's Cognito tokens. What the server keeps itself comes from
 * AWS here: alarms and the charts' history from CloudWatch, backups from DynamoDB's list (AWS
 * Backup's included), users from the Cognito user pool. The cost projection and the daily
 * analytics are the server's own measurements, which a deployment on AWS does not keep.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { cloudWatchAlarmSource } from '../adapters/cloudwatch/cloudwatch-alarm-source.ts';
import { cloudWatchMetricSource } from '../adapters/cloudwatch/cloudwatch-metric-source.ts';
import { cognitoUserDirectory } from '../adapters/cognito/cognito-user-directory.ts';
import { dynamoDbBackupCatalog } from '../adapters/dynamodb/dynamodb-backup-catalog.ts';
import { jwksIdentityVerifier } from '../adapters/jose/jwks-identity-verifier.ts';
import { cloudWatchCharts, cloudWatchHistory } from '../domain/operations/cloudwatch-charts.ts';
import { getUserByUsername } from '../domain/social/find-users.ts';
import { registerAdminRoutes } from '../edge/http/admin-routes.ts';
import { PlazaError } from '../platform/errors.ts';
import type { AlarmSource } from '../ports/alarm-source.ts';
import type { BackupCatalog } from '../ports/backup-catalog.ts';
import type { IdentityVerifier } from '../ports/identity-verifier.ts';
import type { MetricSource } from '../ports/metric-source.ts';
import type { UserDirectory } from '../ports/user-directory.ts';
import type { LambdaApp } from './lambda.ts';

/** The group whose members use the console, as on the server. */
const moderatorsGroup = 'moderators';

/** One datapoint a minute over the last hour: CloudWatch's finest period for these metrics. */
const periodSeconds = 60;
const windowSeconds = 3600;

export interface OperatorApiParts {
  verifier: IdentityVerifier;
  alarms: AlarmSource;
  metrics: MetricSource;
  backups: BackupCatalog;
  directory: UserDirectory;
}

function required(value: string | undefined, name: string): string {
  if (!value)
    throw new PlazaError(
      'ConfigurationError',
      `Invalid configuration:\n  the operator console needs ${name}`,
    );
  return value;
}

/** The AWS services behind the routes, from the Lambda's configuration. */
export function awsOperatorApiParts(app: LambdaApp): OperatorApiParts {
  const { config } = app;
  const userPoolId = required(config.identity.userPoolId, 'COGNITO_USER_POOL_ID');
  const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${userPoolId}`;
  return {
    verifier: jwksIdentityVerifier({
      issuer,
      clientIds: [required(config.identity.clientId, 'COGNITO_CLIENT_ID')],
      keys: new URL(`${issuer}/.well-known/jwks.json`),
      clock: app.clock,
    }),
    alarms: cloudWatchAlarmSource({
      namePrefix: required(config.alarmNamePrefix, 'PLAZA_ALARM_NAME_PREFIX'),
      region: config.region,
    }),
    metrics: cloudWatchMetricSource({ region: config.region }),
    backups: dynamoDbBackupCatalog({
      tableName: config.db.table,
      region: config.region,
      endpoint: config.db.dynamodb.endpoint,
    }),
    directory: cognitoUserDirectory({ userPoolId, region: config.region }),
  };
}

const notKeptOnAws = (what: string) => () =>
  Promise.reject(
    new PlazaError(
      'NotFound',
      `${what} is measured by the Plaza server; a deployment on AWS does not keep it`,
    ),
  );

/** The /admin routes over the AWS services, ready for function URL requests. */
export async function openOperatorApi(app: LambdaApp, parts: OperatorApiParts): Promise<FastifyInstance> {
  const { config } = app;
  const charts = cloudWatchCharts(
    {
      graphqlApiId: required(config.appSyncApiId, 'PLAZA_APPSYNC_API_ID'),
      userPoolId: required(config.identity.userPoolId, 'COGNITO_USER_POOL_ID'),
      userPoolClientId: required(config.identity.clientId, 'COGNITO_CLIENT_ID'),
      tableName: config.db.table,
    },
    periodSeconds,
  );
  const server = Fastify({ loggerInstance: app.logger as FastifyBaseLogger, bodyLimit: 64 * 1024 });
  await registerAdminRoutes(server, {
    credentials: config.adminCredentials,
    now: () => app.clock.now(),
    alarms: () => parts.alarms.list(),
    cost: notKeptOnAws('The cost projection (plaza cost; AWS Cost Explorer has the bill)'),
    moderators: { verifier: parts.verifier, group: moderatorsGroup },
    console: {
      history: () =>
        cloudWatchHistory({
          metrics: parts.metrics,
          alarms: parts.alarms,
          charts,
          clock: app.clock,
          periodSeconds,
          windowSeconds,
        }),
      dailyStats: notKeptOnAws('The daily activity (plaza stats)'),
      backups: () => parts.backups.list(),
      directory: parts.directory,
      userIdByUsername: async (username) => (await getUserByUsername(username, app.social))?.id,
    },
  });
  await server.ready();
  return server;
}
