/**
 * Cognito Identity's operations (`AWSCognitoIdentityService.<Op>`) as data: who may call each, the
 * members of its request as the service model declares them (types, lengths, patterns, ranges),
 * and the domain function that answers it.
 */
import { describeIdentity } from '../../domain/identity-pools/describe-identity.ts';
import { describeIdentityPool } from '../../domain/identity-pools/describe-identity-pool.ts';
import { getCredentialsForIdentity } from '../../domain/identity-pools/get-credentials-for-identity.ts';
import { getId } from '../../domain/identity-pools/get-id.ts';
import { getIdentityPoolRoles } from '../../domain/identity-pools/get-identity-pool-roles.ts';
import { getOpenIdToken } from '../../domain/identity-pools/get-open-id-token.ts';
import { listIdentities } from '../../domain/identity-pools/list-identities.ts';
import type { IdentityPoolServices } from '../../domain/identity-pools/model.ts';
import { unlinkIdentity } from '../../domain/identity-pools/unlink-identity.ts';
import { PlazaError } from '../../platform/errors.ts';

export const identityPoolTargetPrefix = 'AWSCognitoIdentityService.';

/** A member's check: undefined when the value fits, else what it must be. */
type Check = (value: unknown) => string | undefined;

const text =
  (min: number, max: number, pattern?: RegExp): Check =>
  (value) => {
    if (typeof value !== 'string') return 'a string';
    const length = [...value].length;
    if (length < min || length > max) return `a string of ${min} to ${max} characters`;
    return pattern && !pattern.test(value) ? `a string matching ${pattern.source}` : undefined;
  };
const integer =
  (min: number, max: number): Check =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? undefined
      : `an integer from ${min} to ${max}`;
const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'a boolean');
const providerName = text(1, 128);
const logins: Check = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a map';
  const entries = Object.entries(value);
  if (entries.length > 10) return 'a map of at most 10 logins';
  return entries.some(
    ([name, token]) => providerName(name) !== undefined || text(1, 50_000)(token) !== undefined,
  )
    ? 'a map of provider names to tokens'
    : undefined;
};
const providerList: Check = (value) =>
  Array.isArray(value) && value.every((name) => providerName(name) === undefined)
    ? undefined
    : 'a list of provider names';

const poolId = text(1, 55, /^[\w-]+:[0-9a-f-]+$/);
const identityId = text(1, 55, /^[\w-]+:[0-9a-f-]+$/);

interface IdentityPoolOperation {
  /** `developer`: only requests signed (SigV4) with the admin credentials, as AWS takes IAM-signed ones. */
  caller: 'public' | 'developer';
  members: Record<string, { check: Check; required?: true }>;
  run(request: Record<string, unknown>, services: IdentityPoolServices): Promise<unknown>;
}

const required = (check: Check) => ({ check, required: true as const });
const optional = (check: Check) => ({ check });

/** Sound because the route runs an operation only on a request its members' checks passed. */
function operation<Req>(
  caller: IdentityPoolOperation['caller'],
  members: IdentityPoolOperation['members'],
  handler: (request: Req, services: IdentityPoolServices) => Promise<unknown>,
): IdentityPoolOperation {
  return { caller, members, run: (request, services) => handler(request as Req, services) };
}

export const identityPoolOperations: Readonly<Record<string, IdentityPoolOperation>> = {
  GetId: operation(
    'public',
    { IdentityPoolId: required(poolId), AccountId: optional(text(1, 15, /^\d+$/)), Logins: optional(logins) },
    getId,
  ),
  GetCredentialsForIdentity: operation(
    'public',
    { IdentityId: required(identityId), Logins: optional(logins), CustomRoleArn: optional(text(20, 2048)) },
    getCredentialsForIdentity,
  ),
  GetOpenIdToken: operation(
    'public',
    { IdentityId: required(identityId), Logins: optional(logins) },
    getOpenIdToken,
  ),
  UnlinkIdentity: operation(
    'public',
    { IdentityId: required(identityId), Logins: required(logins), LoginsToRemove: required(providerList) },
    unlinkIdentity,
  ),
  DescribeIdentityPool: operation('developer', { IdentityPoolId: required(poolId) }, describeIdentityPool),
  GetIdentityPoolRoles: operation('developer', { IdentityPoolId: required(poolId) }, getIdentityPoolRoles),
  DescribeIdentity: operation('developer', { IdentityId: required(identityId) }, describeIdentity),
  ListIdentities: operation(
    'developer',
    {
      IdentityPoolId: required(poolId),
      MaxResults: required(integer(1, 60)),
      NextToken: optional(text(1, 65_535, /^\S+$/)),
      HideDisabled: optional(boolean),
    },
    listIdentities,
  ),
};

export function identityPoolOperation(name: string): IdentityPoolOperation | undefined {
  return Object.hasOwn(identityPoolOperations, name) ? identityPoolOperations[name] : undefined;
}

/** The request, its members checked; InvalidParameterException in the model's words otherwise. */
export function checkIdentityPoolRequest(
  operation: IdentityPoolOperation,
  request: Record<string, unknown>,
): Record<string, unknown> {
  for (const [name, member] of Object.entries(operation.members)) {
    const value = request[name];
    if (value === undefined || value === null) {
      if (member.required)
        throw new PlazaError(
          'InvalidParameterException',
          `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
        );
      continue;
    }
    const problem = member.check(value);
    if (problem)
      throw new PlazaError(
        'InvalidParameterException',
        `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must be ${problem}`,
      );
  }
  return request;
}
