/**
 * The composition root's Lambda side: what the Lambda handlers (src/bin/lambda)
 * need, built from the same typed configuration as `createApp`, without an
 * HTTP server or the embedded user pool (Amazon Cognito and AppSync do that
 * work on AWS). Kept apart from app.ts so a Lambda bundle carries only the
 * DynamoDB engine and the use cases, not Fastify, SQLite or argon2.
 */
import { openDynamoDbStores } from './adapters/dynamodb/dynamodb-stores.ts';
import { nodeIds } from './adapters/ids/node-ids.ts';
import { memoryEventBus } from './adapters/memory/memory-event-bus.ts';
import { readSecretBytes } from './adapters/secrets-manager/secrets-manager-secret.ts';
import { defaultSocialSettings, type SocialServices } from './domain/social/model.ts';
import type { GraphQLServices } from './edge/graphql/context.ts';
import { nextTokens } from './edge/graphql/next-token.ts';
import type { Config } from './platform/config.ts';
import { PlazaError } from './platform/errors.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { loadOrCreateSecret } from './platform/secrets.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { Ids } from './ports/ids.ts';
import { noMeter } from './ports/item-store/meter.ts';
import { mainTable } from './ports/item-store/table.ts';

export interface LambdaApp {
  config: Config;
  logger: Logger;
  clock: Clock;
  social: SocialServices;
  close(): Promise<void>;
}

export function openLambdaApp(
  config: Config,
  overrides: { clock?: Clock; ids?: Ids; logger?: Logger } = {},
): LambdaApp {
  if (config.db.engine !== 'dynamodb') {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  Lambda handlers run on DynamoDB: set PLAZA_DB=dynamodb and PLAZA_TABLE',
    );
  }
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? nodeIds(clock);
  // The capacity meter feeds Prometheus on a server; on AWS, CloudWatch meters the table itself.
  const [main] = openDynamoDbStores({
    endpoint: config.db.dynamodb.endpoint,
    region: config.region,
    tables: [mainTable(config.db.table)],
    clock,
    meter: noMeter,
  });
  if (!main) throw new PlazaError('InternalFailure', 'No store was opened');
  return {
    config,
    logger,
    clock,
    social: { store: main, clock, ids, settings: defaultSocialSettings },
    close: () => main.close(),
  };
}

/**
 * What the GraphQL resolvers use. Subscriptions are AppSync's own (it publishes each mutation's
 * result), so the event bus has no listeners here.
 */
export async function lambdaGraphQLServices(app: LambdaApp): Promise<GraphQLServices> {
  const { config } = app;
  const secret = config.nextTokenSecretArn
    ? await readSecretBytes({ arn: config.nextTokenSecretArn, region: config.region })
    : loadOrCreateSecret(config.dataDir, 'next-token');
  return { social: app.social, nextTokens: nextTokens(secret), events: memoryEventBus() };
}

/**
 * Builds something once per Lambda instance, on its first invocation, and keeps it for the next
 * ones; a failed build is tried again on the next invocation rather than kept.
 */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
