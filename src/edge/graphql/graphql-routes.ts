/**
 * POST/GET /graphql: envelop with graphql-jit, a parse cache and a validation
 * result kept per document, graphql-armor's limits (depth, aliases, cost,
 * tokens, directives) before any resolver runs, AppSync's auth modes and error
 * shape, and AppSync's 30 s request limit.
 */
import { envelop, useEngine, useSchema } from '@envelop/core';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useParserCache } from '@envelop/parser-cache';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Log } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ApiKeyVerifier, Caller, IdentityVerifier } from '../../ports/identity-verifier.ts';
import { appSyncRealtimeHandler } from './appsync-realtime.ts';
import { authModes } from './auth-modes.ts';
import { requestContext, type GraphQLServices } from './context.ts';
import { executableSchema } from './executable-schema.ts';
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
}

interface AppSyncError {
  path: readonly (string | number)[] | null | undefined;
  data: null;
  errorType: string;
  errorInfo: Record<string, unknown> | null;
  locations: readonly { line: number; column: number }[] | undefined;
  message: string;
}

/** One error in AppSync's shape, its type taken from the error catalogue. */
function appSyncError(error: GraphQLError): AppSyncError {
  const original = error.originalError;
  let errorType = 'ValidationError';
  let message = error.message;
  let errorInfo: Record<string, unknown> | null = null;
  if (isPlazaError(original)) {
    errorType = original.code;
    errorInfo = original.details ? { ...original.details } : null;
  } else if (original) {
    // Anything the catalogue does not know is a bug: say so, and leak nothing.
    errorType = 'InternalFailure';
    message = 'An internal error occurred';
  }
  return { path: error.path, data: null, errorType, errorInfo, locations: error.locations, message };
}

/** What a GraphQL request comes to: the HTTP status, AppSync's response body, and the operation it named. */
interface Outcome {
  status: number;
  body: { data?: unknown; errors?: Partial<AppSyncError>[] };
  operation: string;
}

function failure(status: number, errorType: string, message: string, operation = 'invalid'): Outcome {
  return {
    status,
    operation,
    body: { errors: [{ errorType, message, data: null, path: null, errorInfo: null }] },
  };
}

/** The metric label of a request: its operation name, or its first root field. */
function operationLabel(document: DocumentNode, operationName: string | undefined): string {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 'invalid';
  if (operation.name) return operation.name.value;
  const first = operation.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : operation.operation;
}

function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(String(error));
}

interface Engine {
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  schema: GraphQLSchema;
}

/**
 * A document's validation errors, found once per document. The parser cache hands back the same
 * document for the same text, and the schema and rules are fixed while the server runs, so a
 * repeated request skips envelop's validation hooks, which add graphql-armor's rules and build a
 * cache key of every rule's name on each call (a tenth of a small request's time).
 */
function validations(): (engine: Engine, document: DocumentNode) => readonly GraphQLError[] {
  const known = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return (engine, document) => {
    let errors = known.get(document);
    if (!errors) {
      try {
        errors = engine.validate(engine.schema, document);
      } catch (error) {
        // graphql-armor's limits throw instead of reporting.
        errors = [asGraphQLError(error)];
      }
      known.set(document, errors);
    }
    return errors;
  };
}

