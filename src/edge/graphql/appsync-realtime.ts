/**
 * AppSync's real-time protocol at /graphql/realtime, so Amplify and AppSync
 * clients subscribe to Plaza unchanged: the `graphql-ws` subprotocol, auth
 * headers as base64 JSON in the `header` query parameter (and per subscription
 * in `extensions.authorization`), `connection_init` → `connection_ack`,
 * `start` → `start_ack` → `data`…, `stop` → `complete`, and `ka` keep-alives.
 */
import type { WebSocket } from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { ExecutionResult } from 'graphql';
import { isPlazaError } from '../../platform/errors.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import type { IncomingSignedRequest } from '../http/sigv4-verifier.ts';
import type { SubscriptionHub } from './subscription-hub.ts';

export interface RealtimeOptions {
  hub: SubscriptionHub;
  /** `signed`: the request a SigV4 signature in the headers covers (AWS_IAM). */
  authenticate(
    authorization: string | undefined,
    apiKey: string | undefined,
    signed: () => IncomingSignedRequest,
  ): Promise<Caller>;
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

/**
 * What AWS_IAM clients sign for the real-time endpoint, as AppSync defines it: a POST of `{}` to
 * the GraphQL URL's `/connect` for the connection, a POST of the subscription's `data` to the
 * GraphQL URL for each `start`; the signed headers travel in the JSON beside the signature.
 */
function realtimeSigned(headers: AuthHeaders, path: string, body: string): () => IncomingSignedRequest {
  return () => ({
    method: 'POST',
    path,
    query: '',
    headers: Object.fromEntries(
      Object.entries(headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name.toLowerCase(), value]] : [],
      ),
    ),
    body,
  });
}

/** AppSync's data payload: the data, and errors with their message and path only. */
function appSyncPayload(result: ExecutionResult): string {
  return JSON.stringify({
    data: result.data ?? null,
    ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
  });
}

type StartPayload = { data?: string; extensions?: { authorization?: AuthHeaders } };

/** One socket's state. */
interface Connection {
  socket: WebSocket;
  /** The headers the upgrade carried (query parameter or subprotocol), for connection_init. */
  headers: AuthHeaders;
  /** Active subscriptions by id; the value stops one (a no-op while it is starting). */
  subscriptions: Map<string, () => void>;
  caller?: Caller;
  initTimer: NodeJS.Timeout;
  keepAlive?: NodeJS.Timeout;
  send(message: object): void;
  fail(id: string | undefined, errorType: string, message: string): void;
}

interface Limits {
  connectionTimeoutMs: number;
  keepAliveMs: number;
  maxPayloadBytes: number;
}

export function appSyncRealtimeHandler(options: RealtimeOptions) {
  const limits: Limits = {
    connectionTimeoutMs: options.connectionTimeoutMs ?? 300_000,
    keepAliveMs: options.keepAliveMs ?? 60_000,
    maxPayloadBytes: options.maxPayloadBytes ?? 240 * 1024,
  };

  return (socket: WebSocket, request: FastifyRequest): void => {
    const query = request.query as Record<string, unknown>;
    const send = (message: object) =>
      socket.readyState === socket.OPEN && socket.send(JSON.stringify(message));
    const connection: Connection = {
      socket,
      headers: { ...decodeHeader(query.header), ...decodeHeader(headerSubprotocol(request)) },
      subscriptions: new Map(),
      // A client that never says connection_init is let go, as AppSync does.
      initTimer: setTimeout(() => socket.close(4408, 'Connection initialisation timeout'), 10_000),
      send,
      fail: (id, errorType, message) =>
        send({ type: 'error', ...(id ? { id } : {}), payload: { errors: [{ errorType, message }] } }),
    };

    socket.on('close', () => {
      clearTimeout(connection.initTimer);
      if (connection.keepAlive) clearInterval(connection.keepAlive);
      for (const stop of connection.subscriptions.values()) stop();
      connection.subscriptions.clear();
      if (connection.caller) options.onConnection(-1);
    });
    socket.on('message', (raw: Buffer) => receive(options, limits, connection, raw));
  };
}

async function receive(options: RealtimeOptions, limits: Limits, connection: Connection, raw: Buffer) {
  let message: { type?: string; id?: string; payload?: StartPayload };
  try {
    message = JSON.parse(raw.toString('utf8'));
  } catch {
    return connection.fail(undefined, 'MalformedMessage', 'Messages are JSON');
  }
  switch (message.type) {
    case 'connection_init':
      return connectionInit(options, limits, connection);
    case 'start':
      return start(options, limits, connection, message.id, message.payload);
    case 'stop': {
      const id = String(message.id ?? '');
      connection.subscriptions.get(id)?.();
      connection.subscriptions.delete(id);
      return connection.send({ type: 'complete', id });
    }
    default:
      return connection.fail(
        message.id,
        'UnsupportedOperation',
        `Unknown message type ${String(message.type)}`,
      );
  }
}

async function connectionInit(options: RealtimeOptions, limits: Limits, connection: Connection) {
  const { socket, send } = connection;
  if (connection.caller) return;
  try {
    connection.caller = await options.authenticate(
      header(connection.headers, 'Authorization'),
      header(connection.headers, 'x-api-key'),
      realtimeSigned(connection.headers, '/graphql/connect', '{}'),
    );
  } catch {
    send({
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Not authorized' }] },
    });
    return socket.close(4401, 'Unauthorized');
  }
  clearTimeout(connection.initTimer);
  options.onConnection(1);
  send({ type: 'connection_ack', payload: { connectionTimeoutMs: limits.connectionTimeoutMs } });
  connection.keepAlive = setInterval(() => send({ type: 'ka' }), limits.keepAliveMs);
  connection.keepAlive.unref();
}

async function start(
  options: RealtimeOptions,
  { maxPayloadBytes }: Limits,
  connection: Connection,
  rawId: unknown,
  payload: StartPayload | undefined,
) {
  const { socket, subscriptions, caller, fail } = connection;
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
      subscriber = await options.authenticate(
        header(auth, 'Authorization'),
        header(auth, 'x-api-key'),
        realtimeSigned(auth, '/graphql', String(payload?.data ?? '')),
      );
    } catch {
      return fail(id, 'UnauthorizedException', 'Not authorized');
    }
  }
  // Claimed before the hub answers, so a repeated id cannot start twice.
  subscriptions.set(id, () => undefined);
  const subscribed = await options.hub.subscribe(
    { query: request.query, variables: request.variables, caller: subscriber },
    (live) => {
      if (socket.readyState !== socket.OPEN) return;
      const payload = live.serialized(appSyncPayload);
      // A UTF-16 unit is at most 3 bytes of UTF-8: most payloads need no byte count.
      if (payload.length * 3 > maxPayloadBytes && Buffer.byteLength(payload) > maxPayloadBytes) {
        return fail(
          id,
          'MaxSubscriptionPayloadSizeExceeded',
          `A subscription payload is at most ${maxPayloadBytes} bytes`,
        );
      }
      socket.send(`{"type":"data","id":${JSON.stringify(id)},"payload":${payload}}`);
    },
  );
  if ('errors' in subscribed) {
    subscriptions.delete(id);
    const error = subscribed.errors[0];
    return fail(
      id,
      isPlazaError(error?.originalError) ? error.originalError.code : 'ValidationError',
      subscribed.errors.map((e) => e.message).join('; ') || 'Cannot subscribe',
    );
  }
  if (!subscriptions.has(id) || socket.readyState !== socket.OPEN) return subscribed.stop();
  subscriptions.set(id, subscribed.stop);
  connection.send({ type: 'start_ack', id });
}
