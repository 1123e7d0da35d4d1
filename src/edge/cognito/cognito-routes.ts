/**
 * Cognito's user-pool API (JSON 1.1, dispatched on X-Amz-Target), so the AWS
 * SDK's CognitoIdentityProviderClient and amazon-cognito-identity-js work with
 * `endpoint` set to Plaza, and the pool's JWKS and OpenID discovery documents.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  adminOperationSubject,
  isRecordedAdminOperation,
  recordAdminOperation,
} from '../../domain/identity/admin-operation-log.ts';
import type { IdentityServices, PoolSettings } from '../../domain/identity/model.ts';
import type { IdentityPoolServices } from '../../domain/identity-pools/model.ts';
import type { HostedUiSettings } from '../../domain/identity/oauth.ts';
import { isPlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import { cognitoError, cognitoFailure } from './cognito-errors.ts';
import { registerHostedUiRoutes } from './hosted-ui-routes.ts';
import { ipLimiter } from './ip-limiter.ts';
import { answerIdentityPool } from './identity-pool-routes.ts';
import { identityPoolTargetPrefix } from './identity-pool-operations.ts';
import { cognitoOperation } from './operations.ts';
import { checkRequest } from './request-shapes.ts';
import { verifySigV4 } from './sigv4.ts';

const targetPrefix = 'AWSCognitoIdentityProviderService.';

type AdminCredentials = { accessKeyId: string; secretAccessKey: string };

/** Whether a request is SigV4-signed with the admin credentials (none configured: never). */
function signedByAdmin(
  request: FastifyRequest,
  credentials: AdminCredentials | undefined,
  now: number,
): boolean {
  const [path = '/', query = ''] = request.url.split('?');
  return (
    credentials !== undefined &&
    verifySigV4(
      {
        method: request.method,
        path,
        query,
        headers: request.headers,
        body: (request as { rawBody?: string }).rawBody ?? '',
      },
      credentials,
      now,
    )
  );
}

// A body that is not JSON comes through as this marker, so the route answers it in Cognito's dialect.
const notJson = Symbol('not JSON');

function parseAmzJson(server: FastifyInstance): void {
  server.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (request, body, done) => {
    // SigV4 signs the exact bytes, so the admin operations need the body as it came.
    (request as { rawBody?: string }).rawBody = body as string;
    try {
      done(null, body.length === 0 ? {} : JSON.parse(body as string));
    } catch {
      done(null, notJson);
    }
  });
}

// Whatever fails before the handler (a body too large, another content type's parser) still answers with a __type.
function beforeHandlerError(
  error: { statusCode?: number; code?: string },
  _request: unknown,
  reply: FastifyReply,
) {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
  const type = error.code?.startsWith('FST_ERR_CTP') ? 'SerializationException' : 'InvalidParameterException';
  return cognitoError(reply, type, 'The request could not be read', status);
}

/**
 * Runs an operation; one signed with the admin credentials that changes something is recorded for
 * the audit log (whom it named is read first: AdminDeleteUser leaves nobody to read after). The
 * operation is done by then, so a failure to record it is logged, not answered.
 */
async function audited<T>(
  call: { request: FastifyRequest; name: string; body: Record<string, unknown>; caller: string },
  options: { services: IdentityServices; adminCredentials: AdminCredentials | undefined },
  run: () => Promise<T>,
): Promise<T> {
  if (call.caller !== 'admin' || !isRecordedAdminOperation(call.name)) return run();
  const { services } = options;
  const subject = await adminOperationSubject(call.body, services);
  const result = await run();
  const accessKeyId = options.adminCredentials?.accessKeyId ?? 'unknown';
  await recordAdminOperation({ name: call.name, accessKeyId, subject, request: call.body }, services).catch(
    (error: unknown) =>
      call.request.log.error({ err: error, operation: call.name }, 'the admin operation was not audited'),
  );
  return result;
}

