/**
 * AppSync's Direct Lambda resolvers running Plaza's own resolvers. AppSync has
 * already parsed, validated and authorized the request (user-pool token or API
 * key, the schema's auth directives) when it invokes the Lambda for one field.
 * That field is executed here with its whole selection set, through the same
 * resolvers and per-request batching as the local server, so a nested field
 * (a post's author, viewerHasLiked) costs no further invocation.
 */
import type { AppSyncIdentity, AppSyncResolverEvent } from 'aws-lambda';
import {
  GraphQLSchema,
  Kind,
  TypeInfo,
  execute,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  parse,
  parseType,
  print,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLObjectType,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { isPlazaError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import { requestContext, type GraphQLServices } from './context.ts';
import { requestIdOf } from '../http/request-ids.ts';

export type DirectLambdaEvent = AppSyncResolverEvent<Record<string, unknown> | null>;

/** What the Lambda throws: its name becomes AppSync's `errorType`, its message the error's message. */
export class AppSyncResolverError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/**
 * AppSync has checked the caller; Cognito identities carry the token's claims, API-key requests none,
 * IAM ones the principal's ARN.
 */
export function callerOf(identity: AppSyncIdentity | null | undefined): Caller {
  if (!identity) return { kind: 'apiKey', keyId: 'appsync' };
  if ('sub' in identity && 'claims' in identity && typeof identity.sub === 'string') {
    const claims = (identity.claims ?? {}) as Record<string, unknown>;
    const username = 'username' in identity && typeof identity.username === 'string' ? identity.username : '';
    return {
      kind: 'user',
      sub: identity.sub,
      username: username || String(claims['cognito:username'] ?? claims.username ?? identity.sub),
      tokenUse: claims.token_use === 'id' ? 'id' : 'access',
      claims,
    };
  }
  // Identity-pool credentials carry their identity; the deployment's own roles (a Lambda's) do not.
  if ('userArn' in identity && typeof identity.userArn === 'string' && !identity.cognitoIdentityId) {
    return { kind: 'service', arn: identity.userArn };
  }
  return { kind: 'anonymous' };
}

/**
 * AppSync reads the Lambda's result by field name, whatever the client called a field, and
 * applies the client's aliases itself; so the result is keyed by field names.
 */
function withoutAliases(selectionSet: SelectionSetNode): SelectionSetNode {
  return visit(selectionSet, {
    Field: (node) => (node.alias ? { ...node, alias: undefined } : undefined),
  });
}

/**
 * The field's selection set as AppSync sends it (`info.selectionSetGraphQL`): the selections
 * under the field, with named fragments already inlined. Some payloads wrap them in the field
 * itself (`{ getPost(id: $id) { ... } }`); that wrapper is taken off.
 */
function selectionSetOf(
  event: DirectLambdaEvent,
  returnType: GraphQLObjectType | undefined,
): SelectionSetNode | undefined {
  const text = event.info.selectionSetGraphQL?.trim();
  if (!text || !returnType) return undefined;
  const operation = parse(text).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return undefined;
  const selections = operation.selectionSet.selections;
  const only = selections[0];
  if (
    selections.length === 1 &&
    only?.kind === Kind.FIELD &&
    only.name.value === event.info.fieldName &&
    only.selectionSet &&
    !(event.info.fieldName in returnType.getFields())
  ) {
    return withoutAliases(only.selectionSet);
  }
  return withoutAliases(operation.selectionSet);
}

function namedObjectType(type: unknown): GraphQLObjectType | undefined {
  let current = type as { ofType?: unknown };
  while (current && 'ofType' in current && current.ofType) current = current.ofType as { ofType?: unknown };
  return isObjectType(current) ? current : undefined;
}

/**
 * Every field of a type, nested types included (each type once along a path), leaving out
 * fields that need arguments: the answer for a field AppSync caches, since its cache keeps one
 * answer per caching key and serves it to every selection set.
 */
function wholeSelection(
  type: GraphQLObjectType,
  ancestors: ReadonlySet<string> = new Set(),
): SelectionSetNode {
  const selections: FieldNode[] = [];
  const path = new Set([...ancestors, type.name]);
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    const name = { kind: Kind.NAME, value: field.name } as const;
    if (isLeafType(named)) selections.push({ kind: Kind.FIELD, name });
    else if (isObjectType(named) && !path.has(named.name)) {
      selections.push({ kind: Kind.FIELD, name, selectionSet: wholeSelection(named, path) });
    }
  }
  return { kind: Kind.SELECTION_SET, selections };
}

const rootArgumentPrefix = 'plazaArgument_';

/** The one-field operation to execute, with a variable per argument AppSync passed and per variable the selections use. */
function operationFor(
  schema: GraphQLSchema,
  root: GraphQLObjectType,
  event: DirectLambdaEvent,
  whole: boolean,
): { document: DocumentNode; variableValues: Record<string, unknown> } {
  const field = root.getFields()[event.info.fieldName];
  if (!field)
    throw new AppSyncResolverError('BadInput', `${root.name}.${event.info.fieldName} is not in the schema`);
  const args = event.arguments ?? {};
  const variableValues: Record<string, unknown> = {};
  const variableDefinitions: VariableDefinitionNode[] = [];
  const argumentNodes: ArgumentNode[] = [];
  for (const argument of field.args) {
    if (!(argument.name in args)) continue;
    const variable = `${rootArgumentPrefix}${argument.name}`;
    variableValues[variable] = args[argument.name];
    variableDefinitions.push({
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
      type: parseType(String(argument.type)),
    });
    argumentNodes.push({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: argument.name },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
    });
  }
  const returnType = namedObjectType(field.type);
  const selectionSet = whole && returnType ? wholeSelection(returnType) : selectionSetOf(event, returnType);
  const fieldNode: FieldNode = {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: field.name },
    arguments: argumentNodes,
    ...(selectionSet ? { selectionSet } : {}),
  };
  const operationKind = root === schema.getMutationType() ? 'mutation' : 'query';
  const bare: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: operationKind as never,
        variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections: [fieldNode] },
      },
    ],
  };
  // Variables inside the selection set (`@include(if: $x)`) come from the request's own variables.
  const typeInfo = new TypeInfo(schema);
  const declared = new Set(variableDefinitions.map((definition) => definition.variable.name.value));
  const requestVariables = event.info.variables ?? {};
  visit(
    bare,
    visitWithTypeInfo(typeInfo, {
      Variable(node) {
        const name = node.name.value;
        const type = typeInfo.getInputType();
        if (declared.has(name) || !type) return;
        declared.add(name);
        variableValues[name] = requestVariables[name];
        variableDefinitions.push({
          kind: Kind.VARIABLE_DEFINITION,
          variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
          type: parseType(String(type)),
        });
      },
    }),
  );
  return { document: bare, variableValues };
}

