/**
 * The GraphQL engine both transports share: envelop with graphql-jit, a parse
 * cache and a validation result kept per document, and graphql-armor's limits
 * (depth, aliases, cost, tokens, directives) before any resolver runs.
 */
import { envelop, useEngine, useSchema } from '@envelop/core';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useParserCache } from '@envelop/parser-cache';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import {
  NoSchemaIntrospectionCustomRule,
  execute,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { asGraphQLError } from './appsync-errors.ts';

/** What validation needs of an envelop. */
interface Validating {
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  schema: GraphQLSchema;
}

export type GraphQLEngine = ReturnType<typeof graphqlEngine>;

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
      useParserCache(),
      useGraphQlJit(),
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
  const validated = validations();
  return {
    /** A fresh envelop per request, as envelop expects. */
    engine: getEnveloped,
    /** A document's validation errors, found once per document. */
    validated,
    /** Parse and validation with the same caches and limits as over HTTP (for WebSocket operations). */
    check(query: string): DocumentNode | readonly GraphQLError[] {
      const engine = getEnveloped();
      let document: DocumentNode;
      try {
        document = engine.parse(query);
      } catch (error) {
        return [asGraphQLError(error)];
      }
      const errors = validated(engine, document);
      return errors.length > 0 ? errors : document;
    },
  };
}

/**
 * The parser cache hands back the same document for the same text, and the schema and rules are
 * fixed while the server runs, so a repeated request skips envelop's validation hooks, which add
 * graphql-armor's rules and build a cache key of every rule's name on each call (a tenth of a
 * small request's time).
 */
function validations(): (engine: Validating, document: DocumentNode) => readonly GraphQLError[] {
  const known = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return (engine, document) => {
    let errors = known.get(document);
    if (!errors) {
      try {
        errors = engine.validate(engine.schema, document);
      } catch (error) {
        // graphql-armor's limits throw instead of reporting.
        errors = [asGraphQLError(error)];
      }
      known.set(document, errors);
    }
    return errors;
  };
}
