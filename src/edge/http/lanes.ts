/**
 * Routes served on Node's own request and response, ahead of Fastify: the
 * hottest route (POST /graphql) only. Fastify's routing, hooks, body parser and
 * reply pipeline cost a fifth of a small GraphQL request's CPU, for nothing
 * that route needs. Every other request, and every request once the server is
 * closing (Fastify answers those 503), goes through Fastify as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export type Lane = (request: IncomingMessage, response: ServerResponse) => void;

const lanesOf = new WeakMap<FastifyInstance, Map<string, Lane>>();

const routeOf = (method: string | undefined, url: string | undefined): string => {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return `${method} ${query < 0 ? path : path.slice(0, query)}`;
};

/** Serves `method path` (any query string) on `lane` instead of Fastify. */
export function addLane(server: FastifyInstance, method: string, path: string, lane: Lane): void {
  let lanes = lanesOf.get(server);
  if (!lanes) lanesOf.set(server, (lanes = new Map()));
  lanes.set(routeOf(method, path), lane);
}

/**
 * The request handler for the HTTP server under `server()`: a lane when one is set for the
 * request's route, otherwise Fastify's own handler. (`server` is a function because Fastify
 * asks for the HTTP server while it is being built.)
 */
export function withLanes(
  server: () => FastifyInstance,
  fastify: (request: IncomingMessage, response: ServerResponse) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const instance = server();
    const lane = instance.server.listening
      ? lanesOf.get(instance)?.get(routeOf(request.method, request.url))
      : undefined;
    if (lane) lane(request, response);
    else fastify(request, response);
  };
}
