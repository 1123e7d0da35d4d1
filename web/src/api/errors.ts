/**
 * Plain-language messages for what Plaza (or AWS) answers: GraphQL errors carry
 * AppSync's `errorType`, the user pool's carry Cognito's exception names (Amplify
 * hands them over as the error's `name`).
 */

export interface Problem {
  /** The error's type as the service named it (errorType or Cognito's exception name). */
  type: string;
  message: string;
}

export class ApiError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.errorType = errorType;
  }
}

const fixedMessages: Record<string, string> = {
  Unauthorized: 'Your session has ended. Sign in again.',
  UnauthorizedException: 'Your session has ended. Sign in again.',
  Forbidden: 'You are not allowed to do that.',
  InternalFailure: 'Something went wrong on our side. Try again in a moment.',
  NotAuthorizedException: 'Incorrect email or password.',
  UserNotFoundException: 'Incorrect email or password.',
  CodeMismatchException: 'That code is not right. Check it and try again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  TooManyRequestsException: 'Too many attempts. Wait a minute and try again.',
  LimitExceededException: 'Too many attempts. Wait a minute and try again.',
  TooManyFailedAttemptsException: 'Too many wrong attempts. Wait a while before trying again.',
  ProvisionedThroughputExceededException: 'Plaza is busy right now. Try again in a moment.',
  ThrottlingException: 'Plaza is busy right now. Try again in a moment.',
  EnableSoftwareTokenMFAException:
    "That code is not right. Check your authenticator app's clock and try again.",
  UsernameExistsException: 'An account with this email already exists. Sign in instead.',
  NetworkError: 'Plaza cannot be reached. Check your connection and try again.',
};

/** The service's own message is shown where it explains the problem to the person (bad input, a taken name). */
const serverWorded = new Set([
  'BadInput',
  'Conflict',
  'NotFound',
  'ValidationError',
  'InvalidPasswordException',
  'InvalidParameterException',
  'UserNotConfirmedException',
]);

export function describeError(error: unknown): Problem {
  const { type, message } = rawProblem(error);
  if (serverWorded.has(type) && message) return { type, message: sentence(message) };
  return { type, message: fixedMessages[type] ?? (message ? sentence(message) : 'Something went wrong.') };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function rawProblem(error: unknown): Problem {
  if (error instanceof ApiError) return { type: error.errorType, message: error.message };
  if (error instanceof TypeError && /fetch|network/i.test(error.message))
    return { type: 'NetworkError', message: error.message };
  if (error instanceof Error) {
    if (error.name === 'NetworkError' || /network error/i.test(error.message))
      return { type: 'NetworkError', message: error.message };
    return { type: error.name, message: error.message };
  }
  return { type: 'Unknown', message: String(error) };
}

/** Amplify rejects a GraphQL call with the response itself when it carries errors; the first error speaks for it. */
export function apiErrorOf(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'errors' in error) {
    const errors = (error as { errors?: { errorType?: string; message?: string }[] }).errors;
    const first = errors?.[0];
    if (first) {
      const message = first.message ?? 'Request failed';
      // Plaza and AppSync always name the type; an error without one was made in the client (a lost connection).
      const type = first.errorType ?? (/network/i.test(message) ? 'NetworkError' : 'ClientError');
      return new ApiError(type, message);
    }
  }
  return error;
}
