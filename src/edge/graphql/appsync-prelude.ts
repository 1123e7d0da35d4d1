/**
 * What AppSync defines for every schema: its scalars and auth directives.
 * AppSync refuses a schema that declares them again, so schema.graphql does
 * not; Plaza's own server adds this prelude in front of it.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

export const appSyncPrelude = /* GraphQL */ `
  scalar AWSDateTime
  scalar AWSEmail
  scalar AWSURL
  scalar AWSJSON
  directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
  directive @aws_api_key on OBJECT | FIELD_DEFINITION
  directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
  directive @aws_iam on OBJECT | FIELD_DEFINITION
  directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
`;

/** How many answers' values a scalar remembers as checked, before it starts afresh. */
const checkedValuesKept = 10_000;

function stringScalar(
  name: string,
  description: string,
  valid: (value: string) => boolean,
): GraphQLScalarType {
  const check = (value: unknown) => {
    if (typeof value !== 'string' || !valid(value))
      throw new GraphQLError(`Invalid ${name}: ${String(value)}`);
    return value;
  };
  // An answer's values are checked too, as AppSync checks them, but they are mostly the same
  // strings of the same stored items again and again: a page of 20 notifications spent 15 µs on
  // its dates' pattern and Date.parse. A value seen valid is not checked twice.
  const checked = new Set<string>();
  const serialize = (value: unknown) => {
    if (typeof value === 'string' && checked.has(value)) return value;
    check(value);
    if (checked.size >= checkedValuesKept) checked.clear();
    checked.add(value as string);
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize,
    parseValue: check,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`);
      return check(ast.value);
    },
  });
}

export const appSyncScalars = {
  AWSDateTime: stringScalar(
    'AWSDateTime',
    'An ISO 8601 date and time, as AppSync defines it.',
    (value) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$/.test(value) &&
      !Number.isNaN(Date.parse(value)),
  ),
  AWSEmail: stringScalar(
    'AWSEmail',
    'An email address.',
    (value) => /^[^\s@]+@[^\s@]+$/.test(value) && value.length <= 254,
  ),
  AWSURL: stringScalar('AWSURL', 'A URL with a scheme.', (value) => URL.canParse(value)),
  AWSJSON: new GraphQLScalarType({
    name: 'AWSJSON',
    description: 'A JSON string.',
    serialize: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
    parseValue: (value) => {
      if (typeof value !== 'string') throw new GraphQLError('AWSJSON must be a JSON string');
      try {
        return JSON.parse(value);
      } catch {
        throw new GraphQLError('AWSJSON must be valid JSON');
      }
    },
  }),
};
