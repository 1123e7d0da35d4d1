/**
 * Cognito's user-pool API (JSON 1.1, dispatched on X-Amz-Target), so the AWS
 * SDK's CognitoIdentityProviderClient and amazon-cognito-identity-js work with
 * `endpoint` set to Plaza, and the pool's JWKS and OpenID discovery documents.
 */
import {
  getUserAttributeVerificationCode,
  verifyUserAttribute,
} from '../../domain/identity/verify-user-attribute.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminSetEnabled,
  adminUserGlobalSignOut,
  listUsers,
} from '../../domain/identity/admin-users.ts';
import {
  adminAddUserToGroup,
  adminListGroupsForUser,
  adminRemoveUserFromGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  listUsersInGroup,
  updateGroup,
} from '../../domain/identity/groups.ts';
import { changePassword } from '../../domain/identity/change-password.ts';
import { confirmForgotPassword } from '../../domain/identity/confirm-forgot-password.ts';
import { confirmSignUp } from '../../domain/identity/confirm-sign-up.ts';
import { deleteUser } from '../../domain/identity/delete-user.ts';
import { forgotPassword } from '../../domain/identity/forgot-password.ts';
import { revokeToken } from '../../domain/identity/revoke-token.ts';
import { adminInitiateAuth, adminRespondToAuthChallenge } from '../../domain/identity/admin-auth.ts';
import {
  adminSetUserMfaPreference,
  getUserPoolMfaConfig,
  setUserPoolMfaConfig,
} from '../../domain/identity/admin-mfa.ts';
import { adminResetUserPassword, adminSetUserPassword } from '../../domain/identity/admin-passwords.ts';
import {
  adminDeleteUserAttributes,
  adminUpdateUserAttributes,
} from '../../domain/identity/admin-user-attributes.ts';
import {
  describeUserPool,
  describeUserPoolClient,
  listUserPoolClients,
  listUserPools,
} from '../../domain/identity/describe-user-pool.ts';
import { getUser } from '../../domain/identity/get-user.ts';
import { getCsvHeader } from '../../domain/identity/get-csv-header.ts';
import { adminListUserAuthEvents } from '../../domain/identity/admin-list-user-auth-events.ts';
import { globalSignOut } from '../../domain/identity/global-sign-out.ts';
import { initiateAuth } from '../../domain/identity/initiate-auth.ts';
import type { IdentityServices } from '../../domain/identity/model.ts';
import { respondToAuthChallenge } from '../../domain/identity/respond-to-auth-challenge.ts';
import { resendConfirmationCode } from '../../domain/identity/resend-confirmation-code.ts';
import { signUp } from '../../domain/identity/sign-up.ts';
import { updateUserAttributes } from '../../domain/identity/update-user-attributes.ts';
import {
  associateSoftwareToken,
  setUserMfaPreference,
  verifySoftwareToken,
} from '../../domain/identity/software-token.ts';
import { isPlazaError } from '../../platform/errors.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { IdentityVerifier } from '../../ports/identity-verifier.ts';
import type { HostedUiSettings } from '../../domain/identity/oauth.ts';
import { registerHostedUiRoutes } from './hosted-ui-routes.ts';
import { ipLimiter } from './ip-limiter.ts';
import { checkRequest } from './request-shapes.ts';
import { verifySigV4 } from './sigv4.ts';

/** The codes Cognito's operations declare; any other failure is an internal error. */
const cognitoCodes = new Set<string>([
  'UsernameExistsException',
  'GroupExistsException',
  'AliasExistsException',
  'UserLambdaValidationException',
  'NotAuthorizedException',
  'UserNotConfirmedException',
  'UserNotFoundException',
  'CodeMismatchException',
  'ExpiredCodeException',
  'InvalidPasswordException',
  'InvalidParameterException',
  'TooManyRequestsException',
  'TooManyFailedAttemptsException',
  'LimitExceededException',
  'UnsupportedOperationException',
  'EnableSoftwareTokenMFAException',
  'PasswordResetRequiredException',
  'InvalidSmsRoleAccessPolicyException',
  'ResourceNotFoundException',
  'InternalErrorException',
]);

/**
 * An item store's error, in the terms Cognito declares for every operation: a write whose user or
 * session went away meanwhile, a request the store cannot hold, a throttled store.
 */
function storeErrorAsCognito(code: string, operation: string): { type: string; message: string } | undefined {
  switch (code) {
    case 'ConditionalCheckFailedException':
    case 'TransactionCanceledException':
      return operation.startsWith('Admin')
        ? { type: 'UserNotFoundException', message: 'User does not exist.' }
        : { type: 'NotAuthorizedException', message: 'The user or session no longer exists.' };
    case 'ValidationException':
      return { type: 'InvalidParameterException', message: 'A parameter is invalid or too large.' };
    case 'ProvisionedThroughputExceededException':
    case 'TransactionConflictException':
      return { type: 'TooManyRequestsException', message: 'Too many requests, please try again later.' };
    default:
      return undefined;
  }
}

