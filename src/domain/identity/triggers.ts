/**
 * Cognito's Lambda triggers, in their event shapes, so the same handler file
 * runs in Plaza and as a Lambda trigger on AWS. Pre sign-up may reject a
 * sign-up (or confirm it at once); pre token generation may add, override or
 * suppress ID-token claims, except those Cognito protects.
 */
import { fail, type IdentityServices } from './model.ts';

interface TriggerEventBase {
  version: '1';
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
}

export interface PreSignUpEvent extends TriggerEventBase {
  triggerSource: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser';
  request: {
    userAttributes: Record<string, string>;
    validationData: Record<string, string> | null;
    clientMetadata?: Record<string, string>;
  };
  response: { autoConfirmUser: boolean; autoVerifyEmail: boolean; autoVerifyPhone: boolean };
}

export interface PreTokenGenerationEvent extends TriggerEventBase {
  triggerSource: 'TokenGeneration_Authentication' | 'TokenGeneration_RefreshTokens';
  request: {
    userAttributes: Record<string, string>;
    groupConfiguration: {
      groupsToOverride: string[];
      iamRolesToOverride: string[];
      preferredRole: string | null;
    };
  };
  response: {
    claimsOverrideDetails: {
      claimsToAddOrOverride?: Record<string, string | number | boolean>;
      claimsToSuppress?: string[];
      groupOverrideDetails?: {
        groupsToOverride?: string[];
        iamRolesToOverride?: string[];
        preferredRole?: string;
      };
    } | null;
  };
}

/** The groups a token names (`cognito:groups`, `cognito:roles`, `cognito:preferred_role`). */
export interface TokenGroups {
  groups: string[];
  roles: string[];
  preferredRole: string | undefined;
}

/** The group claims for a token: none at all for a user in no group, as Cognito. */
export function groupClaims(groups: TokenGroups, token: 'access' | 'id'): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (groups.groups.length > 0) claims['cognito:groups'] = groups.groups;
  if (token === 'id' && groups.roles.length > 0) claims['cognito:roles'] = groups.roles;
  if (token === 'id' && groups.preferredRole !== undefined)
    claims['cognito:preferred_role'] = groups.preferredRole;
  return claims;
}

/** A trigger: an async function from event to event, as a Lambda handler is. */
export type Trigger<E> = (event: E) => Promise<E | undefined | void>;

export interface Triggers {
  preSignUp?: Trigger<PreSignUpEvent>;
  preTokenGeneration?: Trigger<PreTokenGenerationEvent>;
}

/** Claims a pre-token-generation trigger may not touch (Cognito's list). */
const protectedClaims = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'email',
  'email_verified',
]);

function base(services: Pick<IdentityServices, 'pool'>, userName: string): TriggerEventBase {
  return {
    version: '1',
    region: services.pool.userPoolId.split('_')[0] ?? '',
    userPoolId: services.pool.userPoolId,
    userName,
    callerContext: { awsSdkVersion: 'plaza', clientId: services.pool.clientId },
  };
}

/** Runs a trigger; its failure is the caller's as Cognito reports it, with the handler's message. */
async function invoke<E>(name: string, trigger: Trigger<E>, event: E): Promise<E> {
  try {
    return (await trigger(event)) ?? event;
  } catch (error) {
    return fail('UserLambdaValidationException', `${name} failed with error ${(error as Error).message}.`);
  }
}

export async function runPreSignUp(
  userName: string,
  userAttributes: Record<string, string>,
  validationData: Record<string, string> | undefined,
  services: Pick<IdentityServices, 'pool' | 'triggers'>,
): Promise<PreSignUpEvent['response']> {
  const response = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
  const trigger = services.triggers?.preSignUp;
  if (!trigger) return response;
  const event = await invoke<PreSignUpEvent>('PreSignUp', trigger, {
    ...base(services, userName),
    triggerSource: 'PreSignUp_SignUp',
    request: { userAttributes, validationData: validationData ?? null },
    response,
  });
  return { ...response, ...event.response };
}

/**
 * The ID token's claims and the tokens' groups after the pre-token-generation trigger (unchanged
 * without one). The trigger sees the user's groups and may replace them (groupOverrideDetails);
 * the access token then names the replaced groups too, as Cognito's do.
 */
export async function runPreTokenGeneration(
  userName: string,
  source: PreTokenGenerationEvent['triggerSource'],
  claims: Record<string, unknown>,
  userAttributes: Record<string, string>,
  groups: TokenGroups,
  services: Pick<IdentityServices, 'pool' | 'triggers'>,
): Promise<{ claims: Record<string, unknown>; groups: TokenGroups }> {
  const trigger = services.triggers?.preTokenGeneration;
  const withGroups = (result: Record<string, unknown>, chosen: TokenGroups) => {
    for (const name of ['cognito:groups', 'cognito:roles', 'cognito:preferred_role']) delete result[name];
    return { claims: { ...result, ...groupClaims(chosen, 'id') }, groups: chosen };
  };
  if (!trigger) return withGroups({ ...claims }, groups);
  const event = await invoke<PreTokenGenerationEvent>('PreTokenGeneration', trigger, {
    ...base(services, userName),
    triggerSource: source,
    request: {
      userAttributes,
      groupConfiguration: {
        groupsToOverride: groups.groups,
        iamRolesToOverride: groups.roles,
        preferredRole: groups.preferredRole ?? null,
      },
    },
    response: { claimsOverrideDetails: null },
  });
  const details = event.response?.claimsOverrideDetails;
  if (!details) return withGroups({ ...claims }, groups);
  const result = { ...claims };
  for (const [name, value] of Object.entries(details.claimsToAddOrOverride ?? {})) {
    if (!protectedClaims.has(name)) result[name] = value;
  }
  for (const name of details.claimsToSuppress ?? []) {
    if (!protectedClaims.has(name)) delete result[name];
  }
  const override = details.groupOverrideDetails;
  const strings = (value: unknown, fallback: string[]) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;
  return withGroups(result, {
    groups: strings(override?.groupsToOverride, groups.groups),
    roles: strings(override?.iamRolesToOverride, groups.roles),
    preferredRole:
      typeof override?.preferredRole === 'string' ? override.preferredRole : groups.preferredRole,
  });
}
