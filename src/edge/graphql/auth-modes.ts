/**
 * AppSync's authorization directives, honoured by Plaza's server. A field
 * allows the modes named on it, or else those on its type, or else the
 * default mode (Cognito user pools). `cognito_groups` on
 * `@aws_cognito_user_pools` or `@aws_auth` lets in only users whose token's
 * `cognito:groups` names one of them. `@aws_iam` lets in identity-pool
 * credentials, whose role's policy must also allow each top-level field (as
 * AppSync asks IAM). Checked on the whole document before
 * anything runs, so a refused request touches no resolver.
 */
import {
  GraphQLObjectType,
  Kind,
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Caller } from '../../ports/identity-verifier.ts';

type Mode = 'userPool' | 'apiKey' | 'iam';

const directiveModes: Record<string, Mode> = {
  aws_cognito_user_pools: 'userPool',
  aws_auth: 'userPool',
  aws_api_key: 'apiKey',
  aws_iam: 'iam',
};

/** What a field allows: its modes and, when named, the only groups whose users it lets in. */
interface Rule {
  modes: Mode[];
  groups?: string[];
}

function cognitoGroups(directive: ConstDirectiveNode): string[] | undefined {
  const argument = directive.arguments?.find((a) => a.name.value === 'cognito_groups');
  if (!argument) return undefined;
  const { value } = argument;
  const values = value.kind === Kind.LIST ? value.values : [value];
  return values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

function ruleOf(directives: readonly ConstDirectiveNode[] | undefined): Rule | undefined {
  const named = (directives ?? []).filter((d) => directiveModes[d.name.value] !== undefined);
  if (named.length === 0) return undefined;
  const groupLists = named.flatMap((d) => cognitoGroups(d) ?? []);
  return {
    modes: named.map((d) => directiveModes[d.name.value] as Mode),
    ...(named.some((d) => cognitoGroups(d) !== undefined) ? { groups: groupLists } : {}),
  };
}

/** The groups a verified user-pool token names (`cognito:groups`). */
function groupsOf(claims: Record<string, unknown>): string[] {
  const groups = claims['cognito:groups'];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

export interface AuthModes {
  /** The fields of a document the caller may not read, as "Type.field"; empty when all is allowed. */
  refused(document: DocumentNode, caller: Caller): string[];
}

export function authModes(
  schema: GraphQLSchema,
  options: {
    /** Whether an IAM caller's role allows a top-level field; absent, IAM callers get nothing. */
    iamAllows?: (caller: Extract<Caller, { kind: 'iam' }>, coordinate: string) => boolean;
  } = {},
): AuthModes {
  const allowed = new Map<string, Rule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    const typeRule = ruleOf(type.astNode?.directives) ?? { modes: ['userPool'] };
    for (const field of Object.values(type.getFields())) {
      allowed.set(`${type.name}.${field.name}`, ruleOf(field.astNode?.directives) ?? typeRule);
    }
  }
  const anyGroups = [...allowed.values()].some((rule) => rule.groups !== undefined);
  const cache = new Map<DocumentNode, string[]>();
  const groupCache = new Map<DocumentNode, [string, string[]][]>();
  const iamCache = new Map<DocumentNode, { refused: string[]; roots: string[] }>();
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? [type.name] : [],
    ),
  );
  const remember = <T>(map: Map<DocumentNode, T>, document: DocumentNode, value: T) => {
    if (map.size > 1000) map.clear();
    map.set(document, value);
    return value;
  };
  return {
    refused(document, caller) {
      // Every type allows user-pool tokens, of users in its groups when it names some; API keys are narrower.
      if (caller.kind === 'user') {
        if (!anyGroups) return [];
        const restricted =
          groupCache.get(document) ??
          remember(
            groupCache,
            document,
            selectedFields(schema, document).flatMap((coordinate): [string, string[]][] => {
              const groups = allowed.get(coordinate)?.groups;
              return groups ? [[coordinate, groups]] : [];
            }),
          );
        if (restricted.length === 0) return [];
        const mine = new Set(groupsOf(caller.claims));
        return restricted
          .filter(([, groups]) => !groups.some((group) => mine.has(group)))
          .map(([coordinate]) => coordinate);
      }
      if (caller.kind === 'iam') {
        const fields =
          iamCache.get(document) ??
          remember(iamCache, document, {
            refused: selectedFields(schema, document).filter(
              (coordinate) => allowed.get(coordinate)?.modes.includes('iam') === false,
            ),
            roots: selectedFields(schema, document).filter((coordinate) =>
              roots.has(coordinate.slice(0, coordinate.indexOf('.'))),
            ),
          });
        const denied = fields.roots.filter((coordinate) => !options.iamAllows?.(caller, coordinate));
        return [...new Set([...fields.refused, ...denied])];
      }
      const known = cache.get(document);
      if (known) return known;
      return remember(
        cache,
        document,
        selectedFields(schema, document).filter((coordinate) => {
          const rule = allowed.get(coordinate);
          return rule !== undefined && !rule.modes.includes('apiKey');
        }),
      );
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
