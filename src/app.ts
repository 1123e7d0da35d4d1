/**
 * The composition root: the one place that turns typed configuration into
 * adapters and hands them to the edge. Entries (the server, the CLI, Lambda
 * handlers) call `createApp` and nothing below this file knows which engines
 * were chosen.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import { openDynamoDbStores, type DynamoDbSettings } from './adapters/dynamodb/dynamodb-stores.ts';
import { openSqlite } from './adapters/sqlite/sqlite-database.ts';
import { SqliteItemStore } from './adapters/sqlite/sqlite-item-store.ts';
import { nodeIds } from './adapters/ids/node-ids.ts';
import { memoryEventBus } from './adapters/memory/memory-event-bus.ts';
import { redisEventBus } from './adapters/redis/redis-event-bus.ts';
import { jwksIdentityVerifier } from './adapters/jose/jwks-identity-verifier.ts';
import { joseTokenSigner } from './adapters/jose/jose-token-signer.ts';
import { argon2PasswordHasher } from './adapters/argon2/argon2-password-hasher.ts';
import { outboxMailer } from './adapters/outbox/outbox-mailer.ts';
import { smtpMailer } from './adapters/smtp/smtp-mailer.ts';
import {
  revocationsClaim,
  userKeys,
  type IdentityServices,
  type PoolSettings,
} from './domain/identity/model.ts';
import { newPoolIdentity, type PoolIdentity } from './domain/identity/pool-identity.ts';
import type { HostedUiSettings } from './domain/identity/oauth.ts';
import { oidcIdentityProvider } from './adapters/oidc/oidc-identity-provider.ts';
import { createProfile } from './domain/social/create-profile.ts';
import { registerCognitoRoutes } from './edge/cognito/cognito-routes.ts';
import { loadOrCreateJson } from './platform/json-file.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { apiKeyVerifier } from './domain/api-keys/api-keys.ts';
import { defaultDataExportSettings, type DataExportServices } from './domain/privacy/data-export.ts';
import { defaultSocialSettings, type SocialServices } from './domain/social/model.ts';
import { registerGraphQLRoutes } from './edge/graphql/graphql-routes.ts';
import { nextTokens } from './edge/graphql/next-token.ts';
import { registerHealthRoutes } from './edge/http/health-routes.ts';
import { registerRequestIdHeader, requestIdOf } from './edge/http/request-ids.ts';
import { registerMetricsRoutes } from './edge/http/metrics-routes.ts';
import { registerAmplifyOutputsRoute } from './edge/http/amplify-outputs-route.ts';
import { registerDevOutboxRoute } from './edge/http/dev-outbox-route.ts';
import { registerWebAppRoute } from './edge/http/web-app-route.ts';
import { readOutbox } from './adapters/outbox/outbox-reader.ts';
import type { Config } from './platform/config.ts';
import { PlazaError } from './platform/errors.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { createMetrics, type Metrics } from './platform/metrics.ts';
import { loadOrCreateSecret } from './platform/secrets.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { IdentityVerifier } from './ports/identity-verifier.ts';
import type { Ids } from './ports/ids.ts';
import type { ItemStore } from './ports/item-store/item-store.ts';
import type { ObjectStore } from './ports/object-store/object-store.ts';
import type { UploadSigner, UrlVerifier } from './ports/object-store/signed-urls.ts';
import { FsObjectStore } from './adapters/fs/fs-object-store.ts';
import { S3ObjectStore } from './adapters/s3/s3-object-store.ts';
import { HmacUrlSigner } from './adapters/hmac/hmac-url-signer.ts';
import { sharpImageProcessor } from './adapters/sharp/sharp-image-processor.ts';
import { ffmpegVideoProcessor } from './adapters/ffmpeg/ffmpeg-video-processor.ts';
import { confirmUpload } from './domain/media/confirm-upload.ts';
import { MediaJobs } from './domain/media/media-jobs.ts';
import type { MediaUrls } from './domain/media/media-view.ts';
import { mediaUrls as createMediaUrls } from './domain/media/media-urls.ts';
import { defaultMediaSettings, type MediaServices } from './domain/media/model.ts';
import { processMedia } from './domain/media/process-media.ts';
import { receiveUpload } from './domain/media/receive-upload.ts';
import { EdgeCache, registerMediaRoutes } from './edge/http/media-routes.ts';
import { cloudFrontInvalidator } from './adapters/cloudfront/cloudfront-invalidator.ts';
import type { CdnInvalidator } from './ports/cdn.ts';
import type { UserDirectory } from './ports/user-directory.ts';
import { poolDirectory } from './domain/identity/remove-user.ts';
import { forgettingWrites, RevocationCache } from './domain/identity/revocation-cache.ts';
import { recordKey } from './ports/item-store/stream-images.ts';
import { ensureGroup, moderatorsGroup } from './domain/identity/groups.ts';
import { cognitoUserDirectory } from './adapters/cognito/cognito-user-directory.ts';
import { backfillOwnerIndex, ownerIndexMigration } from './domain/privacy/backfill-owner-index.ts';
import { deleteAccount } from './domain/privacy/delete-account.ts';
import type { PrivacyServices } from './domain/privacy/model.ts';
import {
  dataLifecycleConsumer,
  feedFanOutConsumer,
  liveEventsConsumer,
  runConsumers,
  type RunningConsumers,
} from './app/stream-consumers.ts';
import { registerUploadRoutes } from './edge/http/upload-routes.ts';
import { cacheSettingsFrom, ResolverCache } from './edge/graphql/resolver-cache.ts';
import { mainTable, usersTable, type TableDefinition } from './ports/item-store/table.ts';
import { observedItemStore } from './ports/item-store/observed-item-store.ts';
import { webhookNotifier } from './adapters/webhook/webhook-notifier.ts';
import { AlarmMonitor } from './domain/operations/alarm-monitor.ts';
import { defaultAlarmRules } from './domain/operations/alarm-rules.ts';
import { registerAdminRoutes } from './edge/http/admin-routes.ts';
import { UsageRecorder, parseMeasuredUsage } from './domain/operations/usage-recorder.ts';
import type { MeasuredUsage, Projection } from './domain/operations/cost.ts';
import { measureCost } from './domain/operations/measure-cost.ts';
import { directoryBytes, filesBytes } from './adapters/fs/fs-sizes.ts';
import { readJsonFile, readJsonFileOrSetAside, writeJsonFile } from './platform/json-file.ts';

export interface Stores {
  /** The design's single table. */
  main: ItemStore;
  /** The user pool's table. */
  users: ItemStore;
  close(): Promise<void>;
}

