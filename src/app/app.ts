/**
 * The composition root: the one place that turns typed configuration into adapters and hands
 * them to the edge. The server is built here (`createApp`); the CLI's commands take what they need
 * from operations.ts, the Lambda handlers from lambda.ts, and every host runs the change stream's
 * consumers of stream-consumers.ts. Nothing below src/app knows which engines were chosen.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { nodeIds } from '../adapters/ids/node-ids.ts';
import { memoryEventBus } from '../adapters/memory/memory-event-bus.ts';
import { memoryWindowCounter } from '../adapters/memory/memory-window-counter.ts';
import { confirmUpload } from '../domain/media/confirm-upload.ts';
import { mediaUrls } from '../domain/media/media-urls.ts';
import type { MediaServices } from '../domain/media/model.ts';
import type { MediaJobs } from '../domain/media/media-jobs.ts';
import type { AlarmMonitor } from '../domain/operations/alarm-monitor.ts';
import type { ContinuousBackupThread } from './continuous-backup.ts';
import type { UsageRecorder } from '../domain/operations/usage-recorder.ts';
import { backfillOwnerIndex, ownerIndexMigration } from '../domain/privacy/backfill-owner-index.ts';
import { defaultDataExportSettings, type DataExportServices } from '../domain/privacy/data-export.ts';
import type { PrivacyServices } from '../domain/privacy/model.ts';
import { defaultSocialSettings, type SocialServices } from '../domain/social/model.ts';
import { nextTokens } from '../edge/graphql/next-token.ts';
import { cacheSettingsFrom, ResolverCache } from '../edge/graphql/resolver-cache.ts';
import { EdgeCache } from '../edge/http/media-routes.ts';
import type { Config } from '../platform/config.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { createMetrics, type Metrics } from '../platform/metrics.ts';
import { loadOrCreateSecret } from '../platform/secrets.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { IdentityVerifier } from '../ports/identity-verifier.ts';
import type { Ids } from '../ports/ids.ts';
import type { UrlVerifier } from '../ports/object-store/signed-urls.ts';
import { directoryOf, openIdentity, type Identity } from './identity.ts';
import { openMedia, type ServerMedia } from './media.ts';
import { startMonitoring } from './monitoring.ts';
import { cdnInvalidator, openObjects } from './objects.ts';
import { registerRoutes } from './routes.ts';
import { createServer, listeningUrl } from './server.ts';
import { openStores, type Stores } from './stores.ts';
import {
  dataLifecycleConsumer,
  feedFanOutConsumer,
  liveEventsConsumer,
  runConsumers,
  type RunningConsumers,
} from './stream-consumers.ts';
import { startInsights, type RunningInsights } from './insights.ts';

export interface App {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  stores: Stores;
  server: FastifyInstance;
  social: SocialServices;
  /** The change stream's consumers: the feed's fan-out, live events, the data lifecycle, audit, analytics. */
  consumers: RunningConsumers;
  /** The audit log and the daily analytics (ADR 0010), with the pool table's consumers. */
  insights: RunningInsights;
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
  /** The continuous off-machine copy, when `backup.continuousTo` is set (ADR 0012). */
  continuousBackup: ContinuousBackupThread | undefined;
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

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const metrics = createMetrics({ enabled: config.metrics.enabled });
  if (!metrics.enabled)
    logger.warn('metrics are off (metrics.enabled): /metrics, alarms and measured usage are unavailable');
  const stores = await openStores(config, clock, metrics, { server: { logger } });
  const ids = overrides.ids ?? nodeIds(clock);
  const server: FastifyInstance = createServer(config, logger);
  // The base URL is known for certain once the server listens (PORT=0 picks a free port).
  let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const { objects, signer, urls } = await openObjects(config, () => baseUrl);
  const media = openMedia(config, { store: stores.main, objects, signer, clock, ids, logger, metrics });
  const social = socialServices(config, { store: stores.main, clock, ids }, media);
  const identity = await openIdentity(config, { clock, ids, logger, stores, social, baseUrl: () => baseUrl });

  const redis = await openRedis(config, logger);
  const liveEvents = memoryEventBus();
  const resolverCache = new ResolverCache(cacheSettingsFrom(config.caching), clock.now, redis);
  const edgeCache = new EdgeCache(config.cdn.edgeCacheBytes);
  const { privacy, dataExport } = dataLifecycleServices(config, {
    store: stores.main,
    objects,
    urls,
    clock,
    ids,
    logger,
    cdn: cdnInvalidator(config, edgeCache),
    forget: (tags) => resolverCache.evict(tags),
  });
  const monitoring = await startMonitoring(config, { clock, metrics, logger, media: objects });
  let developmentApiKey: string | undefined;
  await registerRoutes(server, {
    config,
    clock,
    metrics,
    stores,
    identity,
    verifier: overrides.identity ?? identity.verifier,
    media,
    urls,
    edgeCache,
    resolverCache,
    graphql: {
      social,
      nextTokens: nextTokens(loadOrCreateSecret(config.dataDir, 'next-token')),
      events: liveEvents,
      media: media.services,
      mediaUrls: mediaUrls({
        publicBase: () => config.cdn.baseUrl ?? `${baseUrl}/media`,
        signPrivate: (key, expiresAt) => urls.signGet(key, expiresAt),
        clock,
        originalSeconds: media.services.settings.originalUrlSeconds,
      }),
      dataExport,
      directory: await directoryOf(config, identity.services, identity.aliases),
      writeLimits: { counter: memoryWindowCounter(clock), limits: config.social.writesPerMinute }, // per server
    },
    monitoring,
    analytics: { days: (from, to) => insights.analytics.days(from, to) },
    baseUrl: () => baseUrl,
    developmentApiKey: () => developmentApiKey,
  });

  // Every side effect of a write runs from the change stream, whoever wrote it (ADR 0009).
  const consumers = runConsumers(
    stores.main.changes,
    [feedFanOutConsumer(social), dataLifecycleConsumer(privacy, dataExport)],
    { logger, metrics, clock },
  );
  const insights = startInsights(config, stores, consumers, { logger, metrics, clock });
  let migration: Promise<void> | undefined;
  let closed = false;
  return {
    config,
    logger,
    metrics,
    clock,
    stores,
    server,
    social,
    consumers,
    insights,
    dataExport,
    media: { services: media.services, jobs: media.jobs },
    identity,
    alarms: monitoring.alarms,
    usage: monitoring.usage,
    continuousBackup: monitoring.continuousBackup,
    useDevelopmentApiKey(key) {
      developmentApiKey = key;
    },
    async listen() {
      await server.listen({ port: config.port, host: config.host });
      const url = listeningUrl(server, config);
      baseUrl = config.publicUrl ?? url;
      // Live events are for subscribers, who connect to a server that listens (stream-consumers.ts).
      consumers.add(liveEventsConsumer(liveEvents, clock));
      migration = resumeBackgroundWork(stores, media, logger);
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await media.close();
      await monitoring.stop();
      await migration;
      await consumers.stop();
      await insights.stop();
      await objects.close();
      await redis?.close();
      await identity.close?.();
      await stores.close();
    },
  };
}

