/**
 * What AppSync accepts in a schema file, checked before anything is deployed:
 * AppSync declares its own scalars and directives (a schema that declares them
 * again, or any other scalar or directive, is refused at deploy time, minutes
 * in), auth directives name the API's auth modes, and each @aws_subscribe
 * names mutations that return the subscription's type.
 */
import {
  GraphQLObjectType,
  Kind,
  buildSchema,
  getNamedType,
  parse,
  validateSchema,
  type DirectiveNode,
} from 'graphql';
import { appSyncPrelude } from '../../src/edge/graphql/appsync-prelude.ts';

export const appSyncScalarNames = [
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
];

/** Auth directives by the mode each stands for. */
const authDirectives: Record<string, string> = {
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
};
const otherDirectives = ['aws_subscribe', 'deprecated'];

/** Problems with a schema file for an API with the given auth modes; empty when AppSync will take it. */
export function appSyncDialectProblems(source: string, authModes: string[]): string[] {
  const problems: string[] = [];
  let document;
  try {
    document = parse(source);
  } catch (error) {
    return [`does not parse: ${(error as Error).message}`];
  }
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) {
      problems.push(
        appSyncScalarNames.includes(definition.name.value)
          ? `declares AppSync's own scalar ${definition.name.value}`
          : `declares scalar ${definition.name.value}: AppSync allows only its own scalars`,
      );
    }
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) {
      problems.push(`declares directive @${definition.name.value}: AppSync allows only its own directives`);
    }
  }
  const checkDirectives = (
    where: string,
    directives: readonly DirectiveNode[] | undefined,
    onField: boolean,
  ) => {
    for (const directive of directives ?? []) {
      const name = directive.name.value;
      const mode = authDirectives[name];
      if (mode) {
        if (!authModes.includes(mode))
          problems.push(`${where}: @${name} names ${mode}, which the API does not enable`);
      } else if (!otherDirectives.includes(name)) {
        problems.push(`${where}: @${name} is not an AppSync directive`);
      } else if (name === 'aws_subscribe' && !onField) {
        problems.push(`${where}: @aws_subscribe belongs on a Subscription field`);
      }
    }
  };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INPUT_OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.ENUM_TYPE_DEFINITION &&
      definition.kind !== Kind.UNION_TYPE_DEFINITION
    )
      continue;
    checkDirectives(definition.name.value, definition.directives, false);
    if ('fields' in definition) {
      for (const field of definition.fields ?? []) {
        checkDirectives(`${definition.name.value}.${field.name.value}`, field.directives, true);
      }
    }
  }
  if (problems.length > 0) return problems;

  // Plaza's prelude declares the scalars Plaza uses; AppSync defines a few more.
  const declared = new Set([...appSyncPrelude.matchAll(/^\s*scalar (\w+)/gm)].map((match) => match[1]));
  const prelude =
    appSyncPrelude +
    appSyncScalarNames
      .filter((name) => !declared.has(name))
      .map((name) => `scalar ${name}\n`)
      .join('');
  let schema;
  try {
    schema = buildSchema(prelude + source);
  } catch (error) {
    return [(error as Error).message];
  }
  for (const error of validateSchema(schema)) problems.push(error.message);
  const mutations = schema.getMutationType()?.getFields() ?? {};
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const subscribe = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
      if (!subscribe) continue;
      const where = `${type.name}.${field.name}`;
      if (type !== subscriptionType) {
        problems.push(`${where}: @aws_subscribe belongs on a Subscription field`);
        continue;
      }
      const argument = subscribe.arguments?.find((a) => a.name.value === 'mutations');
      const names =
        argument?.value.kind === Kind.LIST
          ? argument.value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []))
          : [];
      if (names.length === 0) problems.push(`${where}: @aws_subscribe names no mutations`);
      for (const name of names) {
        const mutation = mutations[name];
        if (!mutation) {
          problems.push(`${where}: @aws_subscribe names ${name}, which is not a mutation`);
        } else if (getNamedType(mutation.type).name !== getNamedType(field.type).name) {
          problems.push(
            `${where}: returns ${getNamedType(field.type).name} but ${name} returns ${getNamedType(mutation.type).name}`,
          );
        }
      }
    }
  }
  return problems;
}
