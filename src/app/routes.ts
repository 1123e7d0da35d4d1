/**
 * The server's routes, in the order they claim paths: health and metrics, uploads and media, the
 * client configuration, the user pool's API and hosted UI, GraphQL, the operator's admin API, the
 * development outbox, and last the web app, which answers the page addresses no API route claims.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { readOutbox } from '../adapters/outbox/outbox-reader.ts';
import { apiKeyVerifier } from '../domain/api-keys/api-keys.ts';
import { dailyStats } from '../domain/analytics/daily-stats.ts';
import { moderatorsGroup } from '../domain/identity/groups.ts';
import { supportedScopes } from '../domain/identity/oauth.ts';
import { getUserByUsername } from '../domain/social/find-users.ts';
import { receiveUpload } from '../domain/media/receive-upload.ts';
import type { MeasuredUsage, Projection } from '../domain/operations/cost.ts';
import { registerCognitoRoutes } from '../edge/cognito/cognito-routes.ts';
import type { GraphQLServices } from '../edge/graphql/context.ts';
import { registerGraphQLRoutes } from '../edge/graphql/graphql-routes.ts';
import type { ResolverCache } from '../edge/graphql/resolver-cache.ts';
import { registerAdminRoutes } from '../edge/http/admin-routes.ts';
import { registerAmplifyOutputsRoute } from '../edge/http/amplify-outputs-route.ts';
import { registerDevOutboxRoute } from '../edge/http/dev-outbox-route.ts';
import { registerHealthRoutes } from '../edge/http/health-routes.ts';
import { registerMediaRoutes, type EdgeCache } from '../edge/http/media-routes.ts';
import { registerMetricsRoutes } from '../edge/http/metrics-routes.ts';
import { registerUploadRoutes } from '../edge/http/upload-routes.ts';
import { registerWebAppRoute } from '../edge/http/web-app-route.ts';
import { registerS3Routes, s3PathPrefix } from '../edge/s3/s3-routes.ts';
import type { Config } from '../platform/config.ts';
import type { Metrics } from '../platform/metrics.ts';
import { loadOrCreateSecret } from '../platform/secrets.ts';
import type { AnalyticsStore } from '../ports/analytics-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdentityVerifier } from '../ports/identity-verifier.ts';
import type { UrlVerifier } from '../ports/object-store/signed-urls.ts';
import { backupSummary, withBackups } from './backups.ts';
import { costReportOf } from './cost.ts';
import { hostedUiSettings, identityPoolIam, identityPoolS3Access, type Identity } from './identity.ts';
import { storageUploads, type ServerMedia } from './media.ts';
import type { Monitoring } from './monitoring.ts';
import type { Stores } from './stores.ts';

export interface RouteParts {
  config: Config;
  clock: Clock;
  metrics: Metrics;
  stores: Stores;
  identity: Identity;
  /** Verifies user-pool tokens on the API (a test's own, or the identity's). */
  verifier: IdentityVerifier | undefined;
  media: ServerMedia;
  urls: UrlVerifier;
  edgeCache: EdgeCache;
  resolverCache: ResolverCache;
  graphql: GraphQLServices;
  monitoring: Monitoring;
  /**
   * The daily analytics the server's stream consumers keep (insights.ts), read at each request:
   * they start after the routes are registered, before the server takes a request.
   */
  analytics: Pick<AnalyticsStore, 'days'>;
  baseUrl(): string;
  developmentApiKey(): string | undefined;
}