export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  stores: Stores;
  server: FastifyInstance;
  social: SocialServices;
  /** The change stream's consumers: the feed's fan-out, live events, the data lifecycle. */
  consumers: RunningConsumers;
  /** Data exports: what the resolvers and the builder use. */
  dataExport: DataExportServices;
  /** Uploads, the object store and the image pipeline's queue. */
  media: { services: MediaServices; jobs: MediaJobs };
  /** Who signs users in: the embedded pool's services and ids (absent when tokens come from Amazon Cognito). */
  identity: Identity;
  /** The development API key that /amplify_outputs.json hands to clients (development only). */
  useDevelopmentApiKey(key: string): void;
  /** The alarm rules, evaluated on a timer against the metrics. */
  alarms: AlarmMonitor;
  /** What the cost report prices, saved to DATA_DIR/usage.json on a timer. */
  usage: UsageRecorder;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
  ids?: Ids;
  /** Verifies user-pool tokens; by default from configuration (Amazon Cognito's JWKS, or the embedded pool's). */
  identity?: IdentityVerifier;
}

export interface Identity {
  services?: IdentityServices;
  verifier: IdentityVerifier | undefined;
  pool: PoolIdentity | undefined;
  /** Stops the signing keys' rotation timer. */
  close?(): Promise<void> | void;
}

/**
 * Who signs users in. Embedded: Plaza is the user pool (Cognito's API, its own keys).
 * Cognito: tokens from Amazon Cognito, checked against the pool's published keys as AppSync checks them.
 */
