/**
 * The Cognito API's error catalogue: the `__type` names its operations declare, how a failure
 * becomes one of them, and how it is answered (status, `x-amzn-errortype`, `{ __type, message }`).
 */
import type { FastifyReply } from 'fastify';
import { isPlazaError } from '../../platform/errors.ts';

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
  'WebAuthnNotEnabledException',
  'WebAuthnConfigurationMissingException',
  'WebAuthnChallengeNotFoundException',
  'WebAuthnRelyingPartyMismatchException',
  'WebAuthnOriginNotAllowedException',
  'WebAuthnCredentialNotSupportedException',
  'ResourceNotFoundException',
  'ResourceConflictException',
  'InternalErrorException',
]);

export interface CognitoFailure {
  type: string;
  message: string;
  status: number;
}

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

/** A failed operation's answer; undefined for a failure that is the service's fault (a bug, an outage). */
export function cognitoFailure(error: unknown, operation: string): CognitoFailure | undefined {
  if (!isPlazaError(error)) return undefined;
  if (cognitoCodes.has(error.code)) return { type: error.code, message: error.message, status: error.status };
  const translated = storeErrorAsCognito(error.code, operation);
  return translated && { ...translated, status: 400 };
}

export function cognitoError(reply: FastifyReply, type: string, message: string, status = 400) {
  return reply.code(status).header('x-amzn-errortype', type).send({ __type: type, message });
}
