import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { isPlazaError } from '../../platform/errors.ts';

/** Plain HTTP routes answer a failure with its catalogue status and name (as GraphQL's errorType). */
export function sendError(reply: FastifyReply, error: unknown, log: FastifyBaseLogger): FastifyReply {
  if (isPlazaError(error)) {
    return reply.code(error.status).send({ errorType: error.code, message: error.message });
  }
  log.error({ err: error }, 'request failed');
  return reply.code(500).send({ errorType: 'InternalFailure', message: 'Something went wrong on our side' });
}
