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
import type { SubscriptionHub } from './subscription-hub.ts';

export interface RealtimeOptions {
  hub: SubscriptionHub;
  authenticate(authorization: string | undefined, apiKey: string | undefined): Promise<Caller>;
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

/** AppSync's data payload: the data, and errors with their message and path only. */
function appSyncPayload(result: ExecutionResult): string {
  return JSON.stringify({
    data: result.data ?? null,
    ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
  });
}

export function appSyncRealtimeHandler(options: RealtimeOptions) {
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const maxPayloadBytes = options.maxPayloadBytes ?? 240 * 1024;

  return (socket: WebSocket, request: FastifyRequest): void => {
    const query = request.query as Record<string, unknown>;
    const connectionHeaders = { ...decodeHeader(query.header), ...decodeHeader(headerSubprotocol(request)) };
    const subscriptions = new Map<string, () => void>();
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
      for (const stop of subscriptions.values()) stop();
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
          subscriptions.get(id)?.();
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
      send({ type: 'start_ack', id });
    }
  };
}
