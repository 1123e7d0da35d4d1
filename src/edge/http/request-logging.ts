/**
 * A request's lines: one at `info` when it is answered ("request completed", with the request's
 * method, URL, host and address, its status and the time taken), as pino-http writes it, and the
 * line when it arrives ("incoming request") only at `debug`, where a request that never finishes
 * is worth seeing. Fastify's default writes both at `info`: under `npm start`'s logging, each line
 * cost a home-feed request about a tenth of its CPU.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class RequestLogging extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
