/**
 * One GraphQL request for an authenticated caller, over HTTP or a WebSocket:
 * its shape checked, parsed, validated, its auth modes honoured, executed
 * within AppSync's request limit, and answered in AppSync's shape.
 */
import type { ExecutionResult } from 'graphql';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Log } from '../../platform/logger.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import { appSyncError, failure, unauthorizedFields, type Outcome } from './appsync-errors.ts';
import type { AuthModes } from './auth-modes.ts';
import { requestContext, type GraphQLServices } from './context.ts';
import { isPromiseLike } from './resolvers.ts';
import type { GraphQLEngine } from './graphql-engine.ts';

export interface RunOptions {
  graphql: GraphQLEngine;
  modes: AuthModes;
  services: GraphQLServices;
  timeoutMs: number;
}

interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

function readRequest(body: unknown): GraphQLRequest | Outcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure(400, 'BadRequestException', 'Send one GraphQL request as a JSON object');
  }
  const { query, variables, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.length === 0) {
    return failure(400, 'BadRequestException', 'The request has no query');
  }
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  ) {
    return failure(400, 'BadRequestException', 'variables must be an object');
  }
  return {
    query,
    variables: (variables as Record<string, unknown> | undefined) ?? undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
  };
}

/** Parses, checks and executes one request for an authenticated caller. */
export async function runGraphQL(
  options: RunOptions,
  caller: Caller,
  body: unknown,
  readOnly: boolean,
  log: Log,
): Promise<Outcome> {
  const request = readRequest(body);
  if ('status' in request) return request;
  const prepared = options.graphql.prepare(request.query, request.operationName);
  const { operation } = prepared;
  if (prepared.kind === 'invalid') {
    return { status: 400, operation, body: { errors: prepared.errors.map(appSyncError) } };
  }
  // GET may only read: a mutation over GET could be set off by a link or an image.
  if (readOnly && prepared.type && prepared.type !== 'query')
    return failure(405, 'BadRequestException', `A ${prepared.type} needs POST`, operation);
  const refused = options.modes.refused(prepared.document, caller);
  if (refused.length > 0) return unauthorizedFields(refused, operation);
  const execution = prepared.execute(requestContext(caller, options.services, log), request.variables);
  // An answer made without waiting (no resolver awaited anything) needs no timer.
  const result = isPromiseLike(execution)
    ? await within(options.timeoutMs, execution)
    : (execution as ExecutionResult);
  for (const error of result.errors ?? []) {
    const original = error.originalError;
    if (original && !isPlazaError(original))
      log.error({ err: original, path: error.path }, 'resolver failed');
  }
  return {
    status: 200,
    operation,
    body: {
      data: result.data ?? null,
      ...(result.errors?.length ? { errors: result.errors.map(appSyncError) } : {}),
    },
  };
}

/**
 * The execution's answer, or a timeout once `timeoutMs` has passed. One promise and one timer,
 * rather than a race with a finally, which made four promises more on every request.
 */
function within(timeoutMs: number, execution: PromiseLike<unknown>): Promise<ExecutionResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new PlazaError('InternalFailure', 'Request timed out')), timeoutMs);
    execution.then(
      (result) => {
        clearTimeout(timer);
        resolve(result as ExecutionResult);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