async function openIdentity(
  config: Config,
  deps: {
    clock: Clock;
    ids: Ids;
    logger: Logger;
    stores: Stores;
    social: SocialServices;
    baseUrl: () => string;
  },
): Promise<Identity> {
  if (config.identity.mode === 'cognito') {
    const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.identity.userPoolId}`;
    const verifier = jwksIdentityVerifier({
      issuer,
      clientIds: [config.identity.clientId as string],
      keys: new URL(`${issuer}/.well-known/jwks.json`),
      clock: deps.clock,
    });
    return { verifier, pool: undefined };
  }
  const identityDir = join(config.dataDir, 'identity');
  const pool = await loadOrCreateJson(
    join(identityDir, 'pool.json'),
    () => newPoolIdentity(config.region, deps.ids),
    {
      holds:
        "the embedded user pool's id and app client id, which every issued token and client config names",
      remedy:
        'Restore it from a backup. Deleting it makes a new pool id at the next start: every token ' +
        'and every client configured with the old id stops working.',
    },
  );
  const signer = await joseTokenSigner({
    path: join(identityDir, 'signing-keys.json'),
    now: () => deps.clock.now(),
    rotateAfterMs: config.userPool.signingKeyRotationDays * 24 * 3600 * 1000,
    // A replaced key verifies until every token it signed has expired, with an hour to spare.
    retireAfterMs:
      (Math.max(config.userPool.accessTokenSeconds, config.userPool.idTokenSeconds) + 3600) * 1000,
  });
  // Rotation when a key is due, and keys that `plaza keys rotate` wrote, are picked up within minutes.
  const rotation = setInterval(
    () => signer.refresh().catch((error) => deps.logger.error({ err: error }, 'signing key refresh failed')),
    5 * 60 * 1000,
  );
  rotation.unref();
  // The verifier's key set follows the signer's through rotations.
  let jwks = signer.jwks();
  let localKeys = createLocalJWKSet(jwks as JSONWebKeySet);
  const keys: JWTVerifyGetKey = (header, token) => {
    if (signer.jwks() !== jwks) {
      jwks = signer.jwks();
      localKeys = createLocalJWKSet(jwks as JSONWebKeySet);
    }
    return localKeys(header, token);
  };
  const settings: PoolSettings = {
    ...pool,
    get issuer() {
      return `${deps.baseUrl()}/${pool.userPoolId}`;
    },
    ...config.userPool,
  };
  const revocations = new RevocationCache<number | { after: number; revocations: number }>();
  const services: IdentityServices = {
    triggers: {
      ...(config.userPool.triggers.preSignUp
        ? { preSignUp: await loadTrigger(config.userPool.triggers.preSignUp) }
        : {}),
      ...(config.userPool.triggers.preTokenGeneration
        ? { preTokenGeneration: await loadTrigger(config.userPool.triggers.preTokenGeneration) }
        : {}),
    },
    // Writes to a user's record make the token check read it afresh.
    users: forgettingWrites(deps.stores.users, (key) => revocations.forgetKey(key)),
    clock: deps.clock,
    ids: deps.ids,
    hasher: argon2PasswordHasher(),
    signer,
    mailer: config.smtp
      ? smtpMailer(config.smtp, deps.logger)
      : outboxMailer({ dir: join(config.dataDir, 'outbox'), clock: deps.clock, logger: deps.logger }),
    pool: settings,
    // Plaza's post-confirmation trigger: the new user's profile.
    postConfirmation: async (event) =>
      createProfile({ userId: event.userName, email: event.request.userAttributes.email ?? '' }, deps.social),
    // The rest of the account is erased from the profile's REMOVE record (privacy/cascade-deletions.ts).
    onUserDeleted: (sub) => deleteAccount(sub, deps.social),
  };
  const verifier = jwksIdentityVerifier({
    issuer: () => settings.issuer,
    clientIds: [pool.clientId],
    keys,
    clock: deps.clock,
    validAfter: (sub) =>
      revocations.get(sub, async () => {
        const { item } = await deps.stores.users.get(userKeys.user(sub));
        if (!item) return Number.POSITIVE_INFINITY;
        return { after: Number(item.validAfter ?? 0), revocations: Number(item.revocations ?? 0) };
      }),
    revocationsClaim,
  });
  // The pool's default group, made at the first start (moderation acts for its members). A store
  // that does not answer yet must not stop the server: /readyz reports it, and the next start makes it.
  await ensureGroup(
    { GroupName: moderatorsGroup, Description: 'Moderators: review reports and act on content.' },
    services,
  ).catch((error: unknown) =>
    deps.logger.warn({ err: error }, 'the moderators group could not be made; it will be at the next start'),
  );
  // Another process's writes (the CLI, another server on the same table) arrive by the stream.
  const revocationFeed = deps.stores.users.changes.subscribe('revocation-cache', async (records) => {
    for (const record of records) revocations.forgetKey(recordKey(record));
  });
  return {
    services,
    verifier,
    pool,
    close: async () => {
      clearInterval(rotation);
      await revocationFeed.stop();
    },
  };
}

/** A trigger module, as a Lambda trigger's: it exports `handler(event)` and returns the event. */
async function loadTrigger<E>(path: string): Promise<(event: E) => Promise<E>> {
  let module: { handler?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { handler?: unknown };
  } catch (error) {
    throw new PlazaError(
      'ConfigurationError',
      `Cannot load the trigger ${path}: ${(error as Error).message}`,
    );
  }
  if (typeof module.handler !== 'function') {
    throw new PlazaError('ConfigurationError', `The trigger ${path} exports no handler function`);
  }
  return module.handler as (event: E) => Promise<E>;
}

/**
 * The hosted UI's app-client settings: callback and sign-out URLs (in development, by default, a Vite
 * dev server's and Plaza's own), and the external OIDC providers it federates to.
 */
function hostedUiSettings(config: Config, baseUrl: () => string, clock: Clock): HostedUiSettings {
  const defaults = () => (config.production ? [] : ['http://localhost:5173/', `${baseUrl()}/`]);
  const { callbackUrls, logoutUrls, identityProviders } = config.hostedUi;
  return {
    callbackUrls: () => callbackUrls ?? defaults(),
    logoutUrls: () => logoutUrls ?? defaults(),
    providers: new Map(
      identityProviders.map((provider) => [
        provider.name,
        oidcIdentityProvider(provider, { now: clock.now }),
      ]),
    ),
    idpResponseUrl: () => `${baseUrl()}/oauth2/idpresponse`,
  };
}

/** The tables Plaza uses, named from configuration. */
export function tableDefinitions(config: Config): { main: TableDefinition; users: TableDefinition } {
  return { main: mainTable(config.db.table), users: usersTable(config.db.usersTable) };
}

export async function openStores(config: Config, clock: Clock, metrics: Metrics): Promise<Stores> {
  const tables = tableDefinitions(config);
  let main: ItemStore;
  let users: ItemStore;
  let db: Database.Database | undefined;
  if (config.db.engine === 'sqlite') {
    const sqlite = openSqlite(config.db.sqlite);
    db = sqlite;
    const open = (table: TableDefinition) =>
      new SqliteItemStore({
        db: sqlite,
        table,
        clock,
        meter: metrics.capacityMeter,
        region: config.region,
        sweepIntervalMs: config.db.ttlSweepMs,
        changeRetentionMs: config.db.changeRetentionMs,
        rowCacheBytes: config.db.sqlite.rowCacheBytes,
      });
    main = open(tables.main);
    users = open(tables.users);
  } else {
    [main, users] = openDynamoDbStores({
      ...dynamoDbSettings(config),
      tables: [tables.main, tables.users],
      clock,
      meter: metrics.capacityMeter,
    }) as ItemStore[] as [ItemStore, ItemStore];
  }
  if (metrics.enabled) {
    main = observedItemStore(main, metrics.storeRequests);
    users = observedItemStore(users, metrics.storeRequests);
  }
  return {
    main,
    users,
    async close() {
      await main.close();
      await users.close();
      db?.close();
    },
  };
}

/**
 * Where media bytes live, and who signs URLs for them. Plaza signs its own upload and
 * private-media URLs on one machine; on S3, uploads are S3's own presigned PUTs.
 */
export function openObjects(
  config: Config,
  baseUrl: () => string,
): { objects: ObjectStore; signer: UploadSigner; urls: UrlVerifier } {
  const urls = new HmacUrlSigner({
    secret: loadOrCreateSecret(config.dataDir, 'media-urls'),
    keyId: 'plaza-local',
    baseUrl,
  });
  if (config.storage.engine === 's3') {
    const s3 = new S3ObjectStore({
      bucket: config.storage.s3.bucket,
      region: config.region,
      endpoint: config.storage.s3.endpoint,
    });
    return { objects: s3, signer: s3, urls };
  }
  return { objects: new FsObjectStore({ root: config.storage.root }), signer: urls, urls };
}

/**
 * Who forgets deleted media at the edge: the media server's own cache, and CloudFront's when a
 * distribution is configured (on AWS, where CloudFront serves the media).
 */
export function cdnInvalidator(config: Config, edgeCache?: EdgeCache): CdnInvalidator {
  const cloudFront = config.cdn.distributionId
    ? cloudFrontInvalidator({ distributionId: config.cdn.distributionId, region: config.region })
    : undefined;
  return {
    async invalidate(keys) {
      await edgeCache?.invalidate(keys);
      await cloudFront?.invalidate(keys);
    },
  };
}

/** Where users sign in: the embedded pool, or Amazon Cognito's (AdminDeleteUser needs the server's IAM role). */
function userDirectory(config: Config, identity: Identity): UserDirectory {
  if (identity.services) return poolDirectory(identity.services);
  return cognitoUserDirectory({ userPoolId: config.identity.userPoolId as string, region: config.region });
}

/** Where the DynamoDB engine connects: an explicit endpoint (DynamoDB Local, Alternator) or AWS. */
export function dynamoDbSettings(config: Config): DynamoDbSettings {
  return { endpoint: config.db.dynamodb.endpoint, region: config.region };
}

/** Where the server keeps the usage it measured (read by `plaza cost`). */
export function usageFile(config: Config): string {
  return join(config.dataDir, 'usage.json');
}

/** What usage.json is, for the message when it is empty or corrupt. */
export const usageFileDescription = {
  holds: 'the usage the server measured for the cost report (plaza cost, GET /admin/cost)',
  remedy:
    'Restore it from a backup, or delete it to measure anew (the usage counted so far is lost); ' +
    'the server sets a corrupt one aside itself.',
};

/** The projected monthly bill: the measured usage, the pool's users and the bytes stored. */
export function costReportOf(
  config: Config,
  stores: Stores,
  measuredUsage: () => Promise<MeasuredUsage | undefined> = async () =>
    parseMeasuredUsage(await readJsonFile(usageFile(config), usageFileDescription)),
  projection: Projection = {},
) {
  return measureCost(projection, {
    users: stores.users,
    measuredUsage,
    prices: config.operations.prices,
    async storedBytes() {
      const notes: string[] = [];
      // On the file system every version counts, as S3 bills noncurrent versions too.
      const objectBytes = config.storage.engine === 'fs' ? await directoryBytes(config.storage.root) : 0;
      if (config.storage.engine !== 'fs')
        notes.push('Objects in S3 are not measured here (see the bucket in the AWS console).');
      if (config.db.engine !== 'sqlite') {
        notes.push('Table storage is not measured on DynamoDB (see the table in the AWS console).');
        return { tableBytes: 0, objectBytes, notes };
      }
      const { path } = config.db.sqlite;
      return { tableBytes: await filesBytes([path, `${path}-wal`]), objectBytes, notes };
    },
  });
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics({ enabled: config.metrics.enabled });
  if (!metrics.enabled)
    logger.warn('metrics are off (metrics.enabled): /metrics, alarms and measured usage are unavailable');
  const stores = await openStores(config, clock, metrics);

  const ids = overrides.ids ?? nodeIds(clock);
  const social: SocialServices = { store: stores.main, clock, ids, settings: defaultSocialSettings };

  const server: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    genReqId: (request) => requestIdOf(request.headers),
    // Timeouts against clients that hold connections open (values and why: httpSettingsOf in config.ts).
    // Node checks the headers and request timeouts every connectionsCheckingInterval (30 s by default),
    // so a slow client is cut between the timeout and the timeout plus one interval: 1 s at most here.
    // A WebSocket leaves this tracking once upgraded, and ws turns the socket's inactivity timeout off:
    // none of these cut a subscription (test/server/http-timeouts.test.ts).
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionTimeout: config.http.connectionTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, config.http.headersTimeoutMs / 4)),
    },
  });
  registerRequestIdHeader(server);
  registerHealthRoutes(server, {
    async ready() {
      await stores.main.get({ PK: 'HEALTH', SK: 'READY' });
    },
  });
  // The base URL is known for certain once the server listens (PORT=0 picks a free port).
  let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const identity = await openIdentity(config, { clock, ids, logger, stores, social, baseUrl: () => baseUrl });
  registerMetricsRoutes(server, metrics);

  // Cached answers are evicted on every server through Redis when several share the load. Live
  // events need no Redis: each server reads them from the table's stream (stream-consumers.ts).
  const redis = config.redisUrl ? redisEventBus(config.redisUrl, logger) : undefined;
  await redis?.ready();
  const liveEvents = memoryEventBus();

  const { objects, signer, urls } = openObjects(config, () => baseUrl);
  const media: MediaServices = {
    store: stores.main,
    objects,
    signer,
    images: sharpImageProcessor(),
    videos: ffmpegVideoProcessor(),
    clock,
    ids,
    logger,
    settings: { ...defaultMediaSettings, ...config.media },
  };
  const jobs = new MediaJobs((key) => processMedia(key, media), {
    concurrency: config.media.jobConcurrency,
    attempts: media.settings.jobAttempts,
    logger,
    onOutcome: (outcome, seconds) => {
      metrics.mediaJobs.inc({ outcome });
      metrics.mediaJobSeconds.observe(seconds);
    },
  });
  const enqueue = (key: string) => jobs.enqueue(key);
  // The bucket's lifecycle rule for noncurrent versions, on the local store (S3 applies its own).
  const lifecycle = setInterval(
    () => {
      const cutoff = new Date(clock.now() - config.media.noncurrentVersionDays * 24 * 3600 * 1000);
      if (config.storage.engine === 'fs')
        objects
          .expireVersions(cutoff)
          .catch((error) => logger.error({ err: error }, 'media lifecycle failed'));
    },
    6 * 3600 * 1000,
  );
  lifecycle.unref();
  if (config.storage.engine === 's3') social.confirmUpload = (item) => confirmUpload(item, media, enqueue);
  await registerUploadRoutes(server, {
    verifier: urls,
    now: clock.now,
    receive: (target, body, reqId) =>
      receiveUpload(target, body, media, (key) => jobs.enqueue(key, { reqId })),
  });
  const edgeCache = new EdgeCache(config.cdn.edgeCacheBytes);
  const resolverCache = new ResolverCache(cacheSettingsFrom(config.caching), clock.now, redis);
  const privacy: PrivacyServices = {
    store: stores.main,
    objects,
    cdn: cdnInvalidator(config, edgeCache),
    clock,
    forget: (tags) => resolverCache.evict(tags),
  };
  registerMediaRoutes(server, {
    cache: edgeCache,
    objects,
    verifier: urls,
    now: clock.now,
    settings: {
      ...config.cdn,
      edgeCacheObjectBytes: Math.min(2 * 1024 * 1024, config.cdn.edgeCacheBytes),
    },
    onCache: (result) => metrics.mediaCache.inc({ result }),
  });
  const mediaUrls: MediaUrls = createMediaUrls({
    publicBase: () => config.cdn.baseUrl ?? `${baseUrl}/media`,
    signPrivate: (key, expiresAt) => urls.signGet(key, expiresAt),
    clock,
    originalSeconds: media.settings.originalUrlSeconds,
  });
  const dataExport: DataExportServices = {
    store: stores.main,
    objects,
    clock,
    ids,
    logger: logger.child({ consumer: 'data-export' }),
    settings: { ...defaultDataExportSettings, ...config.dataExport },
    // The archive is private: signed like private media, for the media server (or the CDN).
    signUrl: (key, expiresAt) => urls.signGet(key, expiresAt),
    // Archives are assembled on the data disk (the OS's temp folder may be memory).
    tmpDir: join(config.dataDir, 'tmp'),
  };
  registerAmplifyOutputsRoute(server, {
    region: config.region,
    baseUrl: () => baseUrl,
    pool: identity.pool && {
      ...identity.pool,
      passwordMinLength: config.userPool.passwordMinLength,
      mfa: config.userPool.mfa,
    },
    apiKey: () => (config.production ? undefined : developmentApiKey),
    bucketName: `${config.db.table}-media`,
  });
  if (identity.services) {
    registerCognitoRoutes(server, {
      services: identity.services,
      verifier: identity.verifier!,
      metrics,
      signInsPerIpPerMinute: config.signInsPerIpPerMinute,
      adminCredentials: config.adminCredentials,
      hostedUi: {
        settings: hostedUiSettings(config, () => baseUrl, clock),
        csrfSecret: loadOrCreateSecret(config.dataDir, 'hosted-ui-csrf'),
        baseUrl: () => baseUrl,
      },
    });
  }
  await registerGraphQLRoutes(server, {
    services: {
      social,
      nextTokens: nextTokens(loadOrCreateSecret(config.dataDir, 'next-token')),
      events: liveEvents,
      media,
      mediaUrls,
      dataExport,
      directory: userDirectory(config, identity),
    },
    identity: overrides.identity ?? identity.verifier,
    apiKeys: apiKeyVerifier({ store: stores.users, clock }),
    production: config.production,
    metrics,
    allowedOrigins: config.allowedOrigins,
    cache: resolverCache,
  });

  const alarms = new AlarmMonitor(config.operations.alarmRules ?? defaultAlarmRules, {
    clock,
    readMetrics: () => metrics.registry.getMetricsAsJSON(),
    notifier:
      config.operations.alarmWebhookUrl === undefined
        ? undefined
        : webhookNotifier({
            url: config.operations.alarmWebhookUrl,
            topicArn: `arn:aws:sns:${config.region}:000000000000:${config.db.table}-alarms`,
          }),
    logger,
    region: config.region,
  });
  // Without metrics there is nothing to evaluate: no alarm is listed.
  if (metrics.enabled) {
    await alarms.start();
    alarms.run(config.operations.alarmEvaluationMs);
  }
  const usage = new UsageRecorder({
    clock,
    readMetrics: () => metrics.registry.getMetricsAsJSON(),
    file: {
      // Usage is a counter, not a key: a corrupt file is set aside and measuring starts afresh.
      load: () =>
        readJsonFileOrSetAside(usageFile(config), usageFileDescription, (error, movedTo) =>
          logger.warn(
            { err: error, movedTo },
            'usage: the usage file was unreadable; set aside, measuring anew',
          ),
        ),
      save: (value) => writeJsonFile(usageFile(config), value),
    },
    logger,
  });
  await usage.start();
  usage.run(config.operations.usageSnapshotMs);
  await registerAdminRoutes(server, {
    credentials: config.adminCredentials,
    now: () => clock.now(),
    alarms: () => alarms.list(),
    cost: (projection) => costReportOf(config, stores, () => usage.snapshot(), projection),
  });
  if (identity.services && !config.production) {
    const outbox = join(config.dataDir, 'outbox');
    registerDevOutboxRoute(server, { messages: (query) => readOutbox(outbox, query) });
  }
  // Last: the web app answers the page addresses no API route claims.
  await registerWebAppRoute(server, { dir: config.webDir });

  // Every side effect of a write runs from the change stream, whoever wrote it (ADR 0009).
  const consumers = runConsumers(
    stores.main.changes,
    [feedFanOutConsumer(social), dataLifecycleConsumer(privacy, dataExport)],
    { logger, metrics, clock },
  );

  let migration: Promise<void> | undefined;
  const migrateOwnerIndex = async () => {
    const { item: done } = await stores.main.get(ownerIndexMigration, { consistent: true });
    if (done) return;
    const indexed = await backfillOwnerIndex({ store: stores.main });
    logger.info({ indexed }, 'owner index filled in for earlier likes, comments and media');
  };

  let closed = false;
  let developmentApiKey: string | undefined;
  return {
    config,
    logger,
    metrics,
    clock,
    stores,
    server,
    social,
    consumers,
    dataExport,
    media: { services: media, jobs },
    identity,
    alarms,
    usage,
    useDevelopmentApiKey(key) {
      developmentApiKey = key;
    },
    async listen() {
      await server.listen({ port: config.port, host: config.host });
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      baseUrl = config.publicUrl ?? url;
      consumers.add(liveEventsConsumer(liveEvents, clock));
      // Uploads a previous run received but did not process.
      jobs.recover(stores.main).catch((error) => logger.error({ err: error }, 'media job recovery failed'));
      // Data from before the owner index gets its entries once, in the background (ADR 0008).
      migration = migrateOwnerIndex().catch((error) =>
        logger.error({ err: error }, 'owner index backfill failed'),
      );
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      await alarms.stop();
      await server.close();
      await jobs.close();
      await usage.stop();
      await migration;
      await consumers.stop();
      clearInterval(lifecycle);
      await objects.close();
      await redis?.close();
      await identity.close?.();
      await stores.close();
    },
  };
}