export function registerCognitoRoutes(
  server: FastifyInstance,
  options: {
    services: IdentityServices;
    verifier: IdentityVerifier;
    metrics: Metrics;
    signInsPerIpPerMinute: number;
    /** Admin* and ListUsers accept only requests signed with these; absent, they are refused. */
    adminCredentials: AdminCredentials | undefined;
    /** The identity pool (AWSCognitoIdentityService targets); absent, not served. */
    identityPool?: IdentityPoolServices;
    /** The hosted UI (/oauth2/*, /login, /logout) and federation; absent, not served. */
    hostedUi?: {
      settings: HostedUiSettings;
      csrfSecret: Buffer;
      baseUrl: () => string;
    };
  },
): void {
  const { services, verifier, metrics } = options;
  const limiter = ipLimiter({ perMinute: options.signInsPerIpPerMinute, now: services.clock.now });
  const context = { services, verifier, hostedUi: options.hostedUi?.settings };
  parseAmzJson(server);

  server.post('/', { errorHandler: beforeHandlerError }, async (request, reply) => {
    const target = request.headers['x-amz-target'];
    if (options.identityPool && typeof target === 'string' && target.startsWith(identityPoolTargetPrefix)) {
      const signed = () => signedByAdmin(request, options.adminCredentials, services.clock.now());
      const edge = { signedByAdmin: signed, metrics, allowIdentity: () => limiter.allow(request.ip) };
      return answerIdentityPool(request, reply, edge, options.identityPool);
    }
    if (typeof target !== 'string' || !target.startsWith(targetPrefix)) {
      return cognitoError(reply, 'UnknownOperationException', 'Missing or unknown X-Amz-Target');
    }
    const name = target.slice(targetPrefix.length);
    const operation = cognitoOperation(name);
    if (!operation) return cognitoError(reply, 'UnknownOperationException', `Unknown operation ${name}`);
    if (request.body === notJson) {
      return cognitoError(reply, 'SerializationException', 'The request body is not valid JSON');
    }
    if (
      operation.caller === 'admin' &&
      !signedByAdmin(request, options.adminCredentials, services.clock.now())
    )
      return cognitoError(
        reply,
        'NotAuthorizedException',
        'The request is not signed with the admin credentials',
      );
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
      return cognitoError(reply, 'SerializationException', 'The request body must be a JSON object');
    }
    let body: Record<string, unknown>;
    try {
      body = checkRequest(name, request.body as Record<string, unknown>);
    } catch (error) {
      if (!isPlazaError(error)) throw error;
      return cognitoError(reply, error.code, error.message);
    }
    if (typeof body.UserPoolId === 'string' && body.UserPoolId !== services.pool.userPoolId) {
      return cognitoError(reply, 'ResourceNotFoundException', `User pool ${body.UserPoolId} does not exist.`);
    }
    const metricName = `cognito:${name}`;
    const started = performance.now();
    metrics.requests.inc({ operation: metricName });
    if (operation.signIn && !limiter.allow(request.ip)) {
      metrics.signInThrottles.inc();
      metrics.errors.inc({ operation: metricName, type: 'TooManyRequestsException' });
      return cognitoError(reply, 'TooManyRequestsException', 'Too many requests, please try again later.');
    }
    try {
      const result = await audited({ request, name, body, caller: operation.caller }, options, () =>
        operation.run(body, context),
      );
      metrics.latency.observe({ operation: metricName }, (performance.now() - started) / 1000);
      if (typeof result === 'object' && result !== null && 'AuthenticationResult' in result) {
        const flow = body.AuthFlow;
        if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') metrics.tokenRefreshSuccesses.inc();
        else metrics.signInSuccesses.inc();
      }
      return reply.header('content-type', 'application/x-amz-json-1.1').send(result);
    } catch (error) {
      const failure = cognitoFailure(error, name);
      metrics.errors.inc({
        operation: metricName,
        type: isPlazaError(error) ? error.code : 'InternalErrorException',
      });
      if (
        isPlazaError(error) &&
        (error.code === 'TooManyRequestsException' || error.message === 'Password attempts exceeded')
      ) {
        metrics.signInThrottles.inc();
      }
      if (failure) return cognitoError(reply, failure.type, failure.message, failure.status);
      // Anything else (a bug, an outage) is the service's fault, without its details.
      request.log.error({ err: error, operation: name }, 'user pool operation failed');
      return cognitoError(reply, 'InternalErrorException', 'An internal error occurred', 500);
    }
  });

  const { hostedUi } = options;
  if (hostedUi) {
    registerHostedUiRoutes(server, {
      services,
      verifier,
      metrics,
      hosted: hostedUi.settings,
      limiter,
      csrfSecret: hostedUi.csrfSecret,
      baseUrl: hostedUi.baseUrl,
      log: (message, error) => server.log.warn({ err: error }, message),
    });
  }

  const { pool, signer } = services;
  server.get(`/${pool.userPoolId}/.well-known/jwks.json`, async () => signer.jwks());
  server.get(`/${pool.userPoolId}/.well-known/openid-configuration`, async () =>
    openIdConfiguration(pool, hostedUi?.baseUrl()),
  );
}

/** The pool's OpenID discovery document; with the hosted UI (at `hostedUiUrl`), its endpoints too. */
function openIdConfiguration(pool: PoolSettings, hostedUiUrl: string | undefined) {
  return {
    issuer: pool.issuer,
    jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
    ...(hostedUiUrl !== undefined
      ? {
          authorization_endpoint: `${hostedUiUrl}/oauth2/authorize`,
          token_endpoint: `${hostedUiUrl}/oauth2/token`,
          userinfo_endpoint: `${hostedUiUrl}/oauth2/userInfo`,
          code_challenge_methods_supported: ['S256'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
        }
      : {}),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: hostedUiUrl !== undefined ? ['code'] : ['code', 'token'],
    scopes_supported: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    // The app client is public (no secret): it names itself with client_id.
    token_endpoint_auth_methods_supported:
      hostedUiUrl !== undefined ? ['none'] : ['client_secret_basic', 'client_secret_post'],
    claims_supported: [
      'sub',
      'email',
      'email_verified',
      'cognito:username',
      'cognito:groups',
      'iss',
      'aud',
      'token_use',
      'auth_time',
      'exp',
      'iat',
    ],
  };
}
