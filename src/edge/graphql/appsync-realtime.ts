/**
 * AppSync's real-time protocol at /graphql/realtime, so Amplify and AppSync
 * clients subscribe to Plaza unchanged: the `graphql-ws` subprotocol, auth
 * headers as base64 JSON in the `header` query parameter (and per subscription
 * in `extensions.authorization`), `connection_init` → `connection_ack`,
 * `start` → `start_ack` → `data`…, `stop` → `complete`, and `ka` keep-alives.
 */
import type { WebSocket } from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { GraphQLError } from 'graphql';
import {
  parse,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { isPlazaError } from '../../platform/errors.ts';
import type { Log } from '../../platform/logger.ts';
import type { Caller } from '../../ports/identity-verifier.ts';

export interface RealtimeOptions {
  schema: GraphQLSchema;
  authenticate(authorization: string | undefined, apiKey: string | undefined): Promise<Caller>;
  refused(document: DocumentNode, caller: Caller): string[];
  /** The resolver context of one subscription; `log` is the connection's (its upgrade request's id). */
  context(caller: Caller, log: Log): unknown;
  onConnection(delta: 1 | -1): void;
  /** AppSync's default: the client may wait this long between keep-alives. */
  connectionTimeoutMs?: number;
  keepAliveMs?: number;
  /** AppSync's limit on one subscription payload. */
  maxPayloadBytes?: number;
}

type AuthHeaders = Record<string, unknown>;

function decodeHeader(value: unknown): AuthHeaders {
  if (typeof value !== 'string' || value.length === 0) return {};
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    return typeof decoded === 'object' && decoded !== null ? (decoded as AuthHeaders) : {};
  } catch {
    return {};
  }
}

/**
 * AppSync also takes the connection's headers as a `header-<base64url JSON>`
 * WebSocket subprotocol beside `graphql-ws`, which keeps tokens out of URLs and
 * logs; Amplify JS v6 sends them only that way.
 */
function headerSubprotocol(request: FastifyRequest): string | undefined {
  const offered = request.headers['sec-websocket-protocol'];
  return (typeof offered === 'string' ? offered : '')
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith('header-'))
    ?.slice('header-'.length);
}

const header = (headers: AuthHeaders, name: string) => {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};

export function appSyncRealtimeHandler(options: RealtimeOptions) {
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 240 * 1024;

  return (socket: WebSocket, request: FastifyRequest): void => {
    const log = request.log;
    const query = request.query as Record<string, unknown>;
    const connectionHeaders = { ...decodeHeader(query.header), ...decodeHeader(headerSubprotocol(request)) };
    const subscriptions = new Map<string, AsyncIterator<ExecutionResult>>();
    let caller: Caller | undefined;
    let keepAlive: NodeJS.Timeout | undefined;
    const send = (message: object) =>
      socket.readyState === socket.OPEN && socket.send(JSON.stringify(message));
    const fail = (id: string | undefined, errorType: string, message: string) =>
      send({ type: 'error', ...(id ? { id } : {}), payload: { errors: [{ errorType, message }] } });

    // A client that never says connection_init is let go, as AppSync does.
    const initTimer = setTimeout(() => socket.close(4408, 'Connection initialisation timeout'), 10_000);

    socket.on('close', () => {
      clearTimeout(initTimer);
      if (keepAlive) clearInterval(keepAlive);
      for (const iterator of subscriptions.values()) void iterator.return?.();
      subscriptions.clear();
      if (caller) options.onConnection(-1);
    });

    socket.on('message', async (raw: Buffer) => {
      let message: {
        type?: string;
        id?: string;
        payload?: { data?: string; extensions?: { authorization?: AuthHeaders } };
      };
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        return fail(undefined, 'MalformedMessage', 'Messages are JSON');
      }
      switch (message.type) {
        case 'connection_init': {
          if (caller) return;
          try {
            caller = await options.authenticate(
              header(connectionHeaders, 'Authorization'),
              header(connectionHeaders, 'x-api-key'),
            );
          } catch {
            send({
              type: 'connection_error',
              payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Not authorized' }] },
            });
            return socket.close(4401, 'Unauthorized');
          }
          clearTimeout(initTimer);
          options.onConnection(1);
          send({ type: 'connection_ack', payload: { connectionTimeoutMs } });
          keepAlive = setInterval(() => send({ type: 'ka' }), keepAliveMs);
          keepAlive.unref();
          return;
        }
        case 'start':
          return start(message.id, message.payload);
        case 'stop': {
          const id = String(message.id ?? '');
          await subscriptions.get(id)?.return?.();
          subscriptions.delete(id);
          return send({ type: 'complete', id });
        }
        default:
          return fail(message.id, 'UnsupportedOperation', `Unknown message type ${String(message.type)}`);
      }
    });

    async function start(
      rawId: unknown,
      payload: { data?: string; extensions?: { authorization?: AuthHeaders } } | undefined,
    ) {
      const id = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= 128 ? rawId : undefined;
      if (!id) return fail(undefined, 'BadRequest', 'A subscription needs an id');
      if (!caller) return fail(id, 'UnauthorizedException', 'Send connection_init first');
      if (subscriptions.has(id)) return fail(id, 'BadRequest', `Subscription ${id} already exists`);
      let request: { query?: unknown; variables?: Record<string, unknown> };
      try {
        request = JSON.parse(String(payload?.data ?? ''));
      } catch {
        return fail(id, 'BadRequest', 'payload.data must be a JSON GraphQL request');
      }
      let subscriber = caller;
      const auth = payload?.extensions?.authorization;
      if (auth && (header(auth, 'Authorization') || header(auth, 'x-api-key'))) {
        try {
          subscriber = await options.authenticate(header(auth, 'Authorization'), header(auth, 'x-api-key'));
        } catch {
          return fail(id, 'UnauthorizedException', 'Not authorized');
        }
      }
      let document: DocumentNode;
      try {
        document = parse(String(request.query ?? ''));
      } catch (error) {
        return fail(id, 'ValidationError', (error as GraphQLError).message);
      }
      const errors = validate(options.schema, document);
      if (errors.length > 0) return fail(id, 'ValidationError', errors.map((e) => e.message).join('; '));
      const refused = options.refused(document, subscriber);
      if (refused.length > 0)
        return fail(id, 'Unauthorized', `Not Authorized to access ${refused.join(', ')}`);
      const result = await subscribe({
        schema: options.schema,
        document,
        variableValues: request.variables ?? {},
        contextValue: options.context(subscriber, log),
      });
      if (!(Symbol.asyncIterator in result)) {
        const error = result.errors?.[0];
        return fail(
          id,
          isPlazaError(error?.originalError) ? error.originalError.code : 'ValidationError',
          error?.message ?? 'Cannot subscribe',
        );
      }
      const iterator = result[Symbol.asyncIterator]();
      subscriptions.set(id, iterator);
      send({ type: 'start_ack', id });
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const body = JSON.stringify({
          type: 'data',
          id,
          payload: {
            data: next.value.data ?? null,
            ...(next.value.errors
              ? { errors: next.value.errors.map((e) => ({ message: e.message, path: e.path })) }
              : {}),
          },
        });
        if (Buffer.byteLength(body) > maxPayloadBytes) {
          fail(
            id,
            'MaxSubscriptionPayloadSizeExceeded',
            `A subscription payload is at most ${maxPayloadBytes} bytes`,
          );
          continue;
        }
        if (socket.readyState === socket.OPEN) socket.send(body);
      }
    }
  };
}
