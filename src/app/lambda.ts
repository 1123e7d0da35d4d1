/**
 * The composition root's Lambda side: what the Lambda handlers (src/bin/lambda)
 * need, built from the same typed configuration as `createApp`, without an
 * HTTP server or the embedded user pool (Amazon Cognito and AppSync do that
 * work on AWS). Kept apart from app.ts so a Lambda bundle carries only the
 * DynamoDB engine and the use cases, not Fastify, SQLite or argon2.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDynamoDbStores } from '../adapters/dynamodb/dynamodb-stores.ts';
import { nodeIds } from '../adapters/ids/node-ids.ts';
import { memoryEventBus } from '../adapters/memory/memory-event-bus.ts';
import {
  cloudFrontUrlSigner,
  type CloudFrontUrlSigner,
} from '../adapters/cloudfront/cloudfront-url-signer.ts';
import { cognitoMigrationPool } from '../adapters/cognito/cognito-migration-pool.ts';
import { cognitoUserDirectory } from '../adapters/cognito/cognito-user-directory.ts';
import { cognitoUserSource } from '../adapters/cognito/cognito-user-source.ts';
import { s3StreamedUpload } from '../adapters/s3/s3-streamed-upload.ts';
import { s3UploadedObjects } from '../adapters/s3/s3-uploaded-objects.ts';
import type { UploadedObjects } from '../domain/media/storage-uploads.ts';
import type { UserPoolExportServices } from '../domain/identity/store-user-pool-export.ts';
import { cloudFrontInvalidator } from '../adapters/cloudfront/cloudfront-invalidator.ts';
import type { PrivacyServices } from '../domain/privacy/model.ts';
import { appSyncCacheFlusher } from '../adapters/appsync/appsync-cache-flusher.ts';
import { appSyncNotificationPublisher } from '../adapters/appsync/appsync-notification-publisher.ts';
import type { NotificationPublishing } from '../domain/social/publish-notifications.ts';
import type { DataExportBuilderServices } from '../domain/privacy/build-data-export.ts';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.ts';
import { readSecretBytes } from '../adapters/secrets-manager/secrets-manager-secret.ts';
import { confirmUpload } from '../domain/media/confirm-upload.ts';
import { mediaUrls } from '../domain/media/media-urls.ts';
import type { MediaUrls } from '../domain/media/media-view.ts';
import { defaultMediaSettings, type MediaServices } from '../domain/media/model.ts';
import { defaultSocialSettings, type SocialServices } from '../domain/social/model.ts';
import type { MigrateServices } from '../domain/social/migrate-users.ts';
import { aliasedDirectory, userAliases, type UserAliases } from '../domain/social/user-aliases.ts';
import { defaultDataExportSettings } from '../domain/privacy/data-export.ts';
import type { GraphQLServices } from '../edge/graphql/context.ts';
import { nextTokens } from '../edge/graphql/next-token.ts';
import type { Config } from '../platform/config.ts';
import { PlazaError } from '../platform/errors.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { loadOrCreatePrivateKey, loadOrCreateSecret } from '../platform/secrets.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import { tableWindowCounter } from '../ports/item-store/window-counter.ts';
import type { Ids } from '../ports/ids.ts';
import type { ImageProcessor } from '../ports/image-processor.ts';
import { noMeter } from '../ports/item-store/meter.ts';
import { mainTable } from '../ports/item-store/table.ts';

export interface LambdaApp {
  config: Config;
  logger: Logger;
  clock: Clock;
  social: SocialServices;
  /** The links from the pool's users to the Plaza ids their data carries (a refilled pool's, ADR 0016). */
  aliases: UserAliases;
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
    social: { store: main, clock, ids, settings: { ...defaultSocialSettings, ...config.social } },
    aliases: userAliases(main, config.identity.userPoolId ?? ''),
    close: () => main.close(),
  };
}

/**
 * Media on AWS: S3 holds the bytes and signs upload PUTs. The image processor is the caller's
 * (sharp, in the image pipeline's bundle only), so the API's bundle carries no native code.
 */
export function lambdaMediaServices(app: LambdaApp, images: ImageProcessor): MediaServices {
  const { config } = app;
  const objects = lambdaObjects(app);
  return {
    store: app.social.store,
    objects,
    signer: objects,
    images,
    clock: app.clock,
    ids: app.social.ids,
    logger: app.logger,
    settings: { ...defaultMediaSettings, ...config.media },
  };
}

