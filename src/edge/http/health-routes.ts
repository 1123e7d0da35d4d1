import type { FastifyInstance } from 'fastify';

export interface HealthChecks {
  /** Resolves when the server can serve requests (its stores answer); throws otherwise. */
  ready(): Promise<void>;
}

/** Liveness says the process runs; readiness says its dependencies answer, so a load balancer may send traffic. */
export function registerHealthRoutes(server: FastifyInstance, checks: HealthChecks): void {
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/readyz', async (_request, reply) => {
    try {
      await checks.ready();
      return { status: 'ready' };
    } catch (error) {
      server.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
