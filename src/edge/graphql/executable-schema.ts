/**
 * The schema file with AppSync's prelude and Plaza's resolvers attached: what
 * the local GraphQL server runs, and what each AppSync Direct Lambda
 * invocation runs for its one field. Kept apart from the HTTP routes so a
 * Lambda bundle carries no web server.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  type GraphQLField,
  type GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import { appSyncPrelude, appSyncScalars } from './appsync-prelude.ts';
import type { ResolverCache } from './resolver-cache.ts';
import type { RequestContext } from './context.ts';
import { resolvers, subscriptionResolvers, viewerGuards } from './resolvers.ts';

/** Beside this module in the sources; beside the bundle in a Lambda package (the CDK app copies it there). */
export const schemaPath = new URL('./schema.graphql', import.meta.url);

/** With a cache, the fields its rules name are cached and mutations evict them (resolver-cache.ts). */
export function executableSchema(cache?: ResolverCache): GraphQLSchema {
  const schema = buildSchema(appSyncPrelude + readFileSync(schemaPath, 'utf8'));
  for (const [name, implementation] of Object.entries(appSyncScalars)) {
    const scalar = schema.getType(name) as GraphQLScalarType;
    scalar.serialize = implementation.serialize;
    scalar.parseValue = implementation.parseValue;
    scalar.parseLiteral = implementation.parseLiteral;
  }
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type || !('getFields' in type)) throw new Error(`Resolvers for unknown type ${typeName}`);
    const schemaFields = type.getFields() as Record<string, { resolve?: unknown }>;
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = schemaFields[fieldName];
      if (!field) throw new Error(`Resolver for unknown field ${typeName}.${fieldName}`);
      const resolved = cache
        ? cache.wrap(
            typeName,
            fieldName,
            getNamedType((field as GraphQLField<unknown, unknown>).type).name,
            resolve,
          )
        : resolve;
      const guard = viewerGuards[`${typeName}.${fieldName}`];
      field.resolve = guard
        ? (source: unknown, args: never, context: RequestContext, info: never) =>
            guard(resolved(source, args, context, info), context, cache)
        : resolved;
    }
  }
  const subscriptionType = schema.getSubscriptionType();
  for (const [fieldName, { subscribe, resolve }] of Object.entries(subscriptionResolvers)) {
    const field = subscriptionType?.getFields()[fieldName];
    if (!field) throw new Error(`Resolver for unknown subscription ${fieldName}`);
    field.subscribe = subscribe as never;
    field.resolve = resolve;
  }
  return schema;
}