/** The media bucket by the keys clients put objects under themselves (Amplify Storage's uploads). */
export function lambdaUploadedObjects(app: LambdaApp): UploadedObjects {
  return s3UploadedObjects({ client: lambdaObjects(app).client, bucket: app.config.storage.s3.bucket });
}

/** The media bucket on S3. */
function lambdaObjects({ config }: Pick<LambdaApp, 'config'>): S3ObjectStore {
  if (config.storage.engine !== 's3') {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  Lambda handlers keep media on S3: set PLAZA_STORAGE=s3 and S3_BUCKET',
    );
  }
  return new S3ObjectStore({
    bucket: config.storage.s3.bucket,
    region: config.region,
    endpoint: config.storage.s3.endpoint,
  });
}

/**
 * The scheduled user-pool export: Amazon Cognito's users (ListUsers) to S3_BUCKET. No table is
 * opened: the users are Cognito's.
 */
export function lambdaUserPoolExportServices(
  config: Config,
  overrides: { clock?: Clock; logger?: Logger } = {},
): UserPoolExportServices & { logger: Logger } {
  const { userPoolId } = config.identity;
  if (!userPoolId) {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  the user-pool export needs COGNITO_USER_POOL_ID',
    );
  }
  const objects = lambdaObjects({ config });
  return {
    source: cognitoUserSource({ userPoolId, region: config.region }),
    uploads: s3StreamedUpload({ client: objects.client, bucket: config.storage.s3.bucket }),
    clock: overrides.clock ?? systemClock,
    logger: overrides.logger ?? createLogger({ level: config.logLevel }),
  };
}

/**
 * The failover's user migration (ADR 0016): the exports bucket (S3_BUCKET, the secondary region's
 * copy) to read, this stack's pool (COGNITO_USER_POOL_ID) to fill, the table to link users in.
 */
export function lambdaUserMigration(config: Config): {
  exports: S3ObjectStore;
  migration: MigrateServices;
  logger: Logger;
} {
  const app = openLambdaApp(config);
  const { userPoolId } = config.identity;
  if (!userPoolId)
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  the user migration needs COGNITO_USER_POOL_ID',
    );
  return {
    exports: lambdaObjects({ config }),
    migration: { pool: cognitoMigrationPool({ userPoolId, region: config.region }), aliases: app.aliases },
    logger: app.logger,
  };
}

export interface LambdaPrivacyServices extends PrivacyServices {
  /** Sends what `forget` gathered since the last call: one FlushApiCache (resolves to how many requests). */
  flushForgotten(): Promise<number>;
}

/**
 * Erasure on AWS: the table, the bucket, CloudFront's invalidations, and AppSync's cache when
 * the API has one (PLAZA_APPSYNC_API_ID), flushed once per stream batch by the handler.
 */
export function lambdaPrivacyServices(app: LambdaApp): LambdaPrivacyServices {
  const { distributionId } = app.config.cdn;
  if (!distributionId) {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  the data lifecycle Lambda needs PLAZA_CDN_DISTRIBUTION_ID',
    );
  }
  const { appSyncApiId, region } = app.config;
  const apiCache = appSyncApiId ? appSyncCacheFlusher({ apiId: appSyncApiId, region }) : undefined;
  return {
    store: app.social.store,
    objects: lambdaObjects(app),
    cdn: cloudFrontInvalidator({ distributionId, region }),
    clock: app.clock,
    logger: app.logger,
    ...(apiCache ? { forget: (tags: string[]) => apiCache.forget(tags) } : {}),
    flushForgotten: async () => (apiCache ? apiCache.flush() : 0),
  };
}

/**
 * AppSync's onNotification on AWS: the stream Lambda publishes each new notification through the
 * API (PLAZA_APPSYNC_URL), signed with its role. Without the URL nothing is published.
 */
export function lambdaNotificationPublishing(app: LambdaApp): NotificationPublishing | undefined {
  const { appSyncUrl, region } = app.config;
  if (!appSyncUrl) return undefined;
  return {
    publisher: appSyncNotificationPublisher({ url: appSyncUrl, region }),
    now: () => app.clock.now() / 1000,
    maxAgeSeconds: 60,
  };
}

/**
 * The data export's builder on AWS: reads the table and the originals on S3, writes the zip under
 * `exports/`. No URL is signed here (the API signs downloads), so no signing key is read.
 */
