import type { FastifyInstance } from 'fastify';

export interface DevOutboxOptions {
  /** The newest mail first, optionally only to one address. */
  messages(query: {
    to?: string;
    limit: number;
  }): Promise<{ at: string; to: string; subject: string; text: string; purpose: string; channel: string }[]>;
}

/**
 * GET /dev/outbox: the mail and text messages (`channel`: email or sms) the
 * development outbox holds, for the web app's dev mailbox page (codes without a
 * mail server or SNS). Development only: the
 * composition root never registers it in production, where it would hand anyone
 * everyone's codes.
 */
export function registerDevOutboxRoute(server: FastifyInstance, options: DevOutboxOptions): void {
  server.get('/dev/outbox', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const to = typeof query.to === 'string' && query.to.length > 0 ? query.to : undefined;
    const requested = Number(query.limit ?? 20);
    const limit = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), 100) : 20;
    const messages = await options.messages({ ...(to ? { to } : {}), limit });
    return reply.header('cache-control', 'no-store').send({ messages });
  });
}
