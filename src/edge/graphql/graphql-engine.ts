/**
 * The GraphQL engine both transports share: envelop parses and validates a
 * document the first time it is seen, with graphql-armor's limits (depth,
 * aliases, cost, tokens, directives) before any resolver runs; graphql-jit
 * compiles it; and the outcome is kept per query text, so a repeated request
 * goes straight to its compiled query.
 */
import { envelop, useEngine, useSchema } from '@envelop/core';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import {
  getOperationAST,
  Kind,
  NoSchemaIntrospectionCustomRule,
  execute,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  type OperationTypeNode,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { asGraphQLError } from './appsync-errors.ts';

/** A request's query text as the engine knows it after the first time. */
export type Prepared =
  | { kind: 'invalid'; errors: readonly GraphQLError[]; operation: string }
  | {
      kind: 'valid';
      document: DocumentNode;
      /** The metric label: the operation's name, or its first root field. */
      operation: string;
      /** query, mutation or subscription (undefined when operationName names none). */
      type: OperationTypeNode | undefined;
      /** Runs the compiled operation (or answers why it cannot run). */
      execute(context: unknown, variables: Record<string, unknown> | undefined): unknown;
    };

export type GraphQLEngine = ReturnType<typeof graphqlEngine>;

/** How many query texts are kept: the API's clients send a few dozen; a flood of new ones cycles. */
const preparedLimit = 1000;
/**
 * Distinct metric labels at most: a label is the client's operation name, and each one becomes a
 * series in /metrics for as long as the server runs. Past this many, new names count as `other`.
 */
const labelLimit = 200;

export function graphqlEngine(schema: GraphQLSchema, production: boolean) {
  const armor = new EnvelopArmor({
    maxDepth: { n: 8 },
    maxAliases: { n: 15 },
    costLimit: { maxCost: 5000 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: production },
  });
  const getEnveloped = envelop({
    plugins: [
      useEngine({ parse, validate, specifiedRules, execute, subscribe }),
      useSchema(schema),
      ...armor.protect().plugins,
      ...(production
        ? [
            {
              onValidate: ({ addValidationRule }: { addValidationRule: (rule: unknown) => void }) =>
                addValidationRule(NoSchemaIntrospectionCustomRule),
            },
          ]
        : []),
    ],
  });

  /** Parse and validation through envelop, so armor's limits apply; compilation on first use. */
  function prepareNew(query: string, operationName: string | undefined): Prepared {
    const engine = getEnveloped();
    let document: DocumentNode;
    try {
      document = engine.parse(query);
    } catch (error) {
      return { kind: 'invalid', errors: [asGraphQLError(error)], operation: 'invalid' };
    }
    const operation = boundedLabel(operationLabel(document, operationName));
    let errors: readonly GraphQLError[];
    try {
      errors = engine.validate(engine.schema, document);
    } catch (error) {
      // graphql-armor's limits throw instead of reporting.
      errors = [asGraphQLError(error)];
    }
    if (errors.length > 0) return { kind: 'invalid', errors, operation };
    let compiled: ((context: unknown, variables: Record<string, unknown> | undefined) => unknown) | undefined;
    return {
      kind: 'valid',
      document,
      operation,
      type: getOperationAST(document, operationName)?.operation,
      execute(context, variables) {
        if (!compiled) {
          const query = compileQuery(schema, document, operationName);
          compiled = isCompiledQuery(query)
            ? (contextValue, variableValues) => query.query(undefined, contextValue, variableValues)
            : () => query satisfies ExecutionResult;
        }
        return compiled(context, variables);
      },
    };
  }

  const labels = new Set<string>();
  function boundedLabel(label: string): string {
    if (labels.has(label)) return label;
    if (labels.size >= labelLimit) return 'other';
    labels.add(label);
    return label;
  }

  const prepared = new Map<string, Prepared>();
  function prepare(query: string, operationName?: string): Prepared {
    const key = operationName === undefined ? query : `${operationName}\u0000${query}`;
    let known = prepared.get(key);
    if (!known) {
      known = prepareNew(query, operationName);
      // Oldest first out: a Map keeps insertion order.
      if (prepared.size >= preparedLimit) prepared.delete(prepared.keys().next().value as string);
      prepared.set(key, known);
    }
    return known;
  }

  return {
    prepare,
    /** Parse and validation with the same caches and limits as over HTTP (for WebSocket operations). */
    check(query: string): DocumentNode | readonly GraphQLError[] {
      const known = prepare(query);
      return known.kind === 'valid' ? known.document : known.errors;
    },
  };
}

/** The metric label of a request: its operation name, or its first root field. */
function operationLabel(document: DocumentNode, operationName: string | undefined): string {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 'invalid';
  if (operation.name) return operation.name.value;
  const first = operation.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : operation.operation;
}