export function lambdaDataExportServices(app: LambdaApp): DataExportBuilderServices {
  return {
    store: app.social.store,
    objects: lambdaObjects(app),
    clock: app.clock,
    logger: app.logger,
    settings: { ...defaultDataExportSettings, ...app.config.dataExport },
    // Lambda's ephemeral storage (the function's ephemeralStorageSize holds the largest archive).
    tmpDir: join(tmpdir(), 'plaza-exports'),
  };
}

/** No images are processed in the API: the S3 event's Lambda does it. */
export const noImageProcessing: ImageProcessor = {
  process: () =>
    Promise.reject(new PlazaError('InternalFailure', 'Images are processed by the media pipeline Lambda')),
};

/** Reads a secret from Secrets Manager when its ARN is configured, else keeps a per-install one under DATA_DIR. */
async function secretOr<T>(
  arn: string | undefined,
  region: string,
  local: () => T,
  decode: (bytes: Buffer) => T,
) {
  return arn ? decode(await readSecretBytes({ arn, region })) : local();
}

/** CloudFront's signer of private URLs (stories, originals, data exports), with the key group's key. */
async function lambdaCdnSigner(app: LambdaApp): Promise<CloudFrontUrlSigner & { baseUrl: string }> {
  const { config } = app;
  const baseUrl = config.cdn.baseUrl;
  if (!baseUrl) {
    throw new PlazaError(
      'ConfigurationError',
      'Invalid configuration:\n  Lambda handlers need PLAZA_CDN_URL',
    );
  }
  const privateKey = await secretOr(
    config.cdnSigning.privateKeySecretArn,
    config.region,
    () => loadOrCreatePrivateKey(config.dataDir, 'cdn-signing'),
    (bytes) => bytes.toString('utf8'),
  );
  const signer = cloudFrontUrlSigner({
    baseUrl,
    keyPairId: config.cdnSigning.keyPairId ?? 'LOCAL',
    privateKey,
  });
  return { ...signer, baseUrl };
}

/** Media URLs at CloudFront: public objects by version; stories and originals signed with the key group's key. */
function lambdaMediaUrls(app: LambdaApp, signer: CloudFrontUrlSigner & { baseUrl: string }): MediaUrls {
  return mediaUrls({
    publicBase: () => signer.baseUrl,
    signPrivate: signer.signGet,
    clock: app.clock,
    originalSeconds: app.config.media.originalUrlSeconds,
  });
}

/**
 * What the GraphQL resolvers use. Subscriptions are AppSync's own (it publishes each mutation's
 * result), so the event bus has no listeners here.
 */
export async function lambdaGraphQLServices(app: LambdaApp): Promise<GraphQLServices> {
  const { config } = app;
  const secret = await secretOr(
    config.nextTokenSecretArn,
    config.region,
    () => loadOrCreateSecret(config.dataDir, 'next-token'),
    (bytes) => bytes,
  );
  const media = lambdaMediaServices(app, noImageProcessing);
  // One read of the signing key serves media URLs and export downloads.
  const cdnSigner = await lambdaCdnSigner(app);
  return {
    // A post may name an upload before its S3 event has been handled: look for the object, and
    // leave the processing to that event's Lambda.
    social: { ...app.social, confirmUpload: (item) => confirmUpload(item, media, () => {}) },
    nextTokens: nextTokens(secret),
    events: memoryEventBus(),
    media,
    mediaUrls: lambdaMediaUrls(app, cdnSigner),
    // PLAZA_IDENTITY=cognito, which config checks comes with COGNITO_USER_POOL_ID.
    directory: aliasedDirectory(
      cognitoUserDirectory({ userPoolId: config.identity.userPoolId ?? '', region: config.region }),
      app.aliases,
    ),
    // Counted in the table: a user's requests reach many Lambda instances.
    writeLimits: {
      counter: tableWindowCounter(app.social.store, app.clock),
      limits: config.social.writesPerMinute,
    },
    // Requests and downloads only: the zip is built by the change-stream consumer.
    dataExport: {
      store: app.social.store,
      objects: media.objects,
      clock: app.clock,
      ids: app.social.ids,
      logger: app.logger,
      settings: { ...defaultDataExportSettings, ...config.dataExport },
      signUrl: cdnSigner.signGet,
    },
  };
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