/** One error in AppSync's terms: the catalogue's code as errorType; anything else is internal and says nothing. */
function toAppSyncError(error: GraphQLError, logger: Logger, fieldName: string): AppSyncResolverError {
  const original = error.originalError;
  if (isPlazaError(original)) return new AppSyncResolverError(original.code, original.message);
  if (original instanceof AppSyncResolverError) return original;
  if (original) {
    // The errorType is what the alarm's metric filter counts.
    logger.error({ err: original, fieldName, errorType: 'InternalFailure' }, 'resolver failed');
    return new AppSyncResolverError('InternalFailure', 'An internal error occurred');
  }
  return new AppSyncResolverError('ValidationError', error.message);
}

export interface DirectLambdaOptions {
  /** The schema with Plaza's resolvers (executable-schema.ts). */
  schema: GraphQLSchema;
  /** Fields AppSync caches ("Query.getPost"): resolved whole, whatever the request selected. */
  cachedFields?: readonly string[];
  services: GraphQLServices;
  logger: Logger;
  /** The caller as Plaza knows them: a refilled pool's user is the Plaza id they are linked to (ADR 0016). */
  resolveCaller?: (caller: Caller) => Promise<Caller>;
}

/** Resolves one AppSync Direct Lambda invocation: the field's value, or a thrown AppSyncResolverError. */
export function appSyncDirectLambda(
  options: DirectLambdaOptions,
): (event: DirectLambdaEvent) => Promise<unknown> {
  const { schema, services, logger } = options;
  const resolveCaller = options.resolveCaller ?? ((caller: Caller) => Promise.resolve(caller));
  const cached = new Set(options.cachedFields ?? []);
  // A field of another type (Post.author, say) runs against a schema rooted at that type, its parent as the root value.
  const rooted = new Map<string, { schema: GraphQLSchema; root: GraphQLObjectType }>();
  const schemaFor = (typeName: string) => {
    const known = rooted.get(typeName);
    if (known) return known;
    const type = schema.getType(typeName);
    if (!isObjectType(type) || type === schema.getSubscriptionType()) {
      throw new AppSyncResolverError('BadInput', `No Lambda resolver for fields of ${typeName}`);
    }
    const entry =
      type === schema.getQueryType() || type === schema.getMutationType()
        ? { schema, root: type }
        : {
            schema: new GraphQLSchema({
              query: type,
              types: Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__')),
              directives: schema.getDirectives(),
            }),
            root: type,
          };
    rooted.set(typeName, entry);
    return entry;
  };

  return async (event) => {
    const { info } = event;
    // AppSync passes its request id among the request's headers.
    const log = logger.child({ reqId: requestIdOf(event.request?.headers ?? {}) });
    const target = schemaFor(info.parentTypeName);
    const { document, variableValues } = operationFor(
      target.schema,
      target.root,
      event,
      cached.has(`${info.parentTypeName}.${info.fieldName}`),
    );
    const result = await execute({
      schema: target.schema,
      document,
      rootValue: event.source ?? {},
      contextValue: requestContext(await resolveCaller(callerOf(event.identity)), services, log),
      variableValues,
    });
    const [first] = result.errors ?? [];
    if (first) {
      const error = toAppSyncError(first, log, `${info.parentTypeName}.${info.fieldName}`);
      log.debug({ query: print(document), errorType: error.errorType }, 'field failed');
      throw error;
    }
    return result.data?.[info.fieldName] ?? null;
  };
}
