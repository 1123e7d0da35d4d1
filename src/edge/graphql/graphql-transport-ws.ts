/**
 * The `graphql-transport-ws` protocol (graphql-ws's PROTOCOL.md) at /graphql,
 * so graphql-ws's client, Apollo and urql subscribe unchanged. Plaza speaks it
 * itself rather than through graphql-ws's server so that a live event is
 * serialized once per audience and the same text goes to every socket; the
 * server side of the protocol is small:
 *
 * - `connection_init` within the wait time (else 4408), once (else 4429),
 *   authenticated from its payload (else 4403), answered by `connection_ack`;
 * - `subscribe` only after the ack (else 4401), with an id not in use (else
 *   4409): a subscription streams `next` messages; a query or mutation gets one
 *   `next` and `complete`; a refused operation gets `error`;
 * - `complete` from the client stops a subscription; `ping` gets `pong`;
 * - anything else closes the socket with 4400.
 */
import type { WebSocket } from '@fastify/websocket';
import type { Log } from '../../platform/logger.ts';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Caller } from '../../ports/identity-verifier.ts';
import type { SubscriptionHub } from './subscription-hub.ts';

export interface OperationRequest {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface TransportOptions {
  hub: SubscriptionHub;
  authenticate(connectionParams: Record<string, unknown>): Promise<Caller>;
  /** Whether a request is a subscription (for the hub), another operation, or refused before it runs. */
  classify(request: OperationRequest): 'subscription' | 'operation' | readonly GraphQLError[];
  /**
   * Runs a query or mutation sent over the socket, as over HTTP; resolves to the `next` payload.
   * `log` is the connection's: its lines carry the upgrade request's id.
   */
  execute(request: OperationRequest, caller: Caller, log: Log): Promise<object>;
  onConnection(delta: 1 | -1): void;
  connectionInitWaitMs?: number;
  /** How often the server pings; a socket that has not answered the last ping by then is dropped. */
  keepAliveMs?: number;
}

export const graphqlTransportWsProtocol = 'graphql-transport-ws';

interface Message {
  type?: unknown;
  id?: unknown;
  payload?: unknown;
}

const nextPayload = (result: ExecutionResult) => JSON.stringify(result);

/** One socket's state. */
interface Connection {
  socket: WebSocket;
  /** The upgrade request's log: its lines carry the request's id. */
  log: Log;
  initReceived: boolean;
  initTimer: NodeJS.Timeout;
  caller?: Caller;
  /** Active operations by id; the value stops a subscription (a no-op while one is starting). */
  operations: Map<string, () => void>;
  send(text: string): void;
}

export function graphqlTransportWsHandler(options: TransportOptions) {
  const initWaitMs = options.connectionInitWaitMs ?? 3_000;
  const keepAliveMs = options.keepAliveMs ?? 30_000;

  return (socket: WebSocket, upgrade: { log: Log }): void => {
    if (socket.protocol !== graphqlTransportWsProtocol) {
      socket.close(4406, 'Subprotocol not acceptable');
      return;
    }
    const connection: Connection = {
      socket,
      log: upgrade.log,
      initReceived: false,
      initTimer: setTimeout(() => socket.close(4408, 'Connection initialisation timeout'), initWaitMs),
      operations: new Map(),
      send: (text) => socket.readyState === socket.OPEN && socket.send(text),
    };
    let alive = true;
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, keepAliveMs);
    keepAlive.unref();
    socket.on('pong', () => (alive = true));

    socket.on('close', () => {
      clearTimeout(connection.initTimer);
      clearInterval(keepAlive);
      for (const stop of connection.operations.values()) stop();
      connection.operations.clear();
      if (connection.caller) options.onConnection(-1);
    });
    socket.on('message', (raw: Buffer) => receive(options, connection, raw));
  };
}

function receive(options: TransportOptions, connection: Connection, raw: Buffer): void {
  const { socket, operations } = connection;
  let message: Message;
  try {
    message = JSON.parse(raw.toString('utf8')) as Message;
  } catch {
    return socket.close(4400, 'Invalid message received');
  }
  if (typeof message !== 'object' || message === null) return socket.close(4400, 'Invalid message received');
  switch (message.type) {
    case 'connection_init':
      return void init(options, connection, message.payload);
    case 'ping':
      return void connection.send(
        JSON.stringify(
          message.payload === undefined ? { type: 'pong' } : { type: 'pong', payload: message.payload },
        ),
      );
    case 'pong':
      return;
    case 'subscribe':
      return void subscribe(options, connection, message.id, message.payload);
    case 'complete': {
      const id = typeof message.id === 'string' ? message.id : '';
      operations.get(id)?.();
      operations.delete(id);
      return;
    }
    default:
      return socket.close(4400, `Invalid message type ${JSON.stringify(message.type)}`);
  }
}

async function init(options: TransportOptions, connection: Connection, payload: unknown) {
  const { socket } = connection;
  if (connection.initReceived) return socket.close(4429, 'Too many initialisation requests');
  connection.initReceived = true;
  const params = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  try {
    connection.caller = await options.authenticate(params);
  } catch {
    return socket.close(4403, 'Forbidden');
  }
  clearTimeout(connection.initTimer);
  if (socket.readyState !== socket.OPEN) return;
  options.onConnection(1);
  connection.send('{"type":"connection_ack"}');
}

async function subscribe(
  options: TransportOptions,
  connection: Connection,
  rawId: unknown,
  payload: unknown,
) {
  const { socket, operations, send, caller } = connection;
  if (!caller) return socket.close(4401, 'Unauthorized');
  if (typeof rawId !== 'string' || rawId.length === 0 || rawId.length > 128)
    return socket.close(4400, 'A subscribe message needs an id');
  if (
    typeof payload !== 'object' ||
    payload === null ||
    typeof (payload as OperationRequest).query !== 'string'
  )
    return socket.close(4400, 'A subscribe message needs a query');
  const id = rawId;
  if (operations.has(id)) return socket.close(4409, `Subscriber for ${id} already exists`);
  const request = payload as OperationRequest;
  const quotedId = JSON.stringify(id);
  const error = (errors: readonly GraphQLError[]) => {
    operations.delete(id);
    send(`{"id":${quotedId},"type":"error","payload":${JSON.stringify(errors)}}`);
  };
  const kind = options.classify(request);
  if (typeof kind !== 'string') return error(kind);
  operations.set(id, () => undefined);

  if (kind === 'operation') {
    const result = await options.execute(request, caller, connection.log);
    if (!operations.has(id)) return;
    operations.delete(id);
    send(`{"id":${quotedId},"type":"next","payload":${JSON.stringify(result)}}`);
    return send(`{"id":${quotedId},"type":"complete"}`);
  }
  const subscribed = await options.hub.subscribe({ ...request, caller }, (live) =>
    send(`{"id":${quotedId},"type":"next","payload":${live.serialized(nextPayload)}}`),
  );
  if ('errors' in subscribed) return error(subscribed.errors);
  // Completed by the client, or closed, while the hub was starting it.
  if (!operations.has(id) || socket.readyState !== socket.OPEN) return subscribed.stop();
  operations.set(id, subscribed.stop);
}