export async function registerGraphQLRoutes(
  server: FastifyInstance,
  options: GraphQLRouteOptions,
): Promise<void> {
  const schema = executableSchema(options.cache);
  const modes = authModes(schema);
  const armor = new EnvelopArmor({
    maxDepth: { n: 8 },
    maxAliases: { n: 15 },
    costLimit: { maxCost: 5000 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: options.production },
  });
  const getEnveloped = envelop({
    plugins: [
      useEngine({ parse, validate, specifiedRules, execute, subscribe }),
      useSchema(schema),
      useParserCache(),
      useGraphQlJit(),
      ...armor.protect().plugins,
      ...(options.production
        ? [
            {
              onValidate: ({ addValidationRule }: { addValidationRule: (rule: unknown) => void }) =>
                addValidationRule(NoSchemaIntrospectionCustomRule),
            },
          ]
        : []),
    ],
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const validated = validations();

  async function authenticate(request: FastifyRequest): Promise<Caller> {
    const apiKey = request.headers['x-api-key'];
    return authenticateWith(request.headers.authorization, typeof apiKey === 'string' ? apiKey : undefined);
  }

  /** A user-pool token in Authorization, or an API key; AppSync takes nothing else. */
  async function authenticateWith(
    authorization: string | undefined,
    apiKey: string | undefined,
  ): Promise<Caller> {
    if (typeof authorization === 'string' && authorization.length > 0) {
      if (!options.identity) throw new PlazaError('Unauthorized', 'User-pool tokens are not accepted here');
      return options.identity.verify(authorization.replace(/^Bearer\s+/i, ''));
    }
    if (typeof apiKey === 'string' && apiKey.length > 0) return options.apiKeys.verify(apiKey);
    throw new PlazaError('Unauthorized', 'Valid authorization header not provided');
  }

  /** Counts an answer as AppSync's metrics do: per operation, errors by type. */
  async function measured(answer: Promise<Outcome>): Promise<Outcome> {
    const started = performance.now();
    const outcome = await answer;
    const { operation } = outcome;
    options.metrics.requests.inc({ operation });
    options.metrics.latency.observe({ operation }, (performance.now() - started) / 1000);
    for (const error of outcome.body.errors ?? [])
      options.metrics.errors.inc({ operation, type: error.errorType });
    return outcome;
  }

  async function handle(request: FastifyRequest, reply: FastifyReply, body: unknown, readOnly: boolean) {
    const outcome = await measured(respond(request, body, readOnly));
    return reply.code(outcome.status).send(outcome.body);
  }

  async function respond(request: FastifyRequest, body: unknown, readOnly: boolean): Promise<Outcome> {
    let caller: Caller;
    try {
      caller = await authenticate(request);
    } catch (error) {
      const message = isPlazaError(error) ? error.message : 'Valid authorization header not provided';
      return failure(401, 'UnauthorizedException', message, 'unauthenticated');
    }
    return run(caller, body, readOnly, request.log);
  }

  /** Parses, checks and executes one request for an authenticated caller. */
  async function run(caller: Caller, body: unknown, readOnly: boolean, log: Log): Promise<Outcome> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return failure(400, 'BadRequestException', 'Send one GraphQL request as a JSON object');
    }
    const { query, variables, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string' || query.length === 0) {
      return failure(400, 'BadRequestException', 'The request has no query');
    }
    if (
      variables !== undefined &&
      variables !== null &&
      (typeof variables !== 'object' || Array.isArray(variables))
    ) {
      return failure(400, 'BadRequestException', 'variables must be an object');
    }
    const engine = getEnveloped();
    let document: DocumentNode;
    try {
      document = engine.parse(query);
    } catch (error) {
      return { status: 400, operation: 'invalid', body: { errors: [appSyncError(error as GraphQLError)] } };
    }
    const named = typeof operationName === 'string' ? operationName : undefined;
    const operation = operationLabel(document, named);
    if (readOnly) {
      const kind = getOperationAST(document, named)?.operation;
      // GET may only read: a mutation over GET could be set off by a link or an image.
      if (kind && kind !== 'query')
        return failure(405, 'BadRequestException', `A ${kind} needs POST`, operation);
    }
    const validationErrors = validated(engine, document);
    if (validationErrors.length > 0) {
      return { status: 400, operation, body: { errors: validationErrors.map(appSyncError) } };
    }
    const refused = modes.refused(document, caller);
    if (refused.length > 0) {
      const errors = refused.map((field) => {
        const [type, name] = field.split('.');
        return {
          errorType: 'Unauthorized',
          message: `Not Authorized to access ${name} on type ${type}`,
          data: null,
          path: null,
          errorInfo: null,
        };
      });
      return { status: 200, operation, body: { data: null, errors } };
    }
    const contextValue = requestContext(caller, options.services, log);
    let timer: NodeJS.Timeout | undefined;
    const result = (await Promise.race([
      Promise.resolve(
        engine.execute({
          schema: engine.schema,
          document,
          contextValue,
          variableValues: (variables as Record<string, unknown> | undefined) ?? undefined,
          operationName: named,
        }),
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PlazaError('InternalFailure', 'Request timed out')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer))) as ExecutionResult;
    for (const error of result.errors ?? []) {
      const original = error.originalError;
      if (original && !isPlazaError(original))
        log.error({ err: original, path: error.path }, 'resolver failed');
    }
    return {
      status: 200,
      operation,
      body: {
        data: result.data ?? null,
        ...(result.errors?.length ? { errors: result.errors.map(appSyncError) } : {}),
      },
    };
  }

  server.post('/graphql', (request, reply) => handle(request, reply, request.body, false));
  const httpGet = (request: FastifyRequest, reply: FastifyReply) => {
    const q = request.query as Record<string, string | undefined>;
    let variables: unknown;
    try {
      variables = q.variables ? JSON.parse(q.variables) : undefined;
    } catch {
      const outcome = failure(400, 'BadRequestException', 'variables is not valid JSON');
      return reply.code(outcome.status).send(outcome.body);
    }
    return handle(request, reply, { query: q.query, variables, operationName: q.operationName }, true);
  };

  // graphql-ws's `graphql-transport-ws` protocol at /graphql, AppSync's (named `graphql-ws`) at /graphql/realtime.
  const handleProtocols = (protocols: Set<string>) =>
    protocols.has(graphqlTransportWsProtocol)
      ? graphqlTransportWsProtocol
      : protocols.has('graphql-ws')
        ? 'graphql-ws'
        : false;
  // Browsers send the page's Origin with a WebSocket upgrade and no CORS check applies, so a
  // configured list of allowed origins is enforced here (cross-site WebSocket hijacking).
  const allowed = new Set(options.allowedOrigins ?? []);
  const verifyClient = (info: { origin?: string }) =>
    allowed.size === 0 || !info.origin || allowed.has(info.origin) || allowed.has('*');
  /** A WebSocket operation's parse and validation: the same caches and limits as over HTTP. */
  const check = (query: string): DocumentNode | readonly GraphQLError[] => {
    const engine = getEnveloped();
    let document: DocumentNode;
    try {
      document = engine.parse(query);
    } catch (error) {
      return [asGraphQLError(error)];
    }
    const errors = validated(engine, document);
    return errors.length > 0 ? errors : document;
  };
  const hub = subscriptionHub({ schema, services: options.services, modes, log: server.log, check });
  // The WebSocket plugin adds hooks to every route of its scope: a scope of its own keeps them off
  // the HTTP routes (POST /graphql among them).
  await server.register(async (scope) => {
    await scope.register(fastifyWebsocket, {
      options: { maxPayload: 256 * 1024, handleProtocols, verifyClient },
    });
    scope.route({
      method: 'GET',
      url: '/graphql',
      handler: httpGet,
      wsHandler: graphqlTransportWsHandler({
        hub,
        authenticate: (params) =>
          authenticateWith(
            typeof params.Authorization === 'string' ? params.Authorization : undefined,
            typeof params['x-api-key'] === 'string' ? params['x-api-key'] : undefined,
          ),
        classify(request) {
          const document = check(String(request.query));
          if (!('kind' in document)) return document;
          const named = typeof request.operationName === 'string' ? request.operationName : undefined;
          return getOperationAST(document, named)?.operation === 'subscription'
            ? 'subscription'
            : 'operation';
        },
        execute: async (request, caller, log) => (await measured(run(caller, request, false, log))).body,
        onConnection: (delta) => options.metrics.connectedClients.inc(delta),
      }),
    });
    // AppSync's own real-time protocol, for Amplify and AppSync clients.
    scope.get(
      '/graphql/realtime',
      { websocket: true },
      appSyncRealtimeHandler({
        hub,
        authenticate: authenticateWith,
        onConnection: (delta) => options.metrics.connectedClients.inc(delta),
      }),
    );
  });
}
