/**
 * GraphQL over HTTP. POST /graphql runs on Node's own request and response (a
 * lane, ../http/lanes.ts): it is nearly all of the API's traffic, and Fastify's
 * routing, hooks, body parser and reply pipeline were a fifth of a small
 * request's CPU. GET /graphql (queries in the query string) stays a Fastify
 * route. Both authenticate the same way, run the request through runGraphQL
 * and count it in the same metrics.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import { LazyChild, type Log, type Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { ApiKeyVerifier, Caller, IdentityVerifier } from '../../ports/identity-verifier.ts';
import type { IncomingSignedRequest } from '../http/sigv4-verifier.ts';
import { requestIdOf } from '../http/request-ids.ts';
import { failure, type Outcome } from './appsync-errors.ts';
import { isSigV4, type IamAuth } from './iam-auth.ts';
import { runGraphQL, type RunOptions } from './graphql-run.ts';

export interface CallerOptions {
  identity: IdentityVerifier | undefined;
  apiKeys: ApiKeyVerifier;
  /** AWS_IAM: SigV4-signed requests with identity-pool credentials; absent, refused. */
  iam?: IamAuth;
}

/** A user-pool token or a SigV4 signature in Authorization, or an API key; AppSync takes nothing else. */
export async function callerOf(
  options: CallerOptions,
  authorization: string | undefined,
  apiKey: string | undefined,
  signed?: () => IncomingSignedRequest,
): Promise<Caller> {
  if (isSigV4(authorization)) {
    if (!options.iam || !signed)
      throw new PlazaError('Unauthorized', 'IAM credentials are not accepted here');
    return options.iam.caller(signed());
  }
  if (typeof authorization === 'string' && authorization.length > 0) {
    if (!options.identity) throw new PlazaError('Unauthorized', 'User-pool tokens are not accepted here');
    return options.identity.verify(authorization.replace(/^Bearer\s+/i, ''));
  }
  if (typeof apiKey === 'string' && apiKey.length > 0) return options.apiKeys.verify(apiKey);
  throw new PlazaError('Unauthorized', 'Valid authorization header not provided');
}

/** Counts an answer as AppSync's metrics do: per operation, errors by type. */
export async function measured(metrics: Metrics, answer: Promise<Outcome>): Promise<Outcome> {
  const started = performance.now();
  const outcome = await answer;
  const { operation } = outcome;
  metrics.answered(operation, (performance.now() - started) / 1000);
  for (const error of outcome.body.errors ?? []) metrics.errors.inc({ operation, type: error.errorType });
  return outcome;
}

export interface GraphQLHttpOptions extends CallerOptions {
  metrics: Metrics;
  /** The server's logger: a request's lines carry its id (`reqId`). */
  logger: Logger;
  /** The largest body a POST may send (the server's). */
  maxBodyBytes: number;
}

/** What the logger's `req` serializer reads, as Fastify's request gives it. */
function loggedRequest({ method, url, headers, socket }: IncomingMessage) {
  return { method, url, host: headers.host, ip: socket.remoteAddress, socket };
}