type Operation = (body: Record<string, unknown>) => Promise<unknown>;

const targetPrefix = 'AWSCognitoIdentityProviderService.';

function cognitoError(reply: FastifyReply, type: string, message: string, status = 400) {
  return reply.code(status).header('x-amzn-errortype', type).send({ __type: type, message });
}

export function registerCognitoRoutes(
  server: FastifyInstance,
  options: {
    services: IdentityServices;
    verifier: IdentityVerifier;
    metrics: Metrics;
    signInsPerIpPerMinute: number;
    /** Admin* and ListUsers accept only requests signed with these; absent, they are refused. */
    adminCredentials: { accessKeyId: string; secretAccessKey: string } | undefined;
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
  const signInOperations = new Set(['InitiateAuth', 'RespondToAuthChallenge']);
  const operations: Record<string, Operation> = {
    SignUp: (body) => signUp(body as never, services),
    ConfirmSignUp: (body) => confirmSignUp(body as never, services),
    ResendConfirmationCode: (body) => resendConfirmationCode(body as never, services),
    InitiateAuth: (body) => initiateAuth(body as never, services),
    RespondToAuthChallenge: (body) => respondToAuthChallenge(body as never, services),
    GetUser: (body) => getUser(body as never, verifier, services),
    GlobalSignOut: (body) => globalSignOut(body as never, verifier, services),
    ForgotPassword: (body) => forgotPassword(body as never, services),
    ConfirmForgotPassword: (body) => confirmForgotPassword(body as never, services),
    ChangePassword: (body) => changePassword(body as never, verifier, services),
    RevokeToken: (body) => revokeToken(body as never, services),
    DeleteUser: (body) => deleteUser(body as never, verifier, services),
    AssociateSoftwareToken: (body) => associateSoftwareToken(body as never, verifier, services),
    VerifySoftwareToken: (body) => verifySoftwareToken(body as never, verifier, services),
    SetUserMFAPreference: (body) => setUserMfaPreference(body as never, verifier, services),
    UpdateUserAttributes: (body) => updateUserAttributes(body as never, verifier, services),
    VerifyUserAttribute: (body) => verifyUserAttribute(body as never, verifier, services),
    GetUserAttributeVerificationCode: (body) =>
      getUserAttributeVerificationCode(body as never, verifier, services),
  };
  // The back office's operations: only for requests signed (SigV4) with the admin credentials.
  const adminOperations: Record<string, Operation> = {
    AdminUpdateUserAttributes: (body) => adminUpdateUserAttributes(body as never, services),
    AdminDeleteUserAttributes: (body) => adminDeleteUserAttributes(body as never, services),
    AdminSetUserPassword: (body) => adminSetUserPassword(body as never, services),
    AdminResetUserPassword: (body) => adminResetUserPassword(body as never, services),
    AdminInitiateAuth: (body) => adminInitiateAuth(body as never, services),
    AdminRespondToAuthChallenge: (body) => adminRespondToAuthChallenge(body as never, services),
    AdminSetUserMFAPreference: (body) => adminSetUserMfaPreference(body as never, services),
    DescribeUserPool: (body) => describeUserPool(body as never, services),
    DescribeUserPoolClient: (body) =>
      describeUserPoolClient(body as never, services, options.hostedUi?.settings),
    ListUserPools: (body) => listUserPools(body as never, services),
    ListUserPoolClients: (body) => listUserPoolClients(body as never, services),
    GetUserPoolMfaConfig: () => getUserPoolMfaConfig(services),
    SetUserPoolMfaConfig: (body) => setUserPoolMfaConfig(body as never, services),
    AdminCreateUser: (body) => adminCreateUser(body as never, services),
    AdminGetUser: (body) => adminGetUser(body as never, services),
    AdminConfirmSignUp: (body) => adminConfirmSignUp(body as never, services),
    AdminDisableUser: (body) => adminSetEnabled(body as never, false, services),
    AdminEnableUser: (body) => adminSetEnabled(body as never, true, services),
    AdminDeleteUser: (body) => adminDeleteUser(body as never, services),
    AdminUserGlobalSignOut: (body) => adminUserGlobalSignOut(body as never, services),
    ListUsers: (body) => listUsers(body as never, services),
    CreateGroup: (body) => createGroup(body as never, services),
    GetGroup: (body) => getGroup(body as never, services),
    ListGroups: (body) => listGroups(body as never, services),
    UpdateGroup: (body) => updateGroup(body as never, services),
    DeleteGroup: (body) => deleteGroup(body as never, services),
    AdminAddUserToGroup: (body) => adminAddUserToGroup(body as never, services),
    AdminRemoveUserFromGroup: (body) => adminRemoveUserFromGroup(body as never, services),
    AdminListGroupsForUser: (body) => adminListGroupsForUser(body as never, services),
    ListUsersInGroup: (body) => listUsersInGroup(body as never, services),
    GetCSVHeader: (body) => getCsvHeader(body as never, services),
    AdminListUserAuthEvents: (body) => adminListUserAuthEvents(body as never, services),
  };

  // A body that is not JSON comes through as this marker, so the route answers it in Cognito's dialect.
  const notJson = Symbol('not JSON');
  server.addContentTypeParser('application/x-amz-json-1.1', { parseAs: 'string' }, (request, body, done) => {
    // SigV4 signs the exact bytes, so the admin operations need the body as it came.
    (request as { rawBody?: string }).rawBody = body as string;
    try {
      done(null, body.length === 0 ? {} : JSON.parse(body as string));
    } catch {
      done(null, notJson);
    }
  });

  // Whatever fails before the handler (a body too large, another content type's parser) still answers with a __type.
  const errorHandler = (
    error: { statusCode?: number; code?: string },
    _request: unknown,
    reply: FastifyReply,
  ) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
    const type = error.code?.startsWith('FST_ERR_CTP')
      ? 'SerializationException'
      : 'InvalidParameterException';
    return cognitoError(reply, type, 'The request could not be read', status);
  };

  server.post('/', { errorHandler }, async (request, reply) => {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith(targetPrefix)) {
      return cognitoError(reply, 'UnknownOperationException', 'Missing or unknown X-Amz-Target');
    }
    const name = target.slice(targetPrefix.length);
    const admin = Object.hasOwn(adminOperations, name) ? adminOperations[name] : undefined;
    const operation = admin ?? (Object.hasOwn(operations, name) ? operations[name] : undefined);
    if (!operation) return cognitoError(reply, 'UnknownOperationException', `Unknown operation ${name}`);
    if (request.body === notJson) {
      return cognitoError(reply, 'SerializationException', 'The request body is not valid JSON');
    }
    if (admin) {
      const [path = '/', query = ''] = request.url.split('?');
      const signed =
        options.adminCredentials !== undefined &&
        verifySigV4(
          {
            method: request.method,
            path,
            query,
            headers: request.headers,
            body: (request as { rawBody?: string }).rawBody ?? '',
          },
          options.adminCredentials,
          services.clock.now(),
        );
      if (!signed)
        return cognitoError(
          reply,
          'NotAuthorizedException',
          'The request is not signed with the admin credentials',
        );
    }
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
    if (signInOperations.has(name) && !limiter.allow(request.ip)) {
      metrics.signInThrottles.inc();
      metrics.errors.inc({ operation: metricName, type: 'TooManyRequestsException' });
      return cognitoError(reply, 'TooManyRequestsException', 'Too many requests, please try again later.');
    }
    try {
      const result = await operation(body);
      metrics.latency.observe({ operation: metricName }, (performance.now() - started) / 1000);
      if (typeof result === 'object' && result !== null && 'AuthenticationResult' in result) {
        const flow = (body as { AuthFlow?: unknown }).AuthFlow;
        if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') metrics.tokenRefreshSuccesses.inc();
        else metrics.signInSuccesses.inc();
      }
      return reply.header('content-type', 'application/x-amz-json-1.1').send(result);
    } catch (error) {
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
      if (isPlazaError(error) && cognitoCodes.has(error.code))
        return cognitoError(reply, error.code, error.message, error.status);
      const translated = isPlazaError(error) ? storeErrorAsCognito(error.code, name) : undefined;
      if (translated) return cognitoError(reply, translated.type, translated.message);
      // Anything else (an item store's error, a bug) is the service's fault, without its details.
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
  server.get(`/${pool.userPoolId}/.well-known/openid-configuration`, async () => ({
    issuer: pool.issuer,
    jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
    ...(hostedUi
      ? {
          authorization_endpoint: `${hostedUi.baseUrl()}/oauth2/authorize`,
          token_endpoint: `${hostedUi.baseUrl()}/oauth2/token`,
          userinfo_endpoint: `${hostedUi.baseUrl()}/oauth2/userInfo`,
          code_challenge_methods_supported: ['S256'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
        }
      : {}),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: hostedUi ? ['code'] : ['code', 'token'],
    scopes_supported: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    // The app client is public (no secret): it names itself with client_id.
    token_endpoint_auth_methods_supported: hostedUi
      ? ['none']
      : ['client_secret_basic', 'client_secret_post'],
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
  }));
}
