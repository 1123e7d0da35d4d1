/**
 * The one catalogue of error codes. Every failure Plaza reports carries one of
 * these codes; each edge (HTTP, GraphQL, the Cognito API) translates a code once,
 * from the table below, into its own dialect.
 *
 * Item-store codes use DynamoDB's exception names so that code written against
 * the SQLite engine sees exactly what it would see on AWS.
 */
export const errorCatalogue = {
  // Item store (DynamoDB's names)
  ValidationException: { status: 400, retryable: false },
  ConditionalCheckFailedException: { status: 400, retryable: false },
  TransactionCanceledException: { status: 400, retryable: false },
  TransactionConflictException: { status: 400, retryable: true },
  ProvisionedThroughputExceededException: { status: 400, retryable: true },
  ResourceNotFoundException: { status: 400, retryable: false },
  ItemCollectionSizeLimitExceededException: { status: 400, retryable: false },
  // The social domain (GraphQL errorType)
  BadInput: { status: 400, retryable: false },
  Unauthorized: { status: 401, retryable: false },
  Forbidden: { status: 403, retryable: false },
  NotFound: { status: 404, retryable: false },
  Conflict: { status: 409, retryable: false },
  // Uploads and the media server (HTTP's own statuses)
  PayloadTooLarge: { status: 413, retryable: false },
  UnsupportedMediaType: { status: 415, retryable: false },
  RangeNotSatisfiable: { status: 416, retryable: false },
  // The user pool (Cognito's names)
  UsernameExistsException: { status: 400, retryable: false },
  GroupExistsException: { status: 400, retryable: false },
  AliasExistsException: { status: 400, retryable: false },
  UserLambdaValidationException: { status: 400, retryable: false },
  NotAuthorizedException: { status: 400, retryable: false },
  UserNotConfirmedException: { status: 400, retryable: false },
  UserNotFoundException: { status: 400, retryable: false },
  CodeMismatchException: { status: 400, retryable: false },
  ExpiredCodeException: { status: 400, retryable: false },
  InvalidPasswordException: { status: 400, retryable: false },
  InvalidParameterException: { status: 400, retryable: false },
  TooManyRequestsException: { status: 400, retryable: true },
  TooManyFailedAttemptsException: { status: 400, retryable: false },
  LimitExceededException: { status: 400, retryable: true },
  UnsupportedOperationException: { status: 400, retryable: false },
  EnableSoftwareTokenMFAException: { status: 400, retryable: false },
  SoftwareTokenMFANotFoundException: { status: 400, retryable: false },
  PasswordResetRequiredException: { status: 400, retryable: false },
  InvalidSmsRoleAccessPolicyException: { status: 400, retryable: false },
  // Passkeys (Cognito's WebAuthn operations)
  WebAuthnNotEnabledException: { status: 400, retryable: false },
  WebAuthnConfigurationMissingException: { status: 400, retryable: false },
  WebAuthnChallengeNotFoundException: { status: 400, retryable: false },
  WebAuthnRelyingPartyMismatchException: { status: 400, retryable: false },
  WebAuthnOriginNotAllowedException: { status: 400, retryable: false },
  WebAuthnCredentialNotSupportedException: { status: 400, retryable: false },
  // The identity pool (Cognito Identity's names): a login already linked to another identity
  ResourceConflictException: { status: 400, retryable: false },
  InternalErrorException: { status: 500, retryable: true },
  // The user pool's JSON protocol (AWS's names): an unreadable body, an unknown X-Amz-Target
  SerializationException: { status: 400, retryable: false },
  UnknownOperationException: { status: 400, retryable: false },
  // Configuration and the command line
  ConfigurationError: { status: 500, retryable: false },
  InternalFailure: { status: 500, retryable: true },
  // OAuth 2.0 and OpenID Connect (RFC 6749's names): the hosted UI's endpoints
  invalid_request: { status: 400, retryable: false },
  invalid_client: { status: 401, retryable: false },
  invalid_grant: { status: 400, retryable: false },
  unauthorized_client: { status: 400, retryable: false },
  unsupported_grant_type: { status: 400, retryable: false },
  invalid_scope: { status: 400, retryable: false },
  invalid_token: { status: 401, retryable: false },
  access_denied: { status: 403, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class PlazaError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = code;
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCatalogue[this.code].status;
  }

  get retryable(): boolean {
    return errorCatalogue[this.code].retryable;
  }
}

export function isPlazaError(error: unknown, code?: ErrorCode): error is PlazaError {
  return error instanceof PlazaError && (code === undefined || error.code === code);
}
