/**
 * POST/GET /graphql (graphql-http.ts) and the two WebSocket protocols: AppSync's
 * auth modes and error shape, and AppSync's 30 s request limit, over the engine
 * in graphql-engine.ts and the request runner in graphql-run.ts.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { getOperationAST } from 'graphql';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ApiKeyVerifier, IdentityVerifier } from '../../ports/identity-verifier.ts';
import { addLane } from '../http/lanes.ts';
import { appSyncRealtimeHandler } from './appsync-realtime.ts';
import { authModes } from './auth-modes.ts';
import type { IamAuth } from './iam-auth.ts';
import type { GraphQLServices } from './context.ts';
import { executableSchema } from './executable-schema.ts';
import { graphqlEngine } from './graphql-engine.ts';
import { callerOf, graphqlHttp, measured } from './graphql-http.ts';
import { runGraphQL, type RunOptions } from './graphql-run.ts';
import type { ResolverCache } from './resolver-cache.ts';
import { graphqlTransportWsHandler, graphqlTransportWsProtocol } from './graphql-transport-ws.ts';
import { subscriptionHub } from './subscription-hub.ts';

export { executableSchema, schemaPath } from './executable-schema.ts';

export interface GraphQLRouteOptions {
  services: GraphQLServices;
  identity: IdentityVerifier | undefined;
  apiKeys: ApiKeyVerifier;
  production: boolean;
  metrics: Metrics;
  /** Per-resolver caching (AppSync's PER_RESOLVER_CACHING); none when absent. */
  cache?: ResolverCache;
  /** Origins whose pages may open subscriptions (WebSocket upgrades); empty allows any. */
  allowedOrigins?: string[];
  /** AppSync ends a request after 30 s. */
  timeoutMs?: number;
  /** AWS_IAM: SigV4-signed requests with identity-pool credentials; absent, refused. */
  iam?: IamAuth;
}

// graphql-ws's `graphql-transport-ws` protocol at /graphql, AppSync's (named `graphql-ws`) at /graphql/realtime.
const handleProtocols = (protocols: Set<string>) =>
  protocols.has(graphqlTransportWsProtocol)
    ? graphqlTransportWsProtocol
    : protocols.has('graphql-ws')
      ? 'graphql-ws'
      : false;

export async function registerGraphQLRoutes(
  server: FastifyInstance,
  options: GraphQLRouteOptions,
): Promise<void> {
  const schema = executableSchema(options.cache);
  const modes = authModes(schema, { iamAllows: options.iam?.allows });
  const graphql = graphqlEngine(schema, options.production);
  const run: RunOptions = {
    graphql,
    modes,
    services: options.services,
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const http = graphqlHttp(
    { ...options, logger: server.log as Logger, maxBodyBytes: server.initialConfig.bodyLimit ?? 1024 * 1024 },
    run,
  );
  addLane(server, 'POST', '/graphql', http.post);

  // Browsers send the page's Origin with a WebSocket upgrade and no CORS check applies, so a
  // configured list of allowed origins is enforced here (cross-site WebSocket hijacking).
  const allowed = new Set(options.allowedOrigins ?? []);
  const verifyClient = (info: { origin?: string }) =>
    allowed.size === 0 || !info.origin || allowed.has(info.origin) || allowed.has('*');
  const hub = subscriptionHub({
    schema,
    services: options.services,
    modes,
    log: server.log,
    check: graphql.check,
  });
  const onConnection = (delta: 1 | -1) => options.metrics.connectedClients.inc(delta);
  // The WebSocket plugin adds hooks to every route of its scope: a scope of its own keeps them off
  // the HTTP routes (POST /graphql among them).
  await server.register(async (scope) => {
    await scope.register(fastifyWebsocket, {
      options: { maxPayload: 256 * 1024, handleProtocols, verifyClient },
    });
    scope.route({
      method: 'GET',
      url: '/graphql',
      handler: http.get,
      wsHandler: graphqlTransportWsHandler({
        hub,
        authenticate: (params) =>
          callerOf(
            options,
            typeof params.Authorization === 'string' ? params.Authorization : undefined,
            typeof params['x-api-key'] === 'string' ? params['x-api-key'] : undefined,
          ),
        classify(request) {
          const document = graphql.check(String(request.query));
          if (!('kind' in document)) return document;
          const named = typeof request.operationName === 'string' ? request.operationName : undefined;
          return getOperationAST(document, named)?.operation === 'subscription'
            ? 'subscription'
            : 'operation';
        },
        execute: async (request, caller, log) =>
          (await measured(options.metrics, runGraphQL(run, caller, request, false, log))).body,
        onConnection,
      }),
    });
    // AppSync's own real-time protocol, for Amplify and AppSync clients.
    scope.get(
      '/graphql/realtime',
      { websocket: true },
      appSyncRealtimeHandler({
        hub,
        authenticate: (authorization, apiKey, signed) => callerOf(options, authorization, apiKey, signed),
        onConnection,
      }),
    );
  });
}