export async function registerRoutes(server: FastifyInstance, parts: RouteParts): Promise<void> {
  const { config, clock, metrics, stores, identity, media } = parts;
  registerHealthRoutes(server, {
    async ready() {
      await stores.main.get({ PK: 'HEALTH', SK: 'READY' });
    },
  });
  registerMetricsRoutes(server, metrics);
  await registerUploadRoutes(server, {
    verifier: parts.urls,
    now: clock.now,
    receive: (target, body, reqId) =>
      receiveUpload(target, body, media.services, (key) => media.jobs.enqueue(key, { reqId })),
  });
  registerMediaRoutes(server, {
    cache: parts.edgeCache,
    objects: media.services.objects,
    verifier: parts.urls,
    now: clock.now,
    settings: { ...config.cdn, edgeCacheObjectBytes: Math.min(2 * 1024 * 1024, config.cdn.edgeCacheBytes) },
    onCache: (result) => metrics.mediaCache.inc({ result }),
  });
  if (identity.identityPool)
    await registerS3Routes(server, {
      objects: media.services.objects,
      bucket: config.storage.s3.bucket,
      // A body whose SHA-256 was signed is read whole and checked before it is stored; others stream.
      maxObjectBytes: 64 * 1024 * 1024,
      access: identityPoolS3Access(config, identity.identityPool),
      uploads: storageUploads(media),
      allowedOrigins: config.allowedOrigins,
      metrics,
    });
  const hostedUi = identity.services ? await hostedUiSettings(config, parts.baseUrl, clock) : undefined;
  registerAmplifyOutputsRoute(server, {
    region: config.region,
    baseUrl: parts.baseUrl,
    pool: identity.pool && {
      ...identity.pool,
      passwordMinLength: config.userPool.passwordMinLength,
      mfa: config.userPool.mfa,
    },
    apiKey: () => (config.production ? undefined : parts.developmentApiKey()),
    identityPool: identity.identityPool && {
      id: identity.identityPool.settings.identityPoolId,
      allowGuests: identity.identityPool.settings.allowGuests,
      s3Path: s3PathPrefix,
    },
    bucketName: config.storage.s3.bucket,
    ...(hostedUi
      ? {
          hostedUi: () => ({
            scopes: supportedScopes,
            callbackUrls: hostedUi.callbackUrls(),
            logoutUrls: hostedUi.logoutUrls(),
            providers: [...hostedUi.providers.keys(), ...(hostedUi.saml?.providers.keys() ?? [])],
          }),
        }
      : {}),
  });
  if (identity.services && identity.verifier && hostedUi) {
    registerCognitoRoutes(server, {
      services: identity.services,
      verifier: identity.verifier,
      metrics,
      signInsPerIpPerMinute: config.signInsPerIpPerMinute,
      adminCredentials: config.adminCredentials,
      ...(identity.identityPool ? { identityPool: identity.identityPool } : {}),
      hostedUi: {
        settings: hostedUi,
        csrfSecret: loadOrCreateSecret(config.dataDir, 'hosted-ui-csrf'),
        baseUrl: parts.baseUrl,
      },
    });
  }
  await registerGraphQLRoutes(server, {
    services: parts.graphql,
    identity: parts.verifier,
    apiKeys: apiKeyVerifier({ store: stores.users, clock }),
    production: config.production,
    metrics,
    allowedOrigins: config.allowedOrigins,
    cache: parts.resolverCache,
    ...(identity.identityPool ? { iam: identityPoolIam(config, identity.identityPool) } : {}),
  });
  const { alarms, usage, history } = parts.monitoring;
  await registerAdminRoutes(server, {
    credentials: config.adminCredentials,
    now: () => clock.now(),
    alarms: () => alarms.list(),
    cost: (projection: Projection) =>
      costReportOf(config, stores, (): Promise<MeasuredUsage | undefined> => usage.snapshot(), projection),
    ...(parts.verifier ? { moderators: { verifier: parts.verifier, group: moderatorsGroup } } : {}),
    console: {
      history: () => ({
        periodSeconds: config.operations.alarmEvaluationMs / 1000,
        series: history.history(),
      }),
      dailyStats: (days) => dailyStats(days, { analytics: parts.analytics, now: clock.now() }),
      backups: () =>
        withBackups(config, async (backups) => (await backups.list()).reverse().map(backupSummary)),
      directory: parts.graphql.directory,
      userIdByUsername: async (username) => (await getUserByUsername(username, parts.graphql.social))?.id,
    },
  });
  if (identity.services && !config.production) {
    const outbox = join(config.dataDir, 'outbox');
    registerDevOutboxRoute(server, { messages: (query) => readOutbox(outbox, query) });
  }
  await registerWebAppRoute(server, { dir: config.webDir });
}
