/**
 * AppSync's AWS_IAM auth mode: a request SigV4-signed (service `appsync`) with identity-pool
 * credentials is the identity's, in its role; each top-level field it selects must then be allowed
 * by the role's policy (`appsync:GraphQL` on `<api ARN>/types/<Type>/fields/<field>`), as AppSync
 * asks IAM. The same policy documents are the IAM roles' on AWS (domain/identity-pools/policies.ts).
 */
import { evaluatePolicies } from '../../domain/identity-pools/evaluate-policy.ts';
import type { PolicyDocument } from '../../domain/identity-pools/policies.ts';
import type { RoleType, SessionGrant, SessionTokens } from '../../domain/identity-pools/session-tokens.ts';
import { PlazaError } from '../../platform/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Caller } from '../../ports/identity-verifier.ts';
import {
  verifySignedRequest,
  type IncomingSignedRequest,
  type Verification,
} from '../http/sigv4-verifier.ts';

export type IamCaller = Extract<Caller, { kind: 'iam' }>;

export interface IamAuth {
  /** The signed request's identity; Unauthorized when the signature, key or session token fails. */
  caller(request: IncomingSignedRequest): Promise<IamCaller>;
  /** Whether the caller's role may run the top-level field (`Query.recentPosts`). */
  allows(caller: IamCaller, coordinate: string): boolean;
}

export function iamAuth(options: {
  tokens: SessionTokens;
  clock: Clock;
  policies: Record<RoleType, PolicyDocument>;
  graphqlApiArn: string;
}): IamAuth {
  const { clock, policies, graphqlApiArn } = options;
  const lookup = sessionCredentials(options.tokens);
  return {
    async caller(request) {
      const now = clock.now();
      const verified = await verifySignedRequest(request, {
        service: 'appsync',
        now,
        lookup: (accessKeyId, sessionToken) => lookup(accessKeyId, sessionToken, now),
      });
      if (!verified.ok) throw signatureFailure(verified.reason);
      const { identityId, role } = verified.principal;
      return { kind: 'iam', identityId, role, accessKeyId: verified.accessKeyId };
    },
    allows(caller, coordinate) {
      const [type, field] = coordinate.split('.');
      return (
        evaluatePolicies([policies[caller.role]], {
          action: 'appsync:GraphQL',
          resource: `${graphqlApiArn}/types/${type}/fields/${field}`,
          context: { 'cognito-identity.amazonaws.com:sub': caller.identityId },
        }) === 'Allow'
      );
    },
  };
}

/**
 * The secret of identity-pool credentials, from their session token. A client signs many requests
 * with one session token: it is opened once, until it expires.
 */
export function sessionCredentials(
  tokens: SessionTokens,
): (
  accessKeyId: string,
  sessionToken: string | undefined,
  now: number,
) => { secretAccessKey: string; principal: SessionGrant } | undefined {
  const opened = new Map<string, ReturnType<SessionTokens['open']>>();
  const open = (sessionToken: string, now: number) => {
    let found = opened.get(sessionToken);
    if (found === undefined) {
      found = tokens.open(sessionToken, now);
      if (!found) return undefined;
      if (opened.size >= 10_000) opened.delete(opened.keys().next().value as string);
      opened.set(sessionToken, found);
    }
    return found.grant.expiresAt > now ? found : undefined;
  };
  return (accessKeyId, sessionToken, now) => {
    const found = sessionToken === undefined ? undefined : open(sessionToken, now);
    if (!found || found.grant.accessKeyId !== accessKeyId) return undefined;
    return { secretAccessKey: found.secretAccessKey, principal: found.grant };
  };
}

/** A refused signature, with the error AWS names it by (`details.signatureError`) and AWS's message. */
function signatureFailure(reason: Exclude<Verification<unknown>, { ok: true }>['reason']): PlazaError {
  const [signatureError, message] =
    reason === 'unknown key'
      ? ['UnrecognizedClientException', 'The security token included in the request is invalid.']
      : reason === 'expired'
        ? [
            'InvalidSignatureException',
            'Signature expired: the request was signed more than 15 minutes from now.',
          ]
        : [
            'InvalidSignatureException',
            'The request signature we calculated does not match the signature you provided.',
          ];
  return new PlazaError('Unauthorized', message, { signatureError });
}

/** Whether an Authorization header is a SigV4 signature rather than a user-pool token. */
export function isSigV4(authorization: string | undefined): boolean {
  return authorization?.startsWith('AWS4-HMAC-SHA256 ') ?? false;
}
