/**
 * The HTTP server: Fastify with the request ids, the body limit and the timeouts of configuration,
 * on a Node server that hands the routes with a lane of their own (POST /graphql) to that lane.
 */
import { createServer as createHttpServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { withLanes } from '../edge/http/lanes.ts';
import { registerRequestIdHeader, requestIdOf } from '../edge/http/request-ids.ts';
import { RequestLogging } from '../edge/http/request-logging.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';

export function createServer(config: Config, logger: Logger): FastifyInstance {
  // Timeouts against clients that hold connections open (values and why: httpSettingsOf in config.ts).
  // Node checks the headers and request timeouts every connectionsCheckingInterval (30 s by default),
  // so a slow client is cut between the timeout and the timeout plus one interval: 1 s at most here.
  // A WebSocket leaves this tracking once upgraded, and ws turns the socket's inactivity timeout off:
  // none of these cut a subscription (test/server/http-timeouts.test.ts).
  const http = {
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, config.http.headersTimeoutMs / 4)),
  };
  const server: FastifyInstance = Fastify({
    serverFactory: (handler) => {
      const node = createHttpServer(
        http,
        withLanes(() => server, handler),
      );
      node.keepAliveTimeout = config.http.keepAliveTimeoutMs;
      node.setTimeout(config.http.connectionTimeoutMs);
      return node;
    },
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLogging(),
    // The largest request body of any route, GraphQL's lane included (it reads Fastify's initialConfig).
    bodyLimit: 1024 * 1024,
    genReqId: (request) => requestIdOf(request.headers),
  });
  registerRequestIdHeader(server);
  return server;
}

/** The URL the server answers on once it listens (PORT=0 picks a free port). */
export function listeningUrl(server: FastifyInstance, config: Config): string {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}
