/**
 * Cognito Identity's JSON 1.1 API on the user pool's endpoint (`POST /` with
 * `X-Amz-Target: AWSCognitoIdentityService.<Op>`), so the AWS SDK's CognitoIdentityClient and
 * Amplify's `fetchAuthSession` get identities and credentials from Plaza.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityPoolServices } from '../../domain/identity-pools/model.ts';
import { isPlazaError, PlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { cognitoError, cognitoFailure } from './cognito-errors.ts';
import {
  checkIdentityPoolRequest,
  identityPoolOperation,
  identityPoolTargetPrefix,
} from './identity-pool-operations.ts';

export interface IdentityPoolEdge {
  /** Whether the request is SigV4-signed with the admin credentials (the developer operations need it). */
  signedByAdmin(): boolean;
  metrics: Metrics;
  /**
   * Whether the client's address may make another identity: GetId writes one for every guest,
   * so it counts against the per-address limit of sign-in attempts.
   */
  allowIdentity(): boolean;
}

/** Answers a request whose X-Amz-Target starts with `AWSCognitoIdentityService.`. */
export async function answerIdentityPool(
  request: FastifyRequest,
  reply: FastifyReply,
  edge: IdentityPoolEdge,
  services: IdentityPoolServices,
) {
  const { metrics } = edge;
  const name = String(request.headers['x-amz-target']).slice(identityPoolTargetPrefix.length);
  // The user pool's body parser marks a body that is not JSON with a symbol.
  const body: unknown = typeof request.body === 'symbol' ? undefined : request.body;
  const operation = identityPoolOperation(name);
  if (!operation) return cognitoError(reply, 'UnknownOperationException', `Unknown operation ${name}`);
  if (body === undefined)
    return cognitoError(reply, 'SerializationException', 'The request body is not valid JSON');
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return cognitoError(reply, 'SerializationException', 'The request body must be a JSON object');
  if (operation.caller === 'developer' && !edge.signedByAdmin())
    return cognitoError(
      reply,
      'NotAuthorizedException',
      'The request is not signed with developer credentials',
    );
  const metricName = `cognito-identity:${name}`;
  const started = performance.now();
  metrics.requests.inc({ operation: metricName });
  try {
    const request = checkIdentityPoolRequest(operation, body as Record<string, unknown>);
    if (name === 'GetId' && !edge.allowIdentity())
      throw new PlazaError('TooManyRequestsException', 'Too many requests, please try again later.');
    const result = await operation.run(request, services);
    metrics.latency.observe({ operation: metricName }, (performance.now() - started) / 1000);
    return reply.header('content-type', 'application/x-amz-json-1.1').send(result);
  } catch (error) {
    metrics.errors.inc({
      operation: metricName,
      type: isPlazaError(error) ? error.code : 'InternalErrorException',
    });
    const failure = cognitoFailure(error, name);
    if (failure) return cognitoError(reply, failure.type, failure.message, failure.status);
    request.log.error({ err: error, operation: name }, 'identity pool operation failed');
    return cognitoError(reply, 'InternalErrorException', 'An internal error occurred', 500);
  }
}
