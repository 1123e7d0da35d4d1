import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../platform/metrics.ts';

/**
 * GET /metrics in Prometheus text format, and the request metrics of every
 * route that is not GraphQL (GraphQL counts per operation in its own route).
 */
export function registerMetricsRoutes(server: FastifyInstance, metrics: Metrics): void {
  if (!metrics.enabled) {
    server.get('/metrics', async (_request, reply) =>
      reply
        .code(404)
        .send({ message: 'Metrics are off (metrics.enabled in plaza.config.json, PLAZA_METRICS)' }),
    );
    return;
  }
  server.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  // A callback hook: no promise for every request, GraphQL's included.
  server.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (!route || route === '/graphql' || route === '/metrics') return done();
    const operation = `${request.method} ${route}`;
    metrics.answered(operation, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) metrics.errors.inc({ operation, type: String(reply.statusCode) });
    const bytes = Number(reply.getHeader('content-length'));
    if (bytes > 0) metrics.responseBytes.inc({ operation }, bytes);
    done();
  });
}
