import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PlazaError } from '../../platform/errors.ts';
import { appSyncError, failure, unauthorizedFields } from './appsync-errors.ts';

describe("AppSync's error shape", () => {
  it("takes a catalogued error's code and details", () => {
    const error = new GraphQLError('bad', {
      path: ['createPost'],
      originalError: new PlazaError('BadInput', 'Text is too long', { max: 280 }),
    });
    expect(appSyncError(error)).toMatchObject({
      errorType: 'BadInput',
      errorInfo: { max: 280 },
      message: 'bad',
      path: ['createPost'],
      data: null,
    });
  });

  it('hides anything the catalogue does not know', () => {
    const error = new GraphQLError('secret table name', { originalError: new Error('secret table name') });
    expect(appSyncError(error)).toMatchObject({
      errorType: 'InternalFailure',
      message: 'An internal error occurred',
      errorInfo: null,
    });
  });

  it('calls an error with no cause a validation error', () => {
    expect(appSyncError(new GraphQLError('Cannot query field "x"')).errorType).toBe('ValidationError');
  });

  it('answers refused fields with no data and one Unauthorized error each', () => {
    expect(unauthorizedFields(['Query.listUsers', 'User.email'], 'listUsers')).toEqual({
      status: 200,
      operation: 'listUsers',
      body: {
        data: null,
        errors: [
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access listUsers on type Query',
          }),
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access email on type User',
          }),
        ],
      },
    });
    expect(failure(400, 'BadRequestException', 'no').operation).toBe('invalid');
  });
});