/** What authentication reads of a request: its headers, and what a SigV4 signature covers. */
interface HttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body's bytes as sent (a SigV4 signature covers them). */
  rawBody: Buffer | string;
}

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function graphqlHttp(options: GraphQLHttpOptions, run: RunOptions) {
  async function answer(request: HttpRequest, body: unknown, readOnly: boolean, log: Log): Promise<Outcome> {
    let caller: Caller;
    try {
      const apiKey = request.headers['x-api-key'];
      caller = await callerOf(
        options,
        request.headers.authorization,
        typeof apiKey === 'string' ? apiKey : undefined,
        () => signedRequest(request),
      );
    } catch (error) {
      const message = isPlazaError(error) ? error.message : 'Valid authorization header not provided';
      // A SigV4 signature that fails is a 403 with AWS's name for why, as AppSync answers it.
      const signatureError = isPlazaError(error) ? error.details?.signatureError : undefined;
      if (typeof signatureError === 'string') return failure(403, signatureError, message, 'unauthenticated');
      return failure(401, 'UnauthorizedException', message, 'unauthenticated');
    }
    return runGraphQL(run, caller, body, readOnly, log);
  }

  /** The answer to a POST's body (read here, up to the server's limit). */
  async function answerPost(request: IncomingMessage, log: Log): Promise<Outcome> {
    const raw = await readBody(request, options.maxBodyBytes);
    if (!Buffer.isBuffer(raw)) return raw;
    const parsed = parseJson(request.headers['content-type'], raw);
    if ('status' in parsed) return parsed;
    const http = { method: 'POST', url: request.url ?? '/graphql', headers: request.headers, rawBody: raw };
    return measured(options.metrics, answer(http, parsed.body, false, log));
  }

  /** POST /graphql, as a lane: never throws, answers every request it is given. */
  async function post(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const reqId = requestIdOf(request.headers);
    const log = new LazyChild(options.logger, { reqId });
    // The lines the other routes write (request-logging.ts), with the same fields.
    const { logger } = options;
    const req = logger.isLevelEnabled('info') ? loggedRequest(request) : undefined;
    if (req && logger.isLevelEnabled('debug')) logger.debug({ reqId, req }, 'incoming request');
    let outcome: Outcome;
    try {
      outcome = await answerPost(request, log);
    } catch (error) {
      log.error({ err: error }, 'request failed');
      outcome = failure(500, 'InternalFailure', 'An internal error occurred');
    }
    if (response.destroyed) return;
    const json = JSON.stringify(outcome.body);
    response.writeHead(outcome.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'x-amzn-RequestId': reqId,
    });
    response.end(json);
    if (req) {
      const res = { statusCode: outcome.status };
      logger.info({ reqId, req, res, responseTime: performance.now() - started }, 'request completed');
    }
  }

  /** GET /graphql: a query (never a mutation) with its variables in the query string. */
  async function get(request: FastifyRequest, reply: FastifyReply) {
    const q = request.query as Record<string, string | undefined>;
    let outcome: Outcome;
    try {
      const variables: unknown = q.variables ? JSON.parse(q.variables) : undefined;
      const body = { query: q.query, variables, operationName: q.operationName };
      const http = { method: 'GET', url: request.url, headers: request.headers, rawBody: '' };
      outcome = await measured(options.metrics, answer(http, body, true, request.log));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      outcome = failure(400, 'BadRequestException', 'variables is not valid JSON');
    }
    return reply.code(outcome.status).send(outcome.body);
  }

  return { post: (request: IncomingMessage, response: ServerResponse) => void post(request, response), get };
}

/** The request as SigV4 signed it: the path and query as sent, and the body's exact bytes. */
function signedRequest(request: HttpRequest): IncomingSignedRequest {
  const [path = '/', query = ''] = request.url.split('?');
  return { method: request.method, path, query, headers: request.headers, body: request.rawBody };
}

/** The body's bytes, or the answer to a body too large (checked against Content-Length first). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | Outcome> {
  const tooLarge = failure(413, 'PayloadTooLargeException', `The request body is larger than ${limit} bytes`);
  if (Number(request.headers['content-length']) > limit) {
    request.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        resolve(tooLarge);
      } else chunks.push(chunk);
    });
    let ended = false;
    request.on('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    request.on('error', reject);
    // A client that goes away mid-body: nothing to answer. 'close' also comes after every
    // complete body, and an Error (its stack trace) made then was 5% of a small request's CPU.
    request.on('close', () => {
      if (!ended) reject(new Error('The client closed the request'));
    });
  });
}

/**
 * The JSON body, refusing what Fastify's parser refused: another content type, and keys that
 * would poison prototypes (`__proto__`, `constructor.prototype`).
 */
function parseJson(contentType: string | undefined, raw: Buffer): { body: unknown } | Outcome {
  if (!contentType || !jsonContentType.test(contentType))
    return failure(415, 'UnsupportedMediaTypeException', 'Send the request as application/json');
  try {
    return {
      body: secureJson.parse(raw.toString('utf8'), undefined, {
        protoAction: 'error',
        constructorAction: 'error',
      }),
    };
  } catch {
    return failure(400, 'BadRequestException', 'The request body is not valid JSON');
  }
}
