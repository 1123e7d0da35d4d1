/**
 * POST/GET /graphql and the two WebSocket protocols: AppSync's auth modes and
 * error shape, and AppSync's 30 s request limit, over the engine in
 * graphql-engine.ts and the request runner in graphql-run.ts.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getOperationAST } from 'graphql';
import { PlazaError, isPlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ApiKeyVerifier, Caller, IdentityVerifier } from '../../ports/identity-verifier.ts';
import { failure, type Outcome } from './appsync-errors.ts';
import { appSyncRealtimeHandler } from './appsync-realtime.ts';
import { authModes } from './auth-modes.ts';
import { isSigV4, type IamAuth } from './iam-auth.ts';
import type { IncomingSignedRequest } from '../http/sigv4-verifier.ts';
import { Readable } from 'node:stream';
import type { GraphQLServices } from './context.ts';
import { executableSchema } from './executable-schema.ts';
import { graphqlEngine } from './graphql-engine.ts';
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

/** A user-pool token or a SigV4 signature in Authorization, or an API key; AppSync takes nothing else. */
async function callerOf(
  options: Pick<GraphQLRouteOptions, 'identity' | 'apiKeys' | 'iam'>,
  authorization: string | undefined,
  apiKey: string | undefined,
  signed?: () => IncomingSignedRequest,
): Promise<Caller> {
  if (isSigV4(authorization)) {
    if (!options.iam || !signed)
      throw new PlazaError('Unauthorized', 'IAM credentials are not accepted here');
    return options.iam.caller(signed());
  }
  if (typeof authorization === 'string' && authorization.length > 0) {
    if (!options.identity) throw new PlazaError('Unauthorized', 'User-pool tokens are not accepted here');
    return options.identity.verify(authorization.replace(/^Bearer\s+/i, ''));
  }
  if (typeof apiKey === 'string' && apiKey.length > 0) return options.apiKeys.verify(apiKey);
  throw new PlazaError('Unauthorized', 'Valid authorization header not provided');
}

/** Counts an answer as AppSync's metrics do: per operation, errors by type. */
async function measured(metrics: Metrics, answer: Promise<Outcome>): Promise<Outcome> {
  const started = performance.now();
  const outcome = await answer;
  const { operation } = outcome;
  metrics.requests.inc({ operation });
  metrics.latency.observe({ operation }, (performance.now() - started) / 1000);
  for (const error of outcome.body.errors ?? []) metrics.errors.inc({ operation, type: error.errorType });
  return outcome;
}

/** GraphQL over HTTP: POST, or GET for queries with the request in the query string. */
function httpHandlers(options: GraphQLRouteOptions, run: RunOptions) {
  async function respond(request: FastifyRequest, body: unknown, readOnly: boolean): Promise<Outcome> {
    let caller: Caller;
    try {
      const apiKey = request.headers['x-api-key'];
      caller = await callerOf(
        options,
        request.headers.authorization,
        typeof apiKey === 'string' ? apiKey : undefined,
        () => signedRequest(request),
      );
    } catch (error) {
      const message = isPlazaError(error) ? error.message : 'Valid authorization header not provided';
      // A SigV4 signature that fails is a 403 with AWS's name for why, as AppSync answers it.
      const signatureError = isPlazaError(error) ? error.details?.signatureError : undefined;
      if (typeof signatureError === 'string') return failure(403, signatureError, message, 'unauthenticated');
      return failure(401, 'UnauthorizedException', message, 'unauthenticated');
    }
    return runGraphQL(run, caller, body, readOnly, request.log);
  }
  async function handle(request: FastifyRequest, reply: FastifyReply, body: unknown, readOnly: boolean) {
    const outcome = await measured(options.metrics, respond(request, body, readOnly));
    return reply.code(outcome.status).send(outcome.body);
  }
  return {
    post: (request: FastifyRequest, reply: FastifyReply) => handle(request, reply, request.body, false),
    get: (request: FastifyRequest, reply: FastifyReply) => {
      const q = request.query as Record<string, string | undefined>;
      let variables: unknown;
      try {
        variables = q.variables ? JSON.parse(q.variables) : undefined;
      } catch {
        const outcome = failure(400, 'BadRequestException', 'variables is not valid JSON');
        return reply.code(outcome.status).send(outcome.body);
      }
      return handle(request, reply, { query: q.query, variables, operationName: q.operationName }, true);
    },
  };
}

/** The request as SigV4 signed it: the path and query as sent, and the body's exact bytes. */
function signedRequest(request: FastifyRequest): IncomingSignedRequest {
  const [path = '/', query = ''] = request.url.split('?');
  const { rawBody } = request as { rawBody?: Buffer };
  return { method: request.method, path, query, headers: request.headers, body: rawBody ?? '' };
}

const maxSignedBodyBytes = 1024 * 1024;

/**
 * A SigV4 signature covers the body's bytes, which the JSON parser does not keep: a signed
 * request's body is read here first, kept, and handed on to the parser unchanged.
 */
async function keepSignedBody(request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream) {
  if (!isSigV4(request.headers.authorization)) return payload;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxSignedBodyBytes)
      throw Object.assign(new Error('The request body is too large'), { statusCode: 413 });
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  (request as { rawBody?: Buffer }).rawBody = body;
  return Readable.from([body]);
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
  const http = httpHandlers(options, run);
  server.post('/graphql', { preParsing: keepSignedBody }, http.post);

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