/**
 * Redis, when several servers share the load: cached answers are evicted on every server through
 * it (loaded only then, as objects.ts loads the AWS engines). Live events need no Redis: each
 * server reads them from the table's stream (stream-consumers.ts).
 */
async function openRedis(config: Config, logger: Logger) {
  if (!config.redisUrl) return undefined;
  const { redisEventBus } = await import('../adapters/redis/redis-event-bus.ts');
  const redis = redisEventBus(config.redisUrl, logger);
  await redis.ready();
  return redis;
}

/** What a previous run left to do; resolves when the owner index's backfill is done. */
function resumeBackgroundWork(stores: Stores, media: ServerMedia, logger: Logger): Promise<void> {
  // Uploads a previous run received but did not process.
  media.jobs.recover(stores.main).catch((error) => logger.error({ err: error }, 'media job recovery failed'));
  // Data from before the owner index gets its entries once, in the background (ADR 0008).
  return migrateOwnerIndex(stores, logger).catch((error) =>
    logger.error({ err: error }, 'owner index backfill failed'),
  );
}

async function migrateOwnerIndex(stores: Stores, logger: Logger): Promise<void> {
  const { item: done } = await stores.main.get(ownerIndexMigration, { consistent: true });
  if (done) return;
  const indexed = await backfillOwnerIndex({ store: stores.main });
  logger.info({ indexed }, 'owner index filled in for earlier likes, comments and media');
}

/** The social use cases' services; on S3 an upload went straight to the bucket, so a post naming it confirms it. */
function socialServices(
  config: Config,
  base: Pick<SocialServices, 'store' | 'clock' | 'ids'>,
  media: ServerMedia,
): SocialServices {
  return {
    ...base,
    settings: { ...defaultSocialSettings, ...config.social },
    ...(config.storage.engine === 's3'
      ? { confirmUpload: (item) => confirmUpload(item, media.services, (key) => media.jobs.enqueue(key)) }
      : {}),
  };
}

/** Erasure's and data exports' services: what the resolvers and the data lifecycle's consumer use. */
function dataLifecycleServices(
  config: Config,
  deps: Pick<PrivacyServices, 'store' | 'objects' | 'cdn' | 'clock' | 'forget'> & {
    urls: UrlVerifier;
    ids: Ids;
    logger: Logger;
  },
): { privacy: PrivacyServices; dataExport: DataExportServices } {
  const { store, objects, clock, urls } = deps;
  return {
    privacy: { store, objects, clock, cdn: deps.cdn, ...(deps.forget ? { forget: deps.forget } : {}) },
    dataExport: {
      store,
      objects,
      clock,
      ids: deps.ids,
      logger: deps.logger.child({ consumer: 'data-export' }),
      settings: { ...defaultDataExportSettings, ...config.dataExport },
      // The archive is private: signed like private media, for the media server (or the CDN).
      signUrl: (key, expiresAt) => urls.signGet(key, expiresAt),
      // Archives are assembled on the data disk (the OS's temp folder may be memory).
      tmpDir: join(config.dataDir, 'tmp'),
    },
  };
}
