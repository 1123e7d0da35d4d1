/**
 * IAM's evaluation of identity policies, for the documents in policies.ts: an explicit Deny wins,
 * else an Allow allows, else the request is implicitly denied. Action and Resource (and NotAction,
 * NotResource) match with IAM's `*` and `?` wildcards — actions without regard to case, resources
 * with it; policy variables (`${aws:username}`, `${cognito-identity.amazonaws.com:sub}`, and the
 * escapes `${*}`, `${?}`, `${$}`) are replaced from the request's context, and a statement whose
 * variable has no value matches nothing. Conditions: the String operators, their `IfExists` forms,
 * and `ForAnyValue:`/`ForAllValues:` over multi-valued keys.
 */
import type { PolicyDocument, PolicyStatement } from './policies.ts';

export interface AuthorizationRequest {
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  resource: string;
  /** Condition keys and policy variables, e.g. `s3:prefix`, `cognito-identity.amazonaws.com:sub`. */
  context: Record<string, string | string[] | undefined>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const escapes: Record<string, string> = { '*': '\u0000', '?': '\u0001', $: '$' };

/**
 * The pattern with its variables replaced; undefined when one has no value. Escaped `*` and `?`
 * come back as markers that match only themselves.
 */
function substitute(pattern: string, context: AuthorizationRequest['context']): string | undefined {
  let missing = false;
  const result = pattern.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const escaped = escapes[name];
    if (escaped !== undefined) return escaped;
    const value = context[name];
    if (typeof value !== 'string') {
      missing = true;
      return '';
    }
    // A value is literal: its own wildcards must not widen the pattern.
    return value.replace(/\*/g, '\u0000').replace(/\?/g, '\u0001');
  });
  return missing ? undefined : result;
}

const patternCache = new Map<string, RegExp>();

/** IAM's wildcard match: `*` any run of characters, `?` any one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = patternCache.get(cacheKey);
  if (!regex) {
    const source = [...pattern]
      .map((c) =>
        c === '*'
          ? '.*'
          : c === '?'
            ? '.'
            : c === '\u0000'
              ? '\\*'
              : c === '\u0001'
                ? '\\?'
                : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'si' : 's');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(cacheKey, regex);
  }
  return regex.test(value);
}

function matchesAny(
  patterns: string[],
  value: string,
  context: AuthorizationRequest['context'],
  ignoreCase: boolean,
): boolean {
  return patterns.some((pattern) => {
    const resolved = substitute(pattern, context);
    return resolved !== undefined && wildcardMatch(resolved, value, ignoreCase);
  });
}

type StringTest = (policyValue: string, requestValue: string) => boolean;

/** A substituted value for an exact comparison: escaped wildcards are plain characters again. */
const literal = (value: string) => value.replaceAll('\u0000', '*').replaceAll('\u0001', '?');

const stringOperators: Record<string, { test: StringTest; negated: boolean }> = {
  StringEquals: { test: (p, r) => literal(p) === r, negated: false },
  StringNotEquals: { test: (p, r) => literal(p) === r, negated: true },
  StringEqualsIgnoreCase: { test: (p, r) => literal(p).toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (p, r) => literal(p).toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { test: (p, r) => wildcardMatch(p, r), negated: false },
  StringNotLike: { test: (p, r) => wildcardMatch(p, r), negated: true },
};

/** One condition block entry (`operator: { key: values }`), as IAM evaluates it. */
function conditionHolds(
  operatorName: string,
  entries: Record<string, string | string[]>,
  context: AuthorizationRequest['context'],
): boolean {
  const [qualifier, rest] = operatorName.includes(':')
    ? operatorName.split(':', 2)
    : [undefined, operatorName];
  const ifExists = (rest as string).endsWith('IfExists');
  const operator =
    stringOperators[ifExists ? (rest as string).slice(0, -'IfExists'.length) : (rest as string)];
  // An operator Plaza does not know cannot be shown to hold: the statement does not apply.
  if (!operator || (qualifier !== undefined && qualifier !== 'ForAnyValue' && qualifier !== 'ForAllValues'))
    return false;
  return Object.entries(entries).every(([key, policyValues]) => {
    const requestValues = list(context[key]);
    if (requestValues.length === 0) return ifExists || operator.negated || qualifier === 'ForAllValues';
    const values = list(policyValues).flatMap((value) => {
      const resolved = substitute(value, context);
      return resolved === undefined ? [] : [resolved];
    });
    const matches = (requestValue: string) => values.some((value) => operator.test(value, requestValue));
    const holdsFor = (requestValue: string) =>
      operator.negated ? !matches(requestValue) : matches(requestValue);
    return qualifier === 'ForAllValues' ? requestValues.every(holdsFor) : requestValues.some(holdsFor);
  });
}

function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const { action, resource, context } = request;
  const actionMatches =
    statement.Action !== undefined
      ? matchesAny(list(statement.Action), action, context, true)
      : statement.NotAction !== undefined && !matchesAny(list(statement.NotAction), action, context, true);
  if (!actionMatches) return false;
  const resourceMatches =
    statement.Resource !== undefined
      ? matchesAny(list(statement.Resource), resource, context, false)
      : statement.NotResource !== undefined &&
        !matchesAny(list(statement.NotResource), resource, context, false);
  if (!resourceMatches) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, entries]) =>
    conditionHolds(operator, entries, context),
  );
}

/** IAM's decision for the request under these identity policies. */
export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  request: AuthorizationRequest,
): Decision {
  let allowed = false;
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!applies(statement, request)) continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
