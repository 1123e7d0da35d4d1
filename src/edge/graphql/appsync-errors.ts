/** AppSync's error shape for GraphQL over HTTP, its types taken from the error catalogue. */
import { GraphQLError } from 'graphql';
import { isPlazaError } from '../../platform/errors.ts';

export interface AppSyncError {
  path: readonly (string | number)[] | null | undefined;
  data: null;
  errorType: string;
  errorInfo: Record<string, unknown> | null;
  locations: readonly { line: number; column: number }[] | undefined;
  message: string;
}

/** What a GraphQL request comes to: the HTTP status, AppSync's response body, and the operation it named. */
export interface Outcome {
  status: number;
  body: { data?: unknown; errors?: Partial<AppSyncError>[] };
  operation: string;
}

/** One error in AppSync's shape. */
export function appSyncError(error: GraphQLError): AppSyncError {
  const original = error.originalError;
  let errorType = 'ValidationError';
  let message = error.message;
  let errorInfo: Record<string, unknown> | null = null;
  if (isPlazaError(original)) {
    errorType = original.code;
    errorInfo = original.details ? { ...original.details } : null;
  } else if (original) {
    // Anything the catalogue does not know is a bug: say so, and leak nothing.
    errorType = 'InternalFailure';
    message = 'An internal error occurred';
  }
  return { path: error.path, data: null, errorType, errorInfo, locations: error.locations, message };
}

export function failure(status: number, errorType: string, message: string, operation = 'invalid'): Outcome {
  return {
    status,
    operation,
    body: { errors: [{ errorType, message, data: null, path: null, errorInfo: null }] },
  };
}

/** AppSync's answer to fields the caller's auth mode may not read (`Type.field`): no data, one error each. */
export function unauthorizedFields(refused: readonly string[], operation: string): Outcome {
  const errors = refused.map((field) => {
    const [type, name] = field.split('.');
    return {
      errorType: 'Unauthorized',
      message: `Not Authorized to access ${name} on type ${type}`,
      data: null,
      path: null,
      errorInfo: null,
    };
  });
  return { status: 200, operation, body: { data: null, errors } };
}

export function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(String(error));
}
