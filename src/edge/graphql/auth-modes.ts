/**
 * AppSync's authorization directives, honoured by Plaza's server. A field
 * allows the modes named on it, or else those on its type, or else the
 * default mode (Cognito user pools). Checked on the whole document before
 * anything runs, so a refused request touches no resolver.
 */
import {
  GraphQLObjectType,
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Caller } from '../../ports/identity-verifier.ts';

type Mode = 'userPool' | 'apiKey';

const directiveModes: Record<string, Mode> = { aws_cognito_user_pools: 'userPool', aws_api_key: 'apiKey' };

function modesOf(directives: readonly { name: { value: string } }[] | undefined): Mode[] | undefined {
  const modes = (directives ?? []).map((d) => directiveModes[d.name.value]).filter((m) => m !== undefined);
  return modes.length > 0 ? modes : undefined;
}

export interface AuthModes {
  /** The fields of a document the caller may not read, as "Type.field"; empty when all is allowed. */
  refused(document: DocumentNode, caller: Caller): string[];
}

export function authModes(schema: GraphQLSchema): AuthModes {
  const allowed = new Map<string, Mode[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    const typeModes = modesOf(type.astNode?.directives) ?? ['userPool'];
    for (const field of Object.values(type.getFields())) {
      allowed.set(`${type.name}.${field.name}`, modesOf(field.astNode?.directives) ?? typeModes);
    }
  }
  const cache = new Map<DocumentNode, string[]>();
  return {
    refused(document, caller) {
      // Every type allows user-pool tokens; only API keys are narrower.
      if (caller.kind === 'user') return [];
      const known = cache.get(document);
      if (known) return known;
      const refused = selectedFields(schema, document).filter((coordinate) => {
        const modes = allowed.get(coordinate);
        return modes !== undefined && !modes.includes('apiKey');
      });
      if (cache.size > 1000) cache.clear();
      cache.set(document, refused);
      return refused;
    },
  };
}

/** Every field a document selects, as "Type.field", in document order (introspection fields left out). */
export function selectedFields(schema: GraphQLSchema, document: DocumentNode): string[] {
  const fields: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field && !field.name.startsWith('__'))
          fields.push(`${getNamedType(parent).name}.${field.name}`);
      },
    }),
  );
  return fields;
}
