/**
 * Every HTTP request's id: the caller's, when it sends a well-formed
 * `x-amzn-RequestId` or `x-request-id` (a proxy or a client tracing its own
 * calls), otherwise a new UUID. The id labels every log line of the request
 * (`reqId`) and is echoed in `x-amzn-RequestId`, as AppSync answers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Header names as Node gives them (lower case), in order of preference. */
const incomingHeaders = ['x-amzn-requestid', 'x-request-id'] as const;

/**
 * What a caller's id may be: 8 to 128 letters, digits and `-_.:`, so a chosen id can neither
 * forge log fields nor carry text into them.
 */
const wellFormed = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function requestIdOf(headers: IncomingHttpHeaders): string {
  for (const name of incomingHeaders) {
    const value = headers[name];
    if (typeof value === 'string' && wellFormed.test(value)) return value;
  }
  return randomUUID();
}

export function registerRequestIdHeader(server: FastifyInstance): void {
  server.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amzn-RequestId', request.id);
    done();
  });
}
